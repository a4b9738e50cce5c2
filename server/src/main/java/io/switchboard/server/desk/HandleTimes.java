package io.switchboard.server.desk;

import java.util.Arrays;

/**
 * A group's handle times as the estimate uses them: the sample, thinned for rooms' remaining times, and the renewal
 * function of a slot that has just freed.
 */
final class HandleTimes {
    private HandleTimes() {
    }

    /**
     * A group's handle sample as the estimate reads it: at most {@link CapacityEstimator#RESIDUAL_POINTS} order
     * statistics for rooms' remaining times (ascending), the whole sample's mean and its renewal function.
     */
    record Sample(long[] thinned, double mean, Renewal renewal) {
    }

    /**
     * How many guests a slot that has just freed serves by {@code u} ms later, {@code m(u)}, as a piecewise-linear
     * function: from each knot on, the slope grows by the knot's delta, in units of one guest per mean handle time (the
     * deltas add up to 1: after the last knot a slot serves one guest per mean handle time). Regular handle times
     * (nobody is done in a minute when rooms last five) serve almost nobody at first and catch up later; a heavy tail
     * (many short rooms) serves more at first. A line from the slot's freeing, one guest per mean handle time, counted
     * guests who could not have been served yet: with handle times of 300 ± 150 s, 15 busy slots were expected to
     * have served 16 guests in four minutes instead of 12.
     */
    record Renewal(double[] knotMs, double[] delta) {
    }

    /** The renewal function's grid: cells per mean handle time, and how many (it is a line after the last). */
    static final int CELLS_PER_MEAN = 16;
    static final int CELLS = 4 * CELLS_PER_MEAN;
    /** The grid cells where the piecewise-linear renewal function has its knots. */
    private static final int[] KNOTS = {0, 4, 8, 12, 16, 20, 24, 32, 48, CELLS};

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
        long[] sorted = all.clone();
        Arrays.sort(sorted);
        double mean = mean(sorted);
        return new Sample(thin(sorted), mean, renewal(sorted, mean));
    }

    /**
     * The renewal function of a slot that has just freed, from the handle sample: on a grid of {@link #CELLS} cells of
     * a sixteenth of the mean, {@code m(u) = F(u) + E[m(u − h); h ≤ u]} (the first guest is done by {@code u}, and
     * each later one counts as from a fresh start), with each handle time's mass split between its two nearest cells
     * so the mean is kept. Its chords between {@link #KNOTS} are the piecewise-linear function.
     */
    static Renewal renewal(long[] handles, double mean) {
        return renewal(new long[][] {handles}, new double[] {1}, mean);
    }

    /**
     * The same for a slot whose next guest comes from one of several groups (an agent who serves them): their samples
     * mixed in the given proportions (adding up to 1), whose mean is {@code mean}.
     */
    static Renewal renewal(long[][] samples, double[] parts, double mean) {
        double cell = mean / CELLS_PER_MEAN;
        double[] mass = new double[CELLS + 1];
        for (int s = 0; s < samples.length; s++) {
            for (long h : samples[s]) {
                double at = h / cell;
                int low = (int) Math.floor(at);
                double up = at - low;
                double each = parts[s] / samples[s].length;
                if (low <= CELLS) {
                    mass[low] += (1 - up) * each;
                }
                if (low + 1 <= CELLS) {
                    mass[low + 1] += up * each;
                }
            }
        }
        double[] m = new double[CELLS + 1];
        double done = 0;
        for (int j = 0; j <= CELLS; j++) {
            done += mass[j];
            double sum = done;
            for (int c = 1; c <= j; c++) {
                sum += mass[c] * m[j - c];
            }
            // Mass at cell 0 (rooms shorter than half a cell) renews at once: m(j) appears on both sides.
            m[j] = mass[0] >= 1 ? 0 : sum / (1 - mass[0]);
        }
        double[] knotMs = new double[KNOTS.length];
        double[] delta = new double[KNOTS.length];
        double previous = 0;
        for (int k = 0; k < KNOTS.length; k++) {
            // Slopes in guests per mean handle time: m's chord to the next knot, 1 after the last.
            double slope = k + 1 < KNOTS.length
                    ? (m[KNOTS[k + 1]] - m[KNOTS[k]]) / (KNOTS[k + 1] - KNOTS[k]) * CELLS_PER_MEAN : 1;
            knotMs[k] = KNOTS[k] * cell;
            delta[k] = slope - previous;
            previous = slope;
        }
        return new Renewal(knotMs, delta);
    }

    /** The renewal function at {@code u} ms, in guests (tests; the estimate adds its knots as points). */
    static double served(Renewal renewal, double mean, double u) {
        double sum = 0;
        for (int k = 0; k < renewal.knotMs().length; k++) {
            sum += renewal.delta()[k] / mean * Math.max(0, u - renewal.knotMs()[k]);
        }
        return sum;
    }

    /**
     * At most {@link CapacityEstimator#RESIDUAL_POINTS} of a sorted handle sample's order statistics, evenly spread: a
     * busy slot's remaining time takes one point per handle time longer than its age, so a long history would cost its
     * length per room.
     */
    private static long[] thin(long[] sorted) {
        if (sorted.length <= CapacityEstimator.RESIDUAL_POINTS) {
            return sorted;
        }
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
