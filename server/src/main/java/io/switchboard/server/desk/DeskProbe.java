package io.switchboard.server.desk;

import io.switchboard.protocol.Role;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What tools may read of a desk without changing it: any estimate method's answer for a waiting guest (the simulator
 * asks every method at every {@code queuepos}), a whole queue's estimates (the micro-benchmark), and the state behind
 * the gauges (a scrape of {@code /metrics}). Desk thread only.
 */
public final class DeskProbe {
    private final Account account;
    private final Map<String, Reservation> reservations;
    private final Sessions sessions;
    private final DeskClock clock;
    private final Mailbox mailbox;

    DeskProbe(Account account, Map<String, Reservation> reservations, Sessions sessions, DeskClock clock,
              Mailbox mailbox) {
        this.mailbox = mailbox;
        this.account = account;
        this.reservations = reservations;
        this.sessions = sessions;
        this.clock = clock;
    }

    /**
     * What {@code method} estimates now for a waiting guest, in seconds; null when it has no basis, or when the
     * reservation is unknown or not waiting.
     */
    public Long estimate(String sid, EstimateMethod method) {
        Reservation reservation = reservations.get(sid);
        if (reservation == null || !reservation.isWaiting()) {
            return null;
        }
        Group group = reservation.group;
        return method.estimator.prepare(group, clock.now()).seconds(group.positionOf(reservation));
    }

    /** Every waiting guest's estimate in a group, in queue order: one recomputation of the whole queue. */
    public Long[] estimateQueue(String groupName, EstimateMethod method) {
        Group group = account.restGroup(groupName);
        WaitEstimator.Estimates estimates = method.estimator.prepare(group, clock.now());
        Long[] all = new Long[group.queue.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = estimates.seconds(i);
        }
        return all;
    }

    /** One group's queue as the gauges show it, and its messages left by email (how many, the oldest). */
    public record QueueGauge(String account, String group, int length, long oldestWaitMs, int messages,
                             long oldestMessageMs) {
    }

    /**
     * The gauges of this desk: each group's queue, its connections by role ({@code null}: not identified), and how
     * many emails wait to be sent.
     */
    public record Gauges(List<QueueGauge> queues, Map<Role, Integer> connections, int anonymous, int mailsQueued) {
    }

    public Gauges gauges() {
        long now = clock.now();
        List<QueueGauge> queues = new java.util.ArrayList<>();
        for (Group group : account.groups.values()) {
            long oldest = 0;
            for (Reservation reservation : group.queue) {
                oldest = Math.max(oldest, now - reservation.enqueuedAt);
            }
            long oldestMessage = group.messages.isEmpty() ? 0 : now - group.messages.first().enqueuedAt;
            queues.add(new QueueGauge(account.id, group.name, group.queue.size(), oldest, group.messages.size(),
                    Math.max(0, oldestMessage)));
        }
        Map<Role, Integer> byRole = new EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            byRole.put(role, 0);
        }
        for (Session session : sessions.byConnection.values()) {
            byRole.merge(session.role, 1, Integer::sum);
        }
        return new Gauges(queues, byRole, sessions.connections.size() - sessions.byConnection.size(),
                mailbox.pending());
    }

    /** A waiting guest as a replay of the desk needs them ({@link #state}). */
    public record Waiting(String sid, long ticket, int priority, boolean front, long enqueuedAt) {
    }

    /** A group's queue in order, and whether the group is open now. */
    public record GroupState(String name, boolean open, List<Waiting> queue) {
    }

    /** An agent: present (connected and available), their limit, their rooms (group, opened at). */
    public record AgentState(String user, List<String> groups, int limit, boolean present, List<String> roomGroups,
                             List<Long> roomsOpenedAt, int held, long lastAssignedAt) {
    }

    /** Everything that decides who is assigned when, now (the simulator's oracle replays the future from it). */
    public record State(long now, List<GroupState> groups, List<AgentState> agents) {
    }

    /** The desk's queues and agents now. Desk thread only. */
    public State state() {
        long now = clock.now();
        List<GroupState> groups = new java.util.ArrayList<>();
        for (Group group : account.groups.values()) {
            List<Waiting> queue = new java.util.ArrayList<>(group.queue.size());
            for (Reservation reservation : group.queue) {
                queue.add(new Waiting(reservation.sid, reservation.ticket, reservation.priority, reservation.front,
                        reservation.enqueuedAt));
            }
            groups.add(new GroupState(group.name, group.openAt(now), queue));
        }
        List<AgentState> agents = new java.util.ArrayList<>();
        for (Agent agent : account.agents.values()) {
            List<String> names = agent.groups.stream().map(group -> group.name).toList();
            List<String> roomGroups = new java.util.ArrayList<>();
            List<Long> opened = new java.util.ArrayList<>();
            for (Room room : agent.rooms) {
                roomGroups.add(room.reservation.group.name);
                opened.add(room.openedAt);
            }
            agents.add(new AgentState(agent.user, names, agent.limit, agent.present(), roomGroups, opened,
                    agent.held.size(), agent.lastAssignedAt));
        }
        return new State(now, groups, agents);
    }
}
