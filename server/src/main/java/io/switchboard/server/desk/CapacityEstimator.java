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
 * <p>From these points the expected number of freed places by time {@code t} is {@code D(t) = A(t) + (t·A(t) −
 * B(t)) / M}: the slots freed so far (their weight {@code A}) plus the guests each has served since, one per mean
 * handle time {@code M}. Guests ahead leave without being served at the group's recent abandonment rate, so the guest
 * at place {@code p} is expected to be served when {@code D} reaches {@code 1 + p·(1 − abandonment)}. Using expected
 * counts (not the earliest expected end) matters: with twelve busy slots of one minute on average, one of them frees
 * in about five seconds, not in a minute. One sweep over the sorted points answers every place, so a whole queue is
 * recomputed after every change.
 *
 * <p>Without history (the group has never served anyone): null. Without agents present: the group's recent pace,
 * (now − the oldest of its last 20 assignments) / their number, per place. Before any room completed, handle times
 * follow an exponential prior whose mean is twice the mean age of the rooms in progress (at least {@link
 * #PRIOR_HANDLE_MS}).
 */
final class CapacityEstimator implements WaitEstimator {
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
    private static final int PRIOR_QUANTILES = 20;

    @Override
    public Estimates prepare(Group group, long now) {
        if (group.recentAssignments.isEmpty()) {
            return WaitEstimator.constant(null);
        }
        long[] handles = handleSample(group, now);
        double meanHandle = mean(handles);

        Points points = new Points();
        java.util.Map<Group, long[]> samples = new java.util.HashMap<>();
        List<long[]> roomSamples = new ArrayList<>();
        for (Agent agent : group.agents) {
            if (!agent.connected() || agent.availability != StatusIs.AVAILABLE) {
                continue;
            }
            double share = share(agent, group);
            if (share <= 0) {
                continue;
            }
            // After it frees, a slot serves this group's guests at its share; its next guest may be another
            // group's, so its cycle lasts the agent's mix of the groups' mean handle times.
            double cycle = cycle(agent, group, meanHandle, samples, now);
            double rate = share / cycle;
            int busy = agent.rooms.size() + agent.held.size();
            for (int i = 0; i < agent.limit - busy; i++) {
                points.add(0, share, rate);
            }
            // Each room ends after a remaining time learned from its own group's handle times.
            List<double[]> rooms = new ArrayList<>(busy);
            for (Room room : agent.rooms) {
                Group of = room.reservation.group;
                long[] sample = of == group ? handles : samples.computeIfAbsent(of, g -> handleSample(g, now));
                rooms.add(new double[] {now - room.openedAt, meanResidual(now - room.openedAt, sample)});
                roomSamples.add(sample);
            }
            for (Reservation held : agent.held) {
                Group of = held.group;
                long[] sample = of == group ? handles : samples.computeIfAbsent(of, g -> handleSample(g, now));
                rooms.add(new double[] {0, meanResidual(0, sample)});
                roomSamples.add(sample);
            }
            Integer[] byEnd = new Integer[busy];
            for (int i = 0; i < busy; i++) {
                byEnd[i] = i;
            }
            Arrays.sort(byEnd, (x, y) -> Double.compare(rooms.get(x)[1], rooms.get(y)[1]));
            for (int i = Math.max(0, busy - agent.limit); i < busy; i++) {
                addResiduals(points, rooms.get(byEnd[i])[0], roomSamples.get(byEnd[i]), share, rate);
            }
            roomSamples.clear();
        }
        if (points.size == 0) {
            return pace(group, now);
        }
        return invert(points, group, now, group.abandonmentRatePerMs(now));
    }

    /** The mean time a slot of the agent stays busy per guest: the groups' mean handle times, weighted by share. */
    private static double cycle(Agent agent, Group group, double meanHandle, java.util.Map<Group, long[]> samples,
                                long now) {
        if (agent.groups.size() == 1) {
            return meanHandle;
        }
        double weighted = 0;
        double shares = 0;
        for (Group other : agent.groups) {
            double part = share(agent, other);
            long[] sample = other == group ? null : samples.computeIfAbsent(other, g -> handleSample(g, now));
            weighted += part * (sample == null ? meanHandle : mean(sample));
            shares += part;
        }
        return shares == 0 ? meanHandle : weighted / shares;
    }

    private static double mean(long[] sample) {
        double sum = 0;
        for (long h : sample) {
            sum += h;
        }
        return Math.max(1, sum / sample.length);
    }

    /** Where slots free: a time (ms from now) and the part of a slot that frees then for this group. */
    private static final class Points {
        static final int MAX = 1 << 20;
        double[] time = new double[64];
        double[] weight = new double[64];
        /** The guests per ms of this group the point's slot serves once freed (its weight over its cycle). */
        double[] rate = new double[64];
        int size;

        void add(double at, double w, double perMs) {
            if (size == MAX) {
                return;
            }
            if (size == time.length) {
                time = Arrays.copyOf(time, size * 2);
                weight = Arrays.copyOf(weight, size * 2);
                rate = Arrays.copyOf(rate, size * 2);
            }
            time[size] = at;
            weight[size] = w;
            rate[size] = perMs;
            size++;
        }
    }

    /** A busy slot: one point per recent handle time longer than the room's age, or the age again if none is. */
    private static void addResiduals(Points points, double age, long[] handles, double share, double rate) {
        int longer = 0;
        for (long h : handles) {
            if (h > age) {
                longer++;
            }
        }
        if (longer == 0) {
            points.add(age, share, rate);
            return;
        }
        for (long h : handles) {
            if (h > age) {
                points.add(h - age, share / longer, rate / longer);
            }
        }
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
    private static Estimates invert(Points points, Group group, long now, double giveUpPerMs) {
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
        int places = Math.max(1, group.queue.size());
        double[] estimates = new double[places];
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
        double perPlaceMs = 1 / sorted.totalRate;
        return position -> WaitEstimator.roundSeconds(position < places ? estimates[position]
                : estimates[places - 1] + (position - places + 1) * perPlaceMs);
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
     * The group's recent handle times (ms); before any room completed, the prior: exponential with a mean of twice the
     * mean age of the rooms in progress (a room is seen mid-way on average), at least {@link #PRIOR_HANDLE_MS}, as its
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
        double prior = Math.max(PRIOR_HANDLE_MS, rooms == 0 ? 0 : 2.0 * sum / rooms);
        long[] quantiles = new long[PRIOR_QUANTILES];
        for (int j = 0; j < quantiles.length; j++) {
            quantiles[j] = Math.round(-prior * Math.log(1 - (j + 0.5) / quantiles.length));
        }
        return quantiles;
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

    /** Nobody present to serve: the group's recent pace per place. */
    private static Estimates pace(Group group, long now) {
        double perPlace = (now - group.recentAssignments.peekFirst()) / (double) group.recentAssignments.size();
        return position -> WaitEstimator.roundSeconds(perPlace * (position + 1));
    }
}
