package io.switchboard.server.desk;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * Everything of a desk that a restart must keep, as comparable text: queues in order, reservations, rooms with their
 * members and messages, agents, resumable sessions, groups' history. Leaves out who is connected and what each guest
 * was last told (a restart starts those afresh), and reservations' versions (they jump at a restart). An agent's rooms
 * and held reservations are compared as sets: a restart keeps them in the order they opened or were matched.
 */
final class Fingerprint {
    private Fingerprint() {
    }

    /** Every account's desk of a harness, one after the other. */
    static List<String> of(Harness harness) {
        List<String> lines = new ArrayList<>();
        for (String account : harness.gate.accounts()) {
            lines.addAll(of(harness.desk(account)));
        }
        return lines;
    }

    static List<String> of(Desk desk) {
        List<String> lines = new ArrayList<>();
        {
            Account account = desk.account;
            for (Group group : account.groups.values()) {
                List<String> queue = new ArrayList<>();
                group.queue.forEach(reservation -> queue.add(reservation.sid));
                lines.add("queue " + account.id + "/" + group.name + " " + queue);
                lines.add("history " + group.row());
            }
            for (Agent agent : account.agents.values()) {
                lines.add("agent " + Dirty.row(agent) + " rooms " + ids(agent.rooms) + " joined "
                        + ids(agent.joinedRooms) + " held " + sids(agent.held));
            }
            lines.add("open rooms " + account.openRooms.keySet());
            TreeMap<String, Room> rooms = new TreeMap<>(account.rooms);
            for (Room room : rooms.values()) {
                lines.add("room " + Dirty.row(room) + " messages " + desk.transcript(room));
            }
            lines.add("by external user " + new TreeMap<>(account.byExternalUser).entrySet().stream()
                    .map(entry -> entry.getKey() + "=" + entry.getValue().sid).toList());
        }
        TreeMap<String, Reservation> reservations = new TreeMap<>(desk.reservations);
        for (Reservation reservation : reservations.values()) {
            Stored.ReservationRow row = Dirty.row(reservation);
            lines.add("reservation " + row.sid() + " " + row.status() + " user " + row.user() + " ticket "
                    + row.ticket() + " front " + row.front() + " priority " + row.priority() + " enqueued "
                    + row.enqueuedAt() + " waited " + row.waitedMs() + " session " + row.session() + " room "
                    + row.room() + " agent " + row.matchedAgent() + " until " + row.reservedUntil() + " forget "
                    + row.forgetAt() + " held " + (reservation.holdTimer != null) + " previous " + row.previousRoom());
        }
        lines.add("sessions " + new TreeMap<>(desk.sessions.byDigest).keySet());
        return lines;
    }

    private static List<String> ids(Iterable<Room> rooms) {
        List<String> ids = new ArrayList<>();
        rooms.forEach(room -> ids.add(room.id));
        ids.sort(null);
        return ids;
    }

    private static List<String> sids(Iterable<Reservation> reservations) {
        List<String> sids = new ArrayList<>();
        reservations.forEach(reservation -> sids.add(reservation.sid));
        sids.sort(null);
        return sids;
    }
}
