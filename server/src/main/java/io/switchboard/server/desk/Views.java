package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;

/** What agents and sessions are shown of the desk: the account's snapshot, and {@code identified}. Desk thread only. */
final class Views {
    private final Account account;
    private final DeskClock clock;
    private final Board board;

    Views(Account account, DeskClock clock, Board board) {
        this.account = account;
        this.clock = clock;
        this.board = board;
    }

    /**
     * The agent's view of the account: every agent, the first {@code queueLimit} waiting entries of each group and
     * kind (questions cut short) with how many wait in each, every open room. What changed before it is sent as
     * changes first ({@link Board#publish}), so that the changes after it start from it.
     */
    ServerMessage.Snapshot snapshot(int queueLimit) {
        board.publish();
        long now = clock.now();
        List<ServerMessage.AgentView> agents = new ArrayList<>(account.agents.size());
        for (Agent agent : account.agents.values()) {
            agents.add(Board.view(agent));
        }
        List<ServerMessage.QueueEntry> queue = new ArrayList<>();
        List<ServerMessage.QueueTotal> totals = new ArrayList<>();
        List<ServerMessage.GroupStats> stats = new ArrayList<>();
        for (Group group : account.groups.values()) {
            stats.add(Board.stats(group, now));
            list(group.queue, queueLimit, now, queue);
            list(group.messages, queueLimit, now, queue);
            totals.add(new ServerMessage.QueueTotal(group.name, null, group.queue.size()));
            if (!group.messages.isEmpty()) {
                totals.add(new ServerMessage.QueueTotal(group.name, Board.MESSAGE, group.messages.size()));
            }
        }
        List<ServerMessage.RoomView> open = new ArrayList<>(account.openRooms.size());
        for (Room room : account.openRooms.values()) {
            open.add(Board.view(room));
        }
        return new ServerMessage.Snapshot(agents, queue, open, totals, stats);
    }

    /**
     * How many entries of each group and kind a snapshot lists: as asked, else the first page for a console and all
     * for any other agent (the contract's snapshot holds the whole queue).
     */
    static int queueLimit(Session session, Integer asked) {
        if (asked != null) {
            return asked;
        }
        return session.console ? io.switchboard.protocol.Limits.SNAPSHOT_QUEUE_DEFAULT : Integer.MAX_VALUE;
    }

    private static void list(Iterable<Reservation> waiting, int limit, long now, List<ServerMessage.QueueEntry> into) {
        int position = 0;
        for (Reservation reservation : waiting) {
            if (position == limit) {
                return;
            }
            into.add(Board.entry(reservation, position++, now));
        }
    }

    /** {@code identified} with the session's new token: the only place a token is ever sent, and it is not kept. */
    ServerMessage.Identified identified(Session session, String token) {
        String reservation = session.reservation == null ? null : session.reservation.sid;
        return new ServerMessage.Identified(session.role, session.user(), token, reservation);
    }
}
