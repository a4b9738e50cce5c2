package io.switchboard.server.desk;

import io.switchboard.protocol.Rest;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reservations as REST callers and SSE streams see them: builds the group reservation object, counts every visible
 * change in the reservation's {@code version}, and tells the reservation's watchers at the end of the desk's turn (one
 * event per turn with the newest state). Desk thread only.
 */
final class ReservationFeed {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final DeskClock clock;
    private final WaitEstimator estimator;
    private final Set<Reservation> pending = new LinkedHashSet<>();
    private final Dirty dirty;

    ReservationFeed(DeskClock clock, WaitEstimator estimator, Dirty dirty) {
        this.clock = clock;
        this.estimator = estimator;
        this.dirty = dirty;
    }

    /** Something a REST caller can see changed: a new version, told to the watchers at the end of the turn. */
    void changed(Reservation reservation) {
        reservation.version++;
        dirty.reservation(reservation);
        if (!reservation.watchers.isEmpty()) {
            pending.add(reservation);
        }
    }

    /** Tells the watchers of every reservation that changed in this turn its newest state. */
    void flush() {
        if (pending.isEmpty()) {
            return;
        }
        List<Reservation> changed = new ArrayList<>(pending);
        pending.clear();
        for (Reservation reservation : changed) {
            ReservationStatus status = reservation.status();
            boolean placeOnly = reservation.isWaiting() && status == reservation.streamedStatus;
            reservation.streamedStatus = status;
            ReservationEvent event = new ReservationEvent(reservation.version, eventView(reservation), placeOnly);
            for (ReservationWatcher watcher : List.copyOf(reservation.watchers)) {
                watcher.changed(event);
            }
        }
    }

    /** Registers a watcher; it gets the current state at once unless it already saw this version. */
    void watch(Reservation reservation, long lastSeenVersion, ReservationWatcher watcher) {
        reservation.watchers.add(watcher);
        // Streams start from the state of now: a later event with the same status only moves the place.
        reservation.streamedStatus = reservation.status();
        watcher.opened();
        if (lastSeenVersion != reservation.version) {
            watcher.current(new ReservationEvent(reservation.version, view(reservation)));
        }
    }

    void unwatch(Reservation reservation, ReservationWatcher watcher) {
        reservation.watchers.remove(watcher);
    }

    /** The reservation leaves the desk: its watchers are told, and let go. */
    void forget(Reservation reservation) {
        List<ReservationWatcher> watchers = List.copyOf(reservation.watchers);
        reservation.watchers.clear();
        pending.remove(reservation);
        for (ReservationWatcher watcher : watchers) {
            watcher.gone();
        }
    }

    /**
     * The object for an event: a waiting guest's place and estimate are the ones they were just told. A waiting
     * reservation only changes by being told new values (joining or returning to the queue included), so those are
     * its current ones; the stream and the guest agree, and thousands of events in one turn cost no recount of the
     * queue each.
     */
    private Rest.GroupReservation eventView(Reservation reservation) {
        long now = clock.now();
        if (reservation.isWaiting() && reservation.lastQueuePos != null) {
            Long estimate = reservation.lastQueuePos.estimatedWait();
            return view(reservation, reservation.lastQueuePos.position(),
                    estimate == null ? null : iso(now + estimate * 1000));
        }
        return view(reservation);
    }

    /** The group reservation object (contract §3.1), with the place and estimate of this moment. */
    Rest.GroupReservation view(Reservation reservation) {
        long now = clock.now();
        int position = -1;
        String estimatedUntil = null;
        if (reservation.isWaiting()) {
            position = reservation.group.positionOf(reservation);
            Long estimate = estimator.prepare(reservation.group, now).seconds(position);
            estimatedUntil = estimate == null ? null : iso(now + estimate * 1000);
        }
        return view(reservation, position, estimatedUntil);
    }

    private Rest.GroupReservation view(Reservation reservation, int position, String estimatedUntil) {
        Agent agent = reservation.room != null ? reservation.room.agent : reservation.matchedAgent;
        boolean matched = reservation.status() == ReservationStatus.MATCHED;
        List<Rest.Detail> details = new ArrayList<>(reservation.details.size());
        for (Map.Entry<String, String> entry : reservation.details.entrySet()) {
            details.add(new Rest.Detail(entry.getKey(), entry.getValue()));
        }
        return new Rest.GroupReservation(
                reservation.account.id,
                new Rest.GroupRef(reservation.group.name, reservation.group.name),
                reservation.sid,
                reservation.externalUserId,
                reservation.priority,
                reservation.reserveForSeconds,
                reservation.status().wire(),
                position,
                estimatedUntil,
                details,
                reservation.room == null ? null : reservation.room.id,
                reservation.reservedUntil == 0 ? null : iso(reservation.reservedUntil),
                matched && agent != null ? new Rest.ReservedUser(agent.user) : null);
    }

    static String iso(long epochMs) {
        return ISO.format(Instant.ofEpochMilli(epochMs));
    }
}
