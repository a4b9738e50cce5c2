package io.switchboard.server.desk;

import io.switchboard.protocol.Role;

/**
 * An identified session: a guest (with their reservation) or an agent. Outlives its connection by the resume grace.
 * The desk keeps only digests of its tokens: a new token is given at every takeover ({@code resume}), and the one it
 * replaced keeps working until the client shows it has the new one (its next request), so a client that lost the
 * {@code identified} with its new token can still come back. Desk thread only.
 */
final class Session {
    /** Names the session for good (a guest's: their reservation sid; an agent's: {@code account/user}). */
    final String key;
    final Role role;
    final Account account;
    /** The agent of an agent session; null for guests. */
    final Agent agent;
    /** The reservation of a guest session; null for agents. */
    final Reservation reservation;
    /** The digest of the current token. */
    String digest;
    /** The digest of the token before it, still taken until the client uses the session again; or null. */
    String previousDigest;
    Connection connection;
    /** An agent's console ({@code "console": true} at sign-in or resume): it follows the board, alerts and replies. */
    boolean console;
    Cancellable graceTimer;
    /** It can no longer be resumed (its grace ran out, or its agent signed in anew). */
    boolean ended;

    Session(Role role, Account account, Agent agent, Reservation reservation, String digest) {
        this.key = agent != null ? agent.account.id + '/' + agent.user : reservation.sid;
        this.role = role;
        this.account = account;
        this.agent = agent;
        this.reservation = reservation;
        this.digest = digest;
    }

    String user() {
        return agent != null ? agent.user : reservation.user;
    }

    boolean isGuest() {
        return role == Role.GUEST;
    }
}
