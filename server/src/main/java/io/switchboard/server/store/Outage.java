package io.switchboard.server.store;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A run of failed commits, as the log tells it: the first failure once with its cause, then at most one summary every
 * {@value #SUMMARY_MS} ms, and the recovery once. While it lasts, {@link #failing()} is true (the desk refuses what
 * would change anything, {@code /healthz} says 503). One writer thread calls it; {@link #failing()} is read by any.
 */
final class Outage {
    static final long SUMMARY_MS = 30_000;

    private final Logger log;
    /** Where the writes go, as the messages name it (the data directory, Redis's address). */
    private final String where;
    private volatile boolean failing;
    private long since;
    private int attempts;
    private long summarizedAt;

    Outage(Logger log, String where) {
        this.log = log;
        this.where = where;
    }

    boolean failing() {
        return failing;
    }

    /** A commit of {@code turns} turns failed with {@code why}; it will be tried again. */
    void failed(String why, int turns) {
        long now = System.nanoTime();
        if (!failing) {
            failing = true;
            since = now;
            summarizedAt = now;
            attempts = 1;
            log.error("{}: cannot store {} turns ({}); requests that would change anything are refused as 'storage "
                    + "unavailable' and replies wait until storing works again; retrying", where, turns, why);
            return;
        }
        attempts++;
        if (now - summarizedAt >= TimeUnit.MILLISECONDS.toNanos(SUMMARY_MS)) {
            summarizedAt = now;
            log.warn("{}: still cannot store: {} attempts in {} s failed, {} turns wait (last: {})", where, attempts,
                    TimeUnit.NANOSECONDS.toSeconds(now - since), turns, why);
        }
    }

    /** A commit of {@code turns} turns worked: the outage, if there was one, is over. */
    void recovered(int turns) {
        if (!failing) {
            return;
        }
        failing = false;
        log.info("{}: storing works again after {} failed attempts in {} s; {} waiting turns stored", where, attempts,
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - since), turns);
    }
}
