package io.switchboard.server.desk;

/**
 * Follows one reservation (an SSE stream). Called on the desk thread: implementations hand the view to their own
 * thread and return at once.
 */
public interface ReservationWatcher {
    /** The stream is accepted: the reservation exists and this watcher is registered. */
    void opened();

    /** The reservation as it is when the watch starts (its first event): a read, which waits for no commit. */
    void current(ReservationEvent event);

    /**
     * The reservation changed: as it is now, and its version (the SSE event id); shared by every watcher of the change.
     */
    void changed(ReservationEvent event);

    /** The reservation is gone from the desk (its retention ran out): nothing more will come. */
    void gone();
}
