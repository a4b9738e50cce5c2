package io.switchboard.server.desk;

import java.util.ArrayList;
import java.util.List;

/**
 * Agents who serve several groups, as the wait estimate counts them ({@link CapacityEstimator}): their share of each
 * group, their mix of handle times, and the other groups' guests who came first.
 */
final class SharedAgents {
    private SharedAgents() {
    }

    /** A shared agent's cycle (ms per guest) and renewal function for their mix of groups. */
    record Mix(double cycle, HandleTimes.Renewal renewal) {
    }

    /**
     * For each place of the group's queue, how many guests waiting in the other groups of its shared agents are more
     * urgent (assignment's order: {@link Assignment#MOST_URGENT}); null without a shared agent who gives this group
     * less than all of a slot, or with nobody waiting elsewhere.
     */
    static double[] olderElsewhere(Group group) {
        java.util.Set<Group> others = othersOf(group);
        if (others.isEmpty() || group.queue.isEmpty()) {
            return null;
        }
        List<Reservation> elsewhere = new ArrayList<>();
        for (Group other : others) {
            elsewhere.addAll(other.queue);
        }
        elsewhere.sort(Assignment.MOST_URGENT);
        double[] older = new double[group.queue.size()];
        int k = 0;
        int place = 0;
        for (Reservation guest : group.queue) {
            while (k < elsewhere.size() && Assignment.MOST_URGENT.compare(elsewhere.get(k), guest) < 0) {
                k++;
            }
            older[place++] = k;
        }
        return older;
    }

    /**
     * The mean time a slot of an agent who serves several groups stays busy per guest (the groups' handle times,
     * weighted by share), and its renewal function for that mix.
     */
    static Mix mix(Agent agent, Group group, HandleTimes.Sample own, java.util.Map<Group, long[]> samples,
                           long now) {
        long[][] mixed = new long[agent.groups.size()][];
        double[] parts = new double[mixed.length];
        double weighted = 0;
        double shares = 0;
        int k = 0;
        for (Group other : agent.groups) {
            double part = share(agent, other);
            long[] sample = other == group ? own.thinned()
                    : samples.computeIfAbsent(other, g -> HandleTimes.of(g, now).thinned());
            weighted += part * (other == group ? own.mean() : HandleTimes.mean(sample));
            shares += part;
            mixed[k] = sample;
            parts[k++] = part;
        }
        if (shares == 0) {
            return new Mix(own.mean(), own.renewal());
        }
        for (int i = 0; i < parts.length; i++) {
            parts[i] /= shares;
        }
        double cycle = weighted / shares;
        return new Mix(cycle, HandleTimes.renewal(mixed, parts, cycle));
    }

    /** The other groups with someone waiting of the group's shared agents who give it less than all of a slot. */
    static java.util.Set<Group> othersOf(Group group) {
        java.util.Set<Group> others = new java.util.LinkedHashSet<>();
        for (Agent agent : group.agents) {
            if (agent.groups.size() > 1 && share(agent, group) < 1) {
                for (Group other : agent.groups) {
                    if (other != group && !other.queue.isEmpty()) {
                        others.add(other);
                    }
                }
            }
        }
        return others;
    }

    /**
     * The share of an agent's freed slots that go to this group: all of them when no other group of the agent has
     * anyone waiting; otherwise the part of the agent's recent assignments that were this group's (how assignment has
     * actually been splitting the agent), or, with fewer than {@link #CapacityEstimator.MIN_SHARE_HISTORY} of them, this group's part of
     * the guests waiting for the agent.
     */
    static double share(Agent agent, Group group) {
        if (agent.groups.size() == 1) {
            return 1;
        }
        int waiting = 0;
        for (Group other : agent.groups) {
            waiting += other.queue.size();
        }
        if (waiting == group.queue.size()) {
            return 1;
        }
        if (agent.recentGroups.size() < CapacityEstimator.MIN_SHARE_HISTORY) {
            return group.queue.size() / (double) waiting;
        }
        int mine = 0;
        for (Group assigned : agent.recentGroups) {
            mine += assigned == group ? 1 : 0;
        }
        return mine / (double) agent.recentGroups.size();
    }
}
