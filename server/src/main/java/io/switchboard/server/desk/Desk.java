package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Rest;
import io.switchboard.protocol.ServerMessage;
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
 * turn's listener lets what it said go. The parts: {@link Sessions} (who is who), {@link GuestSignIn} (a guest signs
 * in), {@link Requests} (what each request does), {@link Assignment}, {@link Rooms}, {@link QueuePositions}, {@link
 * Retention}, {@link ReservationFeed}, {@link Fanout} (who hears what), {@link Views}, {@link RestCalls} (REST and
 * SSE); {@link DeskProbe} is what tools may read.
 */
public final class Desk {
    private static final Logger log = LoggerFactory.getLogger(Desk.class);

    /** The account and group of a guest who names none. */
    public static final String DEFAULT_ACCOUNT = "default";
    public static final String DEFAULT_GROUP = "default";
    /** Priority of guests who identify over WebSocket; only REST callers choose another. */
    public static final int WEBSOCKET_PRIORITY = GuestSignIn.WEBSOCKET_PRIORITY;
    /** Close status for a connection whose session moved to another connection. */
    public static final int CLOSE_SESSION_MOVED = 4000;
    /** Close status for a connection that did not identify, log in or resume in time (policy violation). */
    public static final int CLOSE_NOT_IDENTIFIED = 1008;
    /** Close status when the desk goes away (dropped, or moved to another node): reconnect and resume. */
    public static final int CLOSE_DESK_MOVED = 1012;
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
    private final RestCalls rest;
    final Fanout fanout;
    final Turn turn;
    final Rooms rooms;
    final RoomMembers members;
    final Assignment assignment;
    final Views views;
    final Sessions sessions;
    final GuestSignIn guests;
    private final QueuePositions positions;
    private final ReservationFeed feed;
    private final Retention retention;
    private final DeskProbe probe;
    final Mailbox mailbox;
    final ByEmail byEmail;
    final Workspace workspace;
    final Offers offers;
    final CannedReplies replies;
    private boolean dropped;

    Desk(DeskBuilder builder) {
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
        this.positions = new QueuePositions(clock, fanout, estimator, feed, timings.queueposIntervalMs(), metrics);
        Board board = new Board(account, fanout, clock);
        this.turn = new Turn(account, fanout, positions, feed, dirty, journal, board, clock);
        this.retention = new Retention(clock, reservations, timings.transcriptRetentionMs(),
                timings.unservedRetentionMs(), turn);
        this.mailbox = new Mailbox(account, config, clock, ids, turn, builder.mail, builder.push);
        this.workspace = new Workspace(account, clock, fanout, turn);
        this.offers = new Offers(clock, fanout, turn, workspace);
        workspace.wentAway = offers::withdraw;
        this.replies = new CannedReplies(account, ids, clock, turn, fanout, config.limits().cannedRepliesPerAccount(),
                config.limits().cannedRepliesPerAgent());
        this.rooms = new Rooms(clock, ids, fanout, retention, turn, metrics, journal,
                config.limits().transcriptTailMessages(), mailbox, workspace);
        this.members = new RoomMembers(clock, fanout, turn);
        this.assignment = new Assignment(account, clock, fanout, positions, rooms, retention, metrics, turn, mailbox,
                offers);
        turn.runs(assignment, rooms);
        this.views = new Views(account, clock, board);
        this.sessions = new Sessions(account, timings, clock, ids, fanout, rooms, assignment, positions, retention,
                turn, metrics, builder.limits, builder.handover, views, members);
        rooms.guestAway = sessions::awayInRoom;
        sessions.agentBack = workspace::back;
        sessions.agentLeft = agent -> {
            offers.withdraw(agent);
            workspace.gone(agent);
        };
        this.guests = new GuestSignIn(account, timings, ids, fanout, assignment, turn, metrics, builder.limits,
                reservations, views, sessions);
        this.byEmail = new ByEmail(account, timings, ids, fanout, assignment, rooms, sessions, mailbox, turn, metrics,
                builder.limits, reservations, clock, config.limits().messagesPerAddressPerHour());
        this.rest = new RestCalls(this, config, clock, ids, metrics, journal, retention, positions, feed);
        this.probe = new DeskProbe(account, reservations, sessions, clock, mailbox);
        for (Group group : account.groups.values()) {
            assignment.armOpenings(group);
        }
    }

    /** A desk for one account of the configuration; the calling thread becomes its thread. */
    public static DeskBuilder builder(ServerConfig config, ServerConfig.AccountConfig account, DeskClock clock,
                                      Outbox outbox) {
        return new DeskBuilder(config, account, clock, outbox);
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
                // The mails this turn made are written with it: they go to the sender once that is durable.
                mailbox.flush();
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
            if (Requests.changesState(request)) {
                requireStorage(journal);
            }
            Session session = sessions.of(connection);
            if (session != null && session.agent != null && !(request instanceof Request.Ping)) {
                workspace.active(session.agent);
            }
            request.accept(new Requests(this, connection, ref, session));
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
     * Creates a reservation for a trusted REST caller (contract §3.1) and queues it. Desk thread only.
     *
     * @throws DeskException see {@link RestCalls#createReservation}
     */
    public Rest.GroupReservation createReservation(String groupName, String externalUserId, int priority,
                                                   Integer reserveForSeconds, Map<String, String> details) {
        checkThread();
        return rest.createReservation(groupName, externalUserId, priority, reserveForSeconds, details);
    }

    /** The group reservation object of a reservation of the group. Desk thread only. */
    public Rest.GroupReservation reservation(String groupName, String sid) {
        checkThread();
        return rest.reservation(groupName, sid);
    }

    /** Cancels a reservation that is queued or matched (see {@link RestCalls#cancelReservation}). Desk thread only. */
    public Rest.GroupReservation cancelReservation(String groupName, String sid) {
        checkThread();
        return rest.cancelReservation(groupName, sid);
    }

    /** The queue-position API (contract §3.2; see {@link RestCalls#queuePosition}). Desk thread only. */
    public Rest.QueuePosition queuePosition(String conversationId) {
        checkThread();
        return rest.queuePosition(conversationId);
    }

    /** Follows a reservation of a group: an SSE stream (see {@link RestCalls#watch}). Desk thread only. */
    public void watch(String groupName, String sid, long lastSeenVersion, ReservationWatcher watcher) {
        checkThread();
        rest.watch(groupName, sid, lastSeenVersion, watcher);
    }

    /** Stops a watcher (its stream closed); nothing happens if it is not watching. Desk thread only. */
    public void unwatch(String sid, ReservationWatcher watcher) {
        checkThread();
        rest.unwatch(sid, watcher);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The widget and email (docs/protocol.md#email)

    /** What the widget shows before a guest types anything ({@code GET /v1/widget/...}). Desk thread only. */
    public Rest.WidgetState widget(String groupName) {
        checkThread();
        return rest.widget(groupName);
    }

    /**
     * A message left for a group by a guest of the widget, from {@code source} (their address). Desk thread only.
     *
     * @throws DeskException without email (not_allowed), an unknown group (missing), a full group or too many from the
     *                       address (rate limited)
     */
    public Rest.MessageLeft leaveMessage(String groupName, Rest.LeaveMessage body, String source) {
        checkThread();
        requireStorage(journal);
        return byEmail.leave(groupName, body, source);
    }

    /**
     * A guest's email for the conversation of {@code token} (the reader found it in the reply-to address or the
     * references); true once taken (or taken before), false when no conversation of this desk has that token.
     */
    public boolean mailArrived(String token, String messageId, String text) {
        checkThread();
        requireStorage(journal);
        return byEmail.arrived(token, messageId, text);
    }

    /** The SMTP server took a mail the desk made. Desk thread only. */
    public void mailSent(String id) {
        checkThread();
        mailbox.sent(id);
    }

    /** Sending a mail failed; {@code permanent}: the server refused its address, so it is dropped. Desk thread only. */
    public void mailFailed(String id, boolean permanent, String why) {
        checkThread();
        mailbox.failed(id, permanent, why);
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
        new Restore(account, sessions, reservations, assignment, retention, rooms, clock).apply(state);
        turn.board.reset();
        mailbox.restore(state.mails());
        replies.restore(state.replies());
        account.openRooms.values().forEach(workspace::restored);
    }

    /**
     * Lets the desk go (its account moves, or is restored anew from its rows): its connections are closed with 1012
     * so their clients reconnect and resume, its event streams end so their browsers reconnect, and none of its
     * timers runs again. Nothing stored changes. Desk thread only.
     */
    public void drop() {
        checkThread();
        sessions.closeAll(CLOSE_DESK_MOVED, "this conversation moved: reconnect and resume");
        // Its event streams end as well, and their browsers reconnect to wherever the account is now.
        for (Reservation reservation : reservations.values()) {
            if (!reservation.watchers.isEmpty()) {
                feed.forget(reservation);
            }
        }
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

    /** Refuses a change while the journal takes none (storage failing): reads still answer. */
    static void requireStorage(Journal journal) {
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

    /** A room's whole transcript (tests: a restored room reads its transcript as history would). Desk thread only. */
    List<ServerMessage.Message> transcript(Room room) {
        return rooms.transcript(room);
    }

    private void checkThread() {
        assert Thread.currentThread() == owner : "desk " + account.id + " called from "
                + Thread.currentThread().getName() + ", its thread is " + owner.getName();
    }
}
