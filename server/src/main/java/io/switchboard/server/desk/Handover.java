package io.switchboard.server.desk;

import io.switchboard.protocol.Request;

/**
 * Where a desk sends a connection that is not identified here and signs in to another account (a guest who names
 * another account, a token of another account's agent, a session or reservation of another account): the desk lets
 * the connection go, and the gate routes it and its request to the right desk, in order. Desk thread only.
 */
public interface Handover {
    /** Nowhere: a desk driven on its own (the simulator, tests) answers as if the account did not exist. */
    Handover NONE = (connection, ref, request) -> false;

    /**
     * Takes the connection and its request to the desk of the account the request names; false when no other desk
     * would take it (the desk then answers it itself).
     */
    boolean handOver(Connection connection, String ref, Request request);
}
