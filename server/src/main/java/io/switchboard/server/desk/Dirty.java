package io.switchboard.server.desk;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What changed in this desk turn that must survive a restart: the desk marks reservations, rooms, agents and sessions
 * as it changes them, and at the end of the turn {@link #collect} turns them into {@link Stored} rows. A reservation
 * whose stored fields did not change (only its place in the queue moved) is not written again. With {@link
 * Journal#NONE} nothing is collected. Desk thread only.
 */
final class Dirty {
    private final boolean enabled;
    private final Set<Reservation> reservations = new LinkedHashSet<>();
    private final Set<Room> rooms = new LinkedHashSet<>();
    private final Set<Agent> agents = new LinkedHashSet<>();
    private final Set<Group> groups = new LinkedHashSet<>();
    private final List<Stored.MessageRow> messages = new ArrayList<>();
    private final Set<Session> sessions = new LinkedHashSet<>();
    private final List<String> endedSessions = new ArrayList<>();
    private final List<String> forgottenReservations = new ArrayList<>();
    private final List<String> forgottenRooms = new ArrayList<>();
    private final java.util.Map<String, Stored.MailRow> mails = new java.util.LinkedHashMap<>();
    private final List<String> sentMails = new ArrayList<>();
    private final java.util.Map<String, Stored.ReplyRow> replies = new java.util.LinkedHashMap<>();
    private final List<String> deletedReplies = new ArrayList<>();

    Dirty(boolean enabled) {
        this.enabled = enabled;
    }

    void reservation(Reservation reservation) {
        if (enabled) {
            reservations.add(reservation);
        }
    }

    void room(Room room) {
        if (enabled) {
            rooms.add(room);
        }
    }

    void agent(Agent agent) {
        if (enabled) {
            agents.add(agent);
        }
    }

    /** A session began, or its token changed. */
    void session(Session session) {
        if (enabled) {
            endedSessions.remove(session.key);
            sessions.add(session);
        }
    }

    /** A session can no longer be resumed. */
    void sessionEnded(Session session) {
        if (enabled) {
            sessions.remove(session);
            endedSessions.add(session.key);
        }
    }

    void forgotten(Reservation reservation) {
        if (enabled) {
            reservations.remove(reservation);
            forgottenReservations.add(reservation.sid);
        }
    }

    void forgotten(Room room) {
        if (enabled) {
            rooms.remove(room);
            forgottenRooms.add(room.id);
        }
    }

    /** An email to send (new, or due again after a failed attempt). */
    void mail(Stored.MailRow mail) {
        if (enabled) {
            mails.put(mail.id(), mail);
        }
    }

    /** An email was sent (or can never be): its row goes. */
    void mailDone(String id) {
        if (enabled) {
            mails.remove(id);
            sentMails.add(id);
        }
    }

    /** A canned reply was saved. */
    void reply(Stored.ReplyRow reply) {
        if (enabled) {
            replies.put(reply.id(), reply);
        }
    }

    /** A canned reply was deleted. */
    void replyDeleted(String id) {
        if (enabled) {
            replies.remove(id);
            deletedReplies.add(id);
        }
    }

    /** This turn's changes as rows, or null when nothing that is stored changed; starts the next turn empty. */
    Stored.Changes collect() {
        if (!enabled) {
            return null;
        }
        // A turn changes few kinds of rows (a chat message: one), so empty kinds cost no list and no iterator.
        List<Stored.ReservationRow> reservationRows = List.of();
        if (!reservations.isEmpty()) {
            reservationRows = new ArrayList<>(reservations.size());
            for (Reservation reservation : reservations) {
                groups.add(reservation.group);
                Stored.ReservationRow row = row(reservation);
                if (!sameButVersion(row, reservation.storedRow)) {
                    reservation.storedRow = row;
                    reservationRows.add(row);
                }
            }
        }
        List<Stored.RoomRow> roomRows = List.of();
        if (!rooms.isEmpty()) {
            roomRows = new ArrayList<>(rooms.size());
            for (Room room : rooms) {
                groups.add(room.reservation.group);
                roomRows.add(row(room));
            }
        }
        Stored.Changes changes = new Stored.Changes(reservationRows, copy(forgottenReservations), roomRows,
                copy(forgottenRooms), copy(messages), rows(agents, Dirty::row), rows(sessions, Dirty::row),
                copy(endedSessions), rows(groups, Group::row),
                mails.isEmpty() ? List.of() : List.copyOf(mails.values()), copy(sentMails),
                replies.isEmpty() ? List.of() : List.copyOf(replies.values()), copy(deletedReplies));
        mails.clear();
        replies.clear();
        deletedReplies.clear();
        sentMails.clear();
        reservations.clear();
        rooms.clear();
        agents.clear();
        groups.clear();
        messages.clear();
        sessions.clear();
        endedSessions.clear();
        forgottenReservations.clear();
        forgottenRooms.clear();
        return changes.size() == 0 ? null : changes;
    }

    private static <T> List<T> copy(List<T> list) {
        return list.isEmpty() ? List.of() : List.copyOf(list);
    }

    private static <T, R> List<R> rows(Set<T> set, java.util.function.Function<T, R> row) {
        if (set.isEmpty()) {
            return List.of();
        }
        List<R> rows = new ArrayList<>(set.size());
        for (T item : set) {
            rows.add(row.apply(item));
        }
        return rows;
    }

    /** A chat message was added to a room. */
    void message(io.switchboard.protocol.ServerMessage.Message message) {
        if (enabled) {
            messages.add(new Stored.MessageRow(message.room(), message.seq(), message.user(), message.role(),
                    message.body(), message.sent(), message.forAgentsOnly()));
        }
    }

    static Stored.ReservationRow row(Reservation r) {
        return new Stored.ReservationRow(r.sid, r.account.id, r.group.name, r.user, r.question, r.details,
                r.externalUserId, r.priority, r.reserveForSeconds, r.ticket, r.front, r.enqueuedAt, r.waitedMs,
                r.status(), r.version, r.session == null ? null : r.session.key, r.room == null ? null : r.room.id,
                r.matchedAgent == null ? null : r.matchedAgent.user, r.reservedUntil, r.forgetAt,
                r.previousRoom == null ? null : r.previousRoom.id, r.email, r.mailToken, r.byEmail,
                r.inbound.isEmpty() ? List.of() : List.copyOf(r.inbound), r.push);
    }

    private static boolean sameButVersion(Stored.ReservationRow row, Stored.ReservationRow stored) {
        return stored != null && row.equals(stored.withVersion(row.version()));
    }

    static Stored.RoomRow row(Room room) {
        return new Stored.RoomRow(room.id, room.account.id, room.reservation.sid, room.agent.user,
                users(room.supervisors), users(room.pastMembers).stream().sorted().toList(), room.open, room.openedAt,
                room.forgetAt, users(room.silent).stream().sorted().toList(), List.copyOf(room.timeline),
                room.unansweredSince);
    }

    static Stored.AgentRow row(Agent agent) {
        List<String> recent = new ArrayList<>(agent.recentGroups.size());
        agent.recentGroups.forEach(group -> recent.add(group.name));
        return new Stored.AgentRow(agent.account.id, agent.user, agent.availability.name(), agent.limit,
                agent.session == null ? null : agent.session.key, agent.lastAssignedAt, recent);
    }

    static Stored.SessionRow row(Session session) {
        return new Stored.SessionRow(session.key, session.role.name(), session.account.id,
                session.agent == null ? null : session.agent.user,
                session.reservation == null ? null : session.reservation.sid, session.digest, session.previousDigest);
    }

    private static List<String> users(Set<Agent> agents) {
        List<String> users = new ArrayList<>(agents.size());
        agents.forEach(agent -> users.add(agent.user));
        return users;
    }
}
