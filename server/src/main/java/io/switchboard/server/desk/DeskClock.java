package io.switchboard.server.desk;

/** The desk's only way to time: the current time and timers that fire on the desk thread. */
public interface DeskClock {
    /** Now, in Unix milliseconds. */
    long now();

    /** Runs {@code task} on the desk thread after {@code delayMs} (at once if not positive). */
    Cancellable schedule(long delayMs, Runnable task);
}
