package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;

/** What agents and sessions are shown of the desk: the account's snapshot, and {@code identified}. Desk thread only. */
final class Views {
    private final Account account;
    private final DeskClock clock;

    Views(Account account, DeskClock clock) {
        this.account = account;
        this.clock = clock;
    }

    /** The agent's view of the account: every agent, every waiting guest (questions cut short), every open room. */
    ServerMessage.Snapshot snapshot() {
        long now = clock.now();
        List<ServerMessage.AgentView> agents = new ArrayList<>(account.agents.size());
        for (Agent agent : account.agents.values()) {
            agents.add(new ServerMessage.AgentView(agent.user, agent.visibleAvailability(), agent.activeGuests(),
                    agent.limit));
        }
        List<ServerMessage.QueueEntry> queue = new ArrayList<>();
        for (Group group : account.groups.values()) {
            int position = 0;
            for (Reservation reservation : group.queue) {
                queue.add(new ServerMessage.QueueEntry(reservation.user, group.name, position++,
                        Math.max(0, now - reservation.enqueuedAt) / 1000,
                        Names.cut(reservation.question, Names.SNAPSHOT_QUESTION_MAX)));
            }
            position = 0;
            for (Reservation message : group.messages) {
                queue.add(new ServerMessage.QueueEntry(message.user, group.name, position++,
                        Math.max(0, now - message.enqueuedAt) / 1000,
                        Names.cut(message.question, Names.SNAPSHOT_QUESTION_MAX), "message",
                        message.enqueuedAt + group.replyWithinSeconds * 1000L));
            }
        }
        List<ServerMessage.RoomView> open = new ArrayList<>(account.openRooms.size());
        for (Room room : account.openRooms.values()) {
            open.add(new ServerMessage.RoomView(room.id, room.reservation.user, room.agent.user));
        }
        return new ServerMessage.Snapshot(agents, queue, open);
    }

    /** {@code identified} with the session's new token: the only place a token is ever sent, and it is not kept. */
    ServerMessage.Identified identified(Session session, String token) {
        String reservation = session.reservation == null ? null : session.reservation.sid;
        return new ServerMessage.Identified(session.role, session.user(), token, reservation);
    }
}
