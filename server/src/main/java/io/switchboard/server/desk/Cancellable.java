package io.switchboard.server.desk;

/** A scheduled timer that can be cancelled; cancelling one that already fired does nothing. */
public interface Cancellable {
    void cancel();
}
