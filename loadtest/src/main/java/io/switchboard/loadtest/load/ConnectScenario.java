package io.switchboard.loadtest.load;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code connect}: opens {@code --guests} connections at {@code --rate} handshakes per second; each identifies as a
 * guest and waits. Reports handshakes per second, the handshake latency, failures, and the server's memory per
 * connection (heap after a full GC and RSS, before and with the connections open), held for {@code --duration-s}.
 */
final class ConnectScenario {
    private ConnectScenario() {
    }

    static Result run(Target target, Options options) throws InterruptedException {
        int count = options.guests();
        Result result = new Result(target.name);
        long heapBefore = target.heapAfterGc();
        long rssBefore = target.rss();
        AtomicLong open = new AtomicLong();
        AtomicLong lastHandshake = new AtomicLong();
        CountDownLatch identified = new CountDownLatch(count);
        try (Connections connections = new Connections(target.ws, options.sources());
             Stats stats = new Stats(target.name + " connect", open::get)) {
            Connections.Listener listener = new Connections.Listener() {
                @Override
                public void onText(Connections.Conn conn, String text, long nanos) {
                    if (Frames.isType(text, "identified")) {
                        stats.received.incrementAndGet();
                        identified.countDown();
                    } else if (Frames.isType(text, "error")) {
                        stats.errorFrame(text);
                    }
                }

                @Override
                public void onClosed(Connections.Conn conn) {
                    stats.closed(open);
                }
            };
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                long due = start + (long) (i * 1e9 / options.rate());
                LockSupport.parkNanos(due - System.nanoTime());
                long began = System.nanoTime();
                String user = "g" + i;
                connections.open(i, listener).whenComplete((conn, failure) -> {
                    if (failure != null) {
                        stats.errors.incrementAndGet();
                        identified.countDown();
                        return;
                    }
                    long now = System.nanoTime();
                    stats.latencyNanos(now - began);
                    lastHandshake.accumulateAndGet(now, Math::max);
                    open.incrementAndGet();
                    conn.send("{\"type\":\"identify\",\"user\":\"" + user + "\",\"question\":\"load test\"}");
                    stats.sent.incrementAndGet();
                });
            }
            long deadline = Math.max(options.durationS(), count / options.rate() + 60);
            if (!identified.await(deadline, TimeUnit.SECONDS)) {
                stats.errors.addAndGet(identified.getCount());
            }
            double seconds = (lastHandshake.get() - start) / 1e9;
            long heldUntil = start + options.durationS() * 1_000_000_000L;
            LockSupport.parkNanos(heldUntil - System.nanoTime());
            long heapWith = target.heapAfterGc();
            long rssWith = target.rss();
            result.sent = stats.sent.get();
            result.received = stats.received.get();
            result.errors = stats.errors.get();
            result.ratePerS = seconds > 0 ? open.get() / seconds : 0;
            result.latency = stats.histogram();
            if (heapBefore > 0 && heapWith > 0 && open.get() > 0) {
                result.heapBytesPerConnection = (heapWith - heapBefore) / open.get();
                result.rssBytesPerConnection = (rssWith - rssBefore) / open.get();
            }
            result.extra.put("connections", open.get());
            result.extra.put("handshakes_per_s", Result.round(result.ratePerS));
        }
        return result;
    }
}
