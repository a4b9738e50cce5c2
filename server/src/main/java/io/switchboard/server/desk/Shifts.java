package io.switchboard.server.desk;

import java.util.List;

/**
 * When agents are there to serve: a present agent until their shift ends, an absent one from their next shift or when
 * the group's earlier absences say they come back.
 */
final class Shifts {
    private Shifts() {
    }

    /** How long a present agent is counted on (ms from now): to the end of their shift, or for good without one. */
    static double presentUntil(Agent agent, long now) {
        if (agent.schedule == null || !agent.schedule.openAt(java.time.Instant.ofEpochMilli(now))) {
            return Double.POSITIVE_INFINITY;
        }
        List<long[]> windows = agent.schedule.openWindows(now, CapacityEstimator.HORIZON_MS, 1);
        return windows.isEmpty() || windows.get(0)[1] == Long.MAX_VALUE ? Double.POSITIVE_INFINITY
                : windows.get(0)[1] - now;
    }

    /**
     * An agent who is not present: with a schedule, their slots come at each shift's start (free: their rooms will
     * have ended) until its end; without one, when the group's agents came back from their absences (each absence
     * longer than this one's time so far is one equally likely return), or not at all without such history.
     */
    static void futureCapacity(CapacityEstimator.Points points, Agent agent, Group group, long now, double share, double rate) {
        if (agent.schedule != null) {
            laterShifts(points, agent, now, now, share, rate);
            return;
        }
        if (agent.session == null || agent.awaySince == 0 || group.absences.isEmpty()) {
            return;
        }
        long away = now - agent.awaySince;
        int longer = 0;
        for (long absence : group.absences) {
            longer += absence > away ? 1 : 0;
        }
        for (long absence : group.absences) {
            if (longer == 0 || absence > away) {
                double back = longer == 0 ? away : absence - away;
                double part = longer == 0 ? 1 : 1.0 / longer;
                for (int i = 0; i < agent.limit; i++) {
                    points.slot(back, share * part, rate * part, Double.POSITIVE_INFINITY);
                }
                if (longer == 0) {
                    return;
                }
            }
        }
    }

    /** The agent's shifts that start after {@code from} (epoch ms), within the horizon: their slots, free. */
    static void laterShifts(CapacityEstimator.Points points, Agent agent, long now, long from, double share, double rate) {
        for (long[] shift : agent.schedule.openWindows(from, CapacityEstimator.HORIZON_MS, CapacityEstimator.MAX_SHIFTS)) {
            double start = shift[0] - now;
            if (shift[0] <= now) {
                // The shift in progress, its agent not there: just begun, they are due now; later, they are not
                // counted on until their next shift.
                if (from != now || now - shift[0] > CapacityEstimator.DUE_MS) {
                    continue;
                }
                start = 0;
            }
            double end = shift[1] == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : shift[1] - now;
            for (int i = 0; i < agent.limit; i++) {
                points.slot(start, share, rate, end);
            }
        }
    }
}
