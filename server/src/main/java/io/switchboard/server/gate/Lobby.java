package io.switchboard.server.gate;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.server.desk.AddressLimits;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.DeskException;
import io.switchboard.server.desk.DeskMetrics;

/**
 * Where a connection waits until it signs in: it is told {@code welcome}, may {@code ping}, and is closed (1008) if it
 * has not identified, logged in or resumed within {@code identify_deadline_ms}. A sign-in goes to the desk of the
 * account it names ({@link DeskGate#resolve}), with everything the connection sends after it; one that names no
 * account the gate knows is answered here, as its desk would (an unknown token counts as a failed sign-in). Any other
 * request is {@code not_identified}. Lobby thread only.
 */
final class Lobby extends Route {
    private static final ServerMessage WELCOME = new ServerMessage.Welcome();
    private static final ServerMessage PONG = new ServerMessage.Pong();

    private final DeskGate gate;
    private final TurnOutbox outbox;
    private final AddressLimits limits;
    private final DeskMetrics metrics;
    private final long identifyDeadlineMs;
    private int waiting;

    Lobby(DeskThread thread, DeskGate gate, TurnOutbox outbox, AddressLimits limits, DeskMetrics metrics,
          long identifyDeadlineMs) {
        super(thread);
        this.gate = gate;
        this.outbox = outbox;
        this.limits = limits;
        this.metrics = metrics;
        this.identifyDeadlineMs = identifyDeadlineMs;
    }

    /** A new connection: welcome (unless another node said it), and the identify deadline. */
    void opened(Link link, boolean welcome) {
        waiting++;
        if (welcome) {
            outbox.send(link, WELCOME);
        }
        thread.schedule(identifyDeadlineMs, () -> {
            if (link.route == this) {
                waiting--;
                link.route = Closed.ROUTE;
                outbox.close(link, Desk.CLOSE_NOT_IDENTIFIED, "not identified within " + identifyDeadlineMs / 1000
                        + " s");
                outbox.flush(false);
            }
        });
        outbox.flush(false);
    }

    @Override
    void request(Link link, String ref, Request request) {
        Route target = gate.resolve(request);
        if (target != null) {
            waiting--;
            handOver(link, target, ref, request);
            return;
        }
        if (gate.elsewhere(request)) {
            // A cluster node without this account's desk now (it is moving): the client comes back and finds it.
            waiting--;
            link.route = Closed.ROUTE;
            outbox.close(link, Desk.CLOSE_DESK_MOVED, "this account is moving to another server: reconnect");
            outbox.flush(false);
            return;
        }
        ServerMessage answer;
        try {
            answer = answer(link, request);
        } catch (DeskException e) {
            metrics.error(e.code());
            answer = new ServerMessage.ErrorReply(ref, e.code(), e.getMessage());
        }
        outbox.send(link, answer);
        if (ref != null && !(answer instanceof ServerMessage.ErrorReply)) {
            outbox.send(link, new ServerMessage.Ack(ref));
        }
        outbox.flush(false);
    }

    /** What the lobby answers a request that no desk takes. */
    private ServerMessage answer(Link link, Request request) {
        if (request instanceof Request.Ping) {
            return PONG;
        }
        if (request instanceof Request.Identify identify && identify.reservation() != null) {
            long retryAfter = limits.failedSignIn(link.source(), "\nreservation");
            if (retryAfter > 0) {
                metrics.rateLimited("sign_in");
                throw DeskException.rateLimited("identify: too many reservations from your address could not be attached; "
                        + "try again in " + retryAfter + " s", retryAfter);
            }
            throw DeskException.refused(ErrorCode.UNKNOWN_RESERVATION, "reservation: " + identify.reservation()
                    + " (expected: a reservation of this account and group)");
        }
        if (request instanceof Request.Identify identify) {
            String account = identify.account() == null ? Desk.DEFAULT_ACCOUNT : identify.account();
            throw DeskException.refused(ErrorCode.INVALID_FIELD, "account: " + account + " (expected: a configured account)");
        }
        if (request instanceof Request.Login login) {
            throw limits.failedLogin(link.source(), login.user(), metrics);
        }
        if (request instanceof Request.Resume) {
            throw DeskException.unknownSession();
        }
        throw DeskException.refused(ErrorCode.NOT_IDENTIFIED,
                "connection: not identified (expected: identify, login or resume first)");
    }

    @Override
    void rejected(Link link, String ref, ErrorCode code, String message) {
        metrics.error(code);
        if (code == ErrorCode.RATE_LIMITED) {
            metrics.rateLimited("websocket");
        }
        outbox.send(link, new ServerMessage.ErrorReply(ref, code, message));
        outbox.flush(false);
    }

    @Override
    void closed(Link link) {
        waiting--;
        link.route = Closed.ROUTE;
    }

    @Override
    void arrive(Link link, String ref, Request request) {
        throw new IllegalStateException("nothing is handed back to the lobby");
    }

    /** Connections waiting here now (a gauge). Lobby thread only. */
    int waiting() {
        return waiting;
    }
}
