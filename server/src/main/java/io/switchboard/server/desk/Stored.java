package io.switchboard.server.desk;

import io.switchboard.protocol.Role;
import java.util.List;
import java.util.Map;

/**
 * What of the desk survives a restart, as plain immutable rows: the desk hands them to its {@link Journal} at the end
 * of every turn that changed them, and {@link Desk#restore} builds the desk again from them. Everything else (who is
 * connected, what each guest was last told, rate-limit windows) is rebuilt or starts afresh.
 */
public final class Stored {
    private Stored() {
    }

    /** A reservation: its place in the queue (priority, ticket, front), its outcome and what it is tied to. */
    public record ReservationRow(String sid, String account, String group, String user, String question,
                                 Map<String, String> details, String externalUserId, int priority,
                                 int reserveForSeconds, long ticket, boolean front, long enqueuedAt, long waitedMs,
                                 ReservationStatus status, long version, String session, String room,
                                 String matchedAgent, long reservedUntil, long forgetAt, String previousRoom,
                                 String email, String mailToken, boolean byEmail, List<String> inbound,
                                 Push push) {
        public ReservationRow {
            inbound = inbound == null ? List.of() : List.copyOf(inbound);
        }

        /** A row of a reservation without email (no message left, no place kept). */
        public ReservationRow(String sid, String account, String group, String user, String question,
                              Map<String, String> details, String externalUserId, int priority,
                              int reserveForSeconds, long ticket, boolean front, long enqueuedAt, long waitedMs,
                              ReservationStatus status, long version, String session, String room,
                              String matchedAgent, long reservedUntil, long forgetAt, String previousRoom) {
            this(sid, account, group, user, question, details, externalUserId, priority, reserveForSeconds, ticket,
                    front, enqueuedAt, waitedMs, status, version, session, room, matchedAgent, reservedUntil, forgetAt,
                    previousRoom, null, null, false, List.of(), null);
        }

        /** A row of a reservation that no agent left (its {@code previousRoom} is null). */
        public ReservationRow(String sid, String account, String group, String user, String question,
                              Map<String, String> details, String externalUserId, int priority,
                              int reserveForSeconds, long ticket, boolean front, long enqueuedAt, long waitedMs,
                              ReservationStatus status, long version, String session, String room,
                              String matchedAgent, long reservedUntil, long forgetAt) {
            this(sid, account, group, user, question, details, externalUserId, priority, reserveForSeconds, ticket,
                    front, enqueuedAt, waitedMs, status, version, session, room, matchedAgent, reservedUntil, forgetAt,
                    null);
        }

        /** The same row with another version. */
        public ReservationRow withVersion(long newVersion) {
            return new ReservationRow(sid, account, group, user, question, details, externalUserId, priority,
                    reserveForSeconds, ticket, front, enqueuedAt, waitedMs, status, newVersion, session, room,
                    matchedAgent, reservedUntil, forgetAt, previousRoom, email, mailToken, byEmail, inbound, push);
        }
    }

    /** A room and its members; its messages are {@link MessageRow}s. */
    public record RoomRow(String id, String account, String reservation, String agent, List<String> supervisors,
                          List<String> pastMembers, boolean open, long openedAt, long forgetAt,
                          List<String> silent, List<io.switchboard.protocol.ServerMessage.TimelineEntry> timeline,
                          long unansweredSince) {
        public RoomRow {
            silent = silent == null ? List.of() : silent;
            timeline = timeline == null ? List.of() : timeline;
        }

        /** A row written before silent members, timelines and the unanswered clock (format 6 and older). */
        public RoomRow(String id, String account, String reservation, String agent, List<String> supervisors,
                       List<String> pastMembers, boolean open, long openedAt, long forgetAt) {
            this(id, account, reservation, agent, supervisors, pastMembers, open, openedAt, forgetAt, null, null, 0);
        }
    }

    /** One chat message of a room, with its {@code seq} and who wrote it ({@code role}: guest, agent, supervisor). */
    public record MessageRow(String room, long seq, String user, Role role, String body, long sent,
                             boolean privateNote) {
        /** A message every member got. */
        public MessageRow(String room, long seq, String user, Role role, String body, long sent) {
            this(room, seq, user, role, body, sent, false);
        }
    }

    /** What an agent set (availability, limit), their session, and their recent assignments. */
    public record AgentRow(String account, String user, String availability, int limit, String session,
                           long lastAssignedAt, List<String> recentGroups) {
        public String key() {
            return account + '/' + user;
        }
    }

    /**
     * A session that can still be resumed. {@code key} names it for good (a guest's: the reservation sid; an agent's:
     * {@code account/user}); the token itself is never stored, only the digest of the current one and of the one
     * before it, which still works until the client shows it has the new one ({@code previous}, or null).
     */
    public record SessionRow(String key, String role, String account, String agent, String reservation, String digest,
                             String previous) {
    }

    /** What a group learned of waits, departures and handle times (the wait estimators' history). */
    public record GroupRow(String account, String name, List<Long> recentWaits, List<Long> recentAssignments,
                           List<Long> departureTimes, long departures, List<Long> handleTimes, List<Boolean> outcomes,
                           List<Long> outcomeWaits, List<List<Long>> arrivals, long completedWaitSum,
                           long completedWaits) {
        public String key() {
            return account + '/' + name;
        }
    }

    /** A browser's Web Push subscription: where its push service takes messages, and its keys (base64url). */
    public record Push(String endpoint, String p256dh, String auth) {
    }

    /**
     * An email waiting to be sent: kept until the SMTP server took it, so a restart sends it still. {@code attempts}
     * failed so far; the next is due at {@code nextAttemptAt} (epoch ms). {@code messageId} stays the same at every
     * attempt, so a mail sent twice (the server stopped before it noted the send) is one mail to the reader's client.
     */
    public record MailRow(String id, String account, String to, String subject, String text, String replyTo,
                          String messageId, String inReplyTo, int attempts, long nextAttemptAt) {
        public MailRow withAttempt(long next) {
            return new MailRow(id, account, to, subject, text, replyTo, messageId, inReplyTo, attempts + 1, next);
        }
    }

    /** A canned reply: {@code owner} null for the account's, else the agent whose own it is. */
    public record ReplyRow(String id, String account, String owner, String title, String body, long updated) {
    }

    /**
     * One desk turn's changes: rows to write (insert or replace), keys to delete, messages to append. Deleting a room
     * deletes its messages.
     */
    public record Changes(List<ReservationRow> reservations, List<String> forgottenReservations, List<RoomRow> rooms,
                          List<String> forgottenRooms, List<MessageRow> messages, List<AgentRow> agents,
                          List<SessionRow> sessions, List<String> endedSessions, List<GroupRow> groups,
                          List<MailRow> mails, List<String> sentMails, List<ReplyRow> replies,
                          List<String> deletedReplies) {
        public Changes(List<ReservationRow> reservations, List<String> forgottenReservations, List<RoomRow> rooms,
                       List<String> forgottenRooms, List<MessageRow> messages, List<AgentRow> agents,
                       List<SessionRow> sessions, List<String> endedSessions, List<GroupRow> groups,
                       List<MailRow> mails, List<String> sentMails) {
            this(reservations, forgottenReservations, rooms, forgottenRooms, messages, agents, sessions, endedSessions,
                    groups, mails, sentMails, List.of(), List.of());
        }

        public Changes(List<ReservationRow> reservations, List<String> forgottenReservations, List<RoomRow> rooms,
                       List<String> forgottenRooms, List<MessageRow> messages, List<AgentRow> agents,
                       List<SessionRow> sessions, List<String> endedSessions, List<GroupRow> groups) {
            this(reservations, forgottenReservations, rooms, forgottenRooms, messages, agents, sessions, endedSessions,
                    groups, List.of(), List.of(), List.of(), List.of());
        }

        public int size() {
            return reservations.size() + forgottenReservations.size() + rooms.size() + forgottenRooms.size()
                    + messages.size() + agents.size() + sessions.size() + endedSessions.size() + groups.size()
                    + mails.size() + sentMails.size() + replies.size() + deletedReplies.size();
        }
    }

    /** Everything stored but messages, as read back at start-up ({@link Journal#transcript} reads those). */
    public record State(List<ReservationRow> reservations, List<RoomRow> rooms, List<AgentRow> agents,
                        List<SessionRow> sessions, List<GroupRow> groups, List<MailRow> mails,
                        List<ReplyRow> replies) {
        public State(List<ReservationRow> reservations, List<RoomRow> rooms, List<AgentRow> agents,
                     List<SessionRow> sessions, List<GroupRow> groups, List<MailRow> mails) {
            this(reservations, rooms, agents, sessions, groups, mails, List.of());
        }

        public State(List<ReservationRow> reservations, List<RoomRow> rooms, List<AgentRow> agents,
                     List<SessionRow> sessions, List<GroupRow> groups) {
            this(reservations, rooms, agents, sessions, groups, List.of());
        }

        public static State empty() {
            return new State(List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
        }
    }
}
