package io.switchboard.loadtest.load;

import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counters and a latency histogram (microseconds, HdrHistogram, recorded from any thread), and the progress line
 * printed every second while a run goes on: connections, rate, errors, p99 so far.
 */
final class Stats implements AutoCloseable {
    final AtomicLong sent = new AtomicLong();
    final AtomicLong received = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    private final Recorder recorder = new Recorder(3);
    private final Histogram total = new Histogram(3);
    private final ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "progress");
        thread.setDaemon(true);
        return thread;
    });
    private final String label;
    private final long started = System.nanoTime();
    private long lastReceived;

    Stats(String label, LongSupplier connections) {
        this.label = label;
        progress.scheduleAtFixedRate(() -> print(connections.getAsLong()), 1, 1, TimeUnit.SECONDS);
    }

    /** Counts an error frame; the first few are printed, so a run's errors can be read. */
    void errorFrame(String text) {
        if (errors.incrementAndGet() <= 5) {
            System.err.println("[" + label + "] error: " + text);
        }
    }

    /** A connection closed under the run: an error, and one connection fewer. */
    void closed(AtomicLong open) {
        errors.incrementAndGet();
        open.decrementAndGet();
    }

    void latencyNanos(long nanos) {
        recorder.recordValue(Math.max(0, nanos / 1_000));
    }

    private synchronized void print(long connections) {
        Histogram interval = recorder.getIntervalHistogram();
        total.add(interval);
        long received = this.received.get();
        System.err.printf(Locale.ROOT, "[%s %3ds] connections %d, sent %d, received %d (%d/s), errors %d, "
                        + "p99 so far %.2f ms%n", label, (System.nanoTime() - started) / 1_000_000_000L, connections,
                sent.get(), received, received - lastReceived, errors.get(),
                total.getTotalCount() == 0 ? 0 : total.getValueAtPercentile(99) / 1000.0);
        lastReceived = received;
    }

    /** Everything recorded so far. */
    synchronized Histogram histogram() {
        total.add(recorder.getIntervalHistogram());
        return total.copy();
    }

    /** Starts counting afresh (after a warm-up or between steps). */
    synchronized void reset() {
        recorder.getIntervalHistogram();
        total.reset();
        sent.set(0);
        received.set(0);
        lastReceived = 0;
    }

    @Override
    public void close() {
        progress.shutdownNow();
    }
}
