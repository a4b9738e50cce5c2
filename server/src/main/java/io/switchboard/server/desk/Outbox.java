package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;

/**
 * Where the desk's output goes. Called on the desk thread only; an implementation queues and must not block. The
 * messages of one connection arrive in the order they were sent.
 */
public interface Outbox {
    /** Queues a message for a connection. */
    void send(Connection connection, ServerMessage message);

    /** Closes a connection after what was queued for it, with a WebSocket close status. */
    void close(Connection connection, int status, String reason);
}
