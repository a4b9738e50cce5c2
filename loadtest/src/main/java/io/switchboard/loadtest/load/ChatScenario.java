package io.switchboard.loadtest.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code chat}: {@code --agents} agents and {@code --guests} guests, every guest assigned (agents have a limit of
 * 10), then messages at {@code --rate} per second in total, open loop: message {@code k} is due at {@code start +
 * k/rate}, carries that intended time, and its latency is from then to its arrival at the other member of the room,
 * so a stalled server cannot hide its stalls. Rooms take turns; guest and agent take turns within a room.
 */
final class ChatScenario {
    private ChatScenario() {
    }

    /** A room of the run: the guest's and the agent's connections. */
    record Room(String id, Connections.Conn guest, Connections.Conn agent) {
    }

    /** Connections and rooms, ready for messages. */
    static final class Setup implements AutoCloseable {
        final Connections connections;
        final Stats stats;
        final AtomicLong open;
        final List<Room> rooms = new ArrayList<>();

        Setup(Connections connections, Stats stats, AtomicLong open) {
            this.connections = connections;
            this.stats = stats;
            this.open = open;
        }

        @Override
        public void close() {
            stats.close();
            connections.close();
        }
    }

    private static final Object GUEST = "guest";
    private static final Object AGENT = "agent";

    static Setup setUp(Target target, Options options) throws InterruptedException {
        return setUp(target.name, index -> target.ws, options);
    }

    /** Sets the chat up with connection {@code index} (agents first, then guests) to {@code uris.apply(index)}. */
    static Setup setUp(String name, java.util.function.IntFunction<java.net.URI> uris, Options options)
            throws InterruptedException {
        int accounts = options.accounts();
        if (options.agents() < accounts || options.guests() < 1 || (options.agents() / accounts) * 10
                < (options.guests() + accounts - 1) / accounts) {
            throw new IllegalArgumentException("chat needs guests and, in each account, --agents >= --guests / 10 "
                    + "(limit 10 each)");
        }
        Connections connections = new Connections(uris, options.sources());
        AtomicLong open = new AtomicLong();
        Stats stats = new Stats(name + " " + options.scenario(), open::get);
        Setup setup = new Setup(connections, stats, open);
        CountDownLatch agentsReady = new CountDownLatch(options.agents());
        CountDownLatch joined = new CountDownLatch(2 * options.guests());
        Map<String, Connections.Conn> guests = new ConcurrentHashMap<>();
        Map<String, Connections.Conn> agents = new ConcurrentHashMap<>();
        Connections.Listener listener = new Connections.Listener() {
            @Override
            public void onText(Connections.Conn conn, String text, long nanos) {
                if (Frames.isType(text, "message")) {
                    String body = Frames.field(text, "body");
                    if (body != null && (body.charAt(0) == 'g') == (conn.state == AGENT)) {
                        stats.received.incrementAndGet();
                        stats.latencyNanos(nanos - Long.parseLong(body, 1, body.length(), 10));
                    }
                } else if (Frames.isType(text, "joined")) {
                    (conn.state == GUEST ? guests : agents).put(Frames.field(text, "room"), conn);
                    joined.countDown();
                } else if (Frames.isType(text, "ack") && conn.state == AGENT) {
                    agentsReady.countDown();
                } else if (Frames.isType(text, "error")) {
                    stats.errorFrame(text);
                }
            }

            @Override
            public void onClosed(Connections.Conn conn) {
                stats.closed(open);
            }
        };
        for (int i = 0; i < options.agents(); i++) {
            Connections.Conn agent = await(connections.open(i, listener));
            agent.state = AGENT;
            open.incrementAndGet();
            agent.send("{\"type\":\"login\",\"user\":\"agent-" + (i + 1) + "\",\"token\":\"" + LoadConfig.token(i + 1) + "\"}");
            agent.send("{\"type\":\"status\",\"of\":\"availability\",\"is\":\"available\",\"ref\":\"ready\"}");
        }
        if (!agentsReady.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(agentsReady.getCount() + " agents not ready within 60 s");
        }
        for (int i = 0; i < options.guests(); i++) {
            Connections.Conn guest = await(connections.open(options.agents() + i, listener));
            guest.state = GUEST;
            open.incrementAndGet();
            String account = accounts == 1 ? "" : ",\"account\":\"" + LoadConfig.accountOf(i, accounts) + "\"";
            guest.send("{\"type\":\"identify\",\"user\":\"g" + i + "\",\"question\":\"load test\"" + account + "}");
        }
        if (!joined.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException(joined.getCount() / 2 + " guests not assigned within 60 s");
        }
        for (Map.Entry<String, Connections.Conn> entry : guests.entrySet()) {
            setup.rooms.add(new Room(entry.getKey(), entry.getValue(), agents.get(entry.getKey())));
        }
        setup.rooms.sort((a, b) -> a.id().compareTo(b.id()));
        return setup;
    }

    /** Sends at {@code rate} per second for {@code seconds}, open loop, then waits up to 5 s for the last ones. */
    static Result drive(Setup setup, String target, int rate, int seconds) {
        Stats stats = setup.stats;
        stats.reset();
        List<Room> rooms = setup.rooms;
        long total = (long) rate * seconds;
        long start = System.nanoTime() + 10_000_000;
        for (long k = 0; k < total; k++) {
            long due = start + (long) (k * 1e9 / rate);
            long wait = due - System.nanoTime();
            if (wait > 20_000) {
                LockSupport.parkNanos(wait);
            }
            Room room = rooms.get((int) (k % rooms.size()));
            boolean fromGuest = (k / rooms.size()) % 2 == 0;
            String body = (fromGuest ? "g" : "a") + due;
            (fromGuest ? room.guest() : room.agent()).send("{\"type\":\"message\",\"room\":\"" + room.id()
                    + "\",\"body\":\"" + body + "\"}");
            stats.sent.incrementAndGet();
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (stats.received.get() < stats.sent.get() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000);
        }
        Result result = new Result(target);
        result.sent = stats.sent.get();
        result.received = stats.received.get();
        result.errors = stats.errors.get() + (result.sent - result.received);
        result.latency = stats.histogram();
        result.ratePerS = result.received / (double) seconds;
        result.extra.put("rooms", rooms.size());
        result.extra.put("connections", setup.open.get());
        result.extra.put("offered_rate_per_s", rate);
        return result;
    }

    static Result run(Target target, Options options) throws InterruptedException {
        return run(target.name, index -> target.ws, target::cpuMillis, options);
    }

    /**
     * Runs the chat against a server whose connection {@code index} goes to {@code uris.apply(index)} and whose CPU
     * time (all its processes) is {@code cpuMillis}.
     */
    static Result run(String name, java.util.function.IntFunction<java.net.URI> uris,
                      java.util.function.LongSupplier cpuMillis, Options options) throws InterruptedException {
        try (Setup setup = setUp(name, uris, options)) {
            drive(setup, name, options.rate(), options.warmUpS());
            long cpuBefore = cpuMillis.getAsLong();
            Result result = drive(setup, name, options.rate(), options.durationS());
            long cpu = cpuMillis.getAsLong() - cpuBefore;
            if (cpuBefore >= 0 && result.received > 0) {
                // The server's CPU time over the measured run (a child process only): cores, and per message.
                result.extra.put("server_cpu_cores", Result.round(cpu / 1000.0 / options.durationS()));
                result.extra.put("server_cpu_us_per_message", Result.round(cpu * 1000.0 / result.received));
            }
            return result;
        }
    }

    static Connections.Conn await(CompletableFuture<Connections.Conn> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (Exception e) {
            throw new IllegalStateException("connection failed: " + e.getMessage(), e);
        }
    }
}
