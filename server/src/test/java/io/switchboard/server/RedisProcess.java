package io.switchboard.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * A real {@code redis-server} (Debian's package) as a child process on 127.0.0.1 and a free port, with its own
 * directory, the append-only file on and fsynced before every reply, as cluster mode needs it. Outside CI, a machine
 * without it skips the tests that need it, saying what to install; in CI ({@code CI=true}, where {@code .ci/run}
 * installs it) its absence fails them.
 */
public final class RedisProcess implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final List<String> extra;
    private Process process;

    private RedisProcess(Path dir, int port, List<String> extra) {
        this.dir = dir;
        this.port = port;
        this.extra = extra;
    }

    /** The redis-server on the PATH, or the test is skipped (outside CI) or fails (in CI). */
    static String binary() {
        return binary("redis-server");
    }

    /** A program of Debian's redis-server package (redis-server, redis-cli) on the PATH, as {@link #binary()}. */
    static String binary(String name) {
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(entry, name);
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        String why = "needs " + name + " on the PATH (Debian/Ubuntu: apt-get install redis-server)";
        if ("true".equals(System.getenv("CI"))) {
            Assertions.fail(why + "; .ci/run installs it");
        }
        Assumptions.abort(why);
        return null;
    }

    /** Starts one in {@code dir} on a free port (tried again on another if the port was taken meanwhile). */
    public static RedisProcess start(Path dir) {
        return start(dir, List.of());
    }

    /** The same, with more options for redis-server (a Redis Cluster node: {@code --cluster-enabled yes}). */
    public static RedisProcess start(Path dir, List<String> extra) {
        String binary = binary();
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            RedisProcess redis = new RedisProcess(dir, freePort(), extra);
            try {
                redis.launch(binary);
                return redis;
            } catch (IllegalStateException e) {
                last = e;
                redis.kill();
            }
        }
        throw last;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void launch(String binary) {
        try {
            Files.createDirectories(dir);
            List<String> command = new java.util.ArrayList<>(List.of(binary, "--bind", "127.0.0.1", "--port",
                    Integer.toString(port), "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always",
                    "--save", "", "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()));
            command.addAll(extra);
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.out").toFile())
                    .start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start redis-server", e);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited on port " + port);
            }
            if (pings()) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
        throw new IllegalStateException("redis-server did not answer on port " + port + " within 10 s");
    }

    private boolean pings() {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(1_000);
            OutputStream out = socket.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] reply = new byte[7];
            int read = in.readNBytes(reply, 0, 7);
            return read == 7 && new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    /** Its URL for {@code cluster.redis}. */
    public String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    public int port() {
        return port;
    }

    /** Kills it at once ({@code kill -9}): only what its append-only file holds survives. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts it again on the same port and directory. */
    public void restart() {
        kill();
        launch(binary());
    }

    @Override
    public void close() {
        kill();
    }
}
