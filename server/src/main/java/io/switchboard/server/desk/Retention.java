package io.switchboard.server.desk;

import java.util.Map;

/**
 * Lets finished reservations and ended rooms (with their transcripts) go once their retention has run out. When they go
 * is kept with them ({@code forgetAt}), so a restart re-arms the same moments.
 */
final class Retention {
    private final DeskClock clock;
    private final Map<String, Reservation> reservations;
    private final long retentionMs;
    private final ReservationFeed feed;
    private final Dirty dirty;

    Retention(DeskClock clock, Map<String, Reservation> reservations, long retentionMs, ReservationFeed feed,
              Dirty dirty) {
        this.clock = clock;
        this.reservations = reservations;
        this.retentionMs = retentionMs;
        this.feed = feed;
        this.dirty = dirty;
    }

    /** Forgets the room (if any) and, if it is finished and nobody holds it, the reservation. Desk thread only. */
    void forgetLater(Reservation reservation, Room room) {
        long at = clock.now() + retentionMs;
        if (room != null) {
            room.forgetAt = at;
            dirty.room(room);
            armRoom(room);
        }
        reservation.forgetAt = at;
        dirty.reservation(reservation);
        armReservation(reservation);
    }

    /** Schedules a room's end at its {@code forgetAt} (at once if that has passed). */
    void armRoom(Room room) {
        clock.schedule(Math.max(0, room.forgetAt - clock.now()), () -> {
            if (room.account.rooms.remove(room.id, room)) {
                room.pastMembers.clear();
                dirty.forgotten(room);
            }
        });
    }

    /** Schedules a reservation's end at its {@code forgetAt}: it goes if it is finished then and nobody holds it. */
    void armReservation(Reservation reservation) {
        long at = reservation.forgetAt;
        clock.schedule(Math.max(0, at - clock.now()), () -> {
            if (reservation.forgetAt == at && reservation.isFinished()
                    && (reservation.session == null || reservation.session.connection == null)
                    && reservations.remove(reservation.sid, reservation)) {
                reservation.account.byExternalUser.remove(reservation.externalUserId, reservation);
                feed.forget(reservation);
                dirty.forgotten(reservation);
            }
        });
    }
}
