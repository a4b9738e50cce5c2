package io.switchboard.server.desk;

import java.util.Arrays;

/**
 * Where a group's slots free, as the wait estimate adds them ({@link CapacityEstimator}): a time (ms from now), the
 * part of a slot that frees then for this group, and how much the guests per ms it serves from then on grow (the knots
 * of the handle times' renewal function, {@link HandleTimes.Renewal}).
 */
final class FreedSlots {
    static final int MAX = 1 << 20;
    /** Over how many groups of a busy slot's possible ends the renewal function is spread. */
    static final int RENEWAL_PARTS = 3;
    /** The renewal function of a slot of this group that has just freed ({@link HandleTimes.Renewal}). */
    HandleTimes.Renewal renewal;
    double[] time = new double[64];
    double[] weight = new double[64];
    /** How much the guests per ms of this group served from then on grow (the renewal function's knots). */
    double[] rate = new double[64];
    /** The share of the point's agent ({@link #mark}). */
    double[] share = new double[64];
    int size;
    /** Whether any point is of an agent with a share of this group. */
    boolean anyShare;
    /** Whether every point is of an agent who gives this group all of their slots. */
    boolean allWhole = true;
    private double current = 1;

    /**
     * From now on, the points added are of an agent who gives this group this share of their slots (all of them when
     * they serve only it; the estimate scales by it, the bound on shared agents does not).
     */
    void mark(double share) {
        current = share;
    }

    /**
     * A point at {@code at} ms from now whose slot serves until {@code end} (its agent's shift ends then: a point
     * that takes its rate away again).
     */
    void add(double at, double w, double perMs, double end) {
        if (at >= end) {
            return;
        }
        add(at, w, perMs);
        if (perMs != 0 && end < Double.POSITIVE_INFINITY) {
            add(end, 0, -perMs);
        }
    }

    /** A whole slot (or part of one) that frees at {@code at} and then serves {@code perMs} in the long run. */
    void slot(double at, double w, double perMs, double end) {
        add(at, w, 0, end);
        renewal(at, perMs, end);
    }

    /**
     * The guests a slot freed at {@code at} serves afterwards, {@code perMs} in the long run: one point per knot of
     * the renewal function (an exponential's has one), whatever the spread of its possible ends.
     */
    void renewal(double at, double perMs, double end) {
        if (perMs <= 0) {
            return;
        }
        for (int k = 0; k < renewal.knotMs().length; k++) {
            double delta = renewal.delta()[k];
            if (Math.abs(delta) > 1e-6) {
                add(at + renewal.knotMs()[k], 0, perMs * delta, end);
            }
        }
    }

    void add(double at, double w, double perMs) {
        if (size == MAX) {
            return;
        }
        if (size == time.length) {
            time = Arrays.copyOf(time, size * 2);
            weight = Arrays.copyOf(weight, size * 2);
            rate = Arrays.copyOf(rate, size * 2);
            share = Arrays.copyOf(share, size * 2);
        }
        time[size] = at;
        weight[size] = w;
        rate[size] = perMs;
        share[size] = current;
        anyShare |= current > 0;
        allWhole &= current == 1;
        size++;
    }

    /**
     * A busy slot: its room ends at one of the recent handle times longer than its age (equally likely), or after the
     * age again if none is; the guests it serves afterwards follow the renewal function from the mean of each third of
     * those ends. {@code handles} ascending, as {@link HandleTimes.Sample#thinned} is.
     */
    void busy(double age, long[] handles, double share, double perMs, double end) {
        int first = 0;
        while (first < handles.length && handles[first] <= age) {
            first++;
        }
        int longer = handles.length - first;
        if (longer == 0) {
            slot(age, share, perMs, end);
            return;
        }
        for (int i = first; i < handles.length; i++) {
            add(handles[i] - age, share / longer, 0, end);
        }
        int parts = Math.min(RENEWAL_PARTS, longer);
        for (int part = 0; part < parts; part++) {
            int from = first + part * longer / parts;
            int to = first + (part + 1) * longer / parts;
            double sum = 0;
            for (int i = from; i < to; i++) {
                sum += handles[i] - age;
            }
            renewal(sum / (to - from), perMs * (to - from) / longer, end);
        }
    }
}
