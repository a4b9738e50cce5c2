package io.switchboard.server.desk;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Rest;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.ServerConfig;
import java.util.List;
import java.util.Map;

/**
 * The REST and SSE side of a desk (contract §3): group reservations made, read and canceled by a trusted caller, the
 * queue-position API with its per-conversation limit, and the streams that follow a reservation. The transport has
 * authenticated the caller for the account. Desk thread only.
 */
final class RestCalls {
    /** The queue-position API's limit counts calls in this window (contract §3.2: "a minute"). */
    static final long QUEUE_POSITION_WINDOW_MS = 60_000;

    private final Account account;
    private final Map<String, Reservation> reservations;
    private final ServerConfig.Timings timings;
    private final Ids ids;
    private final DeskMetrics metrics;
    private final Journal journal;
    private final Turn turn;
    private final Fanout fanout;
    private final Assignment assignment;
    private final Rooms rooms;
    private final Retention retention;
    private final QueuePositions positions;
    private final ReservationFeed feed;
    private final CallLimiter queuePositionCalls;
    private final int sseStreamsPerReservation;
    private final DeskClock clock;
    private final boolean email;
    private final String pushKey;

    RestCalls(Desk desk, ServerConfig config, DeskClock clock, Ids ids, DeskMetrics metrics, Journal journal,
              Retention retention, QueuePositions positions, ReservationFeed feed) {
        this.account = desk.account;
        this.reservations = desk.reservations;
        this.timings = config.timings();
        this.ids = ids;
        this.metrics = metrics;
        this.journal = journal;
        this.turn = desk.turn;
        this.fanout = desk.fanout;
        this.assignment = desk.assignment;
        this.rooms = desk.rooms;
        this.retention = retention;
        this.positions = positions;
        this.feed = feed;
        this.queuePositionCalls = new CallLimiter(clock::now, config.limits().queuePositionCallsPerMinute(),
                QUEUE_POSITION_WINDOW_MS);
        this.sseStreamsPerReservation = config.limits().sseStreamsPerReservation();
        this.clock = clock;
        this.email = config.email();
        this.pushKey = config.push() == null ? null : config.push().publicKey();
    }

    /**
     * What the widget shows before a guest types anything: {@code closed} outside the group's hours (with when it
     * opens), {@code offline} when no agent of the group is signed in and available, {@code busy} when a new guest's
     * estimate passes {@code busy_after_seconds}, else {@code open}; the estimate a guest joining now would be told
     * (null when closed or offline: nobody would answer).
     */
    Rest.WidgetState widget(String groupName) {
        Group group = account.restGroup(groupName);
        long now = clock.now();
        if (!group.openAt(now)) {
            java.time.Instant next = group.hours.nextOpen(java.time.Instant.ofEpochMilli(now));
            return new Rest.WidgetState("closed", next == null ? null : next.toString(), null, email, pushKey);
        }
        if (!group.staffed()) {
            return new Rest.WidgetState("offline", null, null, email, pushKey);
        }
        Long estimate = newcomerEstimate(group, now);
        String state = estimate != null && estimate > group.busyAfterSeconds ? "busy" : "open";
        return new Rest.WidgetState(state, null, estimate, email, pushKey);
    }

    /** How long a newcomer's estimate is reused: every widget of a busy site asks, a whole queue's sweep is not free. */
    static final long WIDGET_ESTIMATE_MS = 1_000;
    private final Map<Group, long[]> newcomerEstimates = new java.util.HashMap<>();

    /** The estimate a guest joining the group now would be told, computed at most once a second per group. */
    private Long newcomerEstimate(Group group, long now) {
        long[] cached = newcomerEstimates.get(group);
        if (cached == null || now - cached[0] >= WIDGET_ESTIMATE_MS || now < cached[0]) {
            Long estimate = positions.estimateSeconds(group, group.queue.size());
            cached = new long[] {now, estimate == null ? Long.MIN_VALUE : estimate};
            newcomerEstimates.put(group, cached);
        }
        return cached[1] == Long.MIN_VALUE ? null : cached[1];
    }

    /**
     * Creates a reservation for a trusted REST caller (contract §3.1) and queues it; its guest attaches later with
     * {@code identify {reservation}}. Desk thread only.
     *
     * @throws DeskException {@link DeskException#missing() missing} for an unknown group, {@code CONFLICT} when the
     *     external user already has a reservation that is not finished, unavailable when the queue is full or the
     *     journal takes nothing now
     */
    Rest.GroupReservation createReservation(String groupName, String externalUserId, int priority,
                                                   Integer reserveForSeconds, Map<String, String> details) {
        Group group = account.restGroup(groupName);
        Desk.requireStorage(journal);
        Reservation existing = account.byExternalUser.get(externalUserId);
        if (existing != null && !existing.isFinished()) {
            throw new DeskException(ErrorCode.CONFLICT, "external_user_id: " + externalUserId
                    + " already has reservation " + existing.sid + " (" + existing.status().wire() + ")");
        }
        Desk.requireRoom(group, metrics);
        int holdSeconds = reserveForSeconds == null ? timings.reserveForSeconds() : reserveForSeconds;
        Reservation reservation = new Reservation(ids.next("rsv_"), group, externalUserId, null, details,
                externalUserId, priority, holdSeconds);
        reservations.put(reservation.sid, reservation);
        account.byExternalUser.put(externalUserId, reservation);
        assignment.enqueueNew(reservation);
        turn.settle();
        return feed.view(reservation);
    }

    /** The group reservation object of a reservation of the group. Desk thread only. */
    Rest.GroupReservation reservation(String groupName, String sid) {
        return feed.view(restReservation(groupName, sid));
    }

    /**
     * Cancels a reservation that is queued or matched: it leaves the queue, or its held agent is freed, or its open
     * room ends; then it is {@code CANCELED}. Desk thread only.
     *
     * @throws DeskException {@code CONFLICT} when it already has another outcome
     */
    Rest.GroupReservation cancelReservation(String groupName, String sid) {
        Reservation reservation = restReservation(groupName, sid);
        Desk.requireStorage(journal);
        if (reservation.isFinished()) {
            throw new DeskException(ErrorCode.CONFLICT, "reservation: " + reservation.status().wire()
                    + (reservation.room != null ? " and its room has ended" : "") + " (expected: QUEUED or MATCHED)");
        }
        if (reservation.isWaiting()) {
            assignment.leaveQueue(reservation, ReservationStatus.CANCELED);
        } else if (reservation.room != null) {
            rooms.close(reservation.room, EndReason.ENDED, null);
            reservation.finish(turn, ReservationStatus.CANCELED);
        } else {
            Agent agent = reservation.matchedAgent;
            assignment.release(reservation);
            reservation.finish(turn, ReservationStatus.CANCELED);
            retention.forgetUnserved(reservation);
            turn.capacityChanged(agent);
        }
        ServerMessage.Update canceled = new ServerMessage.Update(List.of(reservation.user), UpdateDetails.CANCELED);
        fanout.toAgents(account, canceled);
        fanout.send(reservation.session, canceled);
        turn.settle();
        return feed.view(reservation);
    }

    /**
     * The queue-position API (contract §3.2): 1-based place and seconds, or 0/0 when not queued; at most {@code
     * queue_position_calls_per_minute} calls per conversation. Desk thread only.
     *
     * @throws DeskException {@link DeskException#missing() missing} for an unknown conversation; {@code
     *     RATE_LIMITED} with {@link DeskException#retryAfterSeconds()} past the limit
     */
    Rest.QueuePosition queuePosition(String conversationId) {
        Reservation reservation = reservations.get(conversationId);
        if (reservation == null) {
            throw DeskException.missing("conversation: " + conversationId + " (expected: a reservation sid of "
                    + "account " + account.id + ")");
        }
        long retryAfter = queuePositionCalls.acquire(conversationId);
        if (retryAfter > 0) {
            metrics.rateLimited("queue_position");
            throw DeskException.rateLimited("conversation " + conversationId + ": more than "
                    + queuePositionCalls.limit() + " calls a minute (retry after " + retryAfter + " s)", retryAfter);
        }
        if (!reservation.isWaiting()) {
            return new Rest.QueuePosition(0, 0L);
        }
        int position = reservation.group.positionOf(reservation);
        return new Rest.QueuePosition(position + 1, positions.estimateSeconds(reservation.group, position));
    }

    /**
     * Follows a reservation of a group (an SSE stream): the watcher is told {@code opened}, then the current state
     * unless {@code lastSeenVersion} is its version, then every change. Desk thread only.
     *
     * @throws DeskException {@link DeskException#missing() missing} when the group has no such reservation; {@code
     *     rate_limited} past {@code sse_streams_per_reservation}
     */
    void watch(String groupName, String sid, long lastSeenVersion, ReservationWatcher watcher) {
        Reservation reservation = reservations.get(sid);
        if (reservation == null || !reservation.group.name.equals(groupName)) {
            throw DeskException.missing("reservation: " + sid + " (expected: a reservation of group " + groupName
                    + ")");
        }
        if (reservation.watchers.size() >= sseStreamsPerReservation) {
            metrics.rateLimited("sse_streams");
            throw DeskException.rateLimited("reservation " + sid + ": " + sseStreamsPerReservation + " event "
                    + "streams follow it already (at most " + sseStreamsPerReservation + ")", 1);
        }
        feed.watch(reservation, lastSeenVersion, watcher);
    }

    /** Stops a watcher (its stream closed); nothing happens if it is not watching. Desk thread only. */
    void unwatch(String sid, ReservationWatcher watcher) {
        Reservation reservation = reservations.get(sid);
        if (reservation != null) {
            feed.unwatch(reservation, watcher);
        }
    }

    private Reservation restReservation(String groupName, String sid) {
        Group group = account.restGroup(groupName);
        Reservation reservation = reservations.get(sid);
        if (reservation == null || reservation.group != group) {
            throw DeskException.missing("reservation: " + sid + " (expected: a reservation of group " + groupName
                    + ")");
        }
        return reservation;
    }
}
