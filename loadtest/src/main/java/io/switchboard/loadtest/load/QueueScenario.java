package io.switchboard.loadtest.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code queue}: {@code --guests} guests wait in the manual group {@code queue}; {@code --agents} agents take turns
 * taking the head at {@code --rate} assignments per second in all ({@code assist}, then {@code end} as soon as the
 * room opens). Every assignment moves
 * everyone behind up a place. A guest's {@code queuepos} is caused by the oldest assignment they had not been told of
 * yet; its lateness is the time from that assignment's request to the {@code queuepos}'s arrival (the contract
 * coalesces to one per {@code queuepos_interval}, 1 s, per guest, so up to about a second is by design). Also the
 * server's CPU use over the run.
 */
final class QueueScenario {
    private QueueScenario() {
    }

    /** A waiting guest's bookkeeping: their place at enqueue and how many assignments they have seen. */
    private static final class Guest {
        volatile long initial = -1;
        long seen;
    }

    static Result run(Target target, Options options) throws InterruptedException {
        int guests = options.guests();
        long assists = Math.min((long) options.rate() * options.durationS(), guests);
        AtomicLongArray assistedAt = new AtomicLongArray((int) assists + 1);
        AtomicLong open = new AtomicLong();
        CountDownLatch queued = new CountDownLatch(guests);
        Result result = new Result(target.name);
        try (Connections connections = new Connections(target.ws, options.sources());
             Stats stats = new Stats(target.name + " queue", open::get)) {
            Connections.Listener listener = new Connections.Listener() {
                @Override
                public void onText(Connections.Conn conn, String text, long nanos) {
                    if (conn.state instanceof Guest guest) {
                        if (Frames.isType(text, "queuepos")) {
                            long position = Frames.number(text, "position");
                            if (guest.initial < 0) {
                                guest.initial = position;
                                queued.countDown();
                                return;
                            }
                            stats.received.incrementAndGet();
                            long reflected = guest.initial - position;
                            long first = guest.seen + 1;
                            if (reflected >= first && first <= assists) {
                                // The change that made this queuepos due: the oldest one the guest had not been told.
                                long at = assistedAt.get((int) first);
                                if (at > 0) {
                                    stats.latencyNanos(nanos - at);
                                }
                            }
                            guest.seen = Math.max(guest.seen, reflected);
                        }
                    } else if (Frames.isType(text, "joined")) {
                        conn.send("{\"type\":\"end\",\"room\":\"" + Frames.field(text, "room") + "\"}");
                    } else if (Frames.isType(text, "ack") && conn.state instanceof CountDownLatch ready) {
                        ready.countDown();
                    } else if (Frames.isType(text, "error")) {
                        stats.errorFrame(text);
                    }
                }

                @Override
                public void onClosed(Connections.Conn conn) {
                    stats.closed(open);
                }
            };
            for (int i = 0; i < guests; i++) {
                Connections.Conn guest = ChatScenario.await(connections.open(1 + i, listener));
                guest.state = new Guest();
                open.incrementAndGet();
                guest.send("{\"type\":\"identify\",\"user\":\"q" + i + "\",\"question\":\"load test\",\"group\":\"queue\"}");
            }
            if (!queued.await(120, TimeUnit.SECONDS)) {
                throw new IllegalStateException(queued.getCount() + " guests not queued within 120 s");
            }
            // Several agents take turns, so that ending rooms never holds assignment back (limit 10 each).
            CountDownLatch agentsReady = new CountDownLatch(options.agents());
            java.util.List<Connections.Conn> agents = new java.util.ArrayList<>();
            for (int a = 0; a < options.agents(); a++) {
                Connections.Conn agent = ChatScenario.await(connections.open(guests + 1 + a, listener));
                open.incrementAndGet();
                agent.state = agentsReady;
                agents.add(agent);
                agent.send("{\"type\":\"login\",\"user\":\"agent-" + (a + 1) + "\",\"token\":\"" + LoadConfig.token(a + 1)
                        + "\"}");
                agent.send("{\"type\":\"status\",\"of\":\"availability\",\"is\":\"available\",\"ref\":\"ready\"}");
            }
            if (!agentsReady.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the agents were not ready within 30 s");
            }
            LockSupport.parkNanos(1_500_000_000L);
            stats.reset();
            long cpuBefore = target.cpuMillis();
            long start = System.nanoTime();
            for (int k = 1; k <= assists; k++) {
                long due = start + (long) ((k - 1) * 1e9 / options.rate());
                LockSupport.parkNanos(due - System.nanoTime());
                assistedAt.set(k, System.nanoTime());
                agents.get(k % agents.size()).send("{\"type\":\"assist\",\"group\":\"queue\"}");
                stats.sent.incrementAndGet();
            }
            // Everyone still waiting learns of the last assignment within the interval.
            LockSupport.parkNanos(2_500_000_000L);
            double seconds = (System.nanoTime() - start) / 1e9;
            long cpu = target.cpuMillis() - cpuBefore;
            result.sent = stats.sent.get();
            result.received = stats.received.get();
            result.errors = stats.errors.get();
            result.ratePerS = result.sent / ((double) assists / options.rate());
            result.latency = stats.histogram();
            result.extra.put("guests", guests);
            result.extra.put("assignments", assists);
            if (cpuBefore >= 0) {
                result.extra.put("server_cpu_cores", Result.round(cpu / 1000.0 / seconds));
            }
        }
        return result;
    }
}
