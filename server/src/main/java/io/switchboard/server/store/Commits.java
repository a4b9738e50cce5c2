package io.switchboard.server.store;

import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds back what the server says until the changes behind it are durable. The desk numbers each batch of changes it
 * hands to the store ({@link #next}); what a turn says waits ({@link #after}) until the store reports every batch up to
 * the newest one committed ({@link #durable}), unless it reveals nothing (a {@code pong} while the disk is full still
 * answers), and never overtakes what waits before it on its line.
 *
 * <p>The waiting tasks form one queue whose batch numbers never decrease: a task is queued with the largest of what it
 * needs, what its line already waits for, and what the last queued task waits for. A commit then releases a prefix of
 * the queue, and a line whose wait is at or below the durable batch has nothing left in the queue, so its next task
 * may run at once.
 */
public final class Commits implements io.switchboard.server.gate.Release {
    private static final Logger log = LoggerFactory.getLogger(Commits.class);

    private record Waiting(long seq, Runnable task) {
    }

    private final java.util.concurrent.atomic.AtomicLong submitted = new java.util.concurrent.atomic.AtomicLong();
    private volatile long durable;
    private final Object lock = new Object();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** The batch the last queued task waits for (guarded by {@link #lock}). */
    private long tail;

    /** The number of a new batch. Any desk thread (the store numbers and queues a batch under one lock). */
    long next() {
        return submitted.incrementAndGet();
    }

    @Override
    public void after(Line line, boolean reveals, Runnable task) {
        long needs = reveals ? submitted.get() : 0;
        synchronized (lock) {
            long seq = Math.max(needs, line.waitsFor());
            if (durable >= seq) {
                run(task);
                return;
            }
            seq = Math.max(seq, tail);
            tail = seq;
            line.waitFor(seq);
            waiting.addLast(new Waiting(seq, task));
        }
    }

    /** The store committed every batch up to {@code seq}: what waited for them goes. Writer thread. */
    void durable(long seq) {
        synchronized (lock) {
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
            log.error("releasing a reply failed", e);
        }
    }

    /** The newest batch committed. Any thread. */
    public long durable() {
        return durable;
    }

    /** How many replies wait for a commit (a gauge). */
    public int waiting() {
        synchronized (lock) {
            return waiting.size();
        }
    }
}
