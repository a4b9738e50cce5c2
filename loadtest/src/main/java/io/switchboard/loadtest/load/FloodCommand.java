package io.switchboard.loadtest.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * {@code flood}: the attacks of issue 13 against the real server in a child JVM with a small heap ({@code -Xmx64m},
 * {@code -XX:+ExitOnOutOfMemoryError}) and the default limits, while a real guest and a real agent use it. One address
 * opens connection after connection and identifies with the longest questions, sends garbage {@code resume}s and wrong
 * tokens for the real agent; a hundred addresses try to fill the queue; fifty hold connections that answer pings but
 * never identify; one address opens event streams on the guest's reservation; and wrong API keys arrive without end.
 * Meanwhile the guest and the agent ping every 250 ms, and the server's heap is read from {@code /metrics} every
 * second. Then the agent signs in from the attacker's own address, takes the guest and both chat.
 *
 * <p>It passes (exit 0) when the server is still up, its heap stayed under the limit, the queue and the attacker's
 * conversations stayed within their limits, the idle connections were closed, the agent signed in despite the failed
 * sign-ins from his address, and the chat went through. Loopback only, bounded: {@code --duration-s} (default 20, at
 * most 120). The identify deadline is 5 s instead of 30 s, so the run shows it close the idle connections; every other
 * limit is the default.
 */
public final class FloodCommand {
    private static final String TOKEN = "flood-agent-token-1";
    private static final String KEY = "flood-api-key-secret-1";
    private static final Pattern HEAP = Pattern.compile("jvm_memory_used_bytes\\{area=\"heap\"} ([0-9.E]+)");
    private static final int QUEUE_FILLERS = 100;
    private static final int IDLE_ADDRESSES = 50;

    private final int durationS;
    private final String heap;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final Histogram guestPings = new Histogram(60_000_000_000L, 3);
    private final Histogram agentPings = new Histogram(60_000_000_000L, 3);
    private final AtomicLong maxHeap = new AtomicLong();
    private volatile boolean flooding = true;

    private FloodCommand(int durationS, String heap) {
        this.durationS = durationS;
        this.heap = heap;
    }

    public static int run(String[] args) {
        int duration = 20;
        String heap = "64m";
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--duration-s" -> duration = Math.max(5, Math.min(120, Integer.parseInt(args[++i])));
                case "--heap" -> heap = args[++i];
                default -> {
                    System.err.println("usage: switchboard-loadtest flood [--duration-s N] [--heap 64m]");
                    return 2;
                }
            }
        }
        try {
            return new FloodCommand(duration, heap).flood();
        } catch (Exception e) {
            System.err.println("flood: " + e);
            return 1;
        }
    }

    static String config() {
        return """
                {"accounts": [{"id": "default",
                   "api_keys": [{"id": "flood", "secret": "%s"}],
                   "groups": [{"name": "default"}],
                   "agents": [{"user": "agent-1", "token": "%s", "limit": 3}]}],
                 "timings": {"identify_deadline_ms": 5000}}""".formatted(KEY, TOKEN);
    }

    private void count(String what) {
        counts.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    private int counted(String what) {
        AtomicInteger count = counts.get(what);
        return count == null ? 0 : count.get();
    }

    private int flood() throws Exception {
        String xmx = "-Xmx" + heap;
        System.out.printf("flood: server with %s and the default limits (identify deadline 5 s), %d s of attacks%n",
                xmx, durationS);
        try (Target server = Target.switchboard(config(), List.of(xmx, "-XX:+ExitOnOutOfMemoryError"));
             Connections connections = new Connections(server.ws, 1)) {
            Client agent = Client.open(connections, 0, "127.0.0.2");
            agent.send("{\"type\":\"login\",\"user\":\"agent-1\",\"token\":\"" + TOKEN + "\",\"ref\":\"in\"}");
            agent.await("\"ref\":\"in\"");
            Client guest = Client.open(connections, 1, "127.0.0.3");
            guest.send("{\"type\":\"identify\",\"user\":\"carla\",\"question\":\"where is my order?\",\"ref\":\"q\"}");
            String identified = guest.await("\"type\":\"identified\"");
            String sid = identified.replaceAll(".*\"reservation\":\"([^\"]+)\".*", "$1");
            guest.await("\"ref\":\"q\"");

            List<Thread> attacks = List.of(
                    thread("one address", () -> oneAddress(connections)),
                    thread("queue fillers", () -> fillQueue(connections)),
                    thread("idle connections", () -> idle(connections)),
                    thread("event streams", () -> streams(server, sid)),
                    thread("wrong API keys", () -> wrongKeys(server)),
                    thread("pings", () -> pings(guest, agent)),
                    thread("heap", () -> watchHeap(server)));
            attacks.forEach(Thread::start);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(durationS);
            while (System.nanoTime() < end && server.alive()) {
                TimeUnit.SECONDS.sleep(1);
                System.out.printf("[flood %3ds] heap max %.1f MB, %s%n", durationS
                        - TimeUnit.NANOSECONDS.toSeconds(end - System.nanoTime()), maxHeap.get() / 1e6, counts);
            }
            flooding = false;
            for (Thread attack : attacks) {
                attack.join(30_000);
            }
            boolean alive = server.alive();
            boolean agentFromAttacker = alive && agentSignsInFrom(connections, "127.0.0.66");
            boolean chat = alive && chat(agent, guest);
            int idleLeft = alive ? idleStillOpen.get() : -1;
            long heapAfterGc = alive ? server.heapAfterGc() : -1;
            long heapLimit = parseSize(heap);
            int fromOneAddress = counted("one address: identified");
            int queued = counted("queue fill: identified");

            System.out.println();
            System.out.printf("flood: server alive %s; heap max %.1f MB of %s (%.1f MB after a full GC)%n", alive,
                    maxHeap.get() / 1e6, heap, heapAfterGc / 1e6);
            System.out.printf("flood: one address: %d conversations started, %d identifies refused, %d connections "
                            + "refused, %d garbage resumes and %d wrong logins answered%n", fromOneAddress,
                    counted("one address: rate_limited"), counted("one address: refused connection"),
                    counted("one address: resume refused"), counted("one address: login refused"));
            System.out.printf("flood: queue fill from %d addresses: %d queued, %d refused (queue full or per address)%n",
                    QUEUE_FILLERS, queued, counted("queue fill: refused"));
            System.out.printf("flood: idle connections: %d opened, %d closed by the server, %d still open at the end%n",
                    counted("idle: opened"), counted("idle: closed"), idleLeft);
            System.out.printf("flood: event streams on one reservation from one address: %d opened, %d refused (429), "
                    + "%d connections refused%n", counted("sse: 200"), counted("sse: 429"),
                    counted("sse: connection refused"));
            System.out.printf("flood: wrong API keys: %d answered 401, %d answered 429%n", counted("keys: 401"),
                    counted("keys: 429"));
            System.out.printf("flood: the real guest's pings p50 %.1f ms, p90 %.1f ms, max %.1f ms (%d); the agent's "
                            + "p50 %.1f ms, p90 %.1f ms, max %.1f ms (%d)%n", guestPings.getValueAtPercentile(50) / 1e6,
                    guestPings.getValueAtPercentile(90) / 1e6, guestPings.getMaxValue() / 1e6,
                    guestPings.getTotalCount(), agentPings.getValueAtPercentile(50) / 1e6,
                    agentPings.getValueAtPercentile(90) / 1e6, agentPings.getMaxValue() / 1e6,
                    agentPings.getTotalCount());
            System.out.printf("flood: the agent signed in from the attacker's address: %s; the guest was served and "
                    + "they chatted: %s%n", agentFromAttacker, chat);

            List<String> failures = new ArrayList<>();
            check(failures, alive, "the server died");
            check(failures, maxHeap.get() < heapLimit, "heap reached the limit");
            check(failures, fromOneAddress <= 31, "one address started " + fromOneAddress + " conversations");
            check(failures, queued <= 1_000, "the queue grew to " + queued);
            check(failures, idleLeft == 0, idleLeft + " idle connections were never closed");
            check(failures, counted("sse: 200") <= 5, "more than 5 streams followed one reservation");
            check(failures, counted("keys: 429") > 0, "wrong API keys were never throttled");
            check(failures, agentFromAttacker, "the agent could not sign in from the attacker's address");
            check(failures, chat, "the real guest was not served");
            check(failures, guestPings.getTotalCount() > durationS, "the guest's pings were not answered");
            if (!failures.isEmpty()) {
                System.out.println("flood: FAILED: " + failures);
                return 1;
            }
            System.out.println("flood: passed");
            return 0;
        }
    }

    private static void check(List<String> failures, boolean ok, String failure) {
        if (!ok) {
            failures.add(failure);
        }
    }

    private static long parseSize(String size) {
        String lower = size.toLowerCase(java.util.Locale.ROOT);
        long unit = lower.endsWith("g") ? 1L << 30 : lower.endsWith("m") ? 1L << 20 : lower.endsWith("k") ? 1L << 10
                : 1;
        return Long.parseLong(unit == 1 ? lower : lower.substring(0, lower.length() - 1)) * unit;
    }

    private Thread thread(String name, Attack attack) {
        Thread thread = new Thread(() -> {
            try {
                attack.run();
            } catch (Exception e) {
                if (flooding) {
                    count(name + ": stopped by " + e.getClass().getSimpleName());
                }
            }
        }, "flood-" + name);
        thread.setDaemon(true);
        return thread;
    }

    private interface Attack {
        void run() throws Exception;
    }

    private final List<Client> attackers = java.util.Collections.synchronizedList(new ArrayList<>());

    /**
     * One address: connection after connection, each identifying with long questions and guessing sign-ins. They stay
     * open until the flood ends, and then close: the attacker leaves, and the agent signs in from the same address.
     */
    private void oneAddress(Connections connections) throws Exception {
        String question = "q".repeat(2_000);
        int index = 1_000;
        try {
            attack(connections, question, index);
        } finally {
            attackers.forEach(Client::close);
        }
    }

    private void attack(Connections connections, String question, int index) throws Exception {
        while (flooding) {
            Client client;
            try {
                client = Client.open(connections, index++, "127.0.0.66");
            } catch (Exception e) {
                count("one address: refused connection");
                continue;
            }
            attackers.add(client);
            client.listener = text -> {
                if (text.contains("\"ref\":\"resume\"")) {
                    count("one address: resume refused");
                } else if (text.contains("\"ref\":\"login\"")) {
                    count("one address: login refused");
                } else if (text.contains("\"type\":\"identified\"")) {
                    count("one address: identified");
                } else if (text.contains("\"rate_limited\"")) {
                    count("one address: rate_limited");
                }
            };
            for (int i = 0; i < 10 && flooding; i++) {
                client.send("{\"type\":\"resume\",\"session\":\"ses_guess" + i + "\",\"ref\":\"resume\"}");
                client.send("{\"type\":\"login\",\"user\":\"agent-1\",\"token\":\"guess-" + i + "\",\"ref\":\"login\"}");
            }
            client.send("{\"type\":\"identify\",\"user\":\"flood\",\"question\":\"" + question + "\"}");
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    /** A hundred addresses, twenty connections each, every one identifying with a long question. */
    private void fillQueue(Connections connections) throws Exception {
        String question = "x".repeat(2_000);
        for (int round = 0; round < 20 && flooding; round++) {
            for (int a = 1; a <= QUEUE_FILLERS && flooding; a++) {
                String source = "127.0.1." + a;
                int index = 100_000 + round * 1_000 + a;
                connections.open(index, source, (conn, text, nanos) -> {
                    if (text.contains("\"type\":\"identified\"")) {
                        count("queue fill: identified");
                    } else if (text.contains("\"type\":\"error\"")) {
                        count("queue fill: refused");
                    }
                }).thenAccept(conn -> conn.send("{\"type\":\"identify\",\"user\":\"filler\",\"question\":\""
                        + question + "\"}"));
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private final AtomicInteger idleStillOpen = new AtomicInteger();

    /** Fifty addresses with twenty connections each that answer pings and never identify. */
    private void idle(Connections connections) throws Exception {
        CountDownLatch opened = new CountDownLatch(IDLE_ADDRESSES * 20);
        for (int a = 1; a <= IDLE_ADDRESSES; a++) {
            for (int c = 0; c < 20; c++) {
                connections.open(200_000 + a * 100 + c, "127.0.2." + a, new Connections.Listener() {
                    @Override
                    public void onText(Connections.Conn connection, String text, long nanos) {
                    }

                    @Override
                    public void onClosed(Connections.Conn connection) {
                        count("idle: closed");
                        idleStillOpen.decrementAndGet();
                    }
                }).whenComplete((conn, failure) -> {
                    if (failure == null) {
                        count("idle: opened");
                        idleStillOpen.incrementAndGet();
                    }
                    opened.countDown();
                });
            }
        }
        opened.await(30, TimeUnit.SECONDS);
    }

    /** Event streams on the guest's reservation from one address, one after the other, held open. */
    private void streams(Target server, String sid) throws Exception {
        List<Socket> held = new ArrayList<>();
        try {
            for (int i = 0; i < 50 && flooding; i++) {
                Socket socket = new Socket();
                socket.bind(new InetSocketAddress("127.0.0.70", 0));
                socket.connect(new InetSocketAddress(server.http.getHost(), server.http.getPort()), 5_000);
                socket.setSoTimeout(5_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET /events/g/default/r/" + sid + " HTTP/1.1\r\nHost: x\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String status = statusLine(socket.getInputStream());
                count(status.contains(" 200 ") ? "sse: 200" : status.contains(" 429 ") ? "sse: 429"
                        : status.isEmpty() ? "sse: connection refused" : "sse: other " + status);
                held.add(socket);
            }
            while (flooding) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.append((char) b);
        }
        return line.toString();
    }

    /** Wrong API keys, one request after the other. */
    private void wrongKeys(Target server) throws Exception {
        URI uri = server.http.resolve("/v1/companies/default/groups/default/reservations/rsv_guess");
        int i = 0;
        while (flooding && i++ < 2_000) {
            HttpResponse<Void> answer = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer wrong-key-" + i).GET().build(), HttpResponse.BodyHandlers
                    .discarding());
            count("keys: " + answer.statusCode());
        }
    }

    /** The real guest and agent ping every 250 ms and time the answer. */
    private void pings(Client guest, Client agent) throws Exception {
        int n = 0;
        while (flooding) {
            for (Client client : List.of(guest, agent)) {
                String ref = "ping-" + ++n;
                long start = System.nanoTime();
                client.send("{\"type\":\"ping\",\"ref\":\"" + ref + "\"}");
                client.await("\"ref\":\"" + ref + "\"");
                (client == guest ? guestPings : agentPings).recordValue(System.nanoTime() - start);
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
    }

    private void watchHeap(Target server) throws Exception {
        URI metrics = server.http.resolve("/metrics");
        while (flooding) {
            String text = http.send(HttpRequest.newBuilder(metrics).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher used = HEAP.matcher(text);
            long heapUsed = 0;
            while (used.find()) {
                heapUsed += (long) Double.parseDouble(used.group(1));
            }
            maxHeap.accumulateAndGet(heapUsed, Math::max);
            TimeUnit.SECONDS.sleep(1);
        }
    }

    /** The agent signs in from the attacker's address with the right token, and leaves again. */
    private boolean agentSignsInFrom(Connections connections, String source) {
        try {
            Client client = Client.open(connections, 900_000, source);
            client.send("{\"type\":\"login\",\"user\":\"agent-1\",\"token\":\"" + TOKEN + "\",\"ref\":\"in\"}");
            String answer = client.await("\"ref\":\"in\"");
            client.close();
            return answer.contains("\"type\":\"ack\"");
        } catch (Exception e) {
            return false;
        }
    }

    /** The agent (who signed in again elsewhere, so the first connection was closed) takes the guest; they chat. */
    private boolean chat(Client oldAgent, Client guest) {
        try {
            Client agent = Client.open(oldAgent.connections, 900_001, "127.0.0.2");
            agent.send("{\"type\":\"login\",\"user\":\"agent-1\",\"token\":\"" + TOKEN + "\",\"ref\":\"in\"}");
            agent.await("\"ref\":\"in\"");
            agent.send("{\"type\":\"status\",\"of\":\"availability\",\"is\":\"available\"}");
            String joined = guest.await("\"type\":\"joined\"");
            String room = joined.replaceAll(".*\"room\":\"([^\"]+)\".*", "$1");
            for (int i = 0; i < 10; i++) {
                agent.send("{\"type\":\"message\",\"room\":\"" + room + "\",\"body\":\"agent " + i + "\"}");
                guest.await("\"body\":\"agent " + i + "\"");
                guest.send("{\"type\":\"message\",\"room\":\"" + room + "\",\"body\":\"guest " + i + "\"}");
                agent.await("\"body\":\"guest " + i + "\"");
            }
            return true;
        } catch (Exception e) {
            System.out.println("flood: the chat failed: " + e.getMessage());
            return false;
        }
    }

    /** A connection whose frames are looked at as text. */
    private static final class Client {
        final Connections connections;
        final java.util.concurrent.LinkedBlockingQueue<String> inbox = new java.util.concurrent.LinkedBlockingQueue<>();
        volatile java.util.function.Consumer<String> listener;
        private Connections.Conn conn;

        private Client(Connections connections) {
            this.connections = connections;
        }

        static Client open(Connections connections, int index, String source) throws Exception {
            Client client = new Client(connections);
            client.conn = connections.open(index, source, (c, text, nanos) -> {
                java.util.function.Consumer<String> listener = client.listener;
                if (listener != null) {
                    listener.accept(text);
                } else {
                    client.inbox.add(text);
                }
            }).get(10, TimeUnit.SECONDS);
            return client;
        }

        void send(String text) {
            conn.send(text);
        }

        /** The next frame that contains {@code part} (others are passed over), within 10 s. */
        String await(String part) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                String text = inbox.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (text == null) {
                    throw new IllegalStateException("no frame with " + part + " within 10 s");
                }
                if (text.contains(part)) {
                    return text;
                }
            }
        }

        void close() {
            if (conn.channel != null) {
                conn.channel.close();
            }
        }
    }
}
