package io.switchboard.server.desk;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Limits;
import io.switchboard.protocol.NotificationDetails;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.Routing;
import io.switchboard.server.config.ServerConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashSet;
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
 * end tells waiting guests of their new places (coalesced per {@code queuepos_interval}).
 */
public final class Desk {
    private static final Logger log = LoggerFactory.getLogger(Desk.class);

    /** Priority of guests who identify over WebSocket; only REST callers choose another. */
    public static final int WEBSOCKET_PRIORITY = 1;
    /** Close status for a connection whose session moved to another connection. */
    public static final int CLOSE_SESSION_MOVED = 4000;

    private static final ServerMessage WELCOME = new ServerMessage.Welcome();
    private static final ServerMessage PONG = new ServerMessage.Pong();

    /** Across groups: back-to-front guests first, then higher priority, then the longest waiting. */
    private static final Comparator<Reservation> MOST_URGENT = Comparator
            .comparing((Reservation r) -> !r.front)
            .thenComparing(r -> -r.priority)
            .thenComparingLong(r -> r.enqueuedAt)
            .thenComparingLong(r -> r.ticket);

    private final ServerConfig.Timings timings;
    private final DeskClock clock;
    private final Outbox outbox;
    private final Ids ids;
    private final WaitEstimator estimator;
    private final Thread owner;

    final Map<String, Account> accounts = new java.util.LinkedHashMap<>();
    private final Map<String, Agent> agentsByTokenDigest = new HashMap<>();
    final Map<String, Session> sessions = new HashMap<>();
    private final Map<Connection, Session> sessionsByConnection = new HashMap<>();
    private final Set<Connection> connections = new HashSet<>();
    final Map<String, Reservation> reservations = new HashMap<>();
    private final Set<Group> changedGroups = new LinkedHashSet<>();
    private long tickets;

    /** Builds the desk on the calling thread, which becomes the desk thread. */
    public Desk(ServerConfig config, DeskClock clock, Outbox outbox, Ids ids) {
        this(config, clock, outbox, ids, WaitEstimator.VELOCITY);
    }

    Desk(ServerConfig config, DeskClock clock, Outbox outbox, Ids ids, WaitEstimator estimator) {
        this.timings = config.timings();
        this.clock = clock;
        this.outbox = outbox;
        this.ids = ids;
        this.estimator = estimator;
        this.owner = Thread.currentThread();
        for (ServerConfig.AccountConfig accountConfig : config.accounts()) {
            Account account = new Account(accountConfig.id());
            accounts.put(account.id, account);
            for (ServerConfig.GroupConfig groupConfig : accountConfig.groups()) {
                account.groups.put(groupConfig.name(), new Group(account, groupConfig.name(), groupConfig.routing()));
            }
            for (ServerConfig.AgentConfig agentConfig : accountConfig.agents()) {
                byte[] digest = digest(agentConfig.token());
                Agent agent = new Agent(account, agentConfig.user(), digest, agentConfig.supervisor(),
                        agentConfig.limit());
                account.agents.put(agent.user, agent);
                agentsByTokenDigest.put(HexFormat.of().formatHex(digest), agent);
                List<String> groupNames = agentConfig.groups() == null
                        ? List.copyOf(account.groups.keySet()) : agentConfig.groups();
                for (String groupName : groupNames) {
                    Group group = account.groups.get(groupName);
                    agent.groups.add(group);
                    group.agents.add(agent);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Entry points

    /** A connection finished its WebSocket handshake: it is told {@code welcome}. Desk thread only. */
    public void onConnect(Connection connection) {
        checkThread();
        connections.add(connection);
        outbox.send(connection, WELCOME);
    }

    /** A well-formed request arrived on a connection. Desk thread only. */
    public void onRequest(Connection connection, String ref, Request request) {
        checkThread();
        if (!connections.contains(connection)) {
            return;
        }
        try {
            handle(connection, request);
            if (ref != null) {
                outbox.send(connection, new ServerMessage.Ack(ref));
            }
        } catch (DeskException e) {
            outbox.send(connection, new ServerMessage.ErrorReply(ref, e.code(), e.getMessage()));
        } catch (RuntimeException e) {
            log.error("request {} failed on the desk", request.getClass().getSimpleName(), e);
            outbox.send(connection, new ServerMessage.ErrorReply(ref, ErrorCode.INTERNAL, "internal error"));
        } finally {
            publishQueuePositions();
        }
    }

    /**
     * A request the transport could not accept (bad JSON, a broken field, a rate limit): answered with an error in its
     * turn, so it arrives after everything the connection's earlier requests caused. Desk thread only.
     */
    public void onRejected(Connection connection, String ref, ErrorCode code, String message) {
        checkThread();
        if (connections.contains(connection)) {
            outbox.send(connection, new ServerMessage.ErrorReply(ref, code, message));
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
        session.graceTimer = schedule(timings.resumeGraceMs(), () -> onGraceOver(session));
        if (session.isGuest()) {
            Room room = session.reservation.room;
            if (room != null && room.open) {
                toRoomExcept(room, session, availability(session.user(), StatusIs.AWAY));
            }
        } else {
            announceAvailabilityIfChanged(session.agent, before);
            refreshFree(session.agent);
        }
        publishQueuePositions();
    }

    /**
     * Creates a reservation for a trusted REST caller (contract §3.1) and queues it; its guest attaches later with
     * {@code identify {reservation}}. Returns the reservation sid. Desk thread only.
     *
     * @throws DeskException {@code INVALID_FIELD} for an unknown account or group, {@code CONFLICT} when the external
     *     user already has a reservation that is queued, or matched with its room still open or not yet opened
     */
    public String createReservation(String accountId, String groupName, String externalUserId, int priority,
                                    Integer reserveForSeconds, Map<String, String> details) {
        checkThread();
        try {
            Account account = account(accountId);
            Group group = group(account, groupName);
            for (Reservation existing : reservations.values()) {
                if (existing.account == account && externalUserId.equals(existing.externalUserId)
                        && isActive(existing)) {
                    throw new DeskException(ErrorCode.CONFLICT, "external_user_id: " + externalUserId
                            + " already has reservation " + existing.sid + " (" + existing.status.wire() + ")");
                }
            }
            long now = clock.now();
            int holdSeconds = reserveForSeconds == null ? timings.reserveForSeconds() : reserveForSeconds;
            Reservation reservation = new Reservation(ids.next("rsv_"), group, externalUserId, "", details,
                    externalUserId, priority, holdSeconds, now);
            reservations.put(reservation.sid, reservation);
            reservation.ticket = ++tickets;
            enqueue(reservation, now);
            assignWhereFree(account);
            return reservation.sid;
        } finally {
            publishQueuePositions();
        }
    }

    private static boolean isActive(Reservation reservation) {
        return switch (reservation.status) {
            case QUEUED -> true;
            case MATCHED -> reservation.room == null || reservation.room.open;
            case EXPIRED, CANCELED -> false;
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Requests

    private void handle(Connection connection, Request request) {
        Session session = sessionsByConnection.get(connection);
        if (request instanceof Request.Ping) {
            outbox.send(connection, PONG);
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
        if (request instanceof Request.Status status) {
            status(session, status);
        } else if (request instanceof Request.Message message) {
            message(session, message);
        } else if (request instanceof Request.History history) {
            history(session, history);
        } else if (request instanceof Request.Cancel) {
            cancel(session);
        } else if (request instanceof Request.End end) {
            end(session, end);
        } else if (request instanceof Request.Assist assist) {
            assist(session, assist);
        } else if (request instanceof Request.Transfer transfer) {
            transfer(session, transfer);
        } else if (request instanceof Request.Join join) {
            join(session, join);
        } else if (request instanceof Request.Leave leave) {
            leave(session, leave);
        } else if (request instanceof Request.Limit limit) {
            limit(session, limit);
        } else if (request instanceof Request.Snapshot) {
            send(session, snapshot(requireAgent(session).account));
        } else {
            throw new IllegalStateException("no handler for " + request.getClass().getName());
        }
    }

    private void identify(Connection connection, Request.Identify request) {
        if (request.reservation() != null) {
            attach(connection, request);
            return;
        }
        Account account = account(request.account());
        Group group = group(account, request.group());
        long now = clock.now();
        Reservation reservation = new Reservation(ids.next("rsv_"), group, request.user(), request.question(),
                request.details(), null, WEBSOCKET_PRIORITY, timings.reserveForSeconds(), now);
        reservations.put(reservation.sid, reservation);
        Session session = new Session(ids.next("ses_"), Role.GUEST, account, null, reservation);
        reservation.session = session;
        bind(session, connection);
        send(session, identified(session));
        reservation.ticket = ++tickets;
        enqueue(reservation, now);
        assignWhereFree(account);
    }

    /** A guest's connection attaches to a reservation made over REST (or takes back its own). */
    private void attach(Connection connection, Request.Identify request) {
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
        if (reservation.session != null && reservation.session.connection != null) {
            throw new DeskException(ErrorCode.CONFLICT, "reservation: its guest is already connected elsewhere");
        }
        if (reservation.status == ReservationStatus.MATCHED && reservation.room != null && !reservation.room.open) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "reservation: its room has ended");
        }
        Session session = reservation.session;
        if (session == null) {
            if (request.user() != null) {
                reservation.user = request.user();
            }
            session = new Session(ids.next("ses_"), Role.GUEST, reservation.account, null, reservation);
            reservation.session = session;
        }
        takeBack(session, connection);
    }

    private void login(Connection connection, Request.Login request) {
        byte[] digest = digest(request.token());
        Agent agent = agentsByTokenDigest.get(HexFormat.of().formatHex(digest));
        if (agent == null || !MessageDigest.isEqual(agent.tokenDigest, digest) || !agent.user.equals(request.user())) {
            throw new DeskException(ErrorCode.AUTH_FAILED, "login: user or token not recognised");
        }
        Session old = agent.session;
        StatusIs before = agent.visibleAvailability();
        if (old != null) {
            retire(old, "signed in elsewhere");
        }
        Session session = new Session(ids.next("ses_"), agent.supervisor ? Role.SUPERVISOR : Role.AGENT,
                agent.account, agent, null);
        agent.session = session;
        agent.availability = StatusIs.AWAY;
        bind(session, connection);
        send(session, identified(session));
        send(session, snapshot(agent.account));
        sendOpenRooms(session);
        announceAvailabilityIfChanged(agent, before);
        refreshFree(agent);
    }

    private void resume(Connection connection, Request.Resume request) {
        Session session = sessions.get(request.session());
        if (session == null) {
            throw new DeskException(ErrorCode.AUTH_FAILED, "session: unknown or expired (expected: a session token "
                    + "from identified, within the resume grace)");
        }
        takeBack(session, connection);
    }

    /** Binds a session to a new connection and sends it the current state. */
    private void takeBack(Session session, Connection connection) {
        StatusIs before = session.agent != null ? session.agent.visibleAvailability() : null;
        boolean wasAway = session.connection == null;
        if (!wasAway) {
            Connection previous = session.connection;
            sessionsByConnection.remove(previous);
            connections.remove(previous);
            outbox.close(previous, CLOSE_SESSION_MOVED, "session resumed on another connection");
        }
        if (session.graceTimer != null) {
            session.graceTimer.cancel();
            session.graceTimer = null;
        }
        bind(session, connection);
        send(session, identified(session));
        if (session.isGuest()) {
            Reservation reservation = session.reservation;
            if (reservation.isWaiting()) {
                sendQueuePosNow(reservation);
            } else if (reservation.status == ReservationStatus.MATCHED && reservation.room == null
                    && reservation.matchedAgent != null) {
                openRoom(reservation, reservation.matchedAgent);
            } else if (reservation.room != null && reservation.room.open) {
                Room room = reservation.room;
                send(session, new ServerMessage.Joined(room.id, reservation.guestView(), room.agent.user));
                if (wasAway) {
                    toRoomExcept(room, session, availability(session.user(), StatusIs.AVAILABLE));
                }
            }
            return;
        }
        Agent agent = session.agent;
        send(session, snapshot(agent.account));
        sendOpenRooms(session);
        announceAvailabilityIfChanged(agent, before);
        refreshFree(agent);
        assignWhereFree(agent.account);
    }

    private void status(Session session, Request.Status request) {
        if (request.of() == StatusOf.TYPING) {
            Room room = memberRoom(session, request.room());
            toRoomExcept(room, session, new ServerMessage.Status(room.id, session.user(), StatusOf.TYPING,
                    request.is()));
            return;
        }
        Agent agent = requireAgent(session);
        StatusIs before = agent.visibleAvailability();
        agent.availability = request.is();
        announceAvailability(agent);
        if (before != agent.visibleAvailability()) {
            log.debug("agent {} of {} is {}", agent.user, agent.account.id, agent.availability.wire());
        }
        refreshFree(agent);
        assignWhereFree(agent.account);
    }

    private void message(Session session, Request.Message request) {
        Room room = memberRoom(session, request.room());
        ServerMessage.Message message = new ServerMessage.Message(room.id, session.user(), request.body(),
                clock.now(), room.nextSeq());
        room.messages.add(message);
        toRoom(room, message);
    }

    private void history(Session session, Request.History request) {
        Room room = session.account.rooms.get(request.room());
        if (room == null) {
            throw unknownRoom(request.room());
        }
        boolean reader = session.isGuest()
                ? room.reservation == session.reservation
                : session.agent.supervisor || room.pastMembers.contains(session.agent);
        if (!reader) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "room: " + room.id + " (expected: a room you are in)");
        }
        int size = room.messages.size();
        int from = (int) Math.min(request.after(), size);
        int to = Math.min(from + Limits.HISTORY_PAGE, size);
        send(session, new ServerMessage.History(room.id, room.messages.subList(from, to)));
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
        leaveQueue(reservation, ReservationStatus.CANCELED);
        toAgents(reservation.account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.CANCELED));
    }

    private void end(Session session, Request.End request) {
        Room room = openRoom(session.account, request.room());
        boolean allowed = room.isMember(session) || session.agent != null && session.agent.supervisor;
        if (!allowed) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "room: " + room.id + " (expected: a room you are in)");
        }
        closeRoom(room, EndReason.ENDED, session.user());
        assignWhereFree(room.account);
    }

    private void assist(Session session, Request.Assist request) {
        Agent agent = requireAgent(session);
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
        Reservation next = null;
        for (Group group : groups) {
            if (!group.queue.isEmpty() && (next == null || MOST_URGENT.compare(group.queue.first(), next) < 0)) {
                next = group.queue.first();
            }
        }
        if (next == null) {
            throw new DeskException(ErrorCode.NO_GUESTS, "assist: no guest is waiting in " + names(groups));
        }
        assign(next, agent);
    }

    private void transfer(Session session, Request.Transfer request) {
        Agent requester = requireAgent(session);
        Room room = openRoom(session.account, request.room());
        if (room.agent != requester && !requester.supervisor) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "transfer: room " + room.id
                    + " is not yours (expected: your room, or a supervisor)");
        }
        Agent target = agent(session.account, request.agent());
        if (target == room.agent) {
            throw new DeskException(ErrorCode.CONFLICT, "transfer: room " + room.id + " is already with "
                    + target.user);
        }
        if (target.session == null) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "agent " + target.user + ": not signed in");
        }
        if (target.activeGuests() >= target.limit) {
            throw new DeskException(ErrorCode.AT_LIMIT, "agent " + target.user + ": at the limit " + target.limit);
        }
        Agent previous = room.agent;
        toRoom(room, new ServerMessage.Notification(room.id, previous.user, NotificationDetails.LEFT));
        previous.rooms.remove(room);
        if (room.supervisors.remove(target)) {
            target.joinedRooms.remove(room);
        }
        room.agent = target;
        room.pastMembers.add(target);
        target.rooms.add(room);
        target.lastAssignedAt = clock.now();
        send(target.session, new ServerMessage.Joined(room.id, room.reservation.guestView(), target.user));
        toRoom(room, new ServerMessage.Notification(room.id, target.user, NotificationDetails.JOINED));
        toAgents(room.account, new ServerMessage.Update(List.of(room.reservation.user, target.user),
                UpdateDetails.ASSIGNED));
        refreshFree(previous);
        refreshFree(target);
        assignWhereFree(room.account);
    }

    private void join(Session session, Request.Join request) {
        Agent supervisor = requireSupervisor(session);
        Room room = openRoom(session.account, request.room());
        if (room.agent == supervisor || room.supervisors.contains(supervisor)) {
            throw new DeskException(ErrorCode.CONFLICT, "join: you are already in room " + room.id);
        }
        room.supervisors.add(supervisor);
        room.pastMembers.add(supervisor);
        supervisor.joinedRooms.add(room);
        send(session, new ServerMessage.Joined(room.id, room.reservation.guestView(), room.agent.user));
        toRoom(room, new ServerMessage.Notification(room.id, supervisor.user, NotificationDetails.JOINED));
    }

    private void leave(Session session, Request.Leave request) {
        Agent supervisor = requireSupervisor(session);
        Room room = openRoom(session.account, request.room());
        if (!room.supervisors.contains(supervisor)) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "leave: you did not join room " + room.id);
        }
        toRoom(room, new ServerMessage.Notification(room.id, supervisor.user, NotificationDetails.LEFT));
        room.supervisors.remove(supervisor);
        supervisor.joinedRooms.remove(room);
    }

    private void limit(Session session, Request.Limit request) {
        Agent self = requireAgent(session);
        Agent target = self;
        if (request.agent() != null && !request.agent().equals(self.user)) {
            if (!self.supervisor) {
                throw new DeskException(ErrorCode.NOT_ALLOWED, "limit: only a supervisor sets another agent's limit");
            }
            target = agent(self.account, request.agent());
        }
        target.limit = request.limit();
        refreshFree(target);
        assignWhereFree(target.account);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Timers

    private void onGraceOver(Session session) {
        if (session.connection != null || sessions.get(session.token) != session) {
            return;
        }
        session.graceTimer = null;
        sessions.remove(session.token);
        if (session.isGuest()) {
            Reservation reservation = session.reservation;
            switch (reservation.status) {
                case QUEUED -> {
                    leaveQueue(reservation, ReservationStatus.EXPIRED);
                    toAgents(reservation.account, new ServerMessage.Update(List.of(reservation.user),
                            UpdateDetails.EXPIRED));
                }
                case MATCHED -> {
                    if (reservation.room != null && reservation.room.open) {
                        closeRoom(reservation.room, EndReason.GUEST_GONE, null);
                        assignWhereFree(reservation.account);
                    }
                }
                case EXPIRED, CANCELED -> {
                    // Already has its outcome.
                }
            }
            return;
        }
        agentGone(session.agent);
    }

    /** An agent's resume grace ran out: their guests go back to the front of their queues. */
    private void agentGone(Agent agent) {
        StatusIs before = agent.visibleAvailability();
        for (Room room : List.copyOf(agent.joinedRooms)) {
            toRoom(room, new ServerMessage.Notification(room.id, agent.user, NotificationDetails.LEFT));
            room.supervisors.remove(agent);
        }
        agent.joinedRooms.clear();
        for (Room room : List.copyOf(agent.rooms)) {
            closeRoom(room, EndReason.AGENT_GONE, null);
            requeueAtFront(room.reservation);
        }
        for (Reservation reservation : List.copyOf(agent.held)) {
            release(reservation);
            requeueAtFront(reservation);
        }
        agent.session = null;
        announceAvailabilityIfChanged(agent, before);
        refreshFree(agent);
        assignWhereFree(agent.account);
    }

    /** A matched REST reservation whose guest did not attach within {@code reserve_for_seconds}. */
    private void onHoldOver(Reservation reservation) {
        if (reservation.status != ReservationStatus.MATCHED || reservation.room != null) {
            return;
        }
        Agent agent = reservation.matchedAgent;
        release(reservation);
        reservation.status = ReservationStatus.EXPIRED;
        reservation.version++;
        toAgents(reservation.account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.EXPIRED));
        forgetLater(reservation, null);
        refreshFree(agent);
        assignWhereFree(reservation.account);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Queue and assignment

    private void enqueue(Reservation reservation, long now) {
        reservation.status = ReservationStatus.QUEUED;
        reservation.enqueuedAt = now;
        reservation.group.queue.add(reservation);
        sendQueuePosNow(reservation);
        toAgents(reservation.account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.QUEUED));
        changedGroups.add(reservation.group);
    }

    private void requeueAtFront(Reservation reservation) {
        reservation.room = null;
        reservation.matchedAgent = null;
        reservation.front = true;
        reservation.version++;
        enqueue(reservation, clock.now());
    }

    private void leaveQueue(Reservation reservation, ReservationStatus outcome) {
        reservation.group.queue.remove(reservation);
        reservation.status = outcome;
        reservation.version++;
        reservation.pendingQueuePos = null;
        changedGroups.add(reservation.group);
        forgetLater(reservation, null);
    }

    /**
     * Assigns waiting guests to free agents until no group of the account has both: the most urgent head first, each
     * to the free agent of its group with the fewest guests, ties to the oldest last assignment.
     */
    private void assignWhereFree(Account account) {
        while (true) {
            Reservation next = null;
            Agent agent = null;
            for (Group group : account.groups.values()) {
                if (group.routing == Routing.MANUAL || group.queue.isEmpty()) {
                    continue;
                }
                Reservation head = group.queue.first();
                if (next != null && MOST_URGENT.compare(head, next) >= 0) {
                    continue;
                }
                Agent free = freeAgent(group);
                if (free != null) {
                    next = head;
                    agent = free;
                }
            }
            if (next == null) {
                return;
            }
            assign(next, agent);
        }
    }

    private static Agent freeAgent(Group group) {
        Agent best = null;
        for (Agent agent : group.agents) {
            if (!agent.isFree()) {
                continue;
            }
            if (best == null || agent.activeGuests() < best.activeGuests()
                    || agent.activeGuests() == best.activeGuests() && agent.lastAssignedAt < best.lastAssignedAt) {
                best = agent;
            }
        }
        return best;
    }

    private void assign(Reservation reservation, Agent agent) {
        long now = clock.now();
        Group group = reservation.group;
        group.queue.remove(reservation);
        group.recordAssignment(now, now - reservation.enqueuedAt);
        changedGroups.add(group);
        reservation.pendingQueuePos = null;
        reservation.front = false;
        reservation.status = ReservationStatus.MATCHED;
        reservation.version++;
        reservation.matchedAgent = agent;
        reservation.matchedAt = now;
        agent.lastAssignedAt = now;
        toAgents(agent.account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.DEQUEUED));
        toAgents(agent.account, new ServerMessage.Update(List.of(reservation.user, agent.user),
                UpdateDetails.ASSIGNED));
        if (reservation.session != null) {
            openRoom(reservation, agent);
        } else {
            agent.held.add(reservation);
            long holdMs = reservation.reserveForSeconds * 1000L;
            reservation.reservedUntil = now + holdMs;
            reservation.holdTimer = schedule(holdMs, () -> onHoldOver(reservation));
        }
        refreshFree(agent);
    }

    /** Lets go of a held REST reservation (its guest never attached). */
    private void release(Reservation reservation) {
        Agent agent = reservation.matchedAgent;
        if (agent != null) {
            agent.held.remove(reservation);
        }
        if (reservation.holdTimer != null) {
            reservation.holdTimer.cancel();
            reservation.holdTimer = null;
        }
        reservation.matchedAgent = null;
    }

    private void openRoom(Reservation reservation, Agent agent) {
        if (agent.held.remove(reservation) && reservation.holdTimer != null) {
            reservation.holdTimer.cancel();
            reservation.holdTimer = null;
        }
        Room room = new Room(ids.next("rm_"), reservation, agent);
        reservation.room = room;
        reservation.version++;
        agent.rooms.add(room);
        room.account.rooms.put(room.id, room);
        room.account.openRooms.put(room.id, room);
        ServerMessage.Joined joined = new ServerMessage.Joined(room.id, reservation.guestView(), agent.user);
        send(reservation.session, joined);
        send(agent.session, joined);
        toRoom(room, new ServerMessage.Notification(room.id, reservation.user, NotificationDetails.JOINED));
        toRoom(room, new ServerMessage.Notification(room.id, agent.user, NotificationDetails.JOINED));
        if (reservation.session.connection == null) {
            toRoomExcept(room, reservation.session, availability(reservation.user, StatusIs.AWAY));
        }
    }

    private void closeRoom(Room room, EndReason reason, String endedBy) {
        room.open = false;
        room.account.openRooms.remove(room.id);
        toRoom(room, new ServerMessage.End(room.id, endedBy, reason));
        for (Agent supervisor : room.supervisors) {
            supervisor.joinedRooms.remove(room);
        }
        room.supervisors.clear();
        Agent agent = room.agent;
        agent.rooms.remove(room);
        toAgents(room.account, new ServerMessage.Update(List.of(room.reservation.user, agent.user),
                UpdateDetails.UNASSIGNED));
        forgetLater(room.reservation, room);
        refreshFree(agent);
    }

    /** Tells the account's agents when an agent becomes free or stops being free. */
    private void refreshFree(Agent agent) {
        boolean free = agent.isFree();
        if (free != agent.announcedFree) {
            agent.announcedFree = free;
            toAgents(agent.account, new ServerMessage.Update(List.of(agent.user),
                    free ? UpdateDetails.AVAILABLE : UpdateDetails.UNAVAILABLE));
        }
    }

    /** Drops a finished reservation and room from memory once their transcript retention ran out. */
    private void forgetLater(Reservation reservation, Room room) {
        schedule(timings.transcriptRetentionMs(), () -> {
            if (room != null) {
                room.account.rooms.remove(room.id);
                room.pastMembers.clear();
            }
            boolean finished = reservation.status.isFinal()
                    || reservation.room != null && !reservation.room.open;
            if (finished && (reservation.session == null || reservation.session.connection == null)) {
                reservations.remove(reservation.sid);
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Queue positions

    private ServerMessage.QueuePos queuePos(Reservation reservation, int position, long now) {
        Group group = reservation.group;
        return new ServerMessage.QueuePos(position, group.averageWaitSeconds(),
                estimator.estimateSeconds(group, position, now));
    }

    private void sendQueuePosNow(Reservation reservation) {
        long now = clock.now();
        ServerMessage.QueuePos queuePos = queuePos(reservation, reservation.group.positionOf(reservation), now);
        deliverQueuePos(reservation, queuePos, now);
    }

    private void deliverQueuePos(Reservation reservation, ServerMessage.QueuePos queuePos, long now) {
        send(reservation.session, queuePos);
        reservation.lastQueuePos = queuePos;
        reservation.lastQueuePosAt = now;
        reservation.pendingQueuePos = null;
    }

    /** Tells every waiting guest of a changed group their new values, at most once per interval each. */
    private void publishQueuePositions() {
        if (changedGroups.isEmpty()) {
            return;
        }
        List<Group> groups = new ArrayList<>(changedGroups);
        changedGroups.clear();
        for (Group group : groups) {
            publish(group);
        }
    }

    private void publish(Group group) {
        long now = clock.now();
        long interval = timings.queueposIntervalMs();
        long nextDue = Long.MAX_VALUE;
        int position = 0;
        for (Reservation reservation : group.queue) {
            ServerMessage.QueuePos queuePos = queuePos(reservation, position++, now);
            if (queuePos.equals(reservation.lastQueuePos)) {
                reservation.pendingQueuePos = null;
                continue;
            }
            Session session = reservation.session;
            if (session == null || session.connection == null) {
                reservation.pendingQueuePos = queuePos;
                continue;
            }
            long due = reservation.lastQueuePosAt == Long.MIN_VALUE ? now : reservation.lastQueuePosAt + interval;
            if (now >= due) {
                deliverQueuePos(reservation, queuePos, now);
            } else {
                reservation.pendingQueuePos = queuePos;
                nextDue = Math.min(nextDue, due);
            }
        }
        if (nextDue != Long.MAX_VALUE) {
            publishAt(group, nextDue);
        }
    }

    private void publishAt(Group group, long at) {
        if (group.queueposTimer != null && group.queueposTimerAt <= at) {
            return;
        }
        if (group.queueposTimer != null) {
            group.queueposTimer.cancel();
        }
        group.queueposTimerAt = at;
        group.queueposTimer = schedule(at - clock.now(), () -> {
            group.queueposTimer = null;
            changedGroups.add(group);
        });
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Views and fan-out

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
                        Math.max(0, now - reservation.enqueuedAt) / 1000, reservation.question));
            }
        }
        List<ServerMessage.RoomView> rooms = new ArrayList<>(account.openRooms.size());
        for (Room room : account.openRooms.values()) {
            rooms.add(new ServerMessage.RoomView(room.id, room.reservation.user, room.agent.user));
        }
        return new ServerMessage.Snapshot(agents, queue, rooms);
    }

    private void sendOpenRooms(Session session) {
        Agent agent = session.agent;
        for (Room room : agent.rooms) {
            send(session, new ServerMessage.Joined(room.id, room.reservation.guestView(), room.agent.user));
        }
        for (Room room : agent.joinedRooms) {
            send(session, new ServerMessage.Joined(room.id, room.reservation.guestView(), room.agent.user));
        }
    }

    private static ServerMessage.Identified identified(Session session) {
        String reservation = session.reservation == null ? null : session.reservation.sid;
        return new ServerMessage.Identified(session.role, session.user(), session.token, reservation);
    }

    private static ServerMessage.Status availability(String user, StatusIs is) {
        return new ServerMessage.Status(null, user, StatusOf.AVAILABILITY, is);
    }

    private void announceAvailabilityIfChanged(Agent agent, StatusIs before) {
        if (agent.visibleAvailability() != before) {
            announceAvailability(agent);
        }
    }

    /** An agent's availability goes to the account's agents and to the guests of the agent's rooms. */
    private void announceAvailability(Agent agent) {
        ServerMessage status = availability(agent.user, agent.visibleAvailability());
        toAgents(agent.account, status);
        for (Room room : agent.rooms) {
            send(room.reservation.session, status);
        }
    }

    private void send(Session session, ServerMessage message) {
        if (session != null && session.connection != null) {
            outbox.send(session.connection, message);
        }
    }

    private void toAgents(Account account, ServerMessage message) {
        for (Agent agent : account.agents.values()) {
            send(agent.session, message);
        }
    }

    private void toRoom(Room room, ServerMessage message) {
        toRoomExcept(room, null, message);
    }

    private void toRoomExcept(Room room, Session except, ServerMessage message) {
        Session guest = room.reservation.session;
        if (guest != except) {
            send(guest, message);
        }
        if (room.agent.session != except) {
            send(room.agent.session, message);
        }
        for (Agent supervisor : room.supervisors) {
            if (supervisor.session != except) {
                send(supervisor.session, message);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Look-ups that answer with the contract's errors

    private void bind(Session session, Connection connection) {
        session.connection = connection;
        sessions.put(session.token, session);
        sessionsByConnection.put(connection, session);
    }

    /** Ends a session for good (its agent signed in again): its connection, if any, is closed. */
    private void retire(Session session, String reason) {
        sessions.remove(session.token);
        if (session.graceTimer != null) {
            session.graceTimer.cancel();
            session.graceTimer = null;
        }
        if (session.connection != null) {
            sessionsByConnection.remove(session.connection);
            connections.remove(session.connection);
            outbox.close(session.connection, CLOSE_SESSION_MOVED, reason);
            session.connection = null;
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
        String name = id == null ? "default" : id;
        Account account = accounts.get(name);
        if (account == null) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "account: " + name + " (expected: a configured account)");
        }
        return account;
    }

    private static Group group(Account account, String name) {
        String groupName = name == null ? "default" : name;
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

    private static Room openRoom(Account account, String id) {
        Room room = account.rooms.get(id);
        if (room == null) {
            throw unknownRoom(id);
        }
        if (!room.open) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "room: " + id + " has ended");
        }
        return room;
    }

    private static Room memberRoom(Session session, String id) {
        Room room = openRoom(session.account, id);
        if (!room.isMember(session)) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "room: " + id + " (expected: a room you are in)");
        }
        return room;
    }

    private static DeskException unknownRoom(String id) {
        return new DeskException(ErrorCode.UNKNOWN_ROOM, "room: " + id + " (expected: a room of this account)");
    }

    private static String names(Iterable<Group> groups) {
        List<String> names = new ArrayList<>();
        groups.forEach(group -> names.add(group.name));
        return names.toString();
    }

    private Cancellable schedule(long delayMs, Runnable task) {
        return clock.schedule(delayMs, () -> {
            checkThread();
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("desk timer failed", e);
            } finally {
                publishQueuePositions();
            }
        });
    }

    private void checkThread() {
        assert Thread.currentThread() == owner : "desk called from " + Thread.currentThread().getName()
                + ", its thread is " + owner.getName();
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
