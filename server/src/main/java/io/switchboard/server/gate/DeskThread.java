package io.switchboard.server.gate;

import io.switchboard.server.desk.DeskClock;

/**
 * One thread on which desks run: everything given to it runs there, one task after the other, in order; its clock's
 * timers fire there too. A desk built on it is touched nowhere else.
 */
public interface DeskThread extends DeskClock {
    /** Runs a task on this thread, after the ones given before. */
    void execute(Runnable task);

    /** Stops after the tasks already given, waiting at most {@code timeoutMs}. */
    void shutdown(long timeoutMs);
}
