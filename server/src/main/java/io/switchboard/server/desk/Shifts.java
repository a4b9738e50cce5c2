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
    static void futureCapacity(FreedSlots points, Agent agent, Group group, long now, double share,
                               double rate) {
        if (agent.schedule != null) {
            laterShifts(points, agent, now, now, true, share, rate);
            return;
        }
        if (agent.session == null || agent.awaySince == 0 || group.absences.isEmpty()) {
            return;
        }
        long away = now - agent.awaySince;
        List<Long> returns = new java.util.ArrayList<>();
        for (long absence : group.absences) {
            if (absence > away) {
                returns.add(absence - away);
            }
        }
        if (returns.isEmpty()) {
            // Away longer than any absence seen: as long again.
            returns.add(away);
        }
        double part = 1.0 / returns.size();
        for (long back : returns) {
            for (int i = 0; i < agent.limit; i++) {
                points.slot(back, share * part, rate * part, Double.POSITIVE_INFINITY);
            }
        }
    }

    /**
     * The agent's shifts from {@code from} (epoch ms), within the horizon: their slots, free. {@code absent}: the
     * agent is not there now, so a shift in progress counts only if it has just begun (they are due).
     */
    static void laterShifts(FreedSlots points, Agent agent, long now, long from, boolean absent,
                            double share, double rate) {
        for (long[] shift : agent.schedule.openWindows(from, CapacityEstimator.HORIZON_MS,
                CapacityEstimator.MAX_SHIFTS)) {
            double start = shift[0] - now;
            if (shift[0] <= now) {
                // The shift in progress, its agent not there: just begun, they are due now; later, they are not
                // counted on until their next shift.
                if (!absent || now - shift[0] > CapacityEstimator.DUE_MS) {
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
