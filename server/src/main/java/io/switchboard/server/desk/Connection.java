package io.switchboard.server.desk;

/**
 * One client connection as the desk sees it: an identity the transport hands in with each event and that the desk
 * hands back to the {@link Outbox}. Compared by identity.
 */
public interface Connection {
    /** Where the connection comes from (its IP address), for per-source limits; null when unknown. */
    default String source() {
        return null;
    }
}
