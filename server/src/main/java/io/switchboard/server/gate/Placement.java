package io.switchboard.server.gate;

/**
 * Which node serves an account now, as the transport asks before it hands a sign-in or a REST call to the gate: here
 * (this node has the account's desk and may speak for it), there (another node holds the lease: forward to it), or
 * nowhere (the account is moving: hold the request a while and ask again). One server is the first case for every
 * account ({@link #SINGLE}); a cluster node asks its ownership of leases. Thread-safe.
 */
public interface Placement {
    /** Where an account's desk is. */
    enum Kind { HERE, THERE, NOWHERE }

    /** An account's owner as this node knows it: for {@code THERE}, the node, its lease's epoch and its address. */
    record Owner(Kind kind, String node, long epoch, String host, int port) {
        public static final Owner HERE = new Owner(Kind.HERE, null, 0, null, 0);
        public static final Owner NOWHERE = new Owner(Kind.NOWHERE, null, 0, null, 0);
    }

    /** One server: every account is here. */
    Placement SINGLE = account -> Owner.HERE;

    /** Where the account's desk is now. */
    Owner ownerOf(String account);

    /**
     * Whether this node has just taken the account and is restoring its desk (it will be {@code HERE} in a moment):
     * a request another node forwarded here waits for it; for any other account such a request is sent back at once.
     */
    default boolean arriving(String account) {
        return false;
    }

    /** Whether this is one node of a cluster. */
    default boolean clustered() {
        return false;
    }

    /** The secret nodes show each other on forwarded requests (null on one server). */
    default String peerSecret() {
        return null;
    }

    /** This node's id (null on one server). */
    default String node() {
        return null;
    }

    /**
     * Whether a connection from this address may be another node forwarding its clients (then it is not counted as a
     * client until its first request shows which it is).
     */
    default boolean mayBePeer(java.net.InetAddress address) {
        return false;
    }

    /** How long a request for an account that is nowhere is held before it is refused (1012 / 503). */
    default long forwardWaitMs() {
        return 0;
    }

    /**
     * Runs {@code moved} once the account's owner is no longer {@code owner} (the connection forwarded to it must go
     * and find the new one); returns what cancels that. Any thread; {@code moved} runs on the cluster's thread.
     */
    default Runnable watch(String account, Owner owner, Runnable moved) {
        return () -> { };
    }
}
