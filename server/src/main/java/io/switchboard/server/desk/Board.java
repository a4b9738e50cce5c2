package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the account's consoles are shown of the queue, the team and the open rooms, sent as changes: a guest queued,
 * moved or left ({@code queue}), an agent's availability, load or limit ({@code team}), a room opened, handed over or
 * closed ({@code rooms}). The parts that change these mark them here; at the end of the turn (and before any
 * snapshot, so a snapshot and the changes after it never overlap) each marked one is compared with what was last
 * shown, and only the difference goes out. A console builds its view from one snapshot and then these. Desk thread
 * only.
 */
final class Board {
    /** Whose message kind an entry is: absent for a guest waiting to chat. */
    static final String MESSAGE = "message";

    private final Account account;
    private final Fanout fanout;
    private final DeskClock clock;
    private final Set<Group> groups = new LinkedHashSet<>();
    private final Set<Reservation> edited = new LinkedHashSet<>();
    private final Set<Agent> agents = new LinkedHashSet<>();
    private final Set<Room> rooms = new LinkedHashSet<>();
    /** The open rooms the agents were shown, with the agent they were shown with. */
    private final Map<Room, String> shownRooms = new HashMap<>();

    Board(Account account, Fanout fanout, DeskClock clock) {
        this.account = account;
        this.fanout = fanout;
        this.clock = clock;
    }

    /** A group's queue or messages may have changed. */
    void queue(Group group) {
        groups.add(group);
    }

    /** A waiting entry's fields changed in place (its question). */
    void edited(Reservation reservation) {
        edited.add(reservation);
        groups.add(reservation.group);
    }

    /** An agent's availability, load or limit may have changed. */
    void agent(Agent agent) {
        agents.add(agent);
    }

    /** A room opened, changed its agent or closed. */
    void room(Room room) {
        rooms.add(room);
    }

    /** Takes what is there now as shown (after a restore: every console starts again from a snapshot). */
    void reset() {
        for (Group group : account.groups.values()) {
            reset(group.shownQueue, group.queue);
            reset(group.shownMessages, group.messages);
        }
        shownRooms.clear();
        for (Room room : account.openRooms.values()) {
            shownRooms.put(room, room.agent.user);
        }
        for (Agent agent : account.agents.values()) {
            agent.shown = view(agent);
        }
        groups.clear();
        edited.clear();
        agents.clear();
        rooms.clear();
    }

    private static void reset(List<Reservation> shown, Collection<Reservation> now) {
        shown.clear();
        shown.addAll(now);
    }

    /** Sends the agents what changed since they were last shown, and takes it as shown. */
    void publish() {
        if (!groups.isEmpty()) {
            List<Group> changed = new ArrayList<>(groups);
            groups.clear();
            long now = clock.now();
            for (Group group : changed) {
                diff(group, group.shownQueue, group.queue, null, now);
                diff(group, group.shownMessages, group.messages, MESSAGE, now);
                ServerMessage.GroupStats stats = stats(group, now);
                if (!stats.equals(group.shownStats)) {
                    group.shownStats = stats;
                    fanout.toConsoles(account, stats);
                }
            }
            edited.clear();
        }
        if (!agents.isEmpty()) {
            List<Agent> changed = new ArrayList<>(agents);
            agents.clear();
            for (Agent agent : changed) {
                ServerMessage.AgentView view = view(agent);
                if (!view.equals(agent.shown)) {
                    agent.shown = view;
                    fanout.toConsoles(account, new ServerMessage.Team(view));
                }
            }
        }
        if (!rooms.isEmpty()) {
            List<Room> changed = new ArrayList<>(rooms);
            rooms.clear();
            for (Room room : changed) {
                publish(room);
            }
        }
    }

    private void publish(Room room) {
        String shown = shownRooms.get(room);
        boolean open = room.open && account.openRooms.containsKey(room.id);
        String change;
        if (open && shown == null) {
            change = "opened";
        } else if (open && !shown.equals(room.agent.user)) {
            change = "changed";
        } else if (!open && shown != null) {
            change = "closed";
        } else {
            return;
        }
        if (open) {
            shownRooms.put(room, room.agent.user);
        } else {
            shownRooms.remove(room);
        }
        fanout.toConsoles(account, new ServerMessage.RoomChange(change, view(room)));
    }

    /**
     * The changes that turn {@code shown} into {@code now}, sent and applied to {@code shown}: first every entry that
     * left, then, walking {@code now} from the front, each entry not where the console has it (new: {@code queued};
     * elsewhere: {@code moved}), then edited entries still in place. One arrival or departure is one message.
     */
    private void diff(Group group, List<Reservation> shown, Collection<Reservation> now, String kind, long at) {
        if (shown.isEmpty() && now.isEmpty()) {
            return;
        }
        Set<Reservation> present = new HashSet<>(now);
        List<Reservation> kept = new ArrayList<>(shown.size());
        for (Reservation reservation : shown) {
            if (present.contains(reservation)) {
                kept.add(reservation);
            } else {
                fanout.toConsoles(account, ServerMessage.QueueChange.left(reservation.entryId(), group.name, kind));
            }
        }
        Set<Reservation> known = new HashSet<>(kept);
        int position = 0;
        for (Reservation reservation : now) {
            if (position >= kept.size() || kept.get(position) != reservation) {
                String change = "queued";
                if (known.contains(reservation)) {
                    kept.remove(reservation);
                    change = "moved";
                }
                kept.add(position, reservation);
                fanout.toConsoles(account, ServerMessage.QueueChange.of(change, entry(reservation, position, at)));
            } else if (edited.contains(reservation)) {
                fanout.toConsoles(account, ServerMessage.QueueChange.of("moved", entry(reservation, position, at)));
            }
            position++;
        }
        shown.clear();
        shown.addAll(kept);
    }

    /** A waiting entry as agents see it (questions cut to {@link Names#SNAPSHOT_QUESTION_MAX}). */
    static ServerMessage.QueueEntry entry(Reservation reservation, int position, long now) {
        Group group = reservation.group;
        String question = Names.cut(reservation.question, Names.SNAPSHOT_QUESTION_MAX);
        long waited = Math.max(0, now - reservation.enqueuedAt) / 1000;
        if (reservation.byEmail) {
            return new ServerMessage.QueueEntry(reservation.user, group.name, position, waited, question, MESSAGE,
                    reservation.enqueuedAt + group.replyWithinSeconds * 1000L, reservation.entryId());
        }
        return new ServerMessage.QueueEntry(reservation.user, group.name, position, waited, question, null, null,
                reservation.entryId());
    }

    /** The group's average wait and the last hour's error of its estimates. */
    static ServerMessage.GroupStats stats(Group group, long now) {
        return new ServerMessage.GroupStats(group.name, group.averageWaitSeconds(),
                group.accuracy.hourMaeSeconds(now), group.accuracy.hourScores(now));
    }

    static ServerMessage.AgentView view(Agent agent) {
        return new ServerMessage.AgentView(agent.user, agent.visibleAvailability(), agent.activeGuests(), agent.limit);
    }

    static ServerMessage.RoomView view(Room room) {
        return new ServerMessage.RoomView(room.id, room.reservation.user, room.agent.user);
    }
}
