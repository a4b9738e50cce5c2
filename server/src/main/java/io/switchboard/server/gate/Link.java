package io.switchboard.server.gate;

import io.switchboard.server.desk.Connection;

/**
 * One client connection as the gate routes it: where its requests go now (the lobby until it signs in, then its
 * account's desk), and when it connected. The transport's connection is one (and so is a test's client).
 */
public class Link implements Connection {
    private final String source;
    /** Where this link's events go; changed only on the thread of the route it leaves. */
    volatile Route route;
    long connectedAt;

    protected Link(String source) {
        this.source = source;
    }

    /** Whether what the link's desk says may leave now: read on that desk's thread, at the end of its turn. */
    public Fence fence() {
        Route current = route;
        return current == null ? Fence.OPEN : current.fence();
    }

    @Override
    public String source() {
        return source;
    }
}
