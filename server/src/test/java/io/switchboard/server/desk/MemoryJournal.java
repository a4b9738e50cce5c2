package io.switchboard.server.desk;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A journal that keeps the rows in maps, applying each turn's changes as the SQLite store does: the desk's tests restore
 * from it, and the store's tests check the database against it.
 */
public final class MemoryJournal implements Journal {
    public final Map<String, Stored.ReservationRow> reservations = new LinkedHashMap<>();
    public final Map<String, Stored.RoomRow> rooms = new LinkedHashMap<>();
    /** Messages by room (in room order), then by seq. */
    public final Map<String, TreeMap<Long, Stored.MessageRow>> messages = new TreeMap<>();
    public final Map<String, Stored.AgentRow> agents = new LinkedHashMap<>();
    public final Map<String, Stored.SessionRow> sessions = new LinkedHashMap<>();
    public final Map<String, Stored.GroupRow> groups = new LinkedHashMap<>();
    public final Map<String, Stored.MailRow> mails = new LinkedHashMap<>();
    public final Map<String, Stored.ReplyRow> replies = new LinkedHashMap<>();
    int turns;

    @Override
    public long write(Stored.Changes changes) {
        turns++;
        changes.reservations().forEach(row -> reservations.put(row.sid(), row));
        changes.forgottenReservations().forEach(reservations::remove);
        changes.rooms().forEach(row -> rooms.put(row.id(), row));
        changes.messages().forEach(row -> messages.computeIfAbsent(row.room(), room -> new TreeMap<>())
                .put(row.seq(), row));
        changes.forgottenRooms().forEach(id -> {
            rooms.remove(id);
            messages.remove(id);
        });
        changes.agents().forEach(row -> agents.put(row.key(), row));
        changes.sessions().forEach(row -> sessions.put(row.key(), row));
        changes.endedSessions().forEach(sessions::remove);
        changes.groups().forEach(row -> groups.put(row.key(), row));
        changes.mails().forEach(row -> mails.put(row.id(), row));
        changes.sentMails().forEach(mails::remove);
        changes.replies().forEach(row -> replies.put(row.id(), row));
        changes.deletedReplies().forEach(replies::remove);
        return turns;
    }

    /** Everything is durable as soon as it is written. */
    @Override
    public long durable() {
        return turns;
    }

    /** Everything kept but messages, as a store reads it back. */
    Stored.State state() {
        return new Stored.State(List.copyOf(reservations.values()), List.copyOf(rooms.values()),
                List.copyOf(agents.values()), List.copyOf(sessions.values()), List.copyOf(groups.values()),
                List.copyOf(mails.values()), List.copyOf(replies.values()));
    }

    /** One account's rows, as a store reads them back for that account's desk. */
    public Stored.State state(String account) {
        return new Stored.State(
                reservations.values().stream().filter(row -> row.account().equals(account)).toList(),
                rooms.values().stream().filter(row -> row.account().equals(account)).toList(),
                agents.values().stream().filter(row -> row.account().equals(account)).toList(),
                sessions.values().stream().filter(row -> row.account().equals(account)).toList(),
                groups.values().stream().filter(row -> row.account().equals(account)).toList(),
                mails.values().stream().filter(row -> row.account().equals(account)).toList(),
                replies.values().stream().filter(row -> row.account().equals(account)).toList());
    }

    @Override
    public List<Stored.MessageRow> transcript(String room, long after, int limit) {
        return messages.getOrDefault(room, new TreeMap<>()).tailMap(after, false).values().stream().limit(limit)
                .toList();
    }
}
