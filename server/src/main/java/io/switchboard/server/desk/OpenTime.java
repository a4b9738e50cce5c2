package io.switchboard.server.desk;

import java.util.List;

/**
 * A group's hours as the time its agents can serve: open time runs while the group is open and stands still while
 * it is closed, so a slot that frees during a closure serves at the opening and "closed until" is a known delay.
 * Points are moved into open time ({@link #apply}), the places' times back ({@link #real}). Always open: the
 * identity.
 */
final class OpenTime {
    static final OpenTime NONE = new OpenTime(null);
    /** The open intervals, ms from now ({@code [start, end)}, the last end possibly {@link Long#MAX_VALUE}). */
    private final long[][] open;

    private OpenTime(long[][] open) {
        this.open = open;
    }

    static OpenTime of(io.switchboard.server.config.BusinessHours hours, long now) {
        if (!hours.scheduled()) {
            return NONE;
        }
        List<long[]> windows = hours.openWindows(now, CapacityEstimator.HORIZON_MS, CapacityEstimator.MAX_SHIFTS);
        long[][] open = new long[windows.size()][];
        for (int i = 0; i < open.length; i++) {
            long[] w = windows.get(i);
            open[i] = new long[] {w[0] - now, w[1] == Long.MAX_VALUE ? Long.MAX_VALUE : w[1] - now};
        }
        return new OpenTime(open);
    }

    /** Real ms from now to open ms; a moment in a closure is 1 ms of open time after it (served at the opening). */
    double open(double real) {
        if (open == null || Double.isNaN(real)) {
            return real;
        }
        double acc = 0;
        for (long[] w : open) {
            if (real < w[0]) {
                return acc + 1;
            }
            if (w[1] == Long.MAX_VALUE || real < w[1]) {
                return acc + real - w[0];
            }
            acc += w[1] - w[0];
        }
        return acc + 1;
    }

    /** Open ms back to real ms from now; past the horizon's last opening: NaN. */
    double real(double openMs) {
        if (open == null || Double.isNaN(openMs)) {
            return openMs;
        }
        double acc = 0;
        for (long[] w : open) {
            double length = w[1] == Long.MAX_VALUE ? Double.POSITIVE_INFINITY : w[1] - w[0];
            if (openMs <= acc + length) {
                return w[0] + Math.max(0, openMs - acc);
            }
            acc += length;
        }
        return Double.NaN;
    }

    void apply(FreedSlots points) {
        if (open == null) {
            return;
        }
        for (int i = 0; i < points.size; i++) {
            points.time[i] = open(points.time[i]);
        }
    }
}
