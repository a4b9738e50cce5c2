package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.NotificationDetails;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import java.util.List;

/**
 * Who is in a room besides its guest, and what they show: typing, a transfer to another agent, supervisors joining
 * (openly or silently) and leaving. Desk thread only.
 */
final class RoomMembers {
    private final DeskClock clock;
    private final Fanout fanout;
    private final Turn turn;

    RoomMembers(DeskClock clock, Fanout fanout, Turn turn) {
        this.clock = clock;
        this.fanout = fanout;
        this.turn = turn;
    }

    void typing(Session session, Request.Status request) {
        Room room = Rooms.memberRoom(session, request.room());
        ServerMessage.Status status = new ServerMessage.Status(room.id, session.user(), session.role,
                StatusOf.TYPING, request.is());
        if (session.agent != null && room.silent.contains(session.agent)) {
            // A silent supervisor's typing is for the agents only.
            fanout.toRoomAgentsExcept(room, session, status);
            return;
        }
        fanout.toRoomExcept(room, session, status);
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
        fanout.toRoom(room, Rooms.notification(room, previous, NotificationDetails.LEFT));
        previous.rooms.remove(room);
        if (room.supervisors.remove(target)) {
            target.joinedRooms.remove(room);
        }
        room.agent = target;
        room.silent.remove(target);
        room.record(clock.now(), "transferred", target.user);
        turn.stored(room);
        turn.roomChanged(room);
        turn.changed(room.reservation);
        room.pastMembers.add(target);
        target.rooms.add(room);
        target.lastAssignedAt = clock.now();
        fanout.send(target.session, new ServerMessage.Joined(room.id, room.reservation.guestView(), target.user));
        fanout.toRoom(room, Rooms.notification(room, target, NotificationDetails.JOINED));
        fanout.toAgents(room.account, new ServerMessage.Update(List.of(room.reservation.user, target.user),
                UpdateDetails.ASSIGNED));
        turn.capacityChanged(previous);
        turn.capacityChanged(target);
    }

    /**
     * A supervisor joins a room; {@code silent}: the guest is not told (nor of their typing) until they send a
     * message that is not a note.
     */
    void join(Agent supervisor, Room room, boolean silent) {
        if (room.agent == supervisor || room.supervisors.contains(supervisor)) {
            throw new DeskException(ErrorCode.CONFLICT, "join: you are already in room " + room.id);
        }
        room.supervisors.add(supervisor);
        if (silent) {
            room.silent.add(supervisor);
        }
        room.record(clock.now(), silent ? "joined_silently" : "joined", supervisor.user);
        turn.stored(room);
        room.pastMembers.add(supervisor);
        supervisor.joinedRooms.add(room);
        fanout.send(supervisor.session, new ServerMessage.Joined(room.id, room.reservation.guestView(),
                room.agent.user, silent ? Boolean.TRUE : null));
        fanout.toRoomFrom(room, supervisor, Rooms.notification(room, supervisor, NotificationDetails.JOINED));
    }

    void leave(Agent supervisor, Room room) {
        if (!room.supervisors.contains(supervisor)) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "leave: you did not join room " + room.id);
        }
        fanout.toRoomFrom(room, supervisor, Rooms.notification(room, supervisor, NotificationDetails.LEFT));
        room.silent.remove(supervisor);
        room.record(clock.now(), "left", supervisor.user);
        room.supervisors.remove(supervisor);
        supervisor.joinedRooms.remove(room);
        turn.stored(room);
    }

    /** A supervisor leaves every room they joined (their grace ran out). */
    void leaveAll(Agent supervisor) {
        for (Room room : List.copyOf(supervisor.joinedRooms)) {
            leave(supervisor, room);
        }
    }
}
