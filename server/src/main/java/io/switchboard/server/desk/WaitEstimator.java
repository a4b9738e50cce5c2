package io.switchboard.server.desk;

/**
 * Estimates waiting guests' seconds until assignment. {@link #prepare} looks at a group once and answers for every place
 * in its queue, so recomputing a whole queue after a change is one pass. Desk thread only.
 */
interface WaitEstimator {
    /** The estimates of a group's queue at {@code now}. */
    Estimates prepare(Group group, long now);

    /** Per place (0-based) in the queue: seconds until assignment, or null when there is no basis. */
    interface Estimates {
        Long seconds(int position);

        /** The estimate before any correction from the group's own errors, in ms (NaN: none). */
        default double rawMs(int position) {
            Long seconds = seconds(position);
            return seconds == null ? Double.NaN : seconds * 1000.0;
        }

        /** What the candidate correction says (ms), applied or not ({@link Accuracy}); the baselines have none. */
        default double candidateMs(int position) {
            return rawMs(position);
        }
    }

    /** Estimates in ms by place (NaN: none), told in whole seconds. */
    static Estimates inMs(java.util.function.IntToDoubleFunction ms) {
        return new Estimates() {
            @Override
            public double rawMs(int position) {
                return ms.applyAsDouble(position);
            }

            @Override
            public Long seconds(int position) {
                double value = ms.applyAsDouble(position);
                return Double.isNaN(value) ? null : roundSeconds(value);
            }
        };
    }

    /** The same answer for every place. */
    static Estimates constant(Long seconds) {
        return position -> seconds;
    }

    static Long roundSeconds(double millis) {
        return Math.round(millis / 1000.0);
    }

    /**
     * The 2010 chat server: the mean gap between the group's last 5 assignments, the same for every place; null until
     * the group has two assignments.
     */
    WaitEstimator MEAN_GAP_LAST5 = (group, now) -> {
        int n = Math.min(5, group.recentAssignments.size());
        if (n < 2) {
            return constant(null);
        }
        long last = group.recentAssignments.peekLast();
        long first = 0;
        int skip = group.recentAssignments.size() - n;
        for (long time : group.recentAssignments) {
            if (skip-- == 0) {
                first = time;
                break;
            }
        }
        return constant(roundSeconds((last - first) / (double) (n - 1)));
    };

    /**
     * The video-chat vendor: the mean of past waits (enqueue to assignment) of the group's completed conversations, the
     * same for every place; null until a conversation completed.
     */
    WaitEstimator MEAN_PAST_WAITS = (group, now) -> group.completedWaits == 0 ? constant(null)
            : constant(roundSeconds(group.completedWaitSum / (double) group.completedWaits));

    /**
     * The messaging vendor: {@code EWT = A × QP} with {@code A = (T2 − T1) / (P1 − P2)}, the queue's movement between
     * two samples 5 minutes apart. Samples are taken on a 5-minute grid (T2 the latest grid time, T1 five minutes
     * earlier); the movement is the number of departures from the queue (served or gone) between them. When the
     * queue did not move in that interval the one before is used; null when neither moved.
     */
    WaitEstimator VELOCITY = new WaitEstimator() {
        static final long SAMPLE_MS = 300_000;

        @Override
        public Estimates prepare(Group group, long now) {
            long t2 = Math.floorDiv(now, SAMPLE_MS) * SAMPLE_MS;
            for (int back = 0; back < 2; back++) {
                long end = t2 - back * SAMPLE_MS;
                long moved = group.departuresAtOrBefore(end) - group.departuresAtOrBefore(end - SAMPLE_MS);
                if (moved > 0) {
                    double perPlace = SAMPLE_MS / (double) moved;
                    return position -> roundSeconds(perPlace * (position + 1));
                }
            }
            return constant(null);
        }
    };
}
