package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps every waiting guest told their place, the group's average wait and their estimate: at once when asked, and
 * after group changes at most once per {@code queuepos_interval} per guest, the last values never dropped.
 *
 * <p>A guest is told again when their place or the average wait changed, or when their estimate moved by more than
 * {@link #MATERIAL} of what their countdown shows now (the last estimate minus the time since it was sent), or between
 * null and a number. An estimate that only ran down as time passed is not news.
 */
final class QueuePositions {
    /** How far (relative) an estimate must move from the guest's countdown to be sent again. */
    static final double MATERIAL = 0.10;

    private final DeskClock clock;
    private final Fanout fanout;
    private final WaitEstimator estimator;
    private final ReservationFeed feed;
    private final long intervalMs;
    private final DeskMetrics metrics;
    private final Set<Group> changed = new LinkedHashSet<>();

    QueuePositions(DeskClock clock, Fanout fanout, WaitEstimator estimator, ReservationFeed feed, long intervalMs,
                   DeskMetrics metrics) {
        this.metrics = metrics;
        this.clock = clock;
        this.fanout = fanout;
        this.estimator = estimator;
        this.feed = feed;
        this.intervalMs = intervalMs;
    }

    /** Notes that a group's positions or estimates may have changed; published at the end of the turn. */
    void changed(Group group) {
        changed.add(group);
    }

    /** An agent's capacity or presence changed: the estimates of every group they serve may have. */
    void agentChanged(Agent agent) {
        changed.addAll(agent.groups);
    }

    /** Sends a guest their current values now (queued, resumed, attached). Desk thread only. */
    void sendNow(Reservation reservation) {
        long now = clock.now();
        Group group = reservation.group;
        WaitEstimator.Estimates estimates = estimator.prepare(group, now);
        int position = group.positionOf(reservation);
        deliver(reservation, valuesFor(group, position, estimates), now, estimates, position);
    }

    /** This guest's estimate now, in seconds, or null without a basis. */
    Long estimateSeconds(Group group, int position) {
        return estimator.prepare(group, clock.now()).seconds(position);
    }

    /** Tells the waiting guests of every changed group their new values, coalesced. Desk thread only. */
    void publishChanged() {
        if (changed.isEmpty()) {
            return;
        }
        List<Group> groups = new ArrayList<>(changed);
        changed.clear();
        for (Group group : groups) {
            publish(group);
        }
    }

    private static ServerMessage.QueuePos valuesFor(Group group, int position, WaitEstimator.Estimates estimates) {
        return new ServerMessage.QueuePos(position, group.averageWaitSeconds(), estimates.seconds(position));
    }

    /**
     * Tells the guest (if connected) and, when the values are new, counts it as a change of the reservation, so REST
     * callers and SSE streams follow the same coalesced moments as the guest.
     */
    private void deliver(Reservation reservation, ServerMessage.QueuePos queuePos, long now,
                         WaitEstimator.Estimates estimates, int position) {
        told(reservation, queuePos.estimatedWait(), now, estimates, position);
        fanout.send(reservation.session, queuePos);
        if (!queuePos.equals(reservation.lastQueuePos)) {
            feed.changed(reservation);
        }
        reservation.lastQueuePos = queuePos;
        reservation.lastQueuePosAt = now;
        reservation.pendingQueuePos = null;
    }

    /**
     * Tells every waiting guest of the group who may be told now their new values, and marks the others pending until
     * the earliest moment one of them may be told. While nobody of the group may be told yet (every guest was told
     * within the interval), a change costs nothing but making sure that moment's publication is scheduled: then the
     * values of that moment are computed once for the whole queue.
     */
    private void publish(Group group) {
        if (group.queue.isEmpty()) {
            return;
        }
        long now = clock.now();
        if (now < group.earliestDue) {
            publishAt(group, group.earliestDue);
            return;
        }
        WaitEstimator.Estimates estimates = estimator.prepare(group, now);
        long nextDue = Long.MAX_VALUE;
        long earliestDue = Long.MAX_VALUE;
        int position = 0;
        for (Reservation reservation : group.queue) {
            int at = position++;
            ServerMessage.QueuePos queuePos = valuesFor(group, at, estimates);
            long due = reservation.lastQueuePosAt == Long.MIN_VALUE ? now : reservation.lastQueuePosAt + intervalMs;
            if (!news(reservation, queuePos, now)) {
                reservation.pendingQueuePos = null;
            } else if (now >= due) {
                deliver(reservation, queuePos, now, estimates, at);
                due = now + intervalMs;
            } else {
                reservation.pendingQueuePos = queuePos;
                nextDue = Math.min(nextDue, due);
            }
            earliestDue = Math.min(earliestDue, due);
        }
        group.earliestDue = earliestDue;
        if (nextDue != Long.MAX_VALUE) {
            publishAt(group, nextDue);
        }
    }

    /**
     * Keeps what the guest was told (with the estimate before its correction), to be scored against their wait once
     * they are assigned ({@link Assignment}): the first estimate and the newest {@link Reservation#TOLD_MAX} − 1.
     */
    private void told(Reservation reservation, Long estimate, long now, WaitEstimator.Estimates estimates,
                      int position) {
        Group group = reservation.group;
        metrics.estimateTold(group.account.id, group.name, estimate != null);
        if (estimate == null) {
            return;
        }
        if (reservation.told.size() >= Reservation.TOLD_MAX) {
            reservation.told.remove(1);
        }
        reservation.told.add(new double[] {now, estimates.rawMs(position), estimates.candidateMs(position),
                estimate * 1000.0, position});
    }

    /** Whether the values differ from what the guest was told, beyond their countdown running down. */
    static boolean news(Reservation reservation, ServerMessage.QueuePos values, long now) {
        ServerMessage.QueuePos told = reservation.lastQueuePos;
        if (told == null || told.position() != values.position()
                || !java.util.Objects.equals(told.averageWait(), values.averageWait())) {
            return true;
        }
        Long before = told.estimatedWait();
        Long after = values.estimatedWait();
        if (before == null || after == null) {
            return before != after;
        }
        double countdown = Math.max(0, before - (now - reservation.lastQueuePosAt) / 1000.0);
        return Math.abs(after - countdown) > MATERIAL * Math.max(after, countdown);
    }

    /** One timer per group, at the earliest moment a pending guest may be told again. */
    private void publishAt(Group group, long at) {
        if (group.queueposTimer != null && group.queueposTimerAt <= at) {
            return;
        }
        if (group.queueposTimer != null) {
            group.queueposTimer.cancel();
        }
        group.queueposTimerAt = at;
        group.queueposTimer = clock.schedule(at - clock.now(), () -> {
            group.queueposTimer = null;
            changed.add(group);
        });
    }
}
