package io.switchboard.server.desk;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Limits;
import io.switchboard.protocol.NotificationDetails;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import java.util.List;
import java.util.Set;

/**
 * Rooms: opening on assignment, messages with their {@code seq}, history, and ending ({@link RoomMembers}: typing,
 * transfer, supervisors joining and leaving). Callers run assignment afterwards where an agent may have become free. Desk thread only.
 */
final class Rooms {
    private final DeskClock clock;
    private final Ids ids;
    private final Fanout fanout;
    private final Retention retention;
    private final Turn turn;
    private final DeskMetrics metrics;
    private final Journal journal;
    /** Rooms that ended in this turn, and ended rooms whose end is not known durable yet, oldest first. */
    private final List<Room> ending = new java.util.ArrayList<>();
    private final java.util.ArrayDeque<Room> ended = new java.util.ArrayDeque<>();
    /** How many of an open room's newest messages stay in memory once the older ones are durable. */
    private final int tailMessages;
    /** Rooms that got messages in this turn, and open rooms with more messages in memory than the tail. */
    private final java.util.Set<Room> written = new java.util.LinkedHashSet<>();
    private final java.util.Set<Room> overTail = new java.util.LinkedHashSet<>();

    /** Where agents' answers in a conversation by email go to its guest. */
    private final Mailbox mailbox;
    /** Told when a room opens for a guest who is away (their session then has the room's grace). */
    java.util.function.Consumer<Session> guestAway = session -> { };

    private final Workspace workspace;

    Rooms(DeskClock clock, Ids ids, Fanout fanout, Retention retention, Turn turn, DeskMetrics metrics,
          Journal journal, int tailMessages, Mailbox mailbox, Workspace workspace) {
        this.mailbox = mailbox;
        this.workspace = workspace;
        this.tailMessages = tailMessages;
        this.journal = journal;
        this.clock = clock;
        this.ids = ids;
        this.fanout = fanout;
        this.retention = retention;
        this.turn = turn;
        this.metrics = metrics;
    }

    /** Opens the room of a matched reservation whose guest is here (connected or within the grace). */
    void open(Reservation reservation, Agent agent) {
        if (agent.held.remove(reservation) && reservation.holdTimer != null) {
            reservation.holdTimer.cancel();
            reservation.holdTimer = null;
        }
        Room room = new Room(ids.next("rm_"), reservation, agent, clock.now());
        reservation.room = room;
        turn.changed(reservation);
        turn.stored(room);
        if (reservation.previousRoom != null) {
            carryOver(reservation.previousRoom, room);
            reservation.previousRoom = null;
        }
        if (reservation.byEmail && reservation.question != null) {
            // What the guest wrote by email (the message they left, or their answer since the last room) comes first.
            for (String part : Mailbox.chunks(reservation.question, Limits.BODY_MAX)) {
                append(room, new ServerMessage.Message(room.id, reservation.user, Role.GUEST, part,
                        reservation.enqueuedAt, room.nextSeq(), null));
            }
        }
        agent.rooms.add(room);
        room.record(clock.now(), "assigned", agent.user);
        room.account.rooms.put(room.id, room);
        room.account.indexRoom(room);
        room.account.openRooms.put(room.id, room);
        turn.roomChanged(room);
        ServerMessage.Joined joined = new ServerMessage.Joined(room.id, reservation.guestView(), agent.user);
        fanout.send(reservation.session, joined);
        fanout.send(agent.session, joined);
        fanout.toRoom(room, new ServerMessage.Notification(room.id, reservation.user, Role.GUEST,
                NotificationDetails.JOINED));
        fanout.toRoom(room, notification(room, agent, NotificationDetails.JOINED));
        if (reservation.session != null && reservation.session.connection == null) {
            fanout.toRoomExcept(room, reservation.session, Fanout.presence(room, reservation.session, StatusIs.AWAY));
            guestAway.accept(reservation.session);
        }
        // The guest's question (or message) waits for the agent's first answer.
        workspace.guestWrote(room);
    }

    /**
     * The guest of a conversation by email answered: each part of their answer is a message of the room, from them,
     * to everyone in it.
     */
    void guestWrote(Room room, String text) {
        for (String part : Mailbox.chunks(text, Limits.BODY_MAX)) {
            ServerMessage.Message message = new ServerMessage.Message(room.id, room.reservation.user, Role.GUEST,
                    part, clock.now(), room.nextSeq(), null);
            append(room, message);
            metrics.message();
            fanout.toRoom(room, message);
        }
        workspace.guestWrote(room);
    }

    /** Ends a room: every member gets {@code end}, the account's agents {@code update unassigned}. */
    void close(Room room, EndReason reason, String endedBy) {
        room.open = false;
        turn.stored(room);
        if (journal != Journal.NONE) {
            ending.add(room);
        }
        if (reason != EndReason.AGENT_GONE) {
            room.reservation.group.recordCompletion(clock.now() - room.openedAt, room.reservation.waitedMs);
        }
        room.account.openRooms.remove(room.id);
        turn.roomChanged(room);
        workspace.answered(room);
        room.record(clock.now(), "ended", endedBy);
        ServerMessage.End end = new ServerMessage.End(room.id, endedBy, reason);
        if (endedBy != null && room.silent.stream().anyMatch(supervisor -> supervisor.user.equals(endedBy))) {
            // A silent supervisor ended it: the guest, who never saw them, is not told who.
            fanout.send(room.reservation.session, new ServerMessage.End(room.id, null, reason));
            fanout.toRoomAgents(room, end);
        } else {
            fanout.toRoom(room, end);
        }
        for (Agent supervisor : room.supervisors) {
            supervisor.joinedRooms.remove(room);
        }
        room.supervisors.clear();
        room.silent.clear();
        Agent agent = room.agent;
        agent.rooms.remove(room);
        fanout.toAgents(room.account, new ServerMessage.Update(List.of(room.reservation.user, agent.user),
                UpdateDetails.UNASSIGNED));
        retention.forgetLater(room.reservation, room);
        turn.capacityChanged(agent);
    }

    void message(Session session, Request.Message request) {
        Room room = memberRoom(session, request.room());
        if (request.forAgentsOnly() && session.isGuest()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "private: notes are for agents (send it without "
                    + "\"private\")");
        }
        ServerMessage.Message message = new ServerMessage.Message(room.id, session.user(), session.role,
                request.body(), clock.now(), room.nextSeq(), request.forAgentsOnly() ? Boolean.TRUE : null);
        append(room, message);
        metrics.message();
        if (message.forAgentsOnly()) {
            fanout.toRoomAgents(room, message);
        } else {
            if (session.isGuest()) {
                workspace.guestWrote(room);
            } else {
                workspace.answered(room);
                if (room.silent.remove(session.agent)) {
                    // A supervisor who joined silently takes over: the guest learns they are here, then reads them.
                    turn.stored(room);
                    fanout.send(room.reservation.session, notification(room, session.agent,
                            NotificationDetails.JOINED));
                }
            }
            fanout.toRoom(room, message);
            if (room.reservation.byEmail && !session.isGuest()) {
                mailbox.agentWrote(room, session.user(), request.body());
            }
        }
    }

    private void append(Room room, ServerMessage.Message message) {
        room.messages.add(message);
        room.lastSeq = message.seq();
        if (journal != Journal.NONE) {
            written.add(room);
        }
        turn.said(message);
    }

    /**
     * A new room of a guest whose agent was gone starts with the previous room's transcript, at the same seqs (notes
     * included, still for agents only): its agent reads the whole conversation with {@code history}, and the guest's
     * transcript goes on as it was.
     */
    private void carryOver(Room previous, Room room) {
        for (ServerMessage.Message message : transcript(previous)) {
            append(room, new ServerMessage.Message(room.id, message.user(), message.role(), message.body(),
                    message.sent(), message.seq(), message.privateNote()));
        }
    }

    /**
     * A room's whole transcript: from the journal (an ended room whose messages went there, and an open room's older
     * messages) and from memory (tests, a restored room's check).
     */
    List<ServerMessage.Message> transcript(Room room) {
        if (room.transcriptStored) {
            return messages(room, journal.transcript(room.id));
        }
        long first = room.firstInMemory();
        List<ServerMessage.Message> all = new java.util.ArrayList<>();
        if (first > 1) {
            all.addAll(messages(room, journal.transcript(room.id, 0, (int) (first - 1))));
        }
        all.addAll(room.messages);
        return all;
    }

    private static List<ServerMessage.Message> messages(Room room, List<Stored.MessageRow> rows) {
        List<ServerMessage.Message> messages = new java.util.ArrayList<>(rows.size());
        for (Stored.MessageRow row : rows) {
            messages.add(message(room, row));
        }
        return messages;
    }

    private static ServerMessage.Message message(Room room, Stored.MessageRow row) {
        return new ServerMessage.Message(room.id, row.user(), row.role(), row.body(), row.sent(), row.seq(),
                row.privateNote() ? Boolean.TRUE : null);
    }

    /** This turn's changes are batch {@code batch}: the rooms that ended in it, and the messages added. */
    void written(long batch) {
        if (ending.isEmpty() && written.isEmpty()) {
            return;
        }
        for (Room room : ending) {
            room.endBatch = batch;
            ended.addLast(room);
        }
        ending.clear();
        for (Room room : written) {
            room.unsynced.addLast(new long[] {room.lastSeq, batch});
            if (room.open && room.messages.size() > tailMessages) {
                overTail.add(room);
            }
        }
        written.clear();
    }

    /**
     * Lets durable messages go from memory: all of an ended room's once its end is durable, and an open room's older
     * ones past its tail; history reads them from the store from then on. With {@link Journal#NONE} nothing is ever
     * durable, and transcripts stay in memory.
     */
    void offloadDurable() {
        if (ended.isEmpty() && overTail.isEmpty()) {
            return;
        }
        long durable = journal.durable();
        while (!ended.isEmpty() && ended.peekFirst().endBatch <= durable) {
            Room room = ended.pollFirst();
            room.transcriptStored = true;
            room.messages.clear();
            room.messages.trimToSize();
            room.unsynced.clear();
            overTail.remove(room);
        }
        for (java.util.Iterator<Room> it = overTail.iterator(); it.hasNext(); ) {
            if (trimTail(it.next(), durable)) {
                it.remove();
            }
        }
    }

    /** Drops an open room's durable messages past its tail; true when what is left is within the tail. */
    private boolean trimTail(Room room, long durable) {
        while (!room.unsynced.isEmpty() && room.unsynced.peekFirst()[1] <= durable) {
            room.durableSeq = room.unsynced.pollFirst()[0];
        }
        int drop = 0;
        while (drop < room.messages.size() - tailMessages && room.messages.get(drop).seq() <= room.durableSeq) {
            drop++;
        }
        if (drop > 0) {
            room.messages.subList(0, drop).clear();
        }
        return room.messages.size() <= tailMessages;
    }

    /** Reads an open room's newest stored messages into memory (a restart), keeping an unbroken run. */
    void load(Room room) {
        List<Stored.MessageRow> rows = journal.tail(room.id, tailMessages);
        for (Stored.MessageRow row : rows) {
            if (!room.messages.isEmpty() && row.seq() != room.nextSeq()) {
                org.slf4j.LoggerFactory.getLogger(Rooms.class).warn("room {}: stored message seq {} out of order "
                        + "(expected {}); the rest is skipped", room.id, row.seq(), room.nextSeq());
                break;
            }
            room.messages.add(message(room, row));
            room.lastSeq = row.seq();
        }
        room.durableSeq = room.lastSeq;
    }

    static ServerMessage.Notification notification(Room room, Agent agent, NotificationDetails details) {
        return new ServerMessage.Notification(room.id, agent.user, agent.role(), details);
    }

    /** The room's messages after a seq: for its guest, any agent who was ever in it, and supervisors. */
    void history(Session session, Request.History request) {
        Room room = session.account.rooms.get(request.room());
        if (room == null) {
            throw unknownRoom(request.room());
        }
        boolean reader = session.isGuest()
                ? room.reservation == session.reservation
                : session.agent.supervisor || room.pastMembers.contains(session.agent);
        if (!reader) {
            throw notYours(room);
        }
        List<ServerMessage.Message> page = page(room, request.after());
        if (session.isGuest()) {
            // Notes are for agents: a guest's history skips them (their seqs are missing for the guest).
            page = page.stream().filter(message -> !message.forAgentsOnly()).toList();
        }
        fanout.send(session, new ServerMessage.History(room.id, page));
    }

    /**
     * At most a page of the room's messages after {@code after}: what is older than the memory's tail (all of an ended
     * room's) is one range read from the store, the rest comes from memory.
     */
    private List<ServerMessage.Message> page(Room room, long after) {
        List<ServerMessage.Message> page = new java.util.ArrayList<>();
        long first = room.transcriptStored ? Long.MAX_VALUE : room.firstInMemory();
        if (after + 1 < first) {
            // Exactly the messages older than memory's (the store finds a full page of a moved run in one range).
            int want = (int) Math.min(Limits.HISTORY_PAGE, first - 1 - after);
            for (Stored.MessageRow row : journal.transcript(room.id, after, want)) {
                if (row.seq() >= first) {
                    break;
                }
                page.add(message(room, row));
            }
        }
        if (!room.transcriptStored) {
            List<ServerMessage.Message> messages = room.messages;
            long from = Math.max(after, page.isEmpty() ? after : page.get(page.size() - 1).seq());
            int index = (int) Math.max(0, Math.min(messages.size(), from + 1 - first));
            while (index < messages.size() && page.size() < Limits.HISTORY_PAGE) {
                page.add(messages.get(index++));
            }
        }
        return page;
    }

    /** Ends a room at a member's (or a supervisor's) request. */
    Room end(Session session, Request.End request) {
        Room room = openRoom(session.account, request.room());
        boolean allowed = room.isMember(session) || session.agent != null && session.agent.supervisor;
        if (!allowed) {
            throw notYours(room);
        }
        close(room, EndReason.ENDED, session.user());
        return room;
    }

    /** {@code joined} again for each room a returning agent is in, so a console rebuilds its tabs. */
    void sendOpenRooms(Session session) {
        for (Set<Room> rooms : List.of(session.agent.rooms, session.agent.joinedRooms)) {
            for (Room room : rooms) {
                fanout.send(session, new ServerMessage.Joined(room.id, room.reservation.guestView(), room.agent.user,
                        room.silent.contains(session.agent) ? Boolean.TRUE : null));
            }
        }
    }

    static Room openRoom(Account account, String id) {
        Room room = account.rooms.get(id);
        if (room == null) {
            throw unknownRoom(id);
        }
        if (!room.open) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "room: " + id + " has ended");
        }
        return room;
    }

    static Room memberRoom(Session session, String id) {
        Room room = openRoom(session.account, id);
        if (!room.isMember(session)) {
            throw notYours(room);
        }
        return room;
    }

    private static DeskException notYours(Room room) {
        return new DeskException(ErrorCode.NOT_ALLOWED, "room: " + room.id + " (expected: a room you are in)");
    }

    private static DeskException unknownRoom(String id) {
        return new DeskException(ErrorCode.UNKNOWN_ROOM, "room: " + id + " (expected: a room of this account)");
    }
}
