package io.switchboard.server.gate;

import io.switchboard.server.desk.Outbox;

/**
 * A desk thread's outbox: it collects what a turn says, and at the end of the turn ({@link #flush}) lets it go
 * through the {@link Release}: what a turn that changed something said waits for that change to be durable.
 */
public interface TurnOutbox extends Outbox {
    /** Ends a turn; {@code changed}: it handed changes to the journal. Desk thread only. */
    void flush(boolean changed);
}
