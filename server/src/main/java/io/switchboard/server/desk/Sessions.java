package io.switchboard.server.desk;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.Secrets;
import io.switchboard.server.config.ServerConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Who is who on one account's desk: connections and the sessions bound to them; becoming an agent ({@code login});
 * taking a session back ({@code resume}); the resume grace and what happens when it runs out; the identify deadline.
 * Guests sign in through {@link GuestSignIn}. Session tokens are kept only as digests and change at every takeover
 * ({@link Session}). Desk thread only.
 */
final class Sessions {

    private final Account account;
    private final String tag;
    private final ServerConfig.Timings timings;
    private final DeskClock clock;
    private final Ids ids;
    private final Fanout fanout;
    private final Rooms rooms;
    private final RoomMembers members;
    /** What else follows when an agent signs in or comes back ({@link Workspace#back}). */
    java.util.function.Consumer<Agent> agentBack = agent -> { };
    /** What else follows when an agent is gone for good (their offers pass on; {@link Workspace#gone}). */
    java.util.function.Consumer<Agent> agentLeft = agent -> { };
    private final Assignment assignment;
    private final QueuePositions positions;
    private final Retention retention;
    private final Turn turn;
    private final DeskMetrics metrics;
    private final AddressLimits limits;
    private final Handover handover;
    private final Views views;

    /** Resumable sessions by the digest of their token (and of the token before it, while it still works). */
    final Map<String, Session> byDigest = new HashMap<>();
    final Map<Connection, Session> byConnection = new HashMap<>();
    /** Every connection of this desk, identified or not. */
    final Set<Connection> connections = new HashSet<>();

    Sessions(Account account, ServerConfig.Timings timings, DeskClock clock, Ids ids, Fanout fanout, Rooms rooms,
             Assignment assignment, QueuePositions positions, Retention retention, Turn turn,
             DeskMetrics metrics, AddressLimits limits, Handover handover, Views views, RoomMembers members) {
        this.members = members;
        this.account = account;
        this.tag = Ids.tag(account.id);
        this.timings = timings;
        this.clock = clock;
        this.ids = ids;
        this.fanout = fanout;
        this.rooms = rooms;
        this.assignment = assignment;
        this.positions = positions;
        this.retention = retention;
        this.turn = turn;
        this.metrics = metrics;
        this.limits = limits;
        this.handover = handover;
        this.views = views;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Connections

    /**
     * A connection is this desk's now (it connected here, or the gate brought it): it must identify, log in or resume
     * by {@code identify_deadline_ms} after it connected, or it is closed (1008).
     */
    void adopt(Connection connection, long connectedAt) {
        connections.add(connection);
        clock.schedule(Math.max(0, connectedAt + timings.identifyDeadlineMs() - clock.now()), () -> {
            if (connections.contains(connection) && !byConnection.containsKey(connection)) {
                connections.remove(connection);
                fanout.close(connection, Desk.CLOSE_NOT_IDENTIFIED, "not identified within "
                        + timings.identifyDeadlineMs() / 1000 + " s");
            }
        });
    }

    Session of(Connection connection) {
        return byConnection.get(connection);
    }

    /** A connection closed. Its session, if any, waits {@code resume_grace} for a resume. */
    void disconnected(Connection connection) {
        connections.remove(connection);
        Session session = byConnection.remove(connection);
        if (session == null || session.connection != connection) {
            return;
        }
        StatusIs before = session.agent != null ? session.agent.visibleAvailability() : null;
        session.connection = null;
        session.graceTimer = clock.schedule(graceOf(session), () -> graceOver(session));
        if (session.isGuest()) {
            Room room = session.reservation.room;
            if (room != null && room.open) {
                fanout.toRoomExcept(room, session, Fanout.presence(room, session, StatusIs.AWAY));
            }
        } else {
            fanout.announceToAgentsIfChanged(session.agent, before);
            fanout.roomPresence(session.agent, StatusIs.AWAY);
            turn.capacityChanged(session.agent);
        }
    }

    /**
     * How long a session waits for its client to come back: a guest still waiting in the queue keeps their place for
     * {@code waiting_grace_ms} (a phone that locked, a tab in the background); everyone else {@code resume_grace_ms}.
     */
    long graceOf(Session session) {
        return session.isGuest() && session.reservation.isWaiting() ? timings.waitingGraceMs()
                : timings.resumeGraceMs();
    }

    /**
     * A room opened for a guest who is away (matched during their waiting grace): they have the room's grace from now,
     * not the rest of the longer waiting one, so the agent does not wait in an empty room for minutes.
     */
    void awayInRoom(Session session) {
        if (session.connection != null || session.graceTimer == null) {
            return;
        }
        session.graceTimer.cancel();
        session.graceTimer = clock.schedule(timings.resumeGraceMs(), () -> graceOver(session));
    }

    /**
     * A guest's session ends while their reservation goes on without one (they keep their place by email, or come
     * back through an email link on another device): neither token works any more, and its connection, if any, is
     * closed ({@code close}) or stays signed in as nobody.
     */
    void detachGuest(Session session, boolean close) {
        forget(session);
        session.reservation.session = null;
        turn.stored(session.reservation);
        if (close) {
            detach(session, "this conversation was opened from an email link");
        } else {
            signOut(session);
        }
    }

    /** Lets a connection go to another desk (it signs in to another account): nothing of it stays here. */
    boolean handOver(Connection connection, String ref, Request request) {
        connections.remove(connection);
        if (handover.handOver(connection, ref, request)) {
            return true;
        }
        connections.add(connection);
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Becoming an agent, and coming back

    /**
     * {@code login}, with failed attempts throttled per client address and user ({@link AddressLimits}): a correct
     * token is always taken; a wrong one past the limit is answered {@code rate_limited}. A token of another account's
     * agent goes to that account's desk.
     */
    void login(Connection connection, String ref, Request.Login request) {
        byte[] digest = Secrets.digest(request.token());
        // Every agent's digest is compared in full, in constant time, whatever matches: timing tells nothing.
        Agent agent = null;
        for (Agent candidate : account.agents.values()) {
            boolean same = Secrets.same(digest, candidate.tokenDigest);
            if (same && agent == null) {
                agent = candidate;
            }
        }
        if (agent == null && handOver(connection, ref, request)) {
            return;
        }
        String source = connection.source();
        if (agent == null || !agent.user.equals(request.user())) {
            throw limits.failedLogin(source, request.user(), metrics);
        }
        limits.signedIn(source, request.user());
        StatusIs before = agent.visibleAvailability();
        boolean wasAway = agent.session != null && agent.session.connection == null;
        if (agent.session != null) {
            retire(agent.session, "signed in elsewhere");
        }
        String token = ids.next("ses_");
        Session session = new Session(agent.role(), account, agent, null, Secrets.digestText(token));
        session.console = request.asConsole();
        agent.session = session;
        agent.availability = StatusIs.AWAY;
        bind(session, connection);
        fanout.send(session, views.identified(session, token));
        restoreAgent(session, before, wasAway);
    }

    /**
     * {@code resume}: an unknown session is {@code auth_failed} but no failed sign-in (a session token has 128 random
     * bits: nothing to throttle, and nobody may lock others out with garbage).
     */
    void resume(Connection connection, String ref, Request.Resume request) {
        String digest = Secrets.digestText(request.session());
        Session session = byDigest.get(digest);
        if (session == null && !tag.equals(Ids.tagOf(request.session())) && handOver(connection, ref, request)) {
            return;
        }
        if (session == null) {
            throw DeskException.unknownSession();
        }
        session.console = session.agent != null && request.asConsole();
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
        byDigest.remove(session.digest, session);
        if (session.previousDigest != null) {
            byDigest.remove(session.previousDigest, session);
        }
        session.previousDigest = presented;
        session.digest = Secrets.digestText(token);
        byDigest.put(presented, session);
        bind(session, connection);
        fanout.send(session, views.identified(session, token));
        if (session.isGuest()) {
            restoreGuest(session, wasAway);
        } else {
            restoreAgent(session, before, wasAway);
        }
    }

    /**
     * A request on a session's connection shows its client holds the token it was last given: the one before it stops
     * working.
     */
    void confirmToken(Session session) {
        if (session != null && session.previousDigest != null) {
            byDigest.remove(session.previousDigest, session);
            session.previousDigest = null;
            turn.stored(session);
        }
    }

    /** An agent (signed in or resumed) gets the view of the account and their rooms; the others see them back. */
    private void restoreAgent(Session session, StatusIs before, boolean wasAway) {
        Agent agent = session.agent;
        agentBack.accept(agent);
        fanout.send(session, views.snapshot(Views.queueLimit(session, null)));
        rooms.sendOpenRooms(session);
        // After what the contract sends on resume (identified, snapshot, joined for each room): the workspace's.
        if (session.console) {
            fanout.send(session, CannedReplies.of(agent.account, agent));
        }
        for (Reservation offered : agent.offers) {
            fanout.send(session, Offers.message(offered));
        }
        fanout.announceToAgentsIfChanged(agent, before);
        if (wasAway) {
            fanout.roomPresence(agent, StatusIs.AVAILABLE);
        }
        turn.capacityChanged(agent);
    }

    /** A guest (attached or resumed) gets their place in the queue, or their room. */
    void restoreGuest(Session session, boolean wasAway) {
        Reservation reservation = session.reservation;
        if (reservation.isWaiting()) {
            positions.sendNow(reservation);
            return;
        }
        if (reservation.status() == ReservationStatus.MATCHED && reservation.room == null
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

    // ---------------------------------------------------------------------------------------------------------------
    // Sessions that do not come back

    void graceOver(Session session) {
        if (session.connection != null || byDigest.get(session.digest) != session) {
            return;
        }
        session.graceTimer = null;
        forget(session);
        if (!session.isGuest()) {
            agentGone(session.agent);
            return;
        }
        Reservation reservation = session.reservation;
        if (reservation.keepsPlace() && reservation.isWaiting()) {
            // Their place is kept by email: the reservation waits on without a session, as a REST one does.
            reservation.session = null;
            turn.stored(reservation);
            return;
        }
        switch (reservation.status()) {
            case QUEUED -> {
                assignment.leaveQueue(reservation, ReservationStatus.EXPIRED);
                fanout.toAgents(account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.EXPIRED));
            }
            case MATCHED -> {
                if (reservation.room != null && reservation.room.open) {
                    rooms.close(reservation.room, EndReason.GUEST_GONE, null);
                }
            }
            case EXPIRED, CANCELED -> {
                // Already has its outcome.
            }
        }
        retention.sessionGone(reservation);
    }

    /**
     * {@code logout}: the agent's session ends now, as if its grace had run out (their guests go back to the front of
     * their queues, each with the conversation so far); the connection stays, signed in as nobody.
     */
    void logout(Session session) {
        agentGone(session.agent);
        forget(session);
        signOut(session);
    }

    /**
     * A session lets its connection go without closing it: its grace stops, and the connection, if any, is signed in
     * as nobody, with the identify deadline again to sign in or go.
     */
    private void signOut(Session session) {
        if (session.graceTimer != null) {
            session.graceTimer.cancel();
            session.graceTimer = null;
        }
        Connection connection = session.connection;
        if (connection != null) {
            byConnection.remove(connection);
            session.connection = null;
            adopt(connection, clock.now());
        }
    }

    /**
     * An agent's resume grace ran out (or they signed out): each of their rooms ends ({@code agent_gone}) and its
     * guest goes back to the front of the queue; the next room of that guest starts with the conversation so far.
     */
    private void agentGone(Agent agent) {
        StatusIs before = agent.visibleAvailability();
        members.leaveAll(agent);
        for (Room room : List.copyOf(agent.rooms)) {
            rooms.close(room, EndReason.AGENT_GONE, null);
            assignment.requeueAtFront(room.reservation);
        }
        for (Reservation reservation : List.copyOf(agent.held)) {
            assignment.release(reservation);
            assignment.requeueAtFront(reservation);
        }
        agentLeft.accept(agent);
        agent.session = null;
        fanout.announceToAgentsIfChanged(agent, before);
        turn.capacityChanged(agent);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Binding

    void bind(Session session, Connection connection) {
        session.connection = connection;
        byDigest.put(session.digest, session);
        turn.stored(session);
        byConnection.put(connection, session);
    }

    /** Ends a session for good (its agent signed in again): its connection, if any, is closed. */
    private void retire(Session session, String reason) {
        forget(session);
        detach(session, reason);
    }

    /** A session can no longer be resumed: neither of its tokens works. */
    private void forget(Session session) {
        session.ended = true;
        byDigest.remove(session.digest, session);
        if (session.previousDigest != null) {
            byDigest.remove(session.previousDigest, session);
        }
        turn.ended(session);
    }

    /** Stops a session's grace timer and closes its connection, if any (4000: the session moved). */
    private void detach(Session session, String reason) {
        if (session.graceTimer != null) {
            session.graceTimer.cancel();
            session.graceTimer = null;
        }
        if (session.connection != null) {
            Connection connection = session.connection;
            byConnection.remove(connection);
            connections.remove(connection);
            session.connection = null;
            fanout.close(connection, Desk.CLOSE_SESSION_MOVED, reason);
        }
    }

    /** Every connection of this desk is closed (the desk is dropped): they reconnect and resume elsewhere. */
    void closeAll(int status, String reason) {
        for (Connection connection : List.copyOf(connections)) {
            fanout.close(connection, status, reason);
        }
        connections.clear();
        byConnection.clear();
    }
}
