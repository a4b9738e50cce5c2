package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Role;

/**
 * What the desk counts as it works, and the state it reports when asked ({@link Desk#reportGauges}). Called on the desk
 * thread; implementations must be cheap and must not call back into the desk.
 */
public interface DeskMetrics {
    /** A guest of a group was matched to an agent after waiting {@code waitedMs}. */
    void assigned(String account, String group, long waitedMs);

    /** A chat message was accepted. */
    void message();

    /** A request was answered with an {@code error}. */
    void error(ErrorCode code);

    /** A call was refused by a rate limit ({@code kind} says which). */
    void rateLimited(String kind);

    /** A group's queue now: its length and how long its longest-waiting guest has waited. */
    void queue(String account, String group, int length, long oldestWaitMs);

    /** How many open WebSocket connections have this role now ({@code null}: not identified yet). */
    void connections(Role role, int count);

    /** Counts nothing. */
    DeskMetrics NONE = new DeskMetrics() {
        @Override
        public void assigned(String account, String group, long waitedMs) {
        }

        @Override
        public void message() {
        }

        @Override
        public void error(ErrorCode code) {
        }

        @Override
        public void rateLimited(String kind) {
        }

        @Override
        public void queue(String account, String group, int length, long oldestWaitMs) {
        }

        @Override
        public void connections(Role role, int count) {
        }
    };
}
