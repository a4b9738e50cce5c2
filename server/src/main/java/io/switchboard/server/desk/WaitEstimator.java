package io.switchboard.server.desk;

/**
 * Estimates a waiting guest's seconds until assignment. Called for every waiting guest on every change of their group,
 * so it must be cheap. Desk thread only.
 */
interface WaitEstimator {
    /** Seconds until the guest at 0-based {@code position} is assigned, or null when there is no basis yet. */
    Long estimateSeconds(Group group, int position, long now);

    /**
     * The messaging vendor's method: seconds per position from the queue's own movement, times the places to go.
     * Movement is sampled from the group's recent assignments: {@code A = (T_last - T_first) / (n - 1)}.
     */
    WaitEstimator VELOCITY = (group, position, now) -> {
        int samples = group.recentAssignments.size();
        if (samples < 2) {
            return null;
        }
        double perPosition = (group.recentAssignments.peekLast() - group.recentAssignments.peekFirst())
                / (double) (samples - 1);
        return Math.round(perPosition * (position + 1) / 1000.0);
    };
}
