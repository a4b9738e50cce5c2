package io.switchboard.server.desk;

import java.util.Arrays;

/** A group's handle times as the estimate uses them: the sample, thinned for rooms' remaining times, their offset. */
final class HandleTimes {
    private HandleTimes() {
    }

    /**
     * A group's handle sample as the estimate reads it: at most {@link CapacityEstimator#RESIDUAL_POINTS} order
     * statistics for rooms' remaining times, the whole sample's mean and its renewal offset.
     */
    record Sample(long[] thinned, double mean, double kappa) {
    }

    /**
     * The group's sample now. Learned from completed rooms, it changes only when one completes, so it is kept on the
     * group until then ({@link Group#handleSample}); the prior before the first depends on the rooms' ages now.
     */
    static Sample of(Group group, long now) {
        if (group.handleTimes.isEmpty()) {
            return sample(handleSample(group, now));
        }
        if (group.handleSample == null) {
            group.handleSample = sample(handleSample(group, now));
        }
        return group.handleSample;
    }

    /** The mean of a sample (ms), at least 1. */
    static double mean(long[] sample) {
        double sum = 0;
        for (long h : sample) {
            sum += h;
        }
        return Math.max(1, sum / sample.length);
    }

    private static Sample sample(long[] all) {
        return new Sample(thin(all), mean(all), renewalOffset(all));
    }

    /**
     * How many more (or fewer) guests a freshly freed slot serves over its first cycles than one per mean handle time:
     * the renewal function's offset {@code m(u) ≈ u/μ + (σ² − μ²) / (2μ²)}. Handle times more variable than an
     * exponential's (a heavy tail: many short ones) serve more guests early; regular ones (a coefficient of variation
     * below 1) fewer. Within {@link CapacityEstimator#MIN_OFFSET}..{@link CapacityEstimator#MAX_OFFSET}.
     */
    static double renewalOffset(long[] handles) {
        if (handles.length < 2) {
            return 0;
        }
        double mean = mean(handles);
        double squares = 0;
        for (long h : handles) {
            squares += (h - mean) * (h - mean);
        }
        double variance = squares / (handles.length - 1);
        return Math.max(CapacityEstimator.MIN_OFFSET, Math.min(CapacityEstimator.MAX_OFFSET, (variance - mean * mean) / (2 * mean * mean)));
    }

    /**
     * At most {@link CapacityEstimator#RESIDUAL_POINTS} of a handle sample's order statistics, evenly spread: a busy slot's remaining
     * time takes one point per handle time longer than its age, so a long history would cost its length per room.
     */
    private static long[] thin(long[] handles) {
        if (handles.length <= CapacityEstimator.RESIDUAL_POINTS) {
            return handles;
        }
        long[] sorted = handles.clone();
        Arrays.sort(sorted);
        long[] thinned = new long[CapacityEstimator.RESIDUAL_POINTS];
        for (int i = 0; i < CapacityEstimator.RESIDUAL_POINTS; i++) {
            thinned[i] = sorted[(int) ((i + 0.5) * sorted.length / CapacityEstimator.RESIDUAL_POINTS)];
        }
        return thinned;
    }

    /**
     * The group's recent handle times (ms); before any room completed, the prior: exponential with a mean of twice the
     * mean age of the rooms in progress (a room is seen mid-way on average), at least {@link CapacityEstimator#PRIOR_HANDLE_MS}, as its
     * quantiles.
     */
    private static long[] handleSample(Group group, long now) {
        if (!group.handleTimes.isEmpty()) {
            long[] handles = new long[group.handleTimes.size()];
            int k = 0;
            for (long h : group.handleTimes) {
                handles[k++] = h;
            }
            return handles;
        }
        long sum = 0;
        int rooms = 0;
        for (Agent agent : group.agents) {
            for (Room room : agent.rooms) {
                sum += now - room.openedAt;
                rooms++;
            }
        }
        double prior = Math.max(CapacityEstimator.PRIOR_HANDLE_MS, rooms == 0 ? 0 : 2.0 * sum / rooms);
        long[] quantiles = new long[CapacityEstimator.PRIOR_QUANTILES];
        for (int j = 0; j < quantiles.length; j++) {
            quantiles[j] = Math.round(-prior * Math.log(1 - (j + 0.5) / quantiles.length));
        }
        return quantiles;
    }
}
