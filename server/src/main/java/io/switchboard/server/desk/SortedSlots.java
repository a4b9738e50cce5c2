package io.switchboard.server.desk;

import java.util.Arrays;

/** A group's freed slots ({@link FreedSlots}) in time order, as the wait estimate sweeps them. */
final class SortedSlots {
    final double[] time;
    final double[] weight;
    final double[] rate;
    /** The share of the point's agent ({@link FreedSlots#share}). */
    final double[] share;
    /** Every share is 1. */
    boolean allWhole;
    double totalRate;

    SortedSlots(int n) {
        time = new double[n];
        weight = new double[n];
        rate = new double[n];
        share = new double[n];
    }

    void total() {
        totalRate = 0;
        for (double r : rate) {
            totalRate += r;
        }
        // Shifts that end take their rates away again: what is left may be 0 up to rounding.
        if (totalRate < CapacityEstimator.NO_RATE) {
            totalRate = 0;
        }
    }

    /** Each point at its agent's share (these points when every share is whole). */
    SortedSlots scaled() {
        if (allWhole) {
            return this;
        }
        SortedSlots scaled = new SortedSlots(time.length);
        for (int i = 0; i < time.length; i++) {
            scaled.time[i] = time[i];
            scaled.weight[i] = weight[i] * share[i];
            scaled.rate[i] = rate[i] * share[i];
            scaled.share[i] = 1;
        }
        scaled.allWhole = true;
        scaled.total();
        return scaled;
    }

    /** These points and those, in time order (one merge). */
    SortedSlots with(SortedSlots other) {
        if (other.time.length == 0) {
            return this;
        }
        SortedSlots both = new SortedSlots(time.length + other.time.length);
        int i = 0;
        int j = 0;
        for (int k = 0; k < both.time.length; k++) {
            boolean mine = j >= other.time.length || i < time.length && time[i] <= other.time[j];
            SortedSlots from = mine ? this : other;
            int at = mine ? i++ : j++;
            both.time[k] = from.time[at];
            both.weight[k] = from.weight[at];
            both.rate[k] = from.rate[at];
            both.share[k] = from.share[at];
        }
        both.allWhole = allWhole && other.allWhole;
        both.total();
        return both;
    }

    /** The points in time order, each still marked with its share ({@link #scaled} applies them). */
    static SortedSlots of(FreedSlots points) {
        int n = points.size;
        // Sort by time without boxing: a non-negative double's bits order like the double; the low 20 bits of the
        // mantissa (a relative 2e-10 of a time) make room for the point's index.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = (Double.doubleToRawLongBits(Math.max(0, points.time[i])) & ~CapacityEstimator.INDEX_MASK) | i;
        }
        Arrays.sort(keys);
        SortedSlots sorted = new SortedSlots(n);
        for (int i = 0; i < n; i++) {
            int at = (int) (keys[i] & CapacityEstimator.INDEX_MASK);
            sorted.time[i] = points.time[at];
            sorted.weight[i] = points.weight[at];
            sorted.rate[i] = points.rate[at];
            sorted.share[i] = points.share[at];
        }
        sorted.allWhole = points.allWhole;
        sorted.total();
        return sorted;
    }
}
