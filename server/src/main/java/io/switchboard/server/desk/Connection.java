package io.switchboard.server.desk;

/**
 * One client connection as the desk sees it: an identity the transport hands in with each event and that the desk
 * hands back to the {@link Outbox}. Compared by identity.
 */
public interface Connection {
}
