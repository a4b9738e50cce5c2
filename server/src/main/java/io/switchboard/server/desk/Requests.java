package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import java.util.ArrayList;
import java.util.List;

/**
 * One request, dispatched by its type ({@link Request.Visitor}: a new request type fails to compile until it is
 * handled here), with the connection and session it came on. Every check that can refuse it comes before its first
 * change, so a refusal ({@link DeskException}) means nothing happened. Desk thread only.
 */
final class Requests implements Request.Visitor<Void> {
    private static final ServerMessage PONG = new ServerMessage.Pong();

    private final Desk desk;
    private final Connection connection;
    private final String ref;
    private final Session session;

    Requests(Desk desk, Connection connection, String ref, Session session) {
        this.desk = desk;
        this.connection = connection;
        this.ref = ref;
        this.session = session;
    }

    /**
     * Whether a request would change what is stored: refused at once while the journal cannot take changes. Reads
     * ({@code history}, {@code snapshot}), typing and {@code ping} change nothing and still answer.
     */
    static boolean changesState(Request request) {
        if (request instanceof Request.Status status) {
            return status.of() == io.switchboard.protocol.StatusOf.AVAILABILITY;
        }
        return !(request instanceof Request.Ping || request instanceof Request.History
                || request instanceof Request.Snapshot || request instanceof Request.Activity
                || request instanceof Request.Context);
    }

    // --- Any connection -------------------------------------------------------------------------------------------

    @Override
    public Void ping(Request.Ping request) {
        desk.sessions.confirmToken(session);
        desk.fanout.send(connection, PONG);
        return null;
    }

    @Override
    public Void identify(Request.Identify request) {
        requireAnonymous();
        desk.guests.identify(connection, ref, request);
        return null;
    }

    @Override
    public Void login(Request.Login request) {
        requireAnonymous();
        desk.sessions.login(connection, ref, request);
        return null;
    }

    @Override
    public Void resume(Request.Resume request) {
        requireAnonymous();
        desk.sessions.resume(connection, ref, request);
        return null;
    }

    // --- Identified sessions --------------------------------------------------------------------------------------

    @Override
    public Void status(Request.Status request) {
        identified();
        if (request.of() == StatusOf.TYPING) {
            desk.members.typing(session, request);
            return null;
        }
        desk.workspace.availability(agent(), request.is(), null, null);
        return null;
    }

    @Override
    public Void message(Request.Message request) {
        identified();
        desk.rooms.message(session, request);
        return null;
    }

    @Override
    public Void history(Request.History request) {
        identified();
        desk.rooms.history(session, request);
        return null;
    }

    @Override
    public Void cancel(Request.Cancel request) {
        identified();
        if (!session.isGuest()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "cancel: for a waiting guest (you are an agent)");
        }
        Reservation reservation = session.reservation;
        if (!reservation.isWaiting()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "cancel: reservation is " + reservation.status().wire()
                    + " (expected: QUEUED)");
        }
        desk.assignment.leaveQueue(reservation, ReservationStatus.CANCELED);
        desk.fanout.toAgents(desk.account, new ServerMessage.Update(List.of(reservation.user),
                UpdateDetails.CANCELED));
        return null;
    }

    @Override
    public Void end(Request.End request) {
        identified();
        desk.rooms.end(session, request);
        return null;
    }

    @Override
    public Void assist(Request.Assist request) {
        identified();
        Agent agent = agent();
        Iterable<Group> groups = agent.groups;
        if (request.group() != null) {
            Group group = desk.account.group(request.group());
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
        Reservation next = Assignment.mostUrgentFor(agent, groups);
        if (next == null) {
            // No guest waits to chat: the oldest message left by email is next.
            next = Assignment.oldestMessage(groups);
        }
        if (next == null) {
            throw new DeskException(ErrorCode.NO_GUESTS, "assist: no guest is waiting in " + names(groups));
        }
        desk.assignment.assign(next, agent);
        return null;
    }

    @Override
    public Void transfer(Request.Transfer request) {
        identified();
        Agent requester = agent();
        desk.members.transfer(requester, Rooms.openRoom(desk.account, request.room()),
                desk.account.agent(request.agent()));
        return null;
    }

    @Override
    public Void join(Request.Join request) {
        identified();
        desk.members.join(supervisor(), Rooms.openRoom(desk.account, request.room()), request.silently());
        return null;
    }

    @Override
    public Void leave(Request.Leave request) {
        identified();
        desk.members.leave(supervisor(), Rooms.openRoom(desk.account, request.room()));
        return null;
    }

    @Override
    public Void limit(Request.Limit request) {
        identified();
        Agent self = agent();
        Agent target = self;
        if (request.agent() != null && !request.agent().equals(self.user)) {
            if (!self.supervisor) {
                throw new DeskException(ErrorCode.NOT_ALLOWED, "limit: only a supervisor sets another agent's limit");
            }
            target = desk.account.agent(request.agent());
        }
        target.limit = request.limit();
        // Every console shows the new limit at once: a console by its change ({@code team}, at the end of the turn),
        // any other agent by a snapshot.
        desk.turn.capacityChanged(target);
        ServerMessage.Snapshot whole = null;
        for (Agent other : desk.account.agents.values()) {
            if (other.session != null && !other.session.console) {
                whole = whole != null ? whole : desk.views.snapshot(Views.queueLimit(other.session, null));
                desk.fanout.send(other.session, whole);
            }
        }
        return null;
    }

    @Override
    public Void logout(Request.Logout request) {
        identified();
        agent();
        desk.sessions.logout(session);
        return null;
    }

    @Override
    public Void question(Request.Question request) {
        identified();
        if (!session.isGuest()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "question: for a waiting guest (you are an agent)");
        }
        Reservation reservation = session.reservation;
        if (!reservation.isWaiting()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "question: you are not waiting (in a room, send a "
                    + "message)");
        }
        String question = reservation.question == null || reservation.question.isEmpty() ? request.body()
                : reservation.question + "\n" + request.body();
        if (question.length() > io.switchboard.protocol.Limits.QUESTION_MAX) {
            throw new DeskException(ErrorCode.TOO_LARGE, "question: " + question.length() + " characters with what "
                    + "you added (at most " + io.switchboard.protocol.Limits.QUESTION_MAX + ")");
        }
        String shown = Names.cut(reservation.question, Names.SNAPSHOT_QUESTION_MAX);
        reservation.question = question;
        desk.turn.stored(reservation);
        if (!Names.cut(question, Names.SNAPSHOT_QUESTION_MAX).equals(shown)) {
            // Agents see the first 200 characters: only a change there is news for them.
            desk.turn.board.edited(reservation);
        }
        return null;
    }

    @Override
    public Void keepPlace(Request.KeepPlace request) {
        identified();
        if (!session.isGuest()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "keep_place: for a waiting guest (you are an agent)");
        }
        desk.byEmail.keepPlace(session, request.email(), request.push());
        return null;
    }

    @Override
    public Void snapshot(Request.Snapshot request) {
        identified();
        agent();
        desk.fanout.send(session, desk.views.snapshot(Views.queueLimit(session, request.queueLimit())));
        return null;
    }

    @Override
    public Void accept(Request.Accept request) {
        identified();
        Agent agent = agent();
        desk.assignment.assign(desk.offers.accept(agent, request.offer()), agent);
        return null;
    }

    @Override
    public Void pass(Request.Pass request) {
        identified();
        desk.offers.pass(agent(), request.offer());
        return null;
    }

    @Override
    public Void activity(Request.Activity request) {
        identified();
        desk.workspace.activity(agent(), request.hidden());
        return null;
    }

    @Override
    public Void context(Request.Context request) {
        identified();
        Agent agent = agent();
        Room room = desk.account.rooms.get(request.room());
        if (room == null) {
            throw new DeskException(ErrorCode.UNKNOWN_ROOM, "room: " + request.room() + " (expected: a room of this "
                    + "account)");
        }
        desk.fanout.send(session, desk.workspace.context(agent, room));
        return null;
    }

    @Override
    public Void replySave(Request.ReplySave request) {
        identified();
        desk.replies.save(agent(), request);
        return null;
    }

    @Override
    public Void replyDelete(Request.ReplyDelete request) {
        identified();
        desk.replies.delete(agent(), request);
        return null;
    }

    // --- Checks ---------------------------------------------------------------------------------------------------

    private void requireAnonymous() {
        if (session != null) {
            throw new DeskException(ErrorCode.ALREADY_IDENTIFIED, "connection: already identified as "
                    + session.role.wire() + " " + session.user());
        }
    }

    private void identified() {
        if (session == null) {
            throw new DeskException(ErrorCode.NOT_IDENTIFIED,
                    "connection: not identified (expected: identify, login or resume first)");
        }
        desk.sessions.confirmToken(session);
    }

    private Agent agent() {
        if (session.agent == null) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "request: for agents (you are a guest)");
        }
        return session.agent;
    }

    private Agent supervisor() {
        Agent agent = agent();
        if (!agent.supervisor) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "request: for supervisors");
        }
        return agent;
    }

    private static String names(Iterable<Group> groups) {
        List<String> names = new ArrayList<>();
        groups.forEach(group -> names.add(group.name));
        return names.toString();
    }
}
