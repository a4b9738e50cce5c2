package io.switchboard.server.desk;

import io.switchboard.protocol.Role;

/**
 * An identified session: a guest (with their reservation) or an agent. Outlives its connection by the resume grace.
 * Desk thread only.
 */
final class Session {
    final String token;
    final Role role;
    final Account account;
    /** The agent of an agent session; null for guests. */
    final Agent agent;
    /** The reservation of a guest session; null for agents. */
    final Reservation reservation;
    Connection connection;
    Cancellable graceTimer;
    /** Whether its row has been handed to the journal. */
    boolean stored;

    Session(String token, Role role, Account account, Agent agent, Reservation reservation) {
        this.token = token;
        this.role = role;
        this.account = account;
        this.agent = agent;
        this.reservation = reservation;
    }

    String user() {
        return agent != null ? agent.user : reservation.user;
    }

    boolean isGuest() {
        return role == Role.GUEST;
    }
}
