package io.switchboard.server.desk;

import io.switchboard.protocol.Rest;
import java.util.function.Function;

/**
 * One change of a reservation as its watchers get it: the version (the SSE event id) and the group reservation object.
 * One instance is shared by every watcher of the reservation, so the transport encodes it once, not once per stream.
 */
public final class ReservationEvent {
    private final long version;
    private final Rest.GroupReservation reservation;
    private final boolean placeOnly;
    private volatile Object encoded;

    ReservationEvent(long version, Rest.GroupReservation reservation) {
        this(version, reservation, false);
    }

    ReservationEvent(long version, Rest.GroupReservation reservation, boolean placeOnly) {
        this.version = version;
        this.reservation = reservation;
        this.placeOnly = placeOnly;
    }

    /**
     * Whether only the place or the estimate of a waiting reservation changed since its last event (its status did
     * not): a stream may hold it back a moment to spread a queue's events, where a status change leaves at once.
     */
    public boolean placeOnly() {
        return placeOnly;
    }

    public long version() {
        return version;
    }

    public Rest.GroupReservation reservation() {
        return reservation;
    }

    /**
     * The event encoded by {@code encoder}, computed by the first caller and shared (any thread; two racing first
     * callers may both encode, and one result wins). Callers must always pass the same encoder.
     */
    @SuppressWarnings("unchecked")
    public <T> T encoded(Function<ReservationEvent, T> encoder) {
        Object value = encoded;
        if (value == null) {
            value = encoder.apply(this);
            encoded = value;
        }
        return (T) value;
    }
}
