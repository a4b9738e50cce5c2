package io.switchboard.server.desk;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Rest;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.Secrets;
import io.switchboard.server.config.ServerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The support desk: every rule of the contract, on one thread. The transport hands in connection events and typed
 * requests; the desk answers through the {@link Outbox}, and keeps time only through its {@link DeskClock}.
 *
 * <p>Each entry point runs to completion: it checks everything a request needs before it changes anything (so a
 * refused request has no effect), applies the request, runs assignment where the outcome may have changed, and at the
 * end tells waiting guests of their new places (coalesced per {@code queuepos_interval}). The parts: {@link Fanout}
 * (who hears what), {@link Assignment} (queues and matching), {@link Rooms}, {@link QueuePositions}, {@link
 * Retention}; this class owns sessions and dispatches requests.
 */
public final class Desk {
    private static final Logger log = LoggerFactory.getLogger(Desk.class);

    /** Priority of guests who identify over WebSocket; only REST callers choose another. */
    public static final int WEBSOCKET_PRIORITY = 1;
    /** Close status for a connection whose session moved to another connection. */
    public static final int CLOSE_SESSION_MOVED = 4000;
    /** The queue-position API's limit counts calls in this window (contract §3.2: "a minute"). */
    static final long QUEUE_POSITION_WINDOW_MS = 60_000;
    /** {@code identifies_per_address_per_minute} counts new guests in this window. */
    static final long NEW_GUESTS_WINDOW_MS = 60_000;
    /** Close status for a connection that did not identify, log in or resume in time (policy violation). */
    public static final int CLOSE_NOT_IDENTIFIED = 1008;
    /** Who a failed attach counts against in the sign-in throttle (no agent has this name: names have no newline). */
    private static final String ATTACH = "\nreservation";

    private static final ServerMessage WELCOME = new ServerMessage.Welcome();
    private static final ServerMessage PONG = new ServerMessage.Pong();

    private final ServerConfig.Timings timings;
    private final DeskClock clock;
    private final Ids ids;
    private final Thread owner;
    private final Fanout fanout;
    private final QueuePositions positions;
    private final Rooms rooms;
    private final Assignment assignment;
    private final ReservationFeed feed;
    private final Retention retention;
    private final CallLimiter queuePositionCalls;
    private final DeskMetrics metrics;
    private final Journal journal;
    private final Dirty dirty;

    final Map<String, Account> accounts = new LinkedHashMap<>();
    private final List<Agent> allAgents = new ArrayList<>();
    private final SignInThrottle failedSignIns;
    private final CallLimiter newGuests;
    private final ServerConfig config;
    /** Resumable sessions by the digest of their token (and of the token before it, while it still works). */
    final Map<String, Session> sessions = new HashMap<>();
    private final Map<Connection, Session> sessionsByConnection = new HashMap<>();
    private final Set<Connection> connections = new HashSet<>();
    final Map<String, Reservation> reservations = new HashMap<>();

    /** Builds the desk on the calling thread, which becomes the desk thread. */
    public Desk(ServerConfig config, DeskClock clock, Outbox outbox, Ids ids) {
        this(config, clock, outbox, ids, DeskMetrics.NONE);
    }

    /** Builds the desk on the calling thread, which becomes the desk thread; it reports to {@code metrics}. */
    public Desk(ServerConfig config, DeskClock clock, Outbox outbox, Ids ids, DeskMetrics metrics) {
        this(config, clock, outbox, ids, metrics, EstimateMethod.SWITCHBOARD);
    }

    /**
     * Builds the desk on the calling thread, which becomes the desk thread; it reports to {@code metrics} and tells
     * waiting guests the estimate of {@code method} (the simulator compares the methods this way).
     */
    public Desk(ServerConfig config, DeskClock clock, Outbox outbox, Ids ids, DeskMetrics metrics,
                EstimateMethod method) {
        this(config, clock, outbox, ids, metrics, method, Journal.NONE);
    }

    /**
     * Builds the desk on the calling thread, which becomes the desk thread; at the end of every turn that changed what
     * must survive a restart, it hands the changes to {@code journal}.
     */
    public Desk(ServerConfig config, DeskClock clock, Outbox outbox, Ids ids, DeskMetrics metrics,
                EstimateMethod method, Journal journal) {
        WaitEstimator estimator = method.estimator;
        this.config = config;
        this.journal = journal;
        this.dirty = new Dirty(journal != Journal.NONE);
        this.timings = config.timings();
        this.ids = ids;
        this.metrics = metrics;
        this.owner = Thread.currentThread();
        this.clock = new GuardedClock(clock);
        this.fanout = new Fanout(outbox);
        this.feed = new ReservationFeed(this.clock, estimator, dirty);
        this.positions = new QueuePositions(this.clock, fanout, estimator, feed, timings.queueposIntervalMs());
        fanout.onAgentChanged(agent -> {
            positions.agentChanged(agent);
            dirty.agent(agent);
        });
        this.retention = new Retention(this.clock, reservations, timings.transcriptRetentionMs(),
                timings.unservedRetentionMs(), feed, dirty);
        this.rooms = new Rooms(this.clock, ids, fanout, retention, feed, metrics, dirty, journal,
                config.limits().transcriptTailMessages());
        this.assignment = new Assignment(this.clock, fanout, positions, rooms, retention, feed, metrics, dirty);
        this.queuePositionCalls = new CallLimiter(this.clock::now, config.limits().queuePositionCallsPerMinute(),
                QUEUE_POSITION_WINDOW_MS);
        this.failedSignIns = new SignInThrottle(this.clock, config.limits().failedLoginsPerMinute());
        this.newGuests = new CallLimiter(this.clock::now, config.limits().identifiesPerAddressPerMinute(),
                NEW_GUESTS_WINDOW_MS);
        for (ServerConfig.AccountConfig accountConfig : config.accounts()) {
            addAccount(accountConfig);
        }
    }

    private void addAccount(ServerConfig.AccountConfig config) {
        Account account = new Account(config.id());
        accounts.put(account.id, account);
        for (ServerConfig.GroupConfig groupConfig : config.groups()) {
            account.groups.put(groupConfig.name(), new Group(account, groupConfig.name(), groupConfig.routing(),
                    this.config.maxQueueLength(groupConfig)));
        }
        for (ServerConfig.AgentConfig agentConfig : config.agents()) {
            byte[] digest = Secrets.digest(agentConfig.token());
            Agent agent = new Agent(account, agentConfig.user(), agentConfig.supervisor(), agentConfig.limit());
            account.agents.put(agent.user, agent);
            account.agentNames.add(Names.fold(agent.user));
            agent.tokenDigest = digest;
            allAgents.add(agent);
            List<String> groupNames = agentConfig.groups() == null
                    ? List.copyOf(account.groups.keySet()) : agentConfig.groups();
            for (String groupName : groupNames) {
                Group group = account.groups.get(groupName);
                agent.groups.add(group);
                group.agents.add(agent);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Restart

    /**
     * Takes back what was stored before a restart, before the desk serves anything: queues in their order, reservations
     * with their status, rooms with their members and messages, agents' settings, sessions (resumable for {@code
     * resume_grace} from now, since nobody is connected yet), and the wait history. Timers are armed again from the
     * stored moments: holds at {@code reserved_until}, retention at its time. Rows that name an account, group or
     * agent the configuration no longer has are skipped with a warning. A reservation's version jumps past anything an
     * SSE client may have seen (versions that only counted queue moves are not stored). Desk thread only.
     */
    public void restore(Stored.State state) {
        checkThread();
        new Restore(accounts, sessions, reservations, assignment, retention, rooms, clock, timings.resumeGraceMs(),
                this::onGraceOver).apply(state);
    }

    /** A room's messages (tests: a restored room reads its transcript as history would). Desk thread only. */
    List<ServerMessage.Message> transcript(Room room) {
        return rooms.transcript(room);
    }


    // ---------------------------------------------------------------------------------------------------------------
    // Entry points

    /**
     * A connection finished its WebSocket handshake: it is told {@code welcome}, and closed (1008) if it has not
     * identified, logged in or resumed within {@code identify_deadline_ms}. Desk thread only.
     */
    public void onConnect(Connection connection) {
        checkThread();
        connections.add(connection);
        fanout.send(connection, WELCOME);
        clock.schedule(timings.identifyDeadlineMs(), () -> {
            if (connections.contains(connection) && !sessionsByConnection.containsKey(connection)) {
                connections.remove(connection);
                fanout.close(connection, CLOSE_NOT_IDENTIFIED, "not identified within "
                        + timings.identifyDeadlineMs() / 1000 + " s");
            }
        });
    }

    /** A well-formed request arrived on a connection. Desk thread only. */
    public void onRequest(Connection connection, String ref, Request request) {
        checkThread();
        if (!connections.contains(connection)) {
            return;
        }
        try {
            if (!journal.accepting() && changesState(request)) {
                throw DeskException.storageUnavailable("storage is unavailable: the server cannot store changes "
                        + "now, so it takes none (try again shortly; reading works)");
            }
            handle(connection, request);
            if (ref != null) {
                fanout.send(connection, new ServerMessage.Ack(ref));
            }
        } catch (DeskException e) {
            metrics.error(e.code());
            fanout.send(connection, new ServerMessage.ErrorReply(ref, e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            log.error("request {} failed on the desk", request.getClass().getSimpleName(), e);
            metrics.error(ErrorCode.INTERNAL);
            fanout.send(connection, new ServerMessage.ErrorReply(ref, ErrorCode.INTERNAL, "internal error"));
        } finally {
            endTurn();
        }
    }

    /**
     * A request the transport could not accept (bad JSON, a broken field, a rate limit): answered with an error in its
     * turn, so it arrives after everything the connection's earlier requests caused. Desk thread only.
     */
    public void onRejected(Connection connection, String ref, ErrorCode code, String message) {
        checkThread();
        if (connections.contains(connection)) {
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
        connections.remove(connection);
        Session session = sessionsByConnection.remove(connection);
        if (session == null || session.connection != connection) {
            return;
        }
        StatusIs before = session.agent != null ? session.agent.visibleAvailability() : null;
        session.connection = null;
        session.graceTimer = clock.schedule(timings.resumeGraceMs(), () -> onGraceOver(session));
        if (session.isGuest()) {
            Room room = session.reservation.room;
            if (room != null && room.open) {
                fanout.toRoomExcept(room, session, Fanout.presence(room, session, StatusIs.AWAY));
            }
        } else {
            fanout.announceToAgentsIfChanged(session.agent, before);
            fanout.roomPresence(session.agent, StatusIs.AWAY);
            fanout.refreshFree(session.agent);
        }
        endTurn();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // REST and SSE (contract §3): the transport has authenticated the caller for the account

    /**
     * Creates a reservation for a trusted REST caller (contract §3.1) and queues it; its guest attaches later with
     * {@code identify {reservation}}. Desk thread only.
     *
     * @throws DeskException {@link DeskException#missing() missing} for an unknown group, {@code CONFLICT} when the
     *     external user already has a reservation that is queued, or matched with its room still open or not yet
     *     opened
     */
    public Rest.GroupReservation createReservation(String accountId, String groupName, String externalUserId,
                                                   int priority, Integer reserveForSeconds,
                                                   Map<String, String> details) {
        checkThread();
        try {
            Group group = restGroup(accountId, groupName);
            Account account = group.account;
            requireStorage();
            Reservation existing = account.byExternalUser.get(externalUserId);
            if (existing != null && !existing.isFinished()) {
                throw new DeskException(ErrorCode.CONFLICT, "external_user_id: " + externalUserId
                        + " already has reservation " + existing.sid + " (" + existing.status.wire() + ")");
            }
            requireRoom(group);
            int holdSeconds = reserveForSeconds == null ? timings.reserveForSeconds() : reserveForSeconds;
            Reservation reservation = new Reservation(ids.next("rsv_"), group, externalUserId, null, details,
                    externalUserId, priority, holdSeconds);
            reservations.put(reservation.sid, reservation);
            account.byExternalUser.put(externalUserId, reservation);
            assignment.enqueueNew(reservation);
            assignment.assignWhereFree(account);
            return feed.view(reservation);
        } finally {
            endTurn();
        }
    }

    /** The group reservation object of a reservation of the account and group. Desk thread only. */
    public Rest.GroupReservation reservation(String accountId, String groupName, String sid) {
        checkThread();
        return feed.view(restReservation(accountId, groupName, sid));
    }

    /**
     * Cancels a reservation that is queued or matched: it leaves the queue, or its held agent is freed, or its open
     * room ends; then it is {@code CANCELED}. Desk thread only.
     *
     * @throws DeskException {@code CONFLICT} when it already has another outcome
     */
    public Rest.GroupReservation cancelReservation(String accountId, String groupName, String sid) {
        checkThread();
        try {
            Reservation reservation = restReservation(accountId, groupName, sid);
            requireStorage();
            if (reservation.isFinished()) {
                throw new DeskException(ErrorCode.CONFLICT, "reservation: " + reservation.status.wire()
                        + (reservation.room != null ? " and its room has ended" : "")
                        + " (expected: QUEUED or MATCHED)");
            }
            Account account = reservation.account;
            if (reservation.isWaiting()) {
                assignment.leaveQueue(reservation, ReservationStatus.CANCELED);
            } else if (reservation.room != null) {
                rooms.close(reservation.room, EndReason.ENDED, null);
                reservation.status = ReservationStatus.CANCELED;
                feed.changed(reservation);
            } else {
                Agent agent = reservation.matchedAgent;
                assignment.release(reservation);
                reservation.status = ReservationStatus.CANCELED;
                feed.changed(reservation);
                retention.forgetUnserved(reservation);
                fanout.refreshFree(agent);
            }
            ServerMessage.Update canceled = new ServerMessage.Update(List.of(reservation.user),
                    UpdateDetails.CANCELED);
            fanout.toAgents(account, canceled);
            fanout.send(reservation.session, canceled);
            assignment.assignWhereFree(account);
            return feed.view(reservation);
        } finally {
            endTurn();
        }
    }

    /**
     * The queue-position API (contract §3.2): 1-based place and seconds, or 0/0 when not queued; at most {@code
     * queue_position_calls_per_minute} calls per account and conversation. Desk thread only.
     *
     * @throws DeskException {@link DeskException#missing() missing} for an unknown conversation; {@code
     *     RATE_LIMITED} with {@link DeskException#retryAfterSeconds()} past the limit
     */
    public Rest.QueuePosition queuePosition(String accountId, String conversationId) {
        checkThread();
        Reservation reservation = reservations.get(conversationId);
        if (reservation == null || !reservation.account.id.equals(accountId)) {
            throw DeskException.missing("conversation: " + conversationId + " (expected: a reservation sid of "
                    + "account " + accountId + ")");
        }
        long retryAfter = queuePositionCalls.acquire(accountId + '\n' + conversationId);
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
     * @throws DeskException {@link DeskException#missing() missing} when the group has no such reservation
     */
    public void watch(String groupName, String sid, long lastSeenVersion, ReservationWatcher watcher) {
        checkThread();
        Reservation reservation = reservations.get(sid);
        if (reservation == null || !reservation.group.name.equals(groupName)) {
            throw DeskException.missing("reservation: " + sid + " (expected: a reservation of group " + groupName
                    + ")");
        }
        int limit = config.limits().sseStreamsPerReservation();
        if (reservation.watchers.size() >= limit) {
            metrics.rateLimited("sse_streams");
            throw DeskException.rateLimited("reservation " + sid + ": " + limit + " event streams follow it "
                    + "already (at most " + limit + ")", 1);
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

    /**
     * What {@code method} estimates now for a waiting guest, in seconds; null when it has no basis, or when the
     * reservation is unknown or not waiting. Changes nothing (the simulator asks every method at every {@code
     * queuepos}). Desk thread only.
     */
    public Long estimate(String sid, EstimateMethod method) {
        checkThread();
        Reservation reservation = reservations.get(sid);
        if (reservation == null || !reservation.isWaiting()) {
            return null;
        }
        Group group = reservation.group;
        return method.estimator.prepare(group, clock.now()).seconds(group.positionOf(reservation));
    }

    /**
     * Every waiting guest's estimate in a group, in queue order: one recomputation of the whole queue, as after a
     * change (the micro-benchmark times this). Desk thread only.
     */
    public Long[] estimateQueue(String accountId, String groupName, EstimateMethod method) {
        checkThread();
        Group group = restGroup(accountId, groupName);
        WaitEstimator.Estimates estimates = method.estimator.prepare(group, clock.now());
        Long[] all = new Long[group.queue.size()];
        for (int i = 0; i < all.length; i++) {
            all[i] = estimates.seconds(i);
        }
        return all;
    }

    /** Reports the state behind the gauges (queues, connections) to the desk's metrics. Desk thread only. */
    public void reportGauges() {
        checkThread();
        long now = clock.now();
        for (Account account : accounts.values()) {
            for (Group group : account.groups.values()) {
                long oldest = 0;
                for (Reservation reservation : group.queue) {
                    oldest = Math.max(oldest, now - reservation.enqueuedAt);
                }
                metrics.queue(account.id, group.name, group.queue.size(), oldest);
            }
        }
        Map<Role, Integer> byRole = new java.util.EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            byRole.put(role, 0);
        }
        for (Session session : sessionsByConnection.values()) {
            byRole.merge(session.role, 1, Integer::sum);
        }
        byRole.forEach(metrics::connections);
        metrics.connections(null, connections.size() - sessionsByConnection.size());
    }

    private Group restGroup(String accountId, String groupName) {
        Account account = accounts.get(accountId);
        Group group = account == null ? null : account.groups.get(groupName);
        if (group == null) {
            throw DeskException.missing("group: " + groupName + " (expected: a group of account " + accountId + ")");
        }
        return group;
    }

    private Reservation restReservation(String accountId, String groupName, String sid) {
        Group group = restGroup(accountId, groupName);
        Reservation reservation = reservations.get(sid);
        if (reservation == null || reservation.group != group) {
            throw DeskException.missing("reservation: " + sid + " (expected: a reservation of group " + groupName
                    + ")");
        }
        return reservation;
    }

    /**
     * The end of every entry point: waiting guests and SSE streams are told what changed, and what must survive a
     * restart goes to the journal.
     */
    private void endTurn() {
        positions.publishChanged();
        Stored.Changes changes = dirty.collect();
        if (changes != null) {
            rooms.written(journal.write(changes));
        }
        rooms.offloadDurable();
        feed.flush();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Requests

    /**
     * Whether a request would change what is stored: refused at once while the journal cannot take changes. Reads
     * ({@code history}, {@code snapshot}), typing and {@code ping} change nothing and still answer.
     */
    private static boolean changesState(Request request) {
        if (request instanceof Request.Status status) {
            return status.of() == StatusOf.AVAILABILITY;
        }
        return !(request instanceof Request.Ping || request instanceof Request.History
                || request instanceof Request.Snapshot);
    }

    /** Refuses a REST change while the journal cannot take changes (HTTP 503). */
    private void requireStorage() {
        if (!journal.accepting()) {
            throw DeskException.storageUnavailable("storage is unavailable: the server cannot store changes now, so "
                    + "it takes none (try again shortly; reading works)");
        }
    }

    /** Refuses a new guest in a group whose queue is full ({@code max_queue_length}). */
    private void requireRoom(Group group) {
        if (group.queue.size() >= group.maxQueueLength) {
            metrics.rateLimited("queue_full");
            throw DeskException.queueFull("group " + group.name + ": the queue is full (" + group.queue.size()
                    + " waiting, at most " + group.maxQueueLength + "); try again later");
        }
    }

    private void handle(Connection connection, Request request) {
        Session session = sessionsByConnection.get(connection);
        if (request instanceof Request.Ping) {
            confirmToken(session);
            fanout.send(connection, PONG);
            return;
        }
        if (request instanceof Request.Identify identify) {
            requireAnonymous(session);
            identify(connection, identify);
            return;
        }
        if (request instanceof Request.Login login) {
            requireAnonymous(session);
            login(connection, login);
            return;
        }
        if (request instanceof Request.Resume resume) {
            requireAnonymous(session);
            resume(connection, resume);
            return;
        }
        if (session == null) {
            throw new DeskException(ErrorCode.NOT_IDENTIFIED,
                    "connection: not identified (expected: identify, login or resume first)");
        }
        confirmToken(session);
        handleIdentified(session, request);
    }

    private void handleIdentified(Session session, Request request) {
        Account account = session.account;
        if (request instanceof Request.Status status) {
            status(session, status);
        } else if (request instanceof Request.Message message) {
            rooms.message(session, message);
        } else if (request instanceof Request.History history) {
            rooms.history(session, history);
        } else if (request instanceof Request.Cancel) {
            cancel(session);
        } else if (request instanceof Request.End end) {
            rooms.end(session, end);
            assignment.assignWhereFree(account);
        } else if (request instanceof Request.Assist assist) {
            assist(requireAgent(session), assist);
        } else if (request instanceof Request.Transfer transfer) {
            Agent requester = requireAgent(session);
            rooms.transfer(requester, Rooms.openRoom(account, transfer.room()), agent(account, transfer.agent()));
            assignment.assignWhereFree(account);
        } else if (request instanceof Request.Join join) {
            rooms.join(requireSupervisor(session), Rooms.openRoom(account, join.room()));
        } else if (request instanceof Request.Leave leave) {
            rooms.leave(requireSupervisor(session), Rooms.openRoom(account, leave.room()));
        } else if (request instanceof Request.Limit limit) {
            limit(requireAgent(session), limit);
        } else if (request instanceof Request.Snapshot) {
            fanout.send(session, snapshot(requireAgent(session).account));
        } else {
            throw new IllegalStateException("no handler for " + request.getClass().getName());
        }
    }

    /**
     * A request on a session's connection shows its client holds the token it was last given: the one before it stops
     * working.
     */
    private void confirmToken(Session session) {
        if (session != null && session.previousDigest != null) {
            sessions.remove(session.previousDigest, session);
            session.previousDigest = null;
            dirty.session(session);
        }
    }

    private void identify(Connection connection, Request.Identify request) {
        if (request.reservation() != null) {
            attach(connection, request);
            return;
        }
        Account account = account(request.account());
        Group group = group(account, request.group());
        requireGuestName(account, request.user());
        requireRoom(group);
        String source = connection.source();
        if (source != null) {
            long retryAfter = newGuests.acquire(source);
            if (retryAfter > 0) {
                metrics.rateLimited("identify");
                throw DeskException.rateLimited("identify: more than " + newGuests.limit() + " new conversations a "
                        + "minute from your address; try again in " + retryAfter + " s", retryAfter);
            }
        }
        Reservation reservation = new Reservation(ids.next("rsv_"), group, request.user(), request.question(),
                request.details(), null, WEBSOCKET_PRIORITY, timings.reserveForSeconds());
        reservations.put(reservation.sid, reservation);
        String token = ids.next("ses_");
        Session session = new Session(Role.GUEST, account, null, reservation, Secrets.digestText(token));
        reservation.session = session;
        bind(session, connection);
        fanout.send(session, identified(session, token));
        assignment.enqueueNew(reservation);
        assignment.assignWhereFree(account);
    }

    /** A guest's name may not pass for one of the account's agents (compared as it looks: {@link Names#fold}). */
    private static void requireGuestName(Account account, String user) {
        if (user != null && account.agentNames.contains(Names.fold(user))) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "user: " + user + " is the name of an agent here "
                    + "(expected: your own name)");
        }
    }

    /**
     * A guest's connection attaches to a reservation made over REST that no session holds yet: this is the guest's
     * first connection, and they get their session here. A reservation that has one (its guest attached before, even
     * if they dropped since) is taken back only with {@code resume}: the sid travels in URLs and logs, the session
     * token does not. Failures count as failed sign-ins of the address; a valid attach is never refused for them.
     */
    private void attach(Connection connection, Request.Identify request) {
        String source = connection.source();
        try {
            attachChecked(connection, request);
            failedSignIns.succeeded(source, ATTACH);
        } catch (DeskException e) {
            long retryAfter = failedSignIn(source, ATTACH);
            if (retryAfter > 0) {
                throw DeskException.rateLimited("identify: too many reservations from your address could not be "
                        + "attached; try again in " + retryAfter + " s", retryAfter);
            }
            throw e;
        }
    }

    private void attachChecked(Connection connection, Request.Identify request) {
        Reservation reservation = reservations.get(request.reservation());
        if (reservation == null
                || request.account() != null && !request.account().equals(reservation.account.id)
                || request.group() != null && !request.group().equals(reservation.group.name)) {
            throw new DeskException(ErrorCode.UNKNOWN_RESERVATION, "reservation: " + request.reservation()
                    + " (expected: a reservation of this account and group)");
        }
        if (reservation.status.isFinal()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "reservation: " + reservation.status.wire()
                    + " (expected: QUEUED or MATCHED)");
        }
        if (reservation.session != null) {
            throw new DeskException(ErrorCode.CONFLICT, "reservation: its guest has attached already (expected: "
                    + "resume with the session from identified)");
        }
        if (reservation.room != null && !reservation.room.open) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "reservation: its room has ended");
        }
        requireGuestName(reservation.account, request.user());
        if (request.user() != null) {
            reservation.user = request.user();
        }
        String token = ids.next("ses_");
        Session session = new Session(Role.GUEST, reservation.account, null, reservation, Secrets.digestText(token));
        reservation.session = session;
        dirty.reservation(reservation);
        bind(session, connection);
        fanout.send(session, identified(session, token));
        restoreGuest(session, false);
    }

    /**
     * {@code login}, with failed attempts throttled per source address and user ({@link SignInThrottle}): a correct
     * token is always taken; a wrong one past the limit is answered {@code rate_limited}.
     */
    private void login(Connection connection, Request.Login request) {
        byte[] digest = Secrets.digest(request.token());
        // Every agent's digest is compared in full, in constant time, whatever matches: timing tells nothing.
        Agent agent = null;
        for (Agent candidate : allAgents) {
            boolean same = Secrets.same(digest, candidate.tokenDigest);
            if (same && agent == null) {
                agent = candidate;
            }
        }
        String source = connection.source();
        if (agent == null || !agent.user.equals(request.user())) {
            long retryAfter = failedSignIn(source, request.user());
            if (retryAfter > 0) {
                throw DeskException.rateLimited("login: too many failed sign-ins as " + request.user() + " from your "
                        + "address; try again in " + retryAfter + " s", retryAfter);
            }
            throw new DeskException(ErrorCode.AUTH_FAILED, "login: user or token not recognised");
        }
        failedSignIns.succeeded(source, request.user());
        StatusIs before = agent.visibleAvailability();
        boolean wasAway = agent.session != null && agent.session.connection == null;
        if (agent.session != null) {
            retire(agent.session, "signed in elsewhere");
        }
        String token = ids.next("ses_");
        Session session = new Session(agent.role(), agent.account, agent, null, Secrets.digestText(token));
        agent.session = session;
        agent.availability = StatusIs.AWAY;
        bind(session, connection);
        fanout.send(session, identified(session, token));
        restoreAgent(session, before, wasAway);
    }

    /**
     * Counts a failed sign-in of the pair; returns the seconds it must now wait if it was already waiting (then the
     * failure is answered {@code rate_limited}), or 0 (a plain failure, which may start a wait).
     */
    private long failedSignIn(String source, String who) {
        boolean waiting = failedSignIns.retryAfter(source, who) > 0;
        failedSignIns.failed(source, who);
        if (!waiting) {
            return 0;
        }
        metrics.rateLimited("sign_in");
        return failedSignIns.retryAfter(source, who);
    }

    /**
     * {@code resume}: an unknown session is {@code auth_failed} but no failed sign-in (a session token has 128 random
     * bits: nothing to throttle, and nobody may lock others out with garbage).
     */
    private void resume(Connection connection, Request.Resume request) {
        String digest = Secrets.digestText(request.session());
        Session session = sessions.get(digest);
        if (session == null) {
            throw new DeskException(ErrorCode.AUTH_FAILED, "session: unknown or expired (expected: a session token "
                    + "from identified, within the resume grace)");
        }
        takeBack(session, connection, digest);
    }

    /**
     * Binds a session to a new connection with a new token (the one it came with keeps working until the client uses
     * the new one), and sends it the current state.
     */
    private void takeBack(Session session, Connection connection, String presented) {
        StatusIs before = session.agent != null ? session.agent.visibleAvailability() : null;
        boolean wasAway = session.connection == null;
        detach(session, "session resumed on another connection");
        String token = ids.next("ses_");
        sessions.remove(session.digest, session);
        if (session.previousDigest != null) {
            sessions.remove(session.previousDigest, session);
        }
        session.previousDigest = presented;
        session.digest = Secrets.digestText(token);
        sessions.put(presented, session);
        bind(session, connection);
        fanout.send(session, identified(session, token));
        if (session.isGuest()) {
            restoreGuest(session, wasAway);
        } else {
            restoreAgent(session, before, wasAway);
        }
    }

    /** An agent (signed in or resumed) gets the view of the account and their rooms; the others see them back. */
    private void restoreAgent(Session session, StatusIs before, boolean wasAway) {
        Agent agent = session.agent;
        fanout.send(session, snapshot(agent.account));
        rooms.sendOpenRooms(session);
        fanout.announceToAgentsIfChanged(agent, before);
        if (wasAway) {
            fanout.roomPresence(agent, StatusIs.AVAILABLE);
        }
        fanout.refreshFree(agent);
        assignment.assignWhereFree(agent.account);
    }

    private void restoreGuest(Session session, boolean wasAway) {
        Reservation reservation = session.reservation;
        if (reservation.isWaiting()) {
            positions.sendNow(reservation);
            return;
        }
        if (reservation.status == ReservationStatus.MATCHED && reservation.room == null
                && reservation.matchedAgent != null) {
            rooms.open(reservation, reservation.matchedAgent);
            return;
        }
        Room room = reservation.room;
        if (room != null && room.open) {
            fanout.send(session, new ServerMessage.Joined(room.id, reservation.guestView(), room.agent.user));
            if (wasAway) {
                fanout.toRoomExcept(room, session, Fanout.presence(room, session, StatusIs.AVAILABLE));
            }
        }
    }

    private void status(Session session, Request.Status request) {
        if (request.of() == StatusOf.TYPING) {
            rooms.typing(session, request);
            return;
        }
        Agent agent = requireAgent(session);
        agent.availability = request.is();
        fanout.announceAvailability(agent);
        fanout.refreshFree(agent);
        assignment.assignWhereFree(agent.account);
    }

    private void cancel(Session session) {
        if (!session.isGuest()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "cancel: for a waiting guest (you are an agent)");
        }
        Reservation reservation = session.reservation;
        if (!reservation.isWaiting()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "cancel: reservation is " + reservation.status.wire()
                    + " (expected: QUEUED)");
        }
        assignment.leaveQueue(reservation, ReservationStatus.CANCELED);
        fanout.toAgents(reservation.account, new ServerMessage.Update(List.of(reservation.user),
                UpdateDetails.CANCELED));
    }

    private void assist(Agent agent, Request.Assist request) {
        Iterable<Group> groups = agent.groups;
        if (request.group() != null) {
            Group group = group(agent.account, request.group());
            if (!agent.groups.contains(group)) {
                throw new DeskException(ErrorCode.NOT_ALLOWED, "group: " + group.name
                        + " (expected: one of your groups " + names(agent.groups) + ")");
            }
            groups = List.of(group);
        }
        if (agent.activeGuests() >= agent.limit) {
            throw new DeskException(ErrorCode.AT_LIMIT, "agent " + agent.user + ": " + agent.activeGuests()
                    + " guests, at the limit " + agent.limit);
        }
        Reservation next = Assignment.mostUrgentHead(groups);
        if (next == null) {
            throw new DeskException(ErrorCode.NO_GUESTS, "assist: no guest is waiting in " + names(groups));
        }
        assignment.assign(next, agent);
    }

    private void limit(Agent self, Request.Limit request) {
        Agent target = self;
        if (request.agent() != null && !request.agent().equals(self.user)) {
            if (!self.supervisor) {
                throw new DeskException(ErrorCode.NOT_ALLOWED, "limit: only a supervisor sets another agent's limit");
            }
            target = agent(self.account, request.agent());
        }
        target.limit = request.limit();
        fanout.refreshFree(target);
        assignment.assignWhereFree(target.account);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sessions that do not come back

    private void onGraceOver(Session session) {
        if (session.connection != null || sessions.get(session.digest) != session) {
            return;
        }
        session.graceTimer = null;
        forget(session);
        if (!session.isGuest()) {
            agentGone(session.agent);
            return;
        }
        Reservation reservation = session.reservation;
        switch (reservation.status) {
            case QUEUED -> {
                assignment.leaveQueue(reservation, ReservationStatus.EXPIRED);
                fanout.toAgents(reservation.account, new ServerMessage.Update(List.of(reservation.user),
                        UpdateDetails.EXPIRED));
            }
            case MATCHED -> {
                if (reservation.room != null && reservation.room.open) {
                    rooms.close(reservation.room, EndReason.GUEST_GONE, null);
                    assignment.assignWhereFree(reservation.account);
                }
            }
            case EXPIRED, CANCELED -> {
                // Already has its outcome.
            }
        }
        retention.sessionGone(reservation);
    }

    /** An agent's resume grace ran out: their guests go back to the front of their queues. */
    private void agentGone(Agent agent) {
        StatusIs before = agent.visibleAvailability();
        rooms.leaveAll(agent);
        for (Room room : List.copyOf(agent.rooms)) {
            rooms.close(room, EndReason.AGENT_GONE, null);
            assignment.requeueAtFront(room.reservation);
        }
        for (Reservation reservation : List.copyOf(agent.held)) {
            assignment.release(reservation);
            assignment.requeueAtFront(reservation);
        }
        agent.session = null;
        fanout.announceToAgentsIfChanged(agent, before);
        fanout.refreshFree(agent);
        assignment.assignWhereFree(agent.account);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views

    private ServerMessage.Snapshot snapshot(Account account) {
        long now = clock.now();
        List<ServerMessage.AgentView> agents = new ArrayList<>(account.agents.size());
        for (Agent agent : account.agents.values()) {
            agents.add(new ServerMessage.AgentView(agent.user, agent.visibleAvailability(), agent.activeGuests(),
                    agent.limit));
        }
        List<ServerMessage.QueueEntry> queue = new ArrayList<>();
        for (Group group : account.groups.values()) {
            int position = 0;
            for (Reservation reservation : group.queue) {
                queue.add(new ServerMessage.QueueEntry(reservation.user, group.name, position++,
                        Math.max(0, now - reservation.enqueuedAt) / 1000,
                        Names.cut(reservation.question, Names.SNAPSHOT_QUESTION_MAX)));
            }
        }
        List<ServerMessage.RoomView> open = new ArrayList<>(account.openRooms.size());
        for (Room room : account.openRooms.values()) {
            open.add(new ServerMessage.RoomView(room.id, room.reservation.user, room.agent.user));
        }
        return new ServerMessage.Snapshot(agents, queue, open);
    }

    /** {@code identified} with the session's new token: the only place a token is ever sent, and it is not kept. */
    private static ServerMessage.Identified identified(Session session, String token) {
        String reservation = session.reservation == null ? null : session.reservation.sid;
        return new ServerMessage.Identified(session.role, session.user(), token, reservation);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sessions and look-ups that answer with the contract's errors

    private void bind(Session session, Connection connection) {
        session.connection = connection;
        sessions.put(session.digest, session);
        dirty.session(session);
        sessionsByConnection.put(connection, session);
    }

    /** Ends a session for good (its agent signed in again): its connection, if any, is closed. */
    private void retire(Session session, String reason) {
        forget(session);
        detach(session, reason);
    }

    /** A session can no longer be resumed: neither of its tokens works. */
    private void forget(Session session) {
        session.ended = true;
        sessions.remove(session.digest, session);
        if (session.previousDigest != null) {
            sessions.remove(session.previousDigest, session);
        }
        dirty.sessionEnded(session);
    }

    /** Stops a session's grace timer and closes its connection, if any (4000: the session moved). */
    private void detach(Session session, String reason) {
        if (session.graceTimer != null) {
            session.graceTimer.cancel();
            session.graceTimer = null;
        }
        if (session.connection != null) {
            Connection connection = session.connection;
            sessionsByConnection.remove(connection);
            connections.remove(connection);
            session.connection = null;
            fanout.close(connection, CLOSE_SESSION_MOVED, reason);
        }
    }

    private static void requireAnonymous(Session session) {
        if (session != null) {
            throw new DeskException(ErrorCode.ALREADY_IDENTIFIED, "connection: already identified as "
                    + session.role.wire() + " " + session.user());
        }
    }

    private static Agent requireAgent(Session session) {
        if (session.agent == null) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "request: for agents (you are a guest)");
        }
        return session.agent;
    }

    private static Agent requireSupervisor(Session session) {
        Agent agent = requireAgent(session);
        if (!agent.supervisor) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "request: for supervisors");
        }
        return agent;
    }

    private Account account(String id) {
        String name = id == null ? ConfigLoader.DEFAULT_ACCOUNT : id;
        Account account = accounts.get(name);
        if (account == null) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "account: " + name + " (expected: a configured account)");
        }
        return account;
    }

    private static Group group(Account account, String name) {
        String groupName = name == null ? ConfigLoader.DEFAULT_GROUP : name;
        Group group = account.groups.get(groupName);
        if (group == null) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "group: " + groupName + " (expected: one of "
                    + account.groups.keySet() + ")");
        }
        return group;
    }

    private static Agent agent(Account account, String user) {
        Agent agent = account.agents.get(user);
        if (agent == null) {
            throw new DeskException(ErrorCode.UNKNOWN_AGENT, "agent: " + user + " (expected: an agent of this account)");
        }
        return agent;
    }

    private static String names(Iterable<Group> groups) {
        List<String> names = new ArrayList<>();
        groups.forEach(group -> names.add(group.name));
        return names.toString();
    }

    private void checkThread() {
        assert Thread.currentThread() == owner : "desk called from " + Thread.currentThread().getName()
                + ", its thread is " + owner.getName();
    }


    /**
     * The desk's view of the clock: its timers check they run on the desk thread, never escape with an exception,
     * and end like a request does, by telling waiting guests what changed.
     */
    private final class GuardedClock implements DeskClock {
        private final DeskClock clock;

        GuardedClock(DeskClock clock) {
            this.clock = clock;
        }

        @Override
        public long now() {
            return clock.now();
        }

        @Override
        public Cancellable schedule(long delayMs, Runnable task) {
            return clock.schedule(delayMs, () -> {
                checkThread();
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("desk timer failed", e);
                } finally {
                    endTurn();
                }
            });
        }
    }
}
