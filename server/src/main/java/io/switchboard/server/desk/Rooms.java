package io.switchboard.server.desk;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Limits;
import io.switchboard.protocol.NotificationDetails;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import java.util.List;
import java.util.Set;

/**
 * Rooms: opening on assignment, messages with their {@code seq}, history, typing, transfer, supervisors joining and
 * leaving, and ending. Callers run assignment afterwards where an agent may have become free. Desk thread only.
 */
final class Rooms {
    private final DeskClock clock;
    private final Ids ids;
    private final Fanout fanout;
    private final Retention retention;
    private final ReservationFeed feed;
    private final DeskMetrics metrics;
    private final Dirty dirty;
    private final Journal journal;
    /** Rooms that ended in this turn, and ended rooms whose end is not known durable yet, oldest first. */
    private final List<Room> ending = new java.util.ArrayList<>();
    private final java.util.ArrayDeque<Room> ended = new java.util.ArrayDeque<>();

    Rooms(DeskClock clock, Ids ids, Fanout fanout, Retention retention, ReservationFeed feed, DeskMetrics metrics,
          Dirty dirty, Journal journal) {
        this.dirty = dirty;
        this.journal = journal;
        this.clock = clock;
        this.ids = ids;
        this.fanout = fanout;
        this.retention = retention;
        this.feed = feed;
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
        feed.changed(reservation);
        dirty.room(room);
        agent.rooms.add(room);
        room.account.rooms.put(room.id, room);
        room.account.openRooms.put(room.id, room);
        ServerMessage.Joined joined = new ServerMessage.Joined(room.id, reservation.guestView(), agent.user);
        fanout.send(reservation.session, joined);
        fanout.send(agent.session, joined);
        fanout.toRoom(room, new ServerMessage.Notification(room.id, reservation.user, NotificationDetails.JOINED));
        fanout.toRoom(room, new ServerMessage.Notification(room.id, agent.user, NotificationDetails.JOINED));
        if (reservation.session.connection == null) {
            fanout.toRoomExcept(room, reservation.session, Fanout.availability(reservation.user, StatusIs.AWAY));
        }
    }

    /** Ends a room: every member gets {@code end}, the account's agents {@code update unassigned}. */
    void close(Room room, EndReason reason, String endedBy) {
        room.open = false;
        dirty.room(room);
        if (journal != Journal.NONE) {
            ending.add(room);
        }
        if (reason != EndReason.AGENT_GONE) {
            room.reservation.group.recordCompletion(clock.now() - room.openedAt, room.reservation.waitedMs);
        }
        room.account.openRooms.remove(room.id);
        fanout.toRoom(room, new ServerMessage.End(room.id, endedBy, reason));
        for (Agent supervisor : room.supervisors) {
            supervisor.joinedRooms.remove(room);
        }
        room.supervisors.clear();
        Agent agent = room.agent;
        agent.rooms.remove(room);
        fanout.toAgents(room.account, new ServerMessage.Update(List.of(room.reservation.user, agent.user),
                UpdateDetails.UNASSIGNED));
        retention.forgetLater(room.reservation, room);
        fanout.refreshFree(agent);
    }

    void message(Session session, Request.Message request) {
        Room room = memberRoom(session, request.room());
        ServerMessage.Message message = new ServerMessage.Message(room.id, session.user(), request.body(),
                clock.now(), room.nextSeq());
        room.messages.add(message);
        dirty.message(message);
        metrics.message();
        fanout.toRoom(room, message);
    }

    /** A room's messages: in memory, or read from the journal for an ended room whose messages went there. */
    List<ServerMessage.Message> transcript(Room room) {
        if (!room.transcriptStored) {
            return room.messages;
        }
        return messages(room, journal.transcript(room.id));
    }

    private static List<ServerMessage.Message> messages(Room room, List<Stored.MessageRow> rows) {
        List<ServerMessage.Message> messages = new java.util.ArrayList<>(rows.size());
        for (Stored.MessageRow row : rows) {
            messages.add(new ServerMessage.Message(room.id, row.user(), row.body(), row.sent(), row.seq()));
        }
        return messages;
    }

    /** The rooms that ended in this turn are in batch {@code batch}. */
    void written(long batch) {
        for (Room room : ending) {
            room.endBatch = batch;
            ended.addLast(room);
        }
        ending.clear();
    }

    /**
     * Ended rooms whose end is durable let their messages go from memory: history reads them from the store from then
     * on (with {@link Journal#NONE} nothing is ever durable, and transcripts stay in memory).
     */
    void offloadDurable() {
        if (ended.isEmpty()) {
            return;
        }
        long durable = journal.durable();
        while (!ended.isEmpty() && ended.peekFirst().endBatch <= durable) {
            Room room = ended.pollFirst();
            room.transcriptStored = true;
            room.messages.clear();
            room.messages.trimToSize();
        }
    }

    /** Reads a room's stored messages into memory (a restart), keeping only an unbroken run from seq 1. */
    void load(Room room) {
        for (Stored.MessageRow row : journal.transcript(room.id)) {
            if (row.seq() != room.nextSeq()) {
                org.slf4j.LoggerFactory.getLogger(Rooms.class).warn("room {}: stored message seq {} out of order "
                        + "(expected {}); the rest is skipped", room.id, row.seq(), room.nextSeq());
                break;
            }
            room.messages.add(new ServerMessage.Message(room.id, row.user(), row.body(), row.sent(), row.seq()));
        }
    }

    void typing(Session session, Request.Status request) {
        Room room = memberRoom(session, request.room());
        fanout.toRoomExcept(room, session, new ServerMessage.Status(room.id, session.user(), StatusOf.TYPING,
                request.is()));
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
        if (room.transcriptStored) {
            // One page read from the store: an ended room's messages are not kept in memory.
            fanout.send(session, new ServerMessage.History(room.id,
                    messages(room, journal.transcript(room.id, request.after(), Limits.HISTORY_PAGE))));
            return;
        }
        List<ServerMessage.Message> messages = room.messages;
        int size = messages.size();
        int from = (int) Math.min(request.after(), size);
        int to = Math.min(from + Limits.HISTORY_PAGE, size);
        fanout.send(session, new ServerMessage.History(room.id, messages.subList(from, to)));
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

    void transfer(Agent requester, Room room, Agent target) {
        if (room.agent != requester && !requester.supervisor) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "transfer: room " + room.id
                    + " is not yours (expected: your room, or a supervisor)");
        }
        if (target == room.agent) {
            throw new DeskException(ErrorCode.CONFLICT, "transfer: room " + room.id + " is already with "
                    + target.user);
        }
        if (target.session == null) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "agent " + target.user + ": not signed in");
        }
        if (target.activeGuests() >= target.limit) {
            throw new DeskException(ErrorCode.AT_LIMIT, "agent " + target.user + ": at the limit " + target.limit);
        }
        Agent previous = room.agent;
        fanout.toRoom(room, new ServerMessage.Notification(room.id, previous.user, NotificationDetails.LEFT));
        previous.rooms.remove(room);
        if (room.supervisors.remove(target)) {
            target.joinedRooms.remove(room);
        }
        room.agent = target;
        dirty.room(room);
        feed.changed(room.reservation);
        room.pastMembers.add(target);
        target.rooms.add(room);
        target.lastAssignedAt = clock.now();
        fanout.send(target.session, new ServerMessage.Joined(room.id, room.reservation.guestView(), target.user));
        fanout.toRoom(room, new ServerMessage.Notification(room.id, target.user, NotificationDetails.JOINED));
        fanout.toAgents(room.account, new ServerMessage.Update(List.of(room.reservation.user, target.user),
                UpdateDetails.ASSIGNED));
        fanout.refreshFree(previous);
        fanout.refreshFree(target);
    }

    void join(Agent supervisor, Room room) {
        if (room.agent == supervisor || room.supervisors.contains(supervisor)) {
            throw new DeskException(ErrorCode.CONFLICT, "join: you are already in room " + room.id);
        }
        room.supervisors.add(supervisor);
        dirty.room(room);
        room.pastMembers.add(supervisor);
        supervisor.joinedRooms.add(room);
        fanout.send(supervisor.session, new ServerMessage.Joined(room.id, room.reservation.guestView(),
                room.agent.user));
        fanout.toRoom(room, new ServerMessage.Notification(room.id, supervisor.user, NotificationDetails.JOINED));
    }

    void leave(Agent supervisor, Room room) {
        if (!room.supervisors.contains(supervisor)) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "leave: you did not join room " + room.id);
        }
        fanout.toRoom(room, new ServerMessage.Notification(room.id, supervisor.user, NotificationDetails.LEFT));
        room.supervisors.remove(supervisor);
        supervisor.joinedRooms.remove(room);
        dirty.room(room);
    }

    /** A supervisor leaves every room they joined (their grace ran out). */
    void leaveAll(Agent supervisor) {
        for (Room room : List.copyOf(supervisor.joinedRooms)) {
            leave(supervisor, room);
        }
    }

    /** {@code joined} again for each room a returning agent is in, so a console rebuilds its tabs. */
    void sendOpenRooms(Session session) {
        for (Set<Room> rooms : List.of(session.agent.rooms, session.agent.joinedRooms)) {
            for (Room room : rooms) {
                fanout.send(session, new ServerMessage.Joined(room.id, room.reservation.guestView(), room.agent.user));
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

    private static Room memberRoom(Session session, String id) {
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
