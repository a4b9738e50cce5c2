package io.switchboard.server.gate;

import io.switchboard.server.desk.Cancellable;
import io.switchboard.server.desk.ManualClock;
import java.util.ArrayDeque;

/**
 * A desk thread for tests and tools: tasks run on the caller's thread, one after the other in the order given (a task
 * given while another runs waits for it), and time is a {@link ManualClock} that moves only when told. Deterministic.
 */
public final class ManualDeskThread implements DeskThread {
    private final ManualClock clock;
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();
    private boolean running;

    public ManualDeskThread(ManualClock clock) {
        this.clock = clock;
    }

    @Override
    public void execute(Runnable task) {
        tasks.addLast(task);
        if (running) {
            return;
        }
        running = true;
        try {
            while (!tasks.isEmpty()) {
                tasks.pollFirst().run();
            }
        } finally {
            running = false;
        }
    }

    @Override
    public long now() {
        return clock.now();
    }

    @Override
    public Cancellable schedule(long delayMs, Runnable task) {
        return clock.schedule(delayMs, () -> execute(task));
    }

    @Override
    public void shutdown(long timeoutMs) {
        tasks.clear();
    }
}
