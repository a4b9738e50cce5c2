package io.switchboard.server.desk;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Rest;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.ServerConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One account's support desk: every rule of the contract for that account's groups, agents, guests and rooms, on one
 * thread. The gate hands in connection events and typed requests; the desk answers through its {@link Outbox} and keeps
 * time only through its {@link DeskClock}. Built with {@link #builder}.
 *
 * <p>Everything happens in turns ({@link #turn}): a door (a request, a connection event, a REST call, a timer) runs,
 * then the turn ends ({@link Turn#end}: assignment, queue positions, the rows for the journal, SSE events) and the
 * turn's listener lets what it said go. The parts: {@link Sessions} (who is who), {@link Requests} (what each request
 * does), {@link Assignment}, {@link Rooms}, {@link QueuePositions}, {@link Retention}, {@link ReservationFeed}, {@link
 * Fanout} (who hears what), {@link Views}; {@link DeskProbe} is what tools may read.
 */
public final class Desk {
    private static final Logger log = LoggerFactory.getLogger(Desk.class);

    /** The account and group of a guest who names none. */
    public static final String DEFAULT_ACCOUNT = "default";
    public static final String DEFAULT_GROUP = "default";
    /** Priority of guests who identify over WebSocket; only REST callers choose another. */
    public static final int WEBSOCKET_PRIORITY = Sessions.WEBSOCKET_PRIORITY;
    /** Close status for a connection whose session moved to another connection. */
    public static final int CLOSE_SESSION_MOVED = 4000;
    /** Close status for a connection that did not identify, log in or resume in time (policy violation). */
    public static final int CLOSE_NOT_IDENTIFIED = 1008;
    /** Close status when the desk goes away (dropped, or moved to another node): reconnect and resume. */
    public static final int CLOSE_DESK_MOVED = 1012;
    /** The queue-position API's limit counts calls in this window (contract §3.2: "a minute"). */
    static final long QUEUE_POSITION_WINDOW_MS = 60_000;
    private static final ServerMessage WELCOME = new ServerMessage.Welcome();

    /** What the desk does when a turn ends: let what the turn said go (the gate flushes its outbox). */
    public interface TurnEnd {
        TurnEnd NONE = changed -> { };

        /** {@code changed}: the turn handed changes to the journal, so what it said waits for them. */
        void ended(boolean changed);
    }

    final Account account;
    final Map<String, Reservation> reservations = new HashMap<>();
    private final ServerConfig.Timings timings;
    private final DeskClock clock;
    private final Ids ids;
    private final Thread owner;
    private final DeskMetrics metrics;
    private final Journal journal;
    private final TurnEnd turnEnd;
    private final CallLimiter queuePositionCalls;
    private final int sseStreamsPerReservation;
    final Fanout fanout;
    final Turn turn;
    final Rooms rooms;
    final Assignment assignment;
    final Views views;
    final Sessions sessions;
    private final QueuePositions positions;
    private final ReservationFeed feed;
    private final Retention retention;
    private final DeskProbe probe;
    private boolean dropped;

    private Desk(Builder builder) {
        ServerConfig config = builder.config;
        this.timings = config.timings();
        this.owner = Thread.currentThread();
        this.clock = new TurnClock(builder.clock);
        this.ids = builder.ids.forAccount(builder.account.id(), builder.generation);
        this.metrics = builder.metrics;
        this.journal = builder.journal;
        this.turnEnd = builder.turnEnd;
        this.account = Account.configured(config, builder.account);
        WaitEstimator estimator = builder.method.estimator;
        Dirty dirty = new Dirty(journal != Journal.NONE);
        this.fanout = new Fanout(builder.outbox);
        this.feed = new ReservationFeed(clock, estimator, dirty);
        this.positions = new QueuePositions(clock, fanout, estimator, feed, timings.queueposIntervalMs());
        this.turn = new Turn(account, fanout, positions, feed, dirty, journal);
        this.retention = new Retention(clock, reservations, timings.transcriptRetentionMs(),
                timings.unservedRetentionMs(), feed, dirty);
        this.rooms = new Rooms(clock, ids, fanout, retention, turn, metrics, dirty, journal,
                config.limits().transcriptTailMessages());
        this.assignment = new Assignment(account, clock, fanout, positions, rooms, retention, metrics, turn);
        turn.runs(assignment, rooms);
        this.views = new Views(account, clock);
        this.sessions = new Sessions(account, timings, clock, ids, fanout, rooms, assignment, positions, retention,
                turn, dirty, metrics, builder.limits, builder.handover, reservations, views);
        this.queuePositionCalls = new CallLimiter(clock::now, config.limits().queuePositionCallsPerMinute(),
                QUEUE_POSITION_WINDOW_MS);
        this.sseStreamsPerReservation = config.limits().sseStreamsPerReservation();
        this.probe = new DeskProbe(account, reservations, sessions, clock);
    }

    /** A desk for one account of the configuration; the calling thread becomes its thread. */
    public static Builder builder(ServerConfig config, ServerConfig.AccountConfig account, DeskClock clock,
                                  Outbox outbox) {
        return new Builder(config, account, clock, outbox);
    }

    /** How a desk is built; everything but the configuration, the account, the clock and the outbox is optional. */
    public static final class Builder {
        private final ServerConfig config;
        private final ServerConfig.AccountConfig account;
        private final DeskClock clock;
        private final Outbox outbox;
        private Ids ids = Ids.secure();
        private int generation;
        private DeskMetrics metrics = DeskMetrics.NONE;
        private EstimateMethod method = EstimateMethod.SWITCHBOARD;
        private Journal journal = Journal.NONE;
        private AddressLimits limits;
        private Handover handover = Handover.NONE;
        private TurnEnd turnEnd = TurnEnd.NONE;

        private Builder(ServerConfig config, ServerConfig.AccountConfig account, DeskClock clock, Outbox outbox) {
            this.config = config;
            this.account = account;
            this.clock = clock;
            this.outbox = outbox;
        }

        /** Where ids come from ({@link Ids#seeded} for a repeatable run), and which desk of the account this is. */
        public Builder ids(Ids value, int deskGeneration) {
            this.ids = value;
            this.generation = deskGeneration;
            return this;
        }

        public Builder metrics(DeskMetrics value) {
            this.metrics = value;
            return this;
        }

        /** The estimate waiting guests are told (the simulator compares the methods this way). */
        public Builder estimator(EstimateMethod value) {
            this.method = value;
            return this;
        }

        /** Where the desk's changes go to be kept; without one nothing is collected at all. */
        public Builder journal(Journal value) {
            this.journal = value;
            return this;
        }

        /** The per-address rules shared with other accounts' desks (each desk has its own otherwise). */
        public Builder limits(AddressLimits value) {
            this.limits = value;
            return this;
        }

        public Builder handover(Handover value) {
            this.handover = value;
            return this;
        }

        public Builder turnEnd(TurnEnd value) {
            this.turnEnd = value;
            return this;
        }

        public Desk build() {
            if (limits == null) {
                limits = new AddressLimits(clock::now, config.limits());
            }
            return new Desk(this);
        }
    }

    /** The account this desk is for. */
    public String accountId() {
        return account.id;
    }

    /** What tools may read of the desk. Desk thread only. */
    public DeskProbe probe() {
        checkThread();
        return probe;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Turns

    /**
     * Runs one turn: the door, then the end of the turn ({@link Turn#end}), then the turn's listener. Every door of
     * the desk runs inside one, and so does every timer (the desk's clock wraps them). Returns whether the turn
     * handed changes to the journal. Desk thread only.
     */
    public boolean turn(Runnable door) {
        checkThread();
        if (dropped) {
            return false;
        }
        boolean changed = false;
        try {
            door.run();
        } finally {
            try {
                changed = turn.end();
            } catch (RuntimeException e) {
                log.error("desk {}: ending a turn failed", account.id, e);
            }
            turnEnd.ended(changed);
        }
        return changed;
    }

    /** The desk's timers run as turns of their own, and not at all once the desk is dropped. */
    private final class TurnClock implements DeskClock {
        private final DeskClock base;

        TurnClock(DeskClock base) {
            this.base = base;
        }

        @Override
        public long now() {
            return base.now();
        }

        @Override
        public Cancellable schedule(long delayMs, Runnable task) {
            return base.schedule(delayMs, () -> turn(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("desk {}: a timer failed", account.id, e);
                }
            }));
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connections and requests

    /** A connection finished its WebSocket handshake on this desk: it is told {@code welcome}. Desk thread only. */
    public void onConnect(Connection connection) {
        adopt(connection, clock.now());
        fanout.send(connection, WELCOME);
    }

    /** A connection the gate brought here, connected at {@code connectedAt}. Desk thread only. */
    public void adopt(Connection connection, long connectedAt) {
        checkThread();
        sessions.adopt(connection, connectedAt);
    }

    /** A well-formed request arrived on a connection of this desk. Desk thread only. */
    public void onRequest(Connection connection, String ref, Request request) {
        checkThread();
        if (!sessions.connections.contains(connection)) {
            return;
        }
        try {
            if (!journal.accepting() && changesState(request)) {
                throw DeskException.storageUnavailable("storage is unavailable: the server cannot store changes "
                        + "now, so it takes none (try again shortly; reading works)");
            }
            request.accept(new Requests(this, connection, ref, sessions.of(connection)));
            if (!sessions.connections.contains(connection)) {
                return;
            }
            turn.settle();
            if (ref != null) {
                fanout.send(connection, new ServerMessage.Ack(ref));
            }
        } catch (DeskException e) {
            metrics.error(e.code());
            fanout.send(connection, new ServerMessage.ErrorReply(ref, e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            log.error("desk {}: request {} failed", account.id, request.getClass().getSimpleName(), e);
            metrics.error(ErrorCode.INTERNAL);
            fanout.send(connection, new ServerMessage.ErrorReply(ref, ErrorCode.INTERNAL, "internal error"));
        }
    }

    /**
     * Whether a request would change what is stored: refused at once while the journal cannot take changes. Reads
     * ({@code history}, {@code snapshot}), typing and {@code ping} change nothing and still answer.
     */
    private static boolean changesState(Request request) {
        if (request instanceof Request.Status status) {
            return status.of() == io.switchboard.protocol.StatusOf.AVAILABILITY;
        }
        return !(request instanceof Request.Ping || request instanceof Request.History
                || request instanceof Request.Snapshot);
    }

    /**
     * A request the transport could not accept (bad JSON, a broken field, a rate limit): answered with an error in its
     * turn, so it arrives after everything the connection's earlier requests caused. Desk thread only.
     */
    public void onRejected(Connection connection, String ref, ErrorCode code, String message) {
        checkThread();
        if (sessions.connections.contains(connection)) {
            metrics.error(code);
            if (code == ErrorCode.RATE_LIMITED) {
                metrics.rateLimited("websocket");
            }
            fanout.send(connection, new ServerMessage.ErrorReply(ref, code, message));
        }
    }

    /** A connection closed. Its session, if any, waits {@code resume_grace} for a resume. Desk thread only. */
    public void onDisconnect(Connection connection) {
        checkThread();
        sessions.disconnected(connection);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // REST and SSE (contract §3): the transport has authenticated the caller for the account

    /**
     * Creates a reservation for a trusted REST caller (contract §3.1) and queues it; its guest attaches later with
     * {@code identify {reservation}}. Desk thread only.
     *
     * @throws DeskException {@link DeskException#missing() missing} for an unknown group, {@code CONFLICT} when the
     *     external user already has a reservation that is not finished, unavailable when the queue is full or the
     *     journal takes nothing now
     */
    public Rest.GroupReservation createReservation(String groupName, String externalUserId, int priority,
                                                   Integer reserveForSeconds, Map<String, String> details) {
        checkThread();
        Group group = restGroup(account, groupName);
        requireStorage();
        Reservation existing = account.byExternalUser.get(externalUserId);
        if (existing != null && !existing.isFinished()) {
            throw new DeskException(ErrorCode.CONFLICT, "external_user_id: " + externalUserId
                    + " already has reservation " + existing.sid + " (" + existing.status().wire() + ")");
        }
        requireRoom(group, metrics);
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
    public Rest.GroupReservation reservation(String groupName, String sid) {
        checkThread();
        return feed.view(restReservation(groupName, sid));
    }

    /**
     * Cancels a reservation that is queued or matched: it leaves the queue, or its held agent is freed, or its open
     * room ends; then it is {@code CANCELED}. Desk thread only.
     *
     * @throws DeskException {@code CONFLICT} when it already has another outcome
     */
    public Rest.GroupReservation cancelReservation(String groupName, String sid) {
        checkThread();
        Reservation reservation = restReservation(groupName, sid);
        requireStorage();
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
    public Rest.QueuePosition queuePosition(String conversationId) {
        checkThread();
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
    public void watch(String groupName, String sid, long lastSeenVersion, ReservationWatcher watcher) {
        checkThread();
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
    public void unwatch(String sid, ReservationWatcher watcher) {
        checkThread();
        Reservation reservation = reservations.get(sid);
        if (reservation != null) {
            feed.unwatch(reservation, watcher);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Restart and drop

    /**
     * Takes back what was stored of this account, before the desk serves anything: queues in their order,
     * reservations with their status, rooms with their members and messages, agents' settings, sessions (resumable
     * for {@code resume_grace} from now, since nobody is connected yet), and the wait history. Timers are armed again
     * from the stored moments. Rows that name a group or agent the configuration no longer has are skipped with a
     * warning. Desk thread only.
     */
    public void restore(Stored.State state) {
        checkThread();
        new Restore(account, sessions, reservations, assignment, retention, rooms, clock, timings.resumeGraceMs())
                .apply(state);
    }

    /**
     * Lets the desk go (its account moves, or is restored anew from its rows): its connections are closed with 1012
     * so their clients reconnect and resume, and none of its timers runs again. Nothing stored changes. Desk thread
     * only.
     */
    public void drop() {
        checkThread();
        sessions.closeAll(CLOSE_DESK_MOVED, "this conversation moved: reconnect and resume");
        turnEnd.ended(false);
        dropped = true;
    }

    /** The ids this desk gives reservations, sessions and rooms start with this tag ({@link Ids#tagOf}). */
    public String tag() {
        return Ids.tag(account.id);
    }

    /**
     * Reservations and session digests of this desk whose ids carry no account tag (stored before tags): the gate
     * routes them by look-up. Desk thread only.
     */
    public List<String> untaggedIds() {
        checkThread();
        List<String> untagged = new java.util.ArrayList<>();
        for (String sid : reservations.keySet()) {
            if (Ids.tagOf(sid) == null) {
                untagged.add(sid);
            }
        }
        return untagged;
    }

    /** The digests of the tokens of this desk's resumable sessions (a restart's, whose tokens may have no tag). */
    public java.util.Set<String> sessionDigests() {
        checkThread();
        return java.util.Set.copyOf(sessions.byDigest.keySet());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Look-ups that answer with the contract's errors

    private void requireStorage() {
        if (!journal.accepting()) {
            throw DeskException.storageUnavailable("storage is unavailable: the server cannot store changes now, so "
                    + "it takes none (try again shortly; reading works)");
        }
    }

    /** Refuses a new guest in a group whose queue is full ({@code max_queue_length}). */
    static void requireRoom(Group group, DeskMetrics metrics) {
        if (group.queue.size() >= group.maxQueueLength) {
            metrics.rateLimited("queue_full");
            throw DeskException.queueFull("group " + group.name + ": the queue is full (" + group.queue.size()
                    + " waiting, at most " + group.maxQueueLength + "); try again later");
        }
    }

    static Group group(Account account, String name) {
        String groupName = name == null ? DEFAULT_GROUP : name;
        Group group = account.groups.get(groupName);
        if (group == null) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "group: " + groupName + " (expected: one of "
                    + account.groups.keySet() + ")");
        }
        return group;
    }

    static Agent agent(Account account, String user) {
        Agent agent = account.agents.get(user);
        if (agent == null) {
            throw new DeskException(ErrorCode.UNKNOWN_AGENT, "agent: " + user + " (expected: an agent of this account)");
        }
        return agent;
    }

    static Group restGroup(Account account, String groupName) {
        Group group = account.groups.get(groupName);
        if (group == null) {
            throw DeskException.missing("group: " + groupName + " (expected: a group of account " + account.id + ")");
        }
        return group;
    }

    private Reservation restReservation(String groupName, String sid) {
        Group group = restGroup(account, groupName);
        Reservation reservation = reservations.get(sid);
        if (reservation == null || reservation.group != group) {
            throw DeskException.missing("reservation: " + sid + " (expected: a reservation of group " + groupName
                    + ")");
        }
        return reservation;
    }

    /** A room's whole transcript (tests: a restored room reads its transcript as history would). Desk thread only. */
    List<ServerMessage.Message> transcript(Room room) {
        return rooms.transcript(room);
    }

    private void checkThread() {
        assert Thread.currentThread() == owner : "desk " + account.id + " called from "
                + Thread.currentThread().getName() + ", its thread is " + owner.getName();
    }
}
