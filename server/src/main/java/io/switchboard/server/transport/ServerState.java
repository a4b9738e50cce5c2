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
}
