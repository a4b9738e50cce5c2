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
 * without a schedule back when the group's earlier absences say; the bound on shared agents (before a guest they
 * serve only the other groups' guests who came first); and the correction learned from the group's own errors
 * ({@link Accuracy}). docs/wait-estimates.md has the whole method.
 *
 * <p>Without history (the group has never served anyone): null; with nobody present, scheduled or expected back:
 * null. Before any room completed, handle times follow an exponential prior whose mean is twice the mean age of the
 * rooms in progress (at least {@link #PRIOR_HANDLE_MS}).
 */
final class CapacityEstimator implements WaitEstimator {
    static final CapacityEstimator INSTANCE = new CapacityEstimator();
    /** The estimate before the group's correction ({@link Accuracy}). */
    static final WaitEstimator RAW = (group, now) -> WaitEstimator.inMs(INSTANCE.prepare(group, now)::rawMs);

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
    static final long INDEX_MASK = (1 << 20) - 1;
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
        OpenTime warp = OpenTime.of(group.hours, now);

        // Every agent's slots, each point marked with its agent's share of this group: the estimate by shares and,
        // with shared agents, the bound with all of their slots come from one sort.
        java.util.Map<Agent, SharedAgents.Mix> mixes = new java.util.HashMap<>();
        FreedSlots points = slots(group, group.agents, now, own, new FreedSlots(), mixes);
        if (!points.anyShare) {
            // Nobody present, expected or known to come back: no honest number.
            return WaitEstimator.constant(null);
        }
        warp.apply(points);
        SortedSlots whole = SortedSlots.of(points);
        double giveUp = group.abandonmentRatePerMs(now);
        Estimates shared = invert(whole.scaled(), group, now, giveUp, warp, null);
        double[] older = SharedAgents.olderElsewhere(group);
        Estimates estimates = shared;
        if (older != null) {
            // Agents who also serve other groups: assignment takes the longest-waiting head, so before a guest it
            // serves only the other groups' guests more urgent than them. With those slots wholly on the guests
            // ahead, here and elsewhere, the guest is served by then at the latest: the earlier of the two.
            Estimates bound;
            Estimates here = invert(whole, group, now, giveUp, warp, null);
            if (older[older.length - 1] == 0) {
                // Nobody elsewhere came first.
                bound = here;
            } else {
                // The other groups' own agents serve their older guests too (theirs only, and no more of them than
                // there are): served when D(t) reaches the guests ahead here and D(t) + theirs the older ones too.
                FreedSlots theirs = new FreedSlots();
                for (Group other : SharedAgents.othersOf(group)) {
                    List<Agent> theirAgents = new ArrayList<>();
                    for (Agent agent : other.agents) {
                        if (!agent.groups.contains(group)) {
                            theirAgents.add(agent);
                        }
                    }
                    slots(other, theirAgents, now, HandleTimes.of(other, now), theirs, mixes);
                }
                warp.apply(theirs);
                Estimates everywhere = invert(whole.with(SortedSlots.of(theirs).scaled()), group, now, giveUp, warp, older);
                bound = WaitEstimator.inMs(position -> Math.max(here.rawMs(position), everywhere.rawMs(position)));
            }
            Estimates atLatest = bound;
            estimates = WaitEstimator.inMs(position -> {
                double byShare = shared.rawMs(position);
                double atTheLatest = atLatest.rawMs(position);
                return Double.isNaN(atTheLatest) || atTheLatest >= byShare ? byShare : atTheLatest;
            });
        }
        Accuracy accuracy = group.accuracy;
        Estimates raw = estimates;
        return new Estimates() {
            @Override
            public Long seconds(int position) {
                double ms = raw.rawMs(position);
                return Double.isNaN(ms) ? null : WaitEstimator.roundSeconds(ms * accuracy.factor(position));
            }

            @Override
            public double rawMs(int position) {
                return raw.rawMs(position);
            }

            @Override
            public double candidateMs(int position) {
                return raw.rawMs(position) * accuracy.candidate(position);
            }
        };
    }

    /**
     * Where the slots of some of the group's agents free, added to {@code points}: whole slots, each point marked with
     * its agent's share of this group ({@link FreedSlots#share}). {@code mixes}: shared agents' mixes, computed once
     * per estimate.
     */
    private static FreedSlots slots(Group group, List<Agent> agents, long now, HandleTimes.Sample own,
                                    FreedSlots points, java.util.Map<Agent, SharedAgents.Mix> mixes) {
        double meanHandle = own.mean();
        long[] handles = own.thinned();
        java.util.Map<Group, long[]> samples = new java.util.HashMap<>();
        List<long[]> roomSamples = new ArrayList<>();
        for (Agent agent : agents) {
            points.mark(SharedAgents.share(agent, group));
            // After it frees, a slot serves this group's guests at its share; its next guest may be another
            // group's, so its cycle lasts the agent's mix of the groups' handle times.
            double cycle = meanHandle;
            points.renewal = own.renewal();
            if (agent.groups.size() > 1) {
                SharedAgents.Mix mix = mixes.computeIfAbsent(agent, a -> SharedAgents.mix(a, group, own, samples, now));
                cycle = mix.cycle();
                points.renewal = mix.renewal();
            }
            double rate = 1 / cycle;
            if (!agent.present()) {
                Shifts.futureCapacity(points, agent, group, now, 1, rate);
                continue;
            }
            double end = Shifts.presentUntil(agent, now);
            int busy = agent.rooms.size() + agent.held.size();
            for (int i = 0; i < agent.limit - busy; i++) {
                points.slot(0, 1, rate, end);
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
                points.busy(rooms.get(byEnd[i])[0], roomSamples.get(byEnd[i]), 1, rate, end);
            }
            roomSamples.clear();
            // A shift that ends and another that starts later: its slots come back then.
            if (agent.schedule != null && end < Double.POSITIVE_INFINITY) {
                Shifts.laterShifts(points, agent, now, now + (long) end, false, 1, rate);
            }
        }
        return points;
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
    private static Estimates invert(SortedSlots sorted, Group group, long now, double giveUpPerMs, OpenTime warp,
                                    double[] older) {
        int places = Math.max(1, group.queue.size());
        double[] estimates = new double[places];
        // A place the known capacity never reaches (every shift ends before its turn) keeps NaN: no number.
        Arrays.fill(estimates, Double.NaN);
        // Places to be freed before the next guest: FIRST_PLACE for the guest, plus each guest ahead who is still
        // there when their turn comes (they stay until their expected time with probability exp(-rate * time)).
        double[] threshold = {FIRST_PLACE + (older == null ? 0 : older[0])};
        int place = 0;
        var guests = group.queue.iterator();
        long runPriority = guests.hasNext() ? rank(guests.next()) : 0;
        while (place < places) {
            int end = place + 1;
            while (end < places && guests.hasNext()) {
                long next = rank(guests.next());
                if (next != runPriority) {
                    sweep(sorted, place, end, threshold, group.jumpRatePerMs(runPriority, now), giveUpPerMs,
                            estimates, older);
                    place = end;
                    runPriority = next;
                }
                end++;
            }
            sweep(sorted, place, end, threshold, group.jumpRatePerMs(runPriority, now), giveUpPerMs, estimates,
                    older);
            place = end;
        }
        double perPlaceMs = sorted.totalRate > 0 ? 1 / sorted.totalRate : Double.NaN;
        for (int i = 0; i < places; i++) {
            estimates[i] = warp.real(estimates[i]);
        }
        double last = places > 0 ? estimates[places - 1] : Double.NaN;
        return WaitEstimator.inMs(position -> position < places ? estimates[position]
                : warp.real(warp.open(last) + (position - places + 1) * perPlaceMs));
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
    private static void sweep(SortedSlots points, int from, int to, double[] threshold, double jumpPerMs,
                              double giveUpPerMs, double[] estimates, double[] older) {
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
                threshold[0] += Math.exp(-giveUpPerMs * at) + more(older, place);
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
                threshold[0] += Math.exp(-giveUpPerMs * until) + more(older, place);
            }
        }
    }

    /** The other groups' guests more urgent than the guest at {@code place} who were not before the one ahead. */
    private static double more(double[] older, int place) {
        return older == null || place >= older.length ? 0 : older[place] - older[place - 1];
    }
}
