package io.switchboard.server.desk;

import java.util.Map;

/**
 * Lets finished reservations and ended rooms (with their transcripts) go once their retention has run out: {@code
 * transcript_retention_ms} after a conversation, {@code unserved_retention_ms} after a wait that ended without one
 * (canceled, expired), whose question and details are dropped at once. When they go is kept with them ({@code
 * forgetAt}), so a restart re-arms the same moments. A reservation whose guest can still come back (connected, or
 * within the grace) goes when the guest's session does.
 */
final class Retention {
    private final DeskClock clock;
    private final Map<String, Reservation> reservations;
    private final long retentionMs;
    private final long unservedMs;
    private final Turn turn;

    Retention(DeskClock clock, Map<String, Reservation> reservations, long retentionMs, long unservedMs, Turn turn) {
        this.clock = clock;
        this.reservations = reservations;
        this.retentionMs = retentionMs;
        this.unservedMs = unservedMs;
        this.turn = turn;
    }

    /**
     * A reservation ended without a conversation: what its guest wrote (question, details) is dropped now, and the
     * reservation goes after {@code unserved_retention_ms}. Desk thread only.
     */
    void forgetUnserved(Reservation reservation) {
        reservation.question = null;
        reservation.details = Map.of();
        reservation.forgetAt = clock.now() + unservedMs;
        turn.stored(reservation);
        armReservation(reservation);
    }

    /** The guest's session of a finished reservation ended: if its time has come, it goes now. Desk thread only. */
    void sessionGone(Reservation reservation) {
        if (reservation.isFinished() && reservation.forgetAt > 0 && reservation.forgetAt <= clock.now()) {
            forget(reservation, reservation.forgetAt);
        }
    }

    /** Forgets the room (if any) and, if it is finished and nobody holds it, the reservation. Desk thread only. */
    void forgetLater(Reservation reservation, Room room) {
        long at = clock.now() + retentionMs;
        if (room != null) {
            room.forgetAt = at;
            turn.stored(room);
            armRoom(room);
        }
        reservation.forgetAt = at;
        turn.stored(reservation);
        armReservation(reservation);
    }

    /** Schedules a room's end at its {@code forgetAt} (at once if that has passed). */
    void armRoom(Room room) {
        clock.schedule(Math.max(0, room.forgetAt - clock.now()), () -> {
            if (room.account.rooms.remove(room.id, room)) {
                room.account.unindexRoom(room);
                room.pastMembers.clear();
                turn.forgotten(room);
                Reservation reservation = room.reservation;
                // A reservation whose time came while this room was still kept goes with its last room.
                if (--reservation.roomsKept == 0 && reservation.forgetAt > 0
                        && reservation.forgetAt <= clock.now()) {
                    forget(reservation, reservation.forgetAt);
                }
            }
        });
    }

    /** Schedules a reservation's end at its {@code forgetAt}: it goes if it is finished then and nobody holds it. */
    void armReservation(Reservation reservation) {
        long at = reservation.forgetAt;
        clock.schedule(Math.max(0, at - clock.now()), () -> forget(reservation, at));
    }

    private void forget(Reservation reservation, long at) {
        if (reservation.forgetAt == at && reservation.isFinished() && reservation.roomsKept == 0
                && (reservation.session == null || reservation.session.ended)
                && reservations.remove(reservation.sid, reservation)) {
            reservation.account.byExternalUser.remove(reservation.externalUserId, reservation);
            if (reservation.mailToken != null) {
                reservation.account.byMailToken.remove(reservation.mailToken, reservation);
            }
            turn.forgotten(reservation);
        }
    }
}
