package io.switchboard.server.desk;

/** A reservation's status; the wire spells it {@code GROUP_RESERVATION_STATUS_} and the name. */
public enum ReservationStatus {
    QUEUED, MATCHED, EXPIRED, CANCELED;

    /** The status as the reservation API spells it. */
    public String wire() {
        return "GROUP_RESERVATION_STATUS_" + name();
    }

    /** Whether this is an outcome: the reservation will not change again. */
    public boolean isFinal() {
        return switch (this) {
            case QUEUED, MATCHED -> false;
            case EXPIRED, CANCELED -> true;
        };
    }
}
