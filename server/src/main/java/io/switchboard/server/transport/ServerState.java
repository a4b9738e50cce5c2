package io.switchboard.server.transport;

import io.netty.channel.group.ChannelGroup;

/**
 * What the transport's handlers share: the open WebSockets and event streams (to close them on shutdown) and whether
 * we drain.
 */
public interface ServerState {
    ChannelGroup webSockets();

    ChannelGroup eventStreams();

    boolean draining();

    /** Whether the store cannot commit (replies wait while it retries): health says 503. */
    default boolean storeFailing() {
        return false;
    }
}
