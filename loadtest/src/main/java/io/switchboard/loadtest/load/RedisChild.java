package io.switchboard.loadtest.load;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code redis-server} as a child process of a load test: loopback only, a free port, its own directory, the
 * append-only file fsynced before every reply ({@code appendfsync always}, as cluster mode requires), no snapshots.
 * {@link #kill} is {@code kill -9}; {@link #restart} starts it again on the same port and directory, from its file.
 */
final class RedisChild implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final String binary;
    private Process process;
    private final RedisClient client;
    private StatefulRedisConnection<String, String> connection;

    private RedisChild(String binary, Path dir, int port) {
        this.binary = binary;
        this.dir = dir;
        this.port = port;
        RedisURI uri = RedisURI.create(url());
        uri.setTimeout(Duration.ofSeconds(5));
        this.client = RedisClient.create(uri);
    }

    /**
     * Starts one in {@code dir}.
     *
     * @throws IOException when there is no redis-server on the PATH (the message says what to install)
     */
    static RedisChild start(Path dir) throws IOException {
        String binary = null;
        for (String entry : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(entry, "redis-server"))) {
                binary = Path.of(entry, "redis-server").toString();
                break;
            }
        }
        if (binary == null) {
            throw new IOException("no redis-server on the PATH (Debian/Ubuntu: apt-get install redis-server)");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        RedisChild redis = new RedisChild(binary, dir, port);
        redis.launch();
        return redis;
    }

    String url() {
        return "redis://127.0.0.1:" + port + "/0";
    }

    private void launch() throws IOException {
        Files.createDirectories(dir);
        process = new ProcessBuilder(List.of(binary, "--bind", "127.0.0.1", "--port", Integer.toString(port),
                "--dir", dir.toString(), "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                "--daemonize", "no", "--logfile", dir.resolve("redis.log").toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.out").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                connection = client.connect();
                connection.sync().ping();
                return;
            } catch (RuntimeException e) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new IOException("redis-server did not start on port " + port + " (see " + dir
                            + "/redis.log)", e);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
            }
        }
    }

    /** A command connection (the checks read leases and the commit audit with it). */
    io.lettuce.core.api.sync.RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /** Its CPU time so far, in ms. */
    long cpuMillis() {
        return Target.cpuMillisOf(process.pid());
    }

    /** Redis's {@code used_memory}, in bytes. */
    long usedMemory() {
        String info = commands().info("memory");
        java.util.regex.Matcher used = java.util.regex.Pattern.compile("used_memory:(\\d+)").matcher(info);
        return used.find() ? Long.parseLong(used.group(1)) : -1;
    }

    void kill() throws InterruptedException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    void restart() throws IOException, InterruptedException {
        kill();
        launch();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
        client.shutdown();
    }
}
