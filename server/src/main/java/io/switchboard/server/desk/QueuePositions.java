package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps every waiting guest told their place, the group's average wait and their estimate: at once when asked, and
 * after group changes at most once per {@code queuepos_interval} per guest, the last values never dropped.
 */
final class QueuePositions {
    private final DeskClock clock;
    private final Fanout fanout;
    private final WaitEstimator estimator;
    private final ReservationFeed feed;
    private final long intervalMs;
    private final Set<Group> changed = new LinkedHashSet<>();

    QueuePositions(DeskClock clock, Fanout fanout, WaitEstimator estimator, ReservationFeed feed, long intervalMs) {
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

    /** Sends a guest their current values now (queued, resumed, attached). Desk thread only. */
    void sendNow(Reservation reservation) {
        long now = clock.now();
        deliver(reservation, valuesFor(reservation.group, reservation.group.positionOf(reservation), now), now);
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

    /** This guest's estimate now, in seconds, or null without a basis. */
    Long estimateSeconds(Group group, int position) {
        return estimator.estimateSeconds(group, position, clock.now());
    }

    private ServerMessage.QueuePos valuesFor(Group group, int position, long now) {
        return new ServerMessage.QueuePos(position, group.averageWaitSeconds(),
                estimator.estimateSeconds(group, position, now));
    }

    /**
     * Tells the guest (if connected) and, when the values are new, counts it as a change of the reservation, so REST
     * callers and SSE streams follow the same coalesced moments as the guest.
     */
    private void deliver(Reservation reservation, ServerMessage.QueuePos queuePos, long now) {
        fanout.send(reservation.session, queuePos);
        if (!queuePos.equals(reservation.lastQueuePos)) {
            feed.changed(reservation);
        }
        reservation.lastQueuePos = queuePos;
        reservation.lastQueuePosAt = now;
        reservation.pendingQueuePos = null;
    }

    private void publish(Group group) {
        long now = clock.now();
        long nextDue = Long.MAX_VALUE;
        int position = 0;
        for (Reservation reservation : group.queue) {
            ServerMessage.QueuePos queuePos = valuesFor(group, position++, now);
            if (queuePos.equals(reservation.lastQueuePos)) {
                reservation.pendingQueuePos = null;
                continue;
            }
            long due = reservation.lastQueuePosAt == Long.MIN_VALUE ? now : reservation.lastQueuePosAt + intervalMs;
            if (now >= due) {
                deliver(reservation, queuePos, now);
            } else {
                reservation.pendingQueuePos = queuePos;
                nextDue = Math.min(nextDue, due);
            }
        }
        if (nextDue != Long.MAX_VALUE) {
            publishAt(group, nextDue);
        }
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
