package io.switchboard.server.desk;

import java.util.Map;

/** Lets finished reservations and ended rooms go from memory once their transcript retention has run out. */
final class Retention {
    private final DeskClock clock;
    private final Map<String, Reservation> reservations;
    private final long retentionMs;
    private final ReservationFeed feed;

    Retention(DeskClock clock, Map<String, Reservation> reservations, long retentionMs, ReservationFeed feed) {
        this.clock = clock;
        this.reservations = reservations;
        this.retentionMs = retentionMs;
        this.feed = feed;
    }

    /** Forgets the room (if any) and, if it is finished and nobody holds it, the reservation. Desk thread only. */
    void forgetLater(Reservation reservation, Room room) {
        clock.schedule(retentionMs, () -> {
            if (room != null) {
                room.account.rooms.remove(room.id);
                room.pastMembers.clear();
            }
            if (reservation.isFinished() && (reservation.session == null || reservation.session.connection == null)) {
                reservations.remove(reservation.sid);
                reservation.account.byExternalUser.remove(reservation.externalUserId, reservation);
                feed.forget(reservation);
            }
        });
    }
}
