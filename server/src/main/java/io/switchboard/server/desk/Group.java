package io.switchboard.server.desk;

import io.switchboard.server.config.BusinessHours;
import io.switchboard.server.config.Routing;
import io.switchboard.server.config.ServerConfig;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/** A queue of one account, with the agents who serve it and what it learned of recent waits. Desk thread only. */
final class Group {
    /** How many recent assignments the average wait and the velocity look back on. */
    static final int HISTORY = 20;

    /**
     * Queue order: guests who went back to the front (their agent was gone) first, then higher priority, then earlier
     * ticket (FIFO).
     */
    static final Comparator<Reservation> ORDER = Comparator
            .comparing((Reservation r) -> !r.front)
            .thenComparing(r -> -r.priority)
            .thenComparingLong(r -> r.ticket);

    /** Completed rooms whose handle times the Switchboard estimator learns from. */
    static final int HANDLE_HISTORY = 200;
    /** Recent queue departures (served or gone) whose outcome gives the abandonment share. */
    static final int OUTCOME_HISTORY = 200;
    /** How far back departure times are kept (the velocity baseline samples two 5-minute intervals). */
    static final long DEPARTURE_WINDOW_MS = 600_000;

    final Account account;
    final String name;
    final Routing routing;
    /** No new guest joins past this many waiting ({@code max_queue_length}). */
    final int maxQueueLength;
    final TreeSet<Reservation> queue = new TreeSet<>(ORDER);
    final List<Agent> agents = new ArrayList<>();
    /** Waits (ms) of the most recent assignments, oldest first. */
    final ArrayDeque<Long> recentWaits = new ArrayDeque<>();
    private long recentWaitSum;
    /** Times (ms) of the most recent assignments, oldest first: at least {@link #HISTORY}. */
    final ArrayDeque<Long> recentAssignments = new ArrayDeque<>();
    /** Times (ms) of departures from the queue (assigned, canceled, expired) within the window, oldest first. */
    final ArrayDeque<Long> departureTimes = new ArrayDeque<>();
    long departures;
    /** Handle times (ms) of the most recently completed rooms, oldest first, and their sum. */
    final ArrayDeque<Long> handleTimes = new ArrayDeque<>();
    /** {@link #handleTimes} as the estimate reads them, until the next completion ({@link HandleTimes#of}). */
    HandleTimes.Sample handleSample;
    long handleSum;
    /** Outcomes of recent departures: true for a guest who left the queue without being served. */
    final ArrayDeque<Boolean> outcomes = new ArrayDeque<>();
    int abandonedInOutcomes;
    /** How long each of those departures had waited (ms), and the sum: the exposure of the abandonment rate. */
    final ArrayDeque<Long> outcomeWaits = new ArrayDeque<>();
    long outcomeWaitSum;
    /** Recent arrivals in the queue (new or back at the front): when, and at which priority ({@code MAX} for front). */
    static final int ARRIVAL_HISTORY = 200;
    final ArrayDeque<long[]> arrivals = new ArrayDeque<>();
    /** Waits of guests whose conversation completed (the video vendor's "past waits"), summed and counted. */
    long completedWaitSum;
    long completedWaits;

    Cancellable queueposTimer;
    long queueposTimerAt;
    /**
     * No waiting guest of the group may be told again before this time (each was told less than an interval ago, as
     * of the last publication); a lower bound, since guests told later are due later.
     */
    long earliestDue = Long.MIN_VALUE;

    /** When the group answers ({@code hours}; always open without). */
    final BusinessHours hours;
    /** Past this estimate (s) the widget calls the group busy. */
    final int busyAfterSeconds;
    /** How soon a message left for the group should be answered (s): its SLA clock. */
    final int replyWithinSeconds;
    /** Messages left to be answered by email, oldest first: not in {@link #queue}, so no chat estimate counts them. */
    final TreeSet<Reservation> messages = new TreeSet<>(Comparator.comparingLong((Reservation r) -> r.ticket));
    /** What the group learned of its own estimates: their correction, the last hour's error. */
    final Accuracy accuracy = new Accuracy();
    /** How many unscheduled absences of the group's agents are remembered. */
    static final int ABSENCE_HISTORY = 20;
    /** The longest absence that counts as one (longer: a day's end, not a break). */
    static final long ABSENCE_MAX_MS = 8 * 3_600_000L;
    /** How long the group's agents without a schedule were away, the newest last (ms): when the absent come back. */
    final ArrayDeque<Long> absences = new ArrayDeque<>();
    /** The agent workspace's settings (alerts, offers, auto-away); all off unless configured. */
    ServerConfig.GroupConfig workspace = new ServerConfig.GroupConfig(null, null);
    /** What the account's agents were last shown of {@link #queue} and {@link #messages} (queue changes are diffs). */
    final java.util.ArrayList<Reservation> shownQueue = new java.util.ArrayList<>();
    final java.util.ArrayList<Reservation> shownMessages = new java.util.ArrayList<>();
    /** The stats the consoles were last shown. */
    io.switchboard.protocol.ServerMessage.GroupStats shownStats;

    Group(Account account, String name, Routing routing, int maxQueueLength) {
        this(account, name, routing, maxQueueLength, BusinessHours.ALWAYS,
                ServerConfig.GroupConfig.DEFAULT_BUSY_AFTER_SECONDS,
                ServerConfig.GroupConfig.DEFAULT_REPLY_WITHIN_SECONDS);
    }

    Group(Account account, String name, Routing routing, int maxQueueLength, BusinessHours hours,
          int busyAfterSeconds, int replyWithinSeconds) {
        this.account = account;
        this.name = name;
        this.routing = routing;
        this.maxQueueLength = maxQueueLength;
        this.hours = hours;
        this.busyAfterSeconds = busyAfterSeconds;
        this.replyWithinSeconds = replyWithinSeconds;
    }

    /** Whether the group is open at {@code now} (epoch ms) by its hours. */
    boolean openAt(long now) {
        return hours.openAt(java.time.Instant.ofEpochMilli(now));
    }

    /** Whether an agent of the group is signed in, connected and available (else the widget says offline). */
    boolean staffed() {
        for (Agent agent : agents) {
            if (agent.connected() && agent.availability == io.switchboard.protocol.StatusIs.AVAILABLE) {
                return true;
            }
        }
        return false;
    }

    /** A guest joined the queue (or came back to its front, which counts as the highest priority). */
    void recordArrival(long now, Reservation reservation) {
        arrivals.addLast(new long[] {now, reservation.front ? Long.MAX_VALUE : reservation.priority});
        if (arrivals.size() > ARRIVAL_HISTORY) {
            arrivals.removeFirst();
        }
    }

    /**
     * How often (per ms) guests who will be served before a guest of {@code priority} arrive: recent arrivals of a
     * higher priority over the time they span; 0 with less than a minute of history.
     */
    double jumpRatePerMs(long priority, long now) {
        if (arrivals.isEmpty() || now - arrivals.peekFirst()[0] < 60_000) {
            return 0;
        }
        int higher = 0;
        for (long[] arrival : arrivals) {
            if (arrival[1] > priority) {
                higher++;
            }
        }
        return higher / (double) (now - arrivals.peekFirst()[0]);
    }

    void recordAssignment(long now, long waitedMs) {
        recentWaits.addLast(waitedMs);
        recentWaitSum += waitedMs;
        if (recentWaits.size() > HISTORY) {
            recentWaitSum -= recentWaits.removeFirst();
        }
        recentAssignments.addLast(now);
        if (recentAssignments.size() > HISTORY) {
            recentAssignments.removeFirst();
        }
        recordDeparture(now, false, waitedMs);
    }

    /** A waiting guest left the queue without being served (canceled, expired) after waiting {@code waitedMs}. */
    void recordAbandonment(long now, long waitedMs) {
        recordDeparture(now, true, waitedMs);
    }

    private void recordDeparture(long now, boolean abandoned, long waitedMs) {
        departures++;
        departureTimes.addLast(now);
        while (departureTimes.peekFirst() < now - DEPARTURE_WINDOW_MS) {
            departureTimes.removeFirst();
        }
        outcomes.addLast(abandoned);
        abandonedInOutcomes += abandoned ? 1 : 0;
        outcomeWaits.addLast(waitedMs);
        outcomeWaitSum += waitedMs;
        if (outcomes.size() > OUTCOME_HISTORY) {
            abandonedInOutcomes -= outcomes.removeFirst() ? 1 : 0;
            outcomeWaitSum -= outcomeWaits.removeFirst();
        }
    }

    /** A room of this group's guest completed after {@code handleMs}; the guest had waited {@code waitedMs}. */
    void recordCompletion(long handleMs, long waitedMs) {
        handleSample = null;
        handleTimes.addLast(handleMs);
        handleSum += handleMs;
        if (handleTimes.size() > HANDLE_HISTORY) {
            handleSum -= handleTimes.removeFirst();
        }
        completedWaitSum += waitedMs;
        completedWaits++;
    }

    /**
     * The rate (per ms of waiting) at which waiting guests give up: the recent departures that gave up, over the time
     * at risk of giving up: what all recent departures had waited, plus what the guests still waiting have waited so
     * far (the estimate of an exponential patience, with served and still waiting guests as censored).
     */
    double abandonmentRatePerMs(long now) {
        if (abandonedInOutcomes == 0) {
            return 0;
        }
        long exposure = outcomeWaitSum;
        for (Reservation waiting : queue) {
            exposure += now - waiting.enqueuedAt;
        }
        return exposure == 0 ? 0 : abandonedInOutcomes / (double) exposure;
    }

    /** Departures from the queue at or before {@code time}, if {@code time} is within the window. */
    long departuresAtOrBefore(long time) {
        long later = 0;
        for (var it = departureTimes.descendingIterator(); it.hasNext(); ) {
            if (it.next() <= time) {
                break;
            }
            later++;
        }
        return departures - later;
    }

    /** The mean wait of recently served guests in whole seconds, or null while none was served. */
    Long averageWaitSeconds() {
        if (recentWaits.isEmpty()) {
            return null;
        }
        return Math.round(recentWaitSum / (double) recentWaits.size() / 1000.0);
    }

    /**
     * 0-based place of a waiting guest: at once for the head and the last (most guests join at the back), otherwise by
     * counting those ahead.
     */
    int positionOf(Reservation reservation) {
        if (queue.isEmpty() || reservation == queue.first()) {
            return 0;
        }
        if (reservation == queue.last()) {
            return queue.size() - 1;
        }
        return queue.headSet(reservation, false).size();
    }

    /** What the group learned, as a row to store. */
    Stored.GroupRow row() {
        List<List<Long>> arrivalRows = new ArrayList<>(arrivals.size());
        for (long[] arrival : arrivals) {
            arrivalRows.add(List.of(arrival[0], arrival[1]));
        }
        return new Stored.GroupRow(account.id, name, List.copyOf(recentWaits), List.copyOf(recentAssignments),
                List.copyOf(departureTimes), departures, List.copyOf(handleTimes), List.copyOf(outcomes),
                List.copyOf(outcomeWaits), arrivalRows, completedWaitSum, completedWaits);
    }

    /** Takes back what the group had learned before a restart. */
    void restore(Stored.GroupRow row) {
        recentWaits.addAll(row.recentWaits());
        recentWaitSum = row.recentWaits().stream().mapToLong(Long::longValue).sum();
        recentAssignments.addAll(row.recentAssignments());
        departureTimes.addAll(row.departureTimes());
        departures = row.departures();
        handleTimes.addAll(row.handleTimes());
        handleSample = null;
        handleSum = row.handleTimes().stream().mapToLong(Long::longValue).sum();
        outcomes.addAll(row.outcomes());
        abandonedInOutcomes = (int) row.outcomes().stream().filter(Boolean::booleanValue).count();
        outcomeWaits.addAll(row.outcomeWaits());
        outcomeWaitSum = row.outcomeWaits().stream().mapToLong(Long::longValue).sum();
        for (List<Long> arrival : row.arrivals()) {
            arrivals.addLast(new long[] {arrival.get(0), arrival.get(1)});
        }
        completedWaitSum = row.completedWaitSum();
        completedWaits = row.completedWaits();
    }
}
