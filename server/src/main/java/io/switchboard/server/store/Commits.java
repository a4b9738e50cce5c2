package io.switchboard.server.store;

import java.util.ArrayDeque;

/**
 * Holds back what the server says until the changes behind it are durable. The desk numbers each batch of changes it
 * hands to the store ({@link #next}); whatever the server would send at the end of a turn waits ({@link
 * #afterSubmitted}) until the store reports every batch up to the newest one committed ({@link #durable}), and then
 * leaves in the order it was made. A turn that changed nothing waits only for the batches before it, so no reply
 * overtakes an earlier one.
 */
public final class Commits {
    private record Waiting(long seq, Runnable task) {
    }

    private long submitted;
    private volatile long durable;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();

    /** The number of a new batch. Desk thread only. */
    long next() {
        return ++submitted;
    }

    /** Runs {@code task} once every batch submitted so far is durable: now, if it is. Desk thread only. */
    public void afterSubmitted(Runnable task) {
        long seq = submitted;
        synchronized (waiting) {
            if (waiting.isEmpty() && durable >= seq) {
                run(task);
                return;
            }
            waiting.addLast(new Waiting(seq, task));
        }
    }

    /** The store committed every batch up to {@code seq}: what waited for them goes. Writer thread. */
    void durable(long seq) {
        synchronized (waiting) {
            durable = seq;
            while (!waiting.isEmpty() && waiting.peekFirst().seq <= seq) {
                run(waiting.pollFirst().task);
            }
        }
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            org.slf4j.LoggerFactory.getLogger(Commits.class).error("releasing a reply failed", e);
        }
    }

    /** The newest batch committed. Any thread. */
    public long durable() {
        return durable;
    }

    /** How many replies wait for a commit (a gauge). */
    public int waiting() {
        synchronized (waiting) {
            return waiting.size();
        }
    }
}
