package io.switchboard.server.desk;

import io.switchboard.protocol.StatusIs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Switchboard's wait estimate: when will the agents who serve this group have freed enough places for each guest in
 * line?
 *
 * <p>Every agent who is present (connected and available) has {@code limit} slots. A free slot is free now. A busy one
 * frees when its room ends: each of the group's recent handle times {@code h} longer than the room's age is one
 * equally likely remaining time {@code h - age} (a room older than all of them is expected to run as long again). An
 * agent over a lowered limit frees a slot only once enough rooms ended. The slots of an agent who also serves other
 * groups count for this group in the share of the guests waiting for that agent who are this group's.
 *
 * <p>From these points the expected number of freed places by time {@code t} is {@code D(t) = A(t) + Σ m(t − s)}: the
 * slots freed so far (their weight {@code A}) plus the guests each slot freed at {@code s} has served since, by the
 * renewal function {@code m} of the handle times (piecewise linear, so {@code D} is too). Guests ahead leave without being served at the group's recent abandonment rate, so the guest
 * at place {@code p} is expected to be served when {@code D} reaches {@code 1 + p·(1 − abandonment)}. Using expected
 * counts (not the earliest expected end) matters: with twelve busy slots of one minute on average, one of them frees
 * in about five seconds, not in a minute. One sweep over the sorted points answers every place, so a whole queue is
 * recomputed after every change.
 *
 * <p>Issue 20 added: the renewal function of the handle times ({@link HandleTimes#renewal}): after a slot frees, the
 * guests it serves follow it instead of one per mean handle time from the start; agents' schedules (capacity that
 * arrives with a shift and leaves at its end) and the group's hours as open time ({@link OpenTime}); an absent agent
 * without a schedule back when the group's earlier absences say; and the correction learned from the group's own
 * errors ({@link Accuracy}). docs/wait-estimates.md has the whole method.
 *
 * <p>Without history (the group has never served anyone): null; with nobody present, scheduled or expected back:
 * null. Before any room completed, handle times follow an exponential prior whose mean is twice the mean age of the
 * rooms in progress (at least {@link #PRIOR_HANDLE_MS}).
 */
final class CapacityEstimator implements WaitEstimator {
    static final CapacityEstimator INSTANCE = new CapacityEstimator();
    /** The estimate before the group's correction ({@link Accuracy}). */
    static final WaitEstimator RAW = (group, now) -> {
        Estimates estimates = INSTANCE.prepare(group, now);
        return position -> {
            double ms = estimates.rawMs(position);
            return Double.isNaN(ms) ? null : WaitEstimator.roundSeconds(ms);
        };
    };

    /** The handle time assumed before any room of the group completed, at least. */
    static final long PRIOR_HANDLE_MS = 30_000;
    /**
     * The freed places (in expectation) at which the first guest counts as served: ln 2, where a Poisson count has
     * reached 1 with probability one half. Waits are skewed; the median, not the mean, minimises the absolute error.
     */
    static final double FIRST_PLACE = Math.log(2);
    /** Recent assignments of a shared agent needed before its split between groups is learned from them. */
    static final int MIN_SHARE_HISTORY = 5;
    /** The low bits of a sort key that hold a point's index (up to a million points). */
    private static final long INDEX_MASK = (1 << 20) - 1;
    /** Points of the exponential prior's distribution used before any room completed. */
    static final int PRIOR_QUANTILES = 20;
    /** An agent absent this long into their shift is not counted on until the next one. */
    static final long DUE_MS = 15 * 60_000L;
    /** The most points a busy slot's remaining time is spread over. */
    static final int RESIDUAL_POINTS = 50;
    /** A rate (guests per ms) below this is none: a tenth of a guest a day. */
    static final double NO_RATE = 1e-9;
    /** How far ahead schedules and a group's hours are read. */
    static final long HORIZON_MS = 24 * 3_600_000L;
    /** The most shifts of one agent (and openings of a group) read within the horizon. */
    static final int MAX_SHIFTS = 16;

    @Override
    public Estimates prepare(Group group, long now) {
        if (group.recentAssignments.isEmpty()) {
            return WaitEstimator.constant(null);
        }
        HandleTimes.Sample own = HandleTimes.of(group, now);
        double meanHandle = own.mean();
        long[] handles = own.thinned();
        OpenTime warp = OpenTime.of(group.hours, now);

        FreedSlots points = new FreedSlots();
        java.util.Map<Group, long[]> samples = new java.util.HashMap<>();
        List<long[]> roomSamples = new ArrayList<>();
        for (Agent agent : group.agents) {
            double share = share(agent, group);
            if (share <= 0) {
                continue;
            }
            // After it frees, a slot serves this group's guests at its share; its next guest may be another
            // group's, so its cycle lasts the agent's mix of the groups' handle times.
            double cycle = meanHandle;
            points.renewal = own.renewal();
            if (agent.groups.size() > 1) {
                cycle = mix(agent, group, own, points, samples, now);
            }
            double rate = share / cycle;
            if (!agent.present()) {
                Shifts.futureCapacity(points, agent, group, now, share, rate);
                continue;
            }
            double end = Shifts.presentUntil(agent, now);
            int busy = agent.rooms.size() + agent.held.size();
            for (int i = 0; i < agent.limit - busy; i++) {
                points.slot(0, share, rate, end);
            }
            // Each room ends after a remaining time learned from its own group's handle times.
            List<double[]> rooms = new ArrayList<>(busy);
            for (Room room : agent.rooms) {
                Group of = room.reservation.group;
                long[] sample = of == group ? handles : samples.computeIfAbsent(of, g -> HandleTimes.of(g, now).thinned());
                rooms.add(new double[] {now - room.openedAt, meanResidual(now - room.openedAt, sample)});
                roomSamples.add(sample);
            }
            for (Reservation held : agent.held) {
                Group of = held.group;
                long[] sample = of == group ? handles : samples.computeIfAbsent(of, g -> HandleTimes.of(g, now).thinned());
                rooms.add(new double[] {0, meanResidual(0, sample)});
                roomSamples.add(sample);
            }
            Integer[] byEnd = new Integer[busy];
            for (int i = 0; i < busy; i++) {
                byEnd[i] = i;
            }
            Arrays.sort(byEnd, (x, y) -> Double.compare(rooms.get(x)[1], rooms.get(y)[1]));
            for (int i = Math.max(0, busy - agent.limit); i < busy; i++) {
                points.busy(rooms.get(byEnd[i])[0], roomSamples.get(byEnd[i]), share, rate, end);
            }
            roomSamples.clear();
            // A shift that ends and another that starts later: its slots come back then.
            if (agent.schedule != null && end < Double.POSITIVE_INFINITY) {
                Shifts.laterShifts(points, agent, now, now + (long) end, false, share, rate);
            }
        }
        if (points.size == 0) {
            // Nobody present, expected or known to come back: no honest number.
            return WaitEstimator.constant(null);
        }
        warp.apply(points);
        Estimates estimates = invert(points, group, now, group.abandonmentRatePerMs(now), warp);
        Accuracy accuracy = group.accuracy;
        return new Estimates() {
            @Override
            public Long seconds(int position) {
                double ms = estimates.rawMs(position);
                return Double.isNaN(ms) ? null : WaitEstimator.roundSeconds(ms * accuracy.factor(position));
            }

            @Override
            public double rawMs(int position) {
                return estimates.rawMs(position);
            }

            @Override
            public double candidateMs(int position) {
                return estimates.rawMs(position) * accuracy.candidate(position);
            }
        };
    }




    /**
     * The mean time a slot of an agent who serves several groups stays busy per guest (the groups' handle times,
     * weighted by share), and its renewal function for that mix, set on {@code points}.
     */
    private static double mix(Agent agent, Group group, HandleTimes.Sample own, FreedSlots points,
                              java.util.Map<Group, long[]> samples, long now) {
        long[][] mixed = new long[agent.groups.size()][];
        double[] parts = new double[mixed.length];
        double weighted = 0;
        double shares = 0;
        int k = 0;
        for (Group other : agent.groups) {
            double part = share(agent, other);
            long[] sample = other == group ? own.thinned()
                    : samples.computeIfAbsent(other, g -> HandleTimes.of(g, now).thinned());
            weighted += part * (other == group ? own.mean() : HandleTimes.mean(sample));
            shares += part;
            mixed[k] = sample;
            parts[k++] = part;
        }
        if (shares == 0) {
            return own.mean();
        }
        for (int i = 0; i < parts.length; i++) {
            parts[i] /= shares;
        }
        double cycle = weighted / shares;
        points.renewal = HandleTimes.renewal(mixed, parts, cycle);
        return cycle;
    }

    private static double meanResidual(double age, long[] handles) {
        double sum = 0;
        int longer = 0;
        for (long h : handles) {
            if (h > age) {
                sum += h - age;
                longer++;
            }
        }
        return longer == 0 ? age : sum / longer;
    }

    /**
     * Sweeps the points in time order once per run of guests who share a priority (guests of a higher priority who
     * arrive meanwhile go ahead of them: their rate raises the run's threshold over time) and finds where {@code D(t)}
     * reaches each place's threshold.
     */
    private static Estimates invert(FreedSlots points, Group group, long now, double giveUpPerMs, OpenTime warp) {
        int n = points.size;
        // Sort by time without boxing: a non-negative double's bits order like the double; the low 20 bits of the
        // mantissa (a relative 2e-10 of a time) make room for the point's index.
        long[] keys = new long[n];
        for (int i = 0; i < n; i++) {
            keys[i] = (Double.doubleToRawLongBits(Math.max(0, points.time[i])) & ~INDEX_MASK) | i;
        }
        Arrays.sort(keys);
        Sorted sorted = new Sorted(n);
        for (int i = 0; i < n; i++) {
            int at = (int) (keys[i] & INDEX_MASK);
            sorted.time[i] = points.time[at];
            sorted.weight[i] = points.weight[at];
            sorted.rate[i] = points.rate[at];
            sorted.totalRate += sorted.rate[i];
        }
        // Shifts that end take their rates away again: what is left may be 0 up to rounding.
        if (sorted.totalRate < NO_RATE) {
            sorted.totalRate = 0;
        }
        int places = Math.max(1, group.queue.size());
        double[] estimates = new double[places];
        // A place the known capacity never reaches (every shift ends before its turn) keeps NaN: no number.
        Arrays.fill(estimates, Double.NaN);
        // Places to be freed before the next guest: FIRST_PLACE for the guest, plus each guest ahead who is still
        // there when their turn comes (they stay until their expected time with probability exp(-rate * time)).
        double[] threshold = {FIRST_PLACE};
        int place = 0;
        var guests = group.queue.iterator();
        long runPriority = guests.hasNext() ? rank(guests.next()) : 0;
        while (place < places) {
            int end = place + 1;
            while (end < places && guests.hasNext()) {
                long next = rank(guests.next());
                if (next != runPriority) {
                    sweep(sorted, place, end, threshold, group.jumpRatePerMs(runPriority, now), giveUpPerMs,
                            estimates);
                    place = end;
                    runPriority = next;
                }
                end++;
            }
            sweep(sorted, place, end, threshold, group.jumpRatePerMs(runPriority, now), giveUpPerMs, estimates);
            place = end;
        }
        double perPlaceMs = sorted.totalRate > 0 ? 1 / sorted.totalRate : Double.NaN;
        for (int i = 0; i < places; i++) {
            estimates[i] = warp.real(estimates[i]);
        }
        double last = places > 0 ? estimates[places - 1] : Double.NaN;
        return new Estimates() {
            @Override
            public double rawMs(int position) {
                return position < places ? estimates[position]
                        : warp.real(warp.open(last) + (position - places + 1) * perPlaceMs);
            }

            @Override
            public Long seconds(int position) {
                double ms = rawMs(position);
                return Double.isNaN(ms) ? null : WaitEstimator.roundSeconds(ms);
            }
        };
    }


    /** The points in time order. */
    private static final class Sorted {
        final double[] time;
        final double[] weight;
        final double[] rate;
        double totalRate;

        Sorted(int n) {
            time = new double[n];
            weight = new double[n];
            rate = new double[n];
        }
    }

    private static long rank(Reservation reservation) {
        return reservation.front ? Long.MAX_VALUE : reservation.priority;
    }

    /**
     * Estimates places {@code from..to-1}. {@code G(t) = A + C·t − B − jump·t} (freed places, with {@code A} the weight
     * of the points up to {@code t}, {@code C} their rates and {@code B} their rates times their times, less the guests
     * who went ahead meanwhile) is linear between the points and jumps up at each; each place is served where {@code G}
     * first reaches its threshold. A run whose jumpers come faster than the agents serve is given a tenth of the
     * agents' pace rather than never.
     */
    private static void sweep(Sorted points, int from, int to, double[] threshold, double jumpPerMs,
                              double giveUpPerMs, double[] estimates) {
        int place = from;
        double a = 0;
        double b = 0;
        double c = 0;
        double previous = 0;
        int n = points.time.length;
        for (int k = 0; k <= n && place < to; k++) {
            double until = k < n ? points.time[k] : Double.POSITIVE_INFINITY;
            double slope = c - jumpPerMs;
            if (k == n) {
                slope = Math.max(slope, 0.1 * points.totalRate);
            }
            if (slope < NO_RATE) {
                // Rates that ended cancel up to rounding: no service until the next point.
                slope = 0;
            }
            while (place < to && slope > 0) {
                double start = a + c * previous - b - jumpPerMs * previous;
                double at = previous + Math.max(0, threshold[0] - start) / slope;
                if (at > until) {
                    break;
                }
                estimates[place++] = at;
                threshold[0] += Math.exp(-giveUpPerMs * at);
            }
            if (k == n) {
                break;
            }
            a += points.weight[k];
            b += points.rate[k] * until;
            c += points.rate[k];
            previous = until;
            while (place < to && a + c * until - b - jumpPerMs * until >= threshold[0] - 1e-9) {
                estimates[place++] = until;
                threshold[0] += Math.exp(-giveUpPerMs * until);
            }
        }
    }



    /**
     * The share of an agent's freed slots that go to this group: all of them when no other group of the agent has
     * anyone waiting; otherwise the part of the agent's recent assignments that were this group's (how assignment has
     * actually been splitting the agent), or, with fewer than {@link #MIN_SHARE_HISTORY} of them, this group's part of
     * the guests waiting for the agent.
     */
    private static double share(Agent agent, Group group) {
        if (agent.groups.size() == 1) {
            return 1;
        }
        int waiting = 0;
        for (Group other : agent.groups) {
            waiting += other.queue.size();
        }
        if (waiting == group.queue.size()) {
            return 1;
        }
        if (agent.recentGroups.size() < MIN_SHARE_HISTORY) {
            return group.queue.size() / (double) waiting;
        }
        int mine = 0;
        for (Group assigned : agent.recentGroups) {
            mine += assigned == group ? 1 : 0;
        }
        return mine / (double) agent.recentGroups.size();
    }
}
