package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.server.config.Secrets;
import io.switchboard.server.config.ServerConfig;
import java.util.Map;

/**
 * A guest signs in ({@code identify}): with a name and a question, queued now; or attached to a reservation made over
 * REST. An {@code identify} for another account, or a reservation of one, goes to that account's desk ({@link
 * Sessions#handOver}). The per-address rules ({@link AddressLimits}) apply: new conversations a minute, and failed
 * attaches as failed sign-ins. Desk thread only.
 */
final class GuestSignIn {
    /** Priority of guests who identify over WebSocket; only REST callers choose another. */
    static final int WEBSOCKET_PRIORITY = 1;
    /** Who a failed attach counts against in the sign-in throttle (no agent has this name: names have no newline). */
    private static final String ATTACH = "\nreservation";

    private final Account account;
    private final String tag;
    private final ServerConfig.Timings timings;
    private final Ids ids;
    private final Fanout fanout;
    private final Assignment assignment;
    private final Turn turn;
    private final DeskMetrics metrics;
    private final AddressLimits limits;
    private final Map<String, Reservation> reservations;
    private final Views views;
    private final Sessions sessions;

    GuestSignIn(Account account, ServerConfig.Timings timings, Ids ids, Fanout fanout, Assignment assignment,
                Turn turn, DeskMetrics metrics, AddressLimits limits, Map<String, Reservation> reservations,
                Views views, Sessions sessions) {
        this.account = account;
        this.tag = Ids.tag(account.id);
        this.timings = timings;
        this.ids = ids;
        this.fanout = fanout;
        this.assignment = assignment;
        this.turn = turn;
        this.metrics = metrics;
        this.limits = limits;
        this.reservations = reservations;
        this.views = views;
        this.sessions = sessions;
    }


    void identify(Connection connection, String ref, Request.Identify request) {
        if (request.reservation() != null) {
            if (!ownId(request.reservation()) && sessions.handOver(connection, ref, request)) {
                return;
            }
            attach(connection, request);
            return;
        }
        String accountId = request.account() == null ? Desk.DEFAULT_ACCOUNT : request.account();
        if (!accountId.equals(account.id) && sessions.handOver(connection, ref, request)) {
            return;
        }
        if (!accountId.equals(account.id)) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "account: " + accountId + " (expected: a configured "
                    + "account)");
        }
        Group group = account.group(request.group());
        requireGuestName(request.user());
        Desk.requireRoom(group, metrics);
        long retryAfter = limits.newGuest(connection.source());
        if (retryAfter > 0) {
            metrics.rateLimited("identify");
            throw DeskException.rateLimited("identify: more than " + limits.newGuestsPerMinute() + " new "
                    + "conversations a minute from your address; try again in " + retryAfter + " s", retryAfter);
        }
        Reservation reservation = new Reservation(ids.next("rsv_"), group, request.user(), request.question(),
                request.details(), null, WEBSOCKET_PRIORITY, timings.reserveForSeconds());
        reservations.put(reservation.sid, reservation);
        String token = ids.next("ses_");
        Session session = new Session(Role.GUEST, account, null, reservation, Secrets.digestText(token));
        reservation.session = session;
        sessions.bind(session, connection);
        fanout.send(session, views.identified(session, token));
        assignment.enqueueNew(reservation);
    }

    /** Whether an id carries this account's tag, or is one of this desk's (made before ids had tags). */
    private boolean ownId(String id) {
        String idTag = Ids.tagOf(id);
        return idTag == null ? reservations.containsKey(id) || sessions.byDigest.containsKey(Secrets.digestText(id))
                : idTag.equals(tag);
    }

    /** A guest's name may not pass for one of the account's agents (compared as it looks: {@link Names#fold}). */
    private void requireGuestName(String user) {
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
            limits.signedIn(source, ATTACH);
        } catch (DeskException e) {
            long retryAfter = limits.failedSignIn(source, ATTACH);
            if (retryAfter > 0) {
                metrics.rateLimited("sign_in");
                throw DeskException.rateLimited("identify: too many reservations from your address could not be "
                        + "attached; try again in " + retryAfter + " s", retryAfter);
            }
            throw e;
        }
    }

    private void attachChecked(Connection connection, Request.Identify request) {
        Reservation reservation = reservations.get(request.reservation());
        DeskException unknown = new DeskException(ErrorCode.UNKNOWN_RESERVATION, "reservation: "
                + request.reservation() + " (expected: a reservation of this account and group, and the key of its "
                + "email link when its place is kept by email)");
        if (reservation == null
                || request.account() != null && !request.account().equals(account.id)
                || request.group() != null && !request.group().equals(reservation.group.name)) {
            throw unknown;
        }
        if (reservation.mailToken != null || request.key() != null) {
            // Kept by email: only the link's key brings its guest back (then on this device, whatever held it
            // before). Checked before anything else is said of the reservation, with the same refusal as an unknown.
            if (request.key() == null || reservation.mailToken == null || !io.switchboard.server.config.Secrets.same(
                    io.switchboard.server.config.Secrets.digest(request.key()),
                    io.switchboard.server.config.Secrets.digest(reservation.mailToken))) {
                throw unknown;
            }
        }
        if (reservation.status().isFinal()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "reservation: " + reservation.status().wire()
                    + " (expected: QUEUED or MATCHED)");
        }
        if (reservation.mailToken != null) {
            if (reservation.byEmail) {
                throw new DeskException(ErrorCode.NOT_ALLOWED, "reservation: this conversation goes on by email "
                        + "(reply to the last email)");
            }
            if (reservation.session != null) {
                sessions.detachGuest(reservation.session, true);
            }
        }
        if (reservation.session != null) {
            throw new DeskException(ErrorCode.CONFLICT, "reservation: its guest has attached already (expected: "
                    + "resume with the session from identified)");
        }
        if (reservation.room != null && !reservation.room.open) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "reservation: its room has ended");
        }
        requireGuestName(request.user());
        if (request.user() != null) {
            reservation.user = request.user();
        }
        String token = ids.next("ses_");
        Session session = new Session(Role.GUEST, account, null, reservation, Secrets.digestText(token));
        reservation.session = session;
        turn.stored(reservation);
        sessions.bind(session, connection);
        fanout.send(session, views.identified(session, token));
        sessions.restoreGuest(session, false);
    }
}
