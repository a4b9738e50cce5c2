package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;

/**
 * What the desk counts as it works (the gauges of its state are read through {@link DeskProbe#gauges}). Called on the
 * desk threads; implementations must be cheap, thread-safe, and must not call back into the desk.
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

    /** A waiting guest was told an estimate: a number, or null. */
    default void estimateTold(String account, String group, boolean number) {
    }

    /** An estimate told to a guest who was then assigned, scored: {@code errorMs} is estimate − the wait that followed. */
    default void estimateScored(String account, String group, double errorMs) {
    }

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

    };
}
