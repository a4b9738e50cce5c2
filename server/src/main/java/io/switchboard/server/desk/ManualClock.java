package io.switchboard.server.desk;

import java.util.PriorityQueue;

/**
 * Virtual time for tests and the simulator: time moves only when {@link #advance} is called, and timers due by then fire
 * in order of their time (then of their scheduling), each seeing the clock at its own time.
 */
public final class ManualClock implements DeskClock {
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long now;
    private long sequence;

    public ManualClock(long start) {
        this.now = start;
    }

    @Override
    public long now() {
        return now;
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        Timer timer = new Timer(now + Math.max(0, delayMs), sequence++, task);
        timers.add(timer);
        return timer;
    }

    /** Moves time forward by {@code millis}, firing every timer that falls due on the way. */
    public void advance(long millis) {
        advanceTo(now + millis);
    }

    /** Moves time forward to {@code time}, firing every timer that falls due on the way. */
    public void advanceTo(long time) {
        while (!timers.isEmpty() && timers.peek().at <= time) {
            Timer timer = timers.poll();
            now = Math.max(now, timer.at);
            if (!timer.cancelled) {
                timer.task.run();
            }
        }
        now = Math.max(now, time);
    }

    /** When the next live timer fires, or {@code Long.MAX_VALUE} when none is scheduled. */
    public long nextTimer() {
        while (!timers.isEmpty() && timers.peek().cancelled) {
            timers.poll();
        }
        return timers.isEmpty() ? Long.MAX_VALUE : timers.peek().at;
    }

    private static final class Timer implements Cancellable, Comparable<Timer> {
        final long at;
        final long order;
        final Runnable task;
        boolean cancelled;

        Timer(long at, long order, Runnable task) {
            this.at = at;
            this.order = order;
            this.task = task;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }
}
