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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code disk-full} (root only): the server on a disk that fills up, for real. A 4 MB tmpfs in a private mount
 * namespace ({@code unshare -m}) with a 1 MB ballast file holds the data directory; an agent and a guest chat with
 * 4,000-character messages until the store cannot commit. Then, while the disk is full, it checks that a new
 * connection is welcomed and answered {@code pong}, that a change is refused as storage unavailable (WebSocket {@code
 * error internal}, REST 503), and that {@code /healthz} says 503. It removes the ballast and checks that the store
 * recovers by itself without a restart: health is 200 again within seconds, what was held is acknowledged, and every
 * acknowledged message is in {@code history} at its seq. It kills the server ({@code kill -9}), starts it again on the
 * same data and checks the history once more, fills the disk again and stops it with SIGTERM, which must take no more
 * than the shutdown grace. Loopback only, bounded (at most a few minutes), and it cleans up after itself.
 */
public final class DiskFullCommand {
    private static final Pattern LISTENING = Pattern.compile("listening on http://([0-9.]+):(\\d+)");
    private static final String TOKEN = "disk-full-agent-token";
    private static final String KEY = "disk-full-api-key-secret";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<String> failures = new ArrayList<>();
    private Process holder;
    private Process server;
    private URI base;
    private final LinkedBlockingQueue<String> output = new LinkedBlockingQueue<>();

    public static int run(String[] args) {
        if (args.length > 0) {
            System.err.println("usage: switchboard-loadtest disk-full   (as root: it mounts a 4 MB tmpfs in a private "
                    + "mount namespace)");
            return 2;
        }
        try {
            return new DiskFullCommand().check();
        } catch (Exception e) {
            System.err.println("disk-full: " + e);
            return 1;
        }
    }

    private int check() throws Exception {
        if (!"root".equals(System.getProperty("user.name"))) {
            System.err.println("disk-full: run as root (it mounts a tmpfs in a private mount namespace with unshare -m)");
            return 2;
        }
        Path mount = Files.createTempDirectory("switchboard-disk-full");
        Path config = Files.createTempFile("switchboard-disk-full", ".json");
        Files.writeString(config, """
                {"accounts": [{"id": "default", "api_keys": [{"id": "ops", "secret": "%s"}],
                   "groups": [{"name": "default"}], "agents": [{"user": "agent-1", "token": "%s", "limit": 3}]}],
                 "durability": "fsync",
                 "timings": {"store_retry_max_ms": 1000},
                 "limits": {"requests_per_second": 1000, "request_burst": 1000}}""".formatted(KEY, TOKEN));
        try {
            holder = new ProcessBuilder("unshare", "-m", "--propagation", "private", "sh", "-c",
                    "mount -t tmpfs -o size=4m switchboard-disk-full '" + mount + "' && dd if=/dev/zero of='" + mount
                            + "/ballast' bs=1M count=1 2>/dev/null && echo mounted && exec sleep 3600")
                    .redirectErrorStream(true).start();
            String line = new BufferedReader(new InputStreamReader(holder.getInputStream())).readLine();
            if (!"mounted".equals(line)) {
                System.err.println("disk-full: could not mount a tmpfs in a private namespace: " + line);
                return 2;
            }
            System.out.println("disk-full: 4 MB tmpfs with a 1 MB ballast at " + mount + " (private mount namespace "
                    + "of process " + holder.pid() + ")");
            Path data = mount.resolve("data");
            start(config, data);
            Chat chat = Chat.open(this);
            int held = chat.fillUntilTheStoreFails();
            System.out.printf("disk-full: %d messages acknowledged before the disk was full; %d held%n",
                    chat.acknowledged.size(), held);
            whileFull();
            inNamespace("rm", "-f", mount.resolve("ballast").toString());
            long freed = System.nanoTime();
            awaitHealth(200, "health is green again once space is back");
            System.out.printf("disk-full: space freed; /healthz 200 after %d ms, without a restart%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freed));
            chat.awaitHeld();
            chat.send(1);
            chat.verify("after recovering");
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            start(config, data);
            Chat again = Chat.reopen(this, chat);
            again.verify("after kill -9 and a restart");
            again.fillUntilTheStoreFails();
            long stopping = System.nanoTime();
            server.destroy();
            boolean stopped = server.waitFor(30, TimeUnit.SECONDS);
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            System.out.printf("disk-full: SIGTERM while the disk is full: stopped in %d ms (shutdown grace 10000)%n",
                    stopMs);
            expect(stopped && stopMs <= 11_000, "the server stopped within its shutdown grace while the disk was full");
        } finally {
            if (server != null) {
                server.destroyForcibly();
            }
            if (holder != null) {
                holder.destroyForcibly();
                holder.waitFor(10, TimeUnit.SECONDS);
            }
            Files.deleteIfExists(config);
            Target.deleteTree(mount);
        }
        if (!failures.isEmpty()) {
            System.out.println("disk-full: FAILED: " + failures);
            return 1;
        }
        System.out.println("disk-full: passed (recovered without a restart, nothing acknowledged lost)");
        return 0;
    }

    private void expect(boolean ok, String what) {
        System.out.println("disk-full: " + (ok ? "ok   " : "FAIL ") + what);
        if (!ok) {
            failures.add(what);
        }
    }

    /** Starts the server jar inside the holder's mount namespace, and waits for its "listening on" line. */
    private void start(Path config, Path data) throws Exception {
        List<String> command = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid()), "-m", "--",
                ProcessHandle.current().info().command().orElse("java"), "-cp", absoluteClassPath(),
                "io.switchboard.server.Main", "--config", config.toString(),
                "--port", "0", "--data-dir", data.toString()));
        server = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<URI> listening = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    output.add(line);
                    Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find()) {
                        listening.complete(URI.create("http://" + matcher.group(1) + ":" + matcher.group(2)));
                    }
                    if (line.contains("StoreWriter")) {
                        System.out.println("  server: " + line.replaceAll("^\\S+ ", ""));
                    }
                }
            } catch (IOException e) {
                listening.completeExceptionally(e);
            }
        }, "disk-full-server");
        reader.setDaemon(true);
        reader.start();
        try {
            base = listening.get(60, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("the server did not listen within 60 s: " + output);
        }
    }

    /** This JVM's class path with absolute entries (nsenter starts the server in another working directory). */
    private static String absoluteClassPath() {
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            entries.add(Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private void inNamespace(String... command) throws Exception {
        List<String> full = new ArrayList<>(List.of("nsenter", "-t", Long.toString(holder.pid()), "-m", "--"));
        full.addAll(List.of(command));
        Process process = new ProcessBuilder(full).inheritIO().start();
        if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("failed in the namespace: " + full);
        }
    }

    private HttpResponse<String> get(String path, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(WAIT).header("Authorization", "Bearer "
                + KEY).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitHealth(int status, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (get("/healthz", null).statusCode() != status) {
            if (System.nanoTime() > deadline) {
                expect(false, what);
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        expect(true, what);
    }

    /** What a full disk must still answer, and what it must refuse. */
    private void whileFull() throws Exception {
        awaitHealth(503, "/healthz answers 503 while the disk is full");
        expect(get("/healthz", null).body().contains("storage failing"), "and says the storage is failing");
        try (Peer fresh = Peer.connect(base)) {
            expect(fresh.next().contains("\"type\":\"welcome\""), "a new connection is welcomed");
            fresh.send("{\"type\":\"ping\",\"ref\":\"p\"}");
            expect(fresh.reply("p").contains("\"type\":\"ack\""), "and answered pong");
            fresh.send("{\"type\":\"identify\",\"user\":\"late\",\"question\":\"anyone?\",\"ref\":\"i\"}");
            String refused = fresh.reply("i");
            expect(refused.contains("\"code\":\"internal\"") && refused.contains("storage is unavailable"),
                    "a change is refused as storage unavailable: " + refused);
        }
        HttpResponse<String> create = post("/v1/companies/default/groups/default/reservations",
                "{\"external_user_id\": \"while-full\"}");
        expect(create.statusCode() == 503, "a REST change is answered 503: " + create.statusCode());
        expect(get("/metrics", null).statusCode() == 200, "/metrics still answers");
    }

    /** An agent and a guest in one room, and every message the server acknowledged, by seq. */
    private static final class Chat {
        final DiskFullCommand run;
        final Map<Long, String> acknowledged = new TreeMap<>();
        final Map<String, String> pending = new java.util.LinkedHashMap<>();
        Peer agent;
        Peer guest;
        String room;
        String session;
        int next;

        private Chat(DiskFullCommand run) {
            this.run = run;
        }

        static Chat open(DiskFullCommand run) throws Exception {
            Chat chat = new Chat(run);
            chat.agent = Peer.connect(run.base);
            chat.agent.next();
            chat.agent.send("{\"type\":\"login\",\"user\":\"agent-1\",\"token\":\"" + TOKEN + "\",\"ref\":\"in\"}");
            chat.agent.reply("in");
            chat.agent.send("{\"type\":\"status\",\"of\":\"availability\",\"is\":\"available\",\"ref\":\"av\"}");
            chat.agent.reply("av");
            chat.guest = Peer.connect(run.base);
            chat.guest.next();
            chat.guest.send("{\"type\":\"identify\",\"user\":\"carla\",\"question\":\"q\",\"ref\":\"id\"}");
            String joined = chat.guest.until("\"type\":\"joined\"");
            chat.room = joined.replaceAll(".*\"room\":\"([^\"]+)\".*", "$1");
            return chat;
        }

        /** After a restart: the agent signs in again and reads the room. */
        static Chat reopen(DiskFullCommand run, Chat before) throws Exception {
            Chat chat = new Chat(run);
            chat.acknowledged.putAll(before.acknowledged);
            chat.room = before.room;
            chat.next = before.next;
            chat.agent = Peer.connect(run.base);
            chat.agent.next();
            chat.agent.send("{\"type\":\"login\",\"user\":\"agent-1\",\"token\":\"" + TOKEN + "\",\"ref\":\"in\"}");
            chat.agent.reply("in");
            chat.guest = chat.agent;
            return chat;
        }

        String body(int n) {
            String head = "message " + n + " ";
            return head + "x".repeat(4_000 - head.length());
        }

        /** Sends {@code count} messages and waits for each one's echo (its seq) or refusal. */
        void send(int count) throws Exception {
            for (int i = 0; i < count; i++) {
                int n = ++next;
                String ref = "m" + n;
                guest.send("{\"type\":\"message\",\"room\":\"" + room + "\",\"body\":\"" + body(n) + "\",\"ref\":\""
                        + ref + "\"}");
                String reply = guest.reply(ref);
                if (reply.contains("\"type\":\"ack\"")) {
                    acknowledged.put(guest.seqOf("message " + n + " "), body(n));
                }
            }
        }

        /**
         * Chats until the store fails (a message is refused as storage unavailable, or its reply is held and health
         * says 503); returns how many requests are held.
         */
        int fillUntilTheStoreFails() throws Exception {
            for (int i = 0; i < 5_000; i++) {
                int n = ++next;
                String ref = "m" + n;
                guest.send("{\"type\":\"message\",\"room\":\"" + room + "\",\"body\":\"" + body(n) + "\",\"ref\":\""
                        + ref + "\"}");
                String reply = guest.replyWithin(ref, 2);
                if (reply == null) {
                    // Held: this connection's replies wait for the commit, and so does all it is told after them.
                    pending.put(ref, body(n));
                    if (run.get("/healthz", null).statusCode() == 503) {
                        return pending.size();
                    }
                    continue;
                }
                if (reply.contains("\"type\":\"ack\"")) {
                    acknowledged.put(guest.seqOf("message " + n + " "), body(n));
                } else if (reply.contains("storage is unavailable")) {
                    return pending.size();
                }
            }
            throw new IllegalStateException("the disk never filled up");
        }

        /** The messages whose replies were held while the disk was full are acknowledged now. */
        void awaitHeld() throws Exception {
            for (Map.Entry<String, String> held : pending.entrySet()) {
                String reply = guest.reply(held.getKey());
                run.expect(reply.contains("\"type\":\"ack\""), "a message held while the disk was full is "
                        + "acknowledged once it is stored");
                acknowledged.put(guest.seqOf(held.getValue().substring(0, held.getValue().indexOf(' ', 8) + 1)),
                        held.getValue());
            }
            pending.clear();
        }

        /** Every acknowledged message is in the room's history at its seq, with its body. */
        void verify(String when) throws Exception {
            Map<Long, String> stored = new TreeMap<>();
            long after = 0;
            while (true) {
                agent.send("{\"type\":\"history\",\"room\":\"" + room + "\",\"after\":" + after + ",\"ref\":\"h"
                        + after + "\"}");
                String history = agent.until("\"type\":\"history\"");
                agent.reply("h" + after);
                Matcher messages = Pattern.compile("\"body\":\"(message (\\d+) x+)\",\"sent\":\\d+,\"seq\":(\\d+)")
                        .matcher(history);
                int found = 0;
                while (messages.find()) {
                    stored.put(Long.parseLong(messages.group(3)), messages.group(1));
                    after = Math.max(after, Long.parseLong(messages.group(3)));
                    found++;
                }
                if (found < 500) {
                    break;
                }
            }
            long missing = acknowledged.entrySet().stream().filter(e -> !e.getValue().equals(stored.get(e.getKey())))
                    .count();
            run.expect(missing == 0, when + ": all " + acknowledged.size() + " acknowledged messages are in history "
                    + "at their seq (" + missing + " missing)");
        }
    }
}
