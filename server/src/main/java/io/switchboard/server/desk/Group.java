package io.switchboard.server.desk;

import io.switchboard.server.config.Routing;
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

    final Account account;
    final String name;
    final Routing routing;
    final TreeSet<Reservation> queue = new TreeSet<>(ORDER);
    final List<Agent> agents = new ArrayList<>();
    /** Waits (ms) of the most recent assignments, oldest first. */
    final ArrayDeque<Long> recentWaits = new ArrayDeque<>();
    private long recentWaitSum;
    /** Times (ms) of the most recent assignments, oldest first. */
    final ArrayDeque<Long> recentAssignments = new ArrayDeque<>();

    boolean positionsChanged;
    Cancellable queueposTimer;
    long queueposTimerAt;

    Group(Account account, String name, Routing routing) {
        this.account = account;
        this.name = name;
        this.routing = routing;
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
    }

    /** The mean wait of recently served guests in whole seconds, or null while none was served. */
    Long averageWaitSeconds() {
        if (recentWaits.isEmpty()) {
            return null;
        }
        return Math.round(recentWaitSum / (double) recentWaits.size() / 1000.0);
    }

    /** 0-based place of a waiting guest. */
    int positionOf(Reservation reservation) {
        return queue.headSet(reservation, false).size();
    }
}
