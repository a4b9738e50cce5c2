package io.switchboard.server.desk;

import java.util.ArrayDeque;

/**
 * What a group learned of its own estimates: every estimate told to a guest who was then assigned is scored against
 * the wait that followed. From the scores, per band of places in the queue ({@link #band}):
 *
 * <ul>
 *   <li>a candidate correction of Switchboard's estimate: the factor {@code f} that minimises the recency-weighted
 *   absolute error {@code |wait − f·raw|} over the band's newest {@link #PAIRS} scores (the median of {@code wait /
 *   raw} weighted by {@code raw}), within {@link #MIN_FACTOR}..{@link #MAX_FACTOR};
 *   <li>whether to apply it: each estimate also records what the candidate would have said at that moment, so once
 *   scored both are judged on waits they did not see; the candidate is applied only while its recency-weighted error
 *   is below {@link #GATE} of the raw estimate's and it is also better over the last few scores ({@link
 *   #RECENT_HALF_LIFE}). A correction that does not help is not used, so it cannot make the estimate worse for long;
 *   only the first places ({@link #MAX_BAND}) are corrected.
 * </ul>
 *
 * <p>And the last hour's mean absolute error, for the console. Not stored: a restart learns again. Desk thread only.
 */
final class Accuracy {
    static final int PAIRS = 300;
    static final int MIN_PAIRS = 60;
    /** Scores this many scores older weigh half as much. */
    static final double HALF_LIFE = 150;
    static final double MIN_FACTOR = 0.6;
    static final double MAX_FACTOR = 1.6;
    /** Scores this many scores older weigh half as much in the short window. */
    static final double RECENT_HALF_LIFE = 30;
    /** The candidate is applied while its error is below this share of the raw estimate's. */
    static final double GATE = 0.85;
    /** Added to both sides of a ratio so that waits of a few seconds do not decide it. */
    static final double DAMPING_MS = 5_000;
    static final long HOUR_MS = 3_600_000;
    /** The first place of each band: 0, 1, 2–3, 4–7, 8–15, 16 and after. */
    private static final int[] BANDS = {0, 1, 2, 4, 8, 16};

    private final Band[] bands = new Band[BANDS.length];
    /** The last hour's scores: when, and the absolute error (ms) of what the guest was told. */
    private final ArrayDeque<long[]> hour = new ArrayDeque<>();
    private long hourErrorSum;

    Accuracy() {
        for (int i = 0; i < bands.length; i++) {
            bands[i] = new Band();
        }
    }

    /** One band of places: its scores, its candidate factor, and how the raw and the candidate fared. */
    private static final class Band {
        final ArrayDeque<double[]> pairs = new ArrayDeque<>();
        double candidate = 1;
        boolean stale;
        double rawError;
        double candidateError;
        double weight;

        double candidate() {
            if (stale) {
                candidate = pairs.size() < MIN_PAIRS ? 1 : Math.max(MIN_FACTOR, Math.min(MAX_FACTOR, median()));
                stale = false;
            }
            return candidate;
        }

        /** Short-window errors: a candidate that stops helping (the queue changed) is dropped within a few scores. */
        double rawRecent;
        double candidateRecent;

        boolean helps() {
            return weight > 0 && candidateError < GATE * rawError && candidateRecent < rawRecent;
        }

        private double median() {
            int n = pairs.size();
            double[][] ratios = new double[n][2];
            double total = 0;
            int i = 0;
            for (double[] pair : pairs) {
                double raw = pair[0] + DAMPING_MS;
                double weight = Math.pow(0.5, (n - 1 - i) / HALF_LIFE) * raw;
                ratios[i][0] = (pair[1] + DAMPING_MS) / raw;
                ratios[i][1] = weight;
                total += weight;
                i++;
            }
            java.util.Arrays.sort(ratios, java.util.Comparator.comparingDouble(r -> r[0]));
            double seen = 0;
            for (double[] ratio : ratios) {
                seen += ratio[1];
                if (seen >= total / 2) {
                    return ratio[0];
                }
            }
            return 1;
        }
    }

    static int band(int position) {
        int band = 0;
        while (band + 1 < BANDS.length && position >= BANDS[band + 1]) {
            band++;
        }
        return band;
    }

    /** The factor the candidate correction would apply at this place now. */
    double candidate(int position) {
        return bands[band(position)].candidate();
    }

    /** The factor applied at this place now: the candidate while it helps, else 1. */
    double factor(int position) {
        int index = band(position);
        if (index > MAX_BAND) {
            return 1;
        }
        Band band = bands[index];
        return band.helps() ? band.candidate() : 1;
    }

    /**
     * The last band corrected: places 0 and 1, whose waits (and so their scores) come within minutes. Corrections of
     * deeper places learn from waits that began a regime ago and, measured, made 7 of 11 scenarios worse.
     */
    static final int MAX_BAND = 1;

    /**
     * One estimate scored: its place, the estimate before any correction and what the candidate said then (ms), what
     * the guest was told, and the wait that followed.
     */
    void scored(long now, int position, double rawMs, double candidateMs, double toldMs, double waitMs) {
        Band band = bands[band(position)];
        band.pairs.addLast(new double[] {rawMs, waitMs});
        if (band.pairs.size() > PAIRS) {
            band.pairs.removeFirst();
        }
        band.stale = true;
        double decay = Math.pow(0.5, 1 / HALF_LIFE);
        band.rawError = band.rawError * decay + Math.abs(waitMs - rawMs);
        band.candidateError = band.candidateError * decay + Math.abs(waitMs - candidateMs);
        double fast = Math.pow(0.5, 1 / RECENT_HALF_LIFE);
        band.rawRecent = band.rawRecent * fast + Math.abs(waitMs - rawMs);
        band.candidateRecent = band.candidateRecent * fast + Math.abs(waitMs - candidateMs);
        band.weight = band.weight * decay + 1;
        long error = Math.round(Math.abs(toldMs - waitMs));
        hour.addLast(new long[] {now, error});
        hourErrorSum += error;
        prune(now);
    }

    /** The last hour's mean absolute error in seconds, or null without a score in that hour. */
    Long hourMaeSeconds(long now) {
        prune(now);
        return hour.isEmpty() ? null : Math.round(hourErrorSum / (double) hour.size() / 1000);
    }

    /** How many estimates were scored in the last hour. */
    int hourScores(long now) {
        prune(now);
        return hour.size();
    }

    private void prune(long now) {
        while (!hour.isEmpty() && hour.peekFirst()[0] < now - HOUR_MS) {
            hourErrorSum -= hour.removeFirst()[1];
        }
    }
}
