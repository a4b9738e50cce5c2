package io.switchboard.loadtest.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The server under load: a child JVM this run starts (Switchboard on a generated configuration, or the bare reference)
 * or a Switchboard someone else started ({@code --url}). For a child, memory and CPU are read from its process.
 */
final class Target implements AutoCloseable {
    /** This load generator's own classpath: the server and the reference start from it unless told otherwise. */
    private static final String OWN_CLASSPATH = System.getProperty("java.class.path");

    static final String API_KEY = "loadtest-api-key-secret";
    private static final Pattern LISTENING = Pattern.compile("listening on http://([0-9.]+):(\\d+)");

    final String name;
    final URI ws;
    final URI http;
    private final Process process;
    private Path ownData;

    /** The server's last lines of output (at most 50). */
    private final ArrayDeque<String> output;

    private Target(String name, URI ws, Process process, ArrayDeque<String> output) {
        this.output = output;
        this.name = name;
        this.ws = ws;
        this.http = URI.create("http://" + ws.getHost() + ":" + ws.getPort());
        this.process = process;
    }

    static Target external(String url) {
        return new Target("switchboard", URI.create(url), null, new ArrayDeque<>());
    }

    /**
     * Starts Switchboard in a child JVM on a free loopback port, with the load test's configuration, keeping its data
     * in {@code dataDir} (null: a new temporary directory, deleted when the target closes).
     */
    static Target switchboard(int agents, String durability, Path dataDir) throws IOException {
        return switchboard(agents, durability, dataDir, 0);
    }

    /** The same, sending email to an SMTP server on loopback at {@code smtpPort} (0: no email). */
    static Target switchboard(int agents, String durability, Path dataDir, int smtpPort) throws IOException {
        Path config = Files.createTempFile("switchboard-loadtest", ".json");
        Files.writeString(config, LoadConfig.json(agents, durability, 1, 1, smtpPort));
        config.toFile().deleteOnExit();
        Path data = dataDir != null ? dataDir : Files.createTempDirectory("switchboard-loadtest-data");
        Target target = start("switchboard", "io.switchboard.server.Main", OWN_CLASSPATH,
                "--config", config.toString(), "--port",
                "0", "--host", "127.0.0.1", "--data-dir", data.toString());
        if (dataDir == null) {
            target.ownData = data;
        }
        return target;
    }

    /**
     * Starts Switchboard in a child JVM on a free loopback port with a given configuration and JVM options (a small
     * heap), keeping its data in a new temporary directory deleted when the target closes.
     */
    static Target switchboard(String configJson, java.util.List<String> jvmOptions) throws IOException {
        return switchboard(configJson, jvmOptions, null);
    }

    /** The same, the server started from {@code serverJar} (another build's jar) when it is not null. */
    static Target switchboard(String configJson, java.util.List<String> jvmOptions, Path serverJar)
            throws IOException {
        Path config = Files.createTempFile("switchboard-loadtest", ".json");
        Files.writeString(config, configJson);
        config.toFile().deleteOnExit();
        Path data = Files.createTempDirectory("switchboard-loadtest-data");
        java.util.List<String> args = new java.util.ArrayList<>(jvmOptions);
        args.add("--");
        args.addAll(java.util.List.of("--config", config.toString(), "--port", "0", "--host", "127.0.0.1",
                "--data-dir", data.toString()));
        Target target = start("switchboard", "io.switchboard.server.Main",
                serverJar == null ? OWN_CLASSPATH : serverJar.toString(),
                args.toArray(String[]::new));
        target.ownData = data;
        return target;
    }

    /**
     * Starts one node of a cluster in a child JVM on a free loopback port: every node reads the same configuration
     * ({@code config}, with its {@code cluster} section) and is told its id with {@code --node}.
     */
    static Target clusterNode(Path config, String node, java.util.List<String> jvmOptions, Path log)
            throws IOException {
        java.util.List<String> args = new java.util.ArrayList<>(jvmOptions);
        args.add("--");
        args.addAll(java.util.List.of("--config", config.toString(), "--port", "0", "--host", "127.0.0.1",
                "--node", node));
        return start("switchboard-" + node, "io.switchboard.server.Main", OWN_CLASSPATH, log,
                args.toArray(String[]::new));
    }

    /** Sends the process a signal ({@code STOP}, {@code CONT}): a pause the process cannot see coming. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    /** Whether the server process is still running. */
    boolean alive() {
        return process != null && process.isAlive();
    }

    /** The server's recent output lines that contain {@code text}. */
    java.util.List<String> outputContaining(String text) {
        synchronized (output) {
            return output.stream().filter(line -> line.contains(text)).toList();
        }
    }

    /** Kills the server at once (SIGKILL): no shutdown hook, no final commit, as in a crash. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Starts the bare reference server in a child JVM. */
    static Target reference() throws IOException {
        return start("reference", "io.switchboard.loadtest.reference.ReferenceServer",
                OWN_CLASSPATH, "--port", "0");
    }

    private static Target start(String name, String mainClass, String classpath, String... args) throws IOException {
        return start(name, mainClass, classpath, null, args);
    }

    /** Starts a child JVM; {@code log}: a file its whole output is appended to as well (null: none). */
    private static Target start(String name, String mainClass, String classpath, Path log, String... args)
            throws IOException {
        java.util.List<String> command = new java.util.ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        // Extra options for the server's JVM (a profiler, a heap size): SERVER_JAVA_OPTS="-XX:StartFlightRecording=..."
        String extra = System.getenv("SERVER_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(java.util.List.of(extra.trim().split("\\s+")));
        }
        java.util.List<String> rest = new java.util.ArrayList<>(java.util.List.of(args));
        int options = rest.indexOf("--");
        if (options >= 0) {
            command.addAll(rest.subList(0, options));
            rest = new java.util.ArrayList<>(rest.subList(options + 1, rest.size()));
        }
        command.addAll(java.util.List.of("-cp", classpath, mainClass));
        command.addAll(rest);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        java.io.Writer copy = log == null ? null : Files.newBufferedWriter(log, StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        CompletableFuture<URI> listening = new CompletableFuture<>();
        ArrayDeque<String> lines = new ArrayDeque<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (copy != null) {
                        copy.write(line);
                        copy.write('\n');
                        copy.flush();
                    }
                    synchronized (lines) {
                        lines.addLast(line);
                        if (lines.size() > 50) {
                            lines.removeFirst();
                        }
                    }
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        listening.complete(URI.create("ws://" + matcher.group(1) + ":" + matcher.group(2) + "/ws"));
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
            listening.completeExceptionally(new IllegalStateException(name + " exited: " + lines));
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
        try {
            return new Target(name, listening.get(60, TimeUnit.SECONDS), process, lines);
        } catch (Exception e) {
            process.destroyForcibly();
            throw new IOException(name + " did not start: " + e.getMessage(), e);
        }
    }

    /** Heap used after a full GC, in bytes (jcmd), or -1 when the process is not ours. */
    long heapAfterGc() {
        if (process == null) {
            return -1;
        }
        try {
            jcmd("GC.run");
            String info = jcmd("GC.heap_info");
            Matcher used = Pattern.compile("used (\\d+)K").matcher(info);
            return used.find() ? Long.parseLong(used.group(1)) * 1024 : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** The server's threads, as {@code jcmd Thread.print} shows them (for a failed run's report). */
    String threadDump() throws IOException {
        return process == null ? "" : jcmd("Thread.print");
    }

    private String jcmd(String command) throws IOException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process run = new ProcessBuilder(jcmd.toString(), Long.toString(process.pid()), command)
                .redirectErrorStream(true).start();
        try {
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            run.waitFor(30, TimeUnit.SECONDS);
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Resident memory in bytes, or -1. */
    long rss() {
        if (process == null) {
            return -1;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }

    /** CPU time (user + system) the process has used, in ms, or -1. */
    long cpuMillis() {
        return process == null ? -1 : cpuMillisOf(process.pid());
    }

    /** CPU time (user + system) a process has used, in ms, or -1. */
    static long cpuMillisOf(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return ticks * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A REST call with the load test's API key, without blocking a thread: the answer's body, or a failed future. */
    java.util.concurrent.CompletableFuture<String> postAsync(HttpClient client, String path, String body) {
        return client.sendAsync(HttpRequest.newBuilder(http.resolve(path))
                        .timeout(Duration.ofSeconds(30))
                        .header("Authorization", "Bearer " + API_KEY)
                        .header("Content-Type", "application/json")
                        .POST(body == null ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofString(body))
                        .build(), HttpResponse.BodyHandlers.ofString())
                .thenApply(response -> {
                    if (response.statusCode() / 100 != 2) {
                        throw new IllegalStateException("POST " + path + ": " + response.statusCode());
                    }
                    return response.body();
                });
    }

    /** Stops the server with SIGTERM (a graceful shutdown), and deletes its data if it was a temporary directory. */
    @Override
    public void close() {
        if (process != null) {
            process.destroy();
            try {
                if (!process.waitFor(15, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
        if (ownData != null) {
            deleteTree(ownData);
        }
    }

    static void deleteTree(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // A temporary directory left behind is harmless.
        }
    }
}
