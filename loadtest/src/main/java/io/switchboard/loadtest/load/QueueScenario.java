package io.switchboard.loadtest.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code queue}: {@code --guests} guests wait in the manual group {@code queue}; one agent takes the head at {@code
 * --rate} assignments per second ({@code assist}, then {@code end} as soon as the room opens). Every assignment moves
 * everyone behind up a place; a guest's {@code queuepos} with place {@code p} reflects every assignment up to the one
 * that brought them to {@code p}, and its lateness for each of those is the time from that assignment's request to the
 * {@code queuepos}'s arrival (the contract coalesces to one per {@code queuepos_interval}, 1 s, per guest). Also the
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
        CountDownLatch agentReady = new CountDownLatch(1);
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
                            for (long k = guest.seen + 1; k <= reflected && k <= assists; k++) {
                                long at = assistedAt.get((int) k);
                                if (at > 0) {
                                    stats.latencyNanos(nanos - at);
                                }
                            }
                            guest.seen = Math.max(guest.seen, reflected);
                        }
                    } else if (Frames.isType(text, "joined")) {
                        conn.send("{\"type\":\"end\",\"room\":\"" + Frames.field(text, "room") + "\"}");
                    } else if (Frames.isType(text, "ack")) {
                        agentReady.countDown();
                    } else if (Frames.isType(text, "error")) {
                        stats.errorFrame(text);
                    }
                }

                @Override
                public void onClosed(Connections.Conn conn) {
                    stats.errors.incrementAndGet();
                    open.decrementAndGet();
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
            Connections.Conn agent = ChatScenario.await(connections.open(0, listener));
            open.incrementAndGet();
            agent.send("{\"type\":\"login\",\"user\":\"agent-1\",\"token\":\"token-1\"}");
            agent.send("{\"type\":\"status\",\"of\":\"availability\",\"is\":\"available\",\"ref\":\"ready\"}");
            if (!agentReady.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the agent was not ready within 30 s");
            }
            LockSupport.parkNanos(1_500_000_000L);
            stats.reset();
            long cpuBefore = target.cpuMillis();
            long start = System.nanoTime();
            for (int k = 1; k <= assists; k++) {
                long due = start + (long) ((k - 1) * 1e9 / options.rate());
                LockSupport.parkNanos(due - System.nanoTime());
                assistedAt.set(k, System.nanoTime());
                agent.send("{\"type\":\"assist\",\"group\":\"queue\"}");
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
