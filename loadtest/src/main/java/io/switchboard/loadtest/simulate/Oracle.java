package io.switchboard.loadtest.simulate;

import io.switchboard.server.desk.DeskProbe;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The floor: the best estimate any estimator could give with what is known at a moment. From the desk's state then
 * (every queue in order, every agent's presence, limit and rooms with their ages) and the scenario's model (its
 * arrival rates, handle time and patience distributions, rejoins, the agents' shifts and the groups' closures, as if
 * all known), it replays the future {@link #ROLLOUTS} times with fresh draws, by the desk's own assignment rules, and
 * answers the median of the waits the guest had in them: the estimate that minimises the expected absolute error.
 * Its error against the wait that really followed is the floor of the report. The guest being estimated is assumed to
 * stay (only guests who were served are scored), which tells the floor more than any estimator knows: the floor is a
 * lower bound.
 */
final class Oracle {
    static final int ROLLOUTS = 101;
    /** A replay stops here (the guest is then counted as waiting this long). */
    static final double HORIZON_S = 6 * 3600;

    private final Scenario scenario;
    private final Map<String, Scenario.Distribution> handles = new HashMap<>();
    private final List<String> groupOrder = new ArrayList<>();

    Oracle(Scenario scenario) {
        this.scenario = scenario;
        for (Scenario.GroupSpec group : scenario.groups()) {
            handles.put(group.name(), group.handleTimeS() != null ? group.handleTimeS() : scenario.handleTimeS());
            groupOrder.add(group.name());
        }
    }

    /** The median wait (seconds) of the guest {@code sid} from {@code state}, over seeded replays. */
    double median(DeskProbe.State state, String sid, long startMs, long seed) {
        Random random = new Random(seed);
        double[] waits = new double[ROLLOUTS];
        for (int i = 0; i < ROLLOUTS; i++) {
            waits[i] = new Replay(state, sid, startMs, random).run();
        }
        Arrays.sort(waits);
        return waits[ROLLOUTS / 2];
    }

    /** One guest of a replay. */
    private static final class Guest {
        final String group;
        final long ticket;
        final int priority;
        final boolean front;
        final double enqueuedAt;
        final boolean target;
        boolean gone;

        Guest(String group, long ticket, int priority, boolean front, double enqueuedAt, boolean target) {
            this.group = group;
            this.ticket = ticket;
            this.priority = priority;
            this.front = front;
            this.enqueuedAt = enqueuedAt;
            this.target = target;
        }
    }

    /** Within a group: the desk's order (back at the front first, then priority, then ticket). */
    private static final Comparator<Guest> ORDER = Comparator.comparing((Guest g) -> !g.front)
            .thenComparing(g -> -g.priority).thenComparingLong(g -> g.ticket);
    /** Across groups: the desk's most urgent (front, priority, the longest waiting). */
    private static final Comparator<Guest> URGENT = Comparator.comparing((Guest g) -> !g.front)
            .thenComparing(g -> -g.priority).thenComparingDouble(g -> g.enqueuedAt)
            .thenComparingLong(g -> g.ticket);

    private static final class Agent {
        final List<String> groups;
        final int limit;
        boolean present;
        int busy;
        double lastAssignedAt;

        Agent(List<String> groups, int limit, boolean present, int busy, double lastAssignedAt) {
            this.groups = groups;
            this.limit = limit;
            this.present = present;
            this.busy = busy;
            this.lastAssignedAt = lastAssignedAt;
        }
    }

    private record Event(double at, long order, Runnable action) {
    }

    /** One replay of the future. Times are seconds from the scenario's start. */
    private final class Replay {
        final Random random;
        final double now;
        final Map<String, java.util.TreeSet<Guest>> queues = new HashMap<>();
        final Map<String, Agent> agents = new java.util.LinkedHashMap<>();
        final PriorityQueue<Event> events = new PriorityQueue<>(Comparator.comparingDouble(Event::at)
                .thenComparingLong(Event::order));
        long order;
        long tickets;
        double assignedAt = Double.NaN;
        /** The replay's clock (seconds from the scenario's start). */
        double time;

        Replay(DeskProbe.State state, String sid, long startMs, Random random) {
            this.random = random;
            this.now = (state.now() - startMs) / 1000.0;
            for (String group : groupOrder) {
                queues.put(group, new java.util.TreeSet<>(ORDER));
            }
            for (DeskProbe.GroupState group : state.groups()) {
                for (DeskProbe.Waiting waiting : group.queue()) {
                    tickets = Math.max(tickets, waiting.ticket());
                    Guest guest = new Guest(group.name(), waiting.ticket(), waiting.priority(), waiting.front(),
                            (waiting.enqueuedAt() - startMs) / 1000.0, waiting.sid().equals(sid));
                    queues.get(group.name()).add(guest);
                    if (!guest.target) {
                        losePatience(guest, now - guest.enqueuedAt);
                    }
                }
            }
            for (DeskProbe.AgentState agent : state.agents()) {
                Agent replayed = new Agent(agent.groups(), agent.limit(), agent.present(),
                        agent.roomGroups().size() + agent.held(), agent.lastAssignedAt() == Long.MIN_VALUE
                        ? Double.NEGATIVE_INFINITY : (agent.lastAssignedAt() - startMs) / 1000.0);
                agents.put(agent.user(), replayed);
                for (int i = 0; i < agent.roomGroups().size(); i++) {
                    double age = now - (agent.roomsOpenedAt().get(i) - startMs) / 1000.0;
                    at(now + residual(handles.get(agent.roomGroups().get(i)), age), () -> replayed.busy--);
                }
                for (int i = 0; i < agent.held(); i++) {
                    at(now + handles.get(agent.groups().get(0)).sample(random), () -> replayed.busy--);
                }
            }
            for (Scenario.AgentSpec agent : scenario.agents()) {
                Agent replayed = agents.get(agent.user());
                for (Scenario.Shift shift : agent.shifts()) {
                    // A shift that starts this very moment may not have reached the desk yet (its agents come one
                    // by one): it starts now in the replay.
                    if (shift.fromS() >= now) {
                        at(shift.fromS(), () -> replayed.present = true);
                    }
                    if (shift.toS() >= now) {
                        at(shift.toS(), () -> replayed.present = false);
                    }
                }
            }
            for (Scenario.GroupSpec group : scenario.groups()) {
                for (Scenario.Shift closed : group.closed()) {
                    if (closed.toS() > now) {
                        at(closed.toS(), () -> { });
                    }
                }
            }
            for (Scenario.Arrival arrival : scenario.arrivals()) {
                if (arrival.toS() > now && arrival.perMinute() > 0) {
                    nextArrival(arrival, Math.max(now, arrival.fromS()));
                }
            }
        }

        double run() {
            assign();
            while (Double.isNaN(assignedAt) && !events.isEmpty() && events.peek().at() < now + HORIZON_S) {
                Event event = events.poll();
                time = event.at();
                event.action().run();
                assign();
            }
            return Double.isNaN(assignedAt) ? HORIZON_S : assignedAt - now;
        }

        void at(double when, Runnable action) {
            events.add(new Event(when, order++, action));
        }

        void nextArrival(Scenario.Arrival arrival, double from) {
            double next = from - Math.log(1 - random.nextDouble()) * 60 / arrival.perMinute();
            if (next >= arrival.toS()) {
                return;
            }
            at(next, () -> {
                enqueue(new Guest(arrival.group(), ++tickets, 0, false, time, false));
                nextArrival(arrival, next);
            });
        }

        void enqueue(Guest guest) {
            queues.get(guest.group).add(guest);
            losePatience(guest, 0);
        }

        void losePatience(Guest guest, double waited) {
            if (scenario.patienceS() == null) {
                return;
            }
            double left = residual(scenario.patienceS(), waited);
            at(Math.max(time, now) + left, () -> {
                if (guest.gone) {
                    return;
                }
                guest.gone = true;
                queues.get(guest.group).remove(guest);
                Scenario.Rejoin rejoin = scenario.rejoin();
                if (rejoin != null && random.nextDouble() < rejoin.probability()) {
                    enqueue(new Guest(guest.group, ++tickets, rejoin.priority(), false, time, false));
                }
            });
        }

        boolean open(String group) {
            for (Scenario.GroupSpec spec : scenario.groups()) {
                if (spec.name().equals(group)) {
                    for (Scenario.Shift closed : spec.closed()) {
                        if (time >= closed.fromS() && time < closed.toS()) {
                            return false;
                        }
                    }
                }
            }
            return true;
        }

        /** The desk's assignment: the most urgent head that has a free agent, to its least busy free agent. */
        void assign() {
            if (time < now) {
                time = now;
            }
            while (true) {
                Guest next = null;
                Agent to = null;
                for (String group : groupOrder) {
                    java.util.TreeSet<Guest> queue = queues.get(group);
                    if (queue.isEmpty() || !open(group)) {
                        continue;
                    }
                    Guest head = queue.first();
                    if (next != null && URGENT.compare(head, next) >= 0) {
                        continue;
                    }
                    Agent free = free(group);
                    if (free != null) {
                        next = head;
                        to = free;
                    }
                }
                if (next == null) {
                    return;
                }
                Guest guest = next;
                Agent agent = to;
                queues.get(guest.group).remove(guest);
                guest.gone = true;
                agent.busy++;
                agent.lastAssignedAt = time;
                if (guest.target) {
                    assignedAt = time;
                    return;
                }
                at(time + handles.get(guest.group).sample(random), () -> agent.busy--);
            }
        }

        Agent free(String group) {
            Agent best = null;
            for (Agent agent : agents.values()) {
                if (!agent.present || agent.busy >= agent.limit || !agent.groups.contains(group)) {
                    continue;
                }
                if (best == null || agent.busy < best.busy
                        || agent.busy == best.busy && agent.lastAssignedAt < best.lastAssignedAt) {
                    best = agent;
                }
            }
            return best;
        }

        /** A draw of what is left of a duration that has lasted {@code age} s already. */
        double residual(Scenario.Distribution distribution, double age) {
            for (int i = 0; i < 1000; i++) {
                double draw = distribution.sample(random);
                if (draw > age) {
                    return draw - age;
                }
            }
            // Far in the tail: what is left is about as long as what has been.
            return age;
        }
    }
}
