package io.switchboard.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AttributeKey;
import io.switchboard.server.metrics.ServerMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: knows its client address and counts connections per address ({@code
 * limits.connections_per_address}). A connection straight from a client is counted when it opens and closed at once
 * past the limit, before it costs anything more than its socket. A connection from a trusted proxy carries many clients'
 * requests one after the other, so it is not counted itself; each request names its client ({@link ClientAddresses}),
 * and a WebSocket or an event stream, which pins the connection to one client, is counted under that client when it
 * starts ({@link #hold}).
 */
final class AddressGate extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(AddressGate.class);
    /** The client address of the connection's current request (for WebSockets: of its upgrade). */
    static final AttributeKey<String> CLIENT = AttributeKey.valueOf("switchboard.client");
    /** The address this connection is counted under, if it is. */
    private static final AttributeKey<String> COUNTED = AttributeKey.valueOf("switchboard.counted");
    /** A connection from the address of another cluster node: counted only once a request shows it is no node's. */
    private static final AttributeKey<Boolean> PEER = AttributeKey.valueOf("switchboard.peer");
    /** A connection another node forwards for one of its clients (it counted that client). */
    static final AttributeKey<Boolean> FORWARDED = AttributeKey.valueOf("switchboard.forwarded");

    private final ClientAddresses addresses;
    private final AddressCounts connections;
    private final ServerMetrics metrics;
    private final io.switchboard.server.gate.Placement placement;

    AddressGate(ClientAddresses addresses, AddressCounts connections, ServerMetrics metrics,
                io.switchboard.server.gate.Placement placement) {
        this.addresses = addresses;
        this.connections = connections;
        this.metrics = metrics;
        this.placement = placement;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        Channel channel = context.channel();
        if (channel.remoteAddress() instanceof java.net.InetSocketAddress peer && peer.getAddress() != null
                && placement.mayBePeer(peer.getAddress())) {
            channel.attr(PEER).set(true);
        } else if (!addresses.trusted(channel.remoteAddress())) {
            String client = ClientAddresses.of(channel.remoteAddress());
            if (client != null) {
                channel.attr(CLIENT).set(client);
                if (!connections.acquire(client)) {
                    metrics.rateLimited("connections");
                    log.debug("closing a connection from {}: it has {} open already", client, connections.limit());
                    context.close();
                    return;
                }
                channel.attr(COUNTED).set(client);
            }
        }
        super.channelActive(context);
    }

    /** A request arrived: through a trusted proxy, it names its client (called by {@link RequestGuard}). */
    static void requested(Channel channel, HttpRequest request, ClientAddresses addresses,
                          io.switchboard.server.gate.Placement placement,
                          AddressCounts connections) {
        String forwardedFor = placement.clustered() ? Peers.forwardedClient(request.headers(), placement) : null;
        if (forwardedFor != null) {
            // Another node, speaking for its client (it counted that client): not a client of this node's.
            channel.attr(FORWARDED).set(true);
            channel.attr(CLIENT).set(forwardedFor);
            String counted = channel.attr(COUNTED).getAndSet(null);
            if (counted != null) {
                connections.release(counted);
            }
            return;
        }
        channel.attr(FORWARDED).set(false);
        if (Boolean.TRUE.equals(channel.attr(PEER).get())) {
            channel.attr(CLIENT).set(ClientAddresses.of(channel.remoteAddress()));
        } else if (addresses.trusted(channel.remoteAddress())) {
            channel.attr(CLIENT).set(addresses.of(channel.remoteAddress(), request.headers()));
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        String counted = context.channel().attr(COUNTED).getAndSet(null);
        if (counted != null) {
            connections.release(counted);
        }
        super.channelInactive(context);
    }

    /** Whether the channel's current request was forwarded by another node of the cluster (it must not go on again). */
    static boolean forwarded(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(FORWARDED).get());
    }

    /** The client address of a channel's current request, or null when unknown (an embedded channel in tests). */
    static String client(Channel channel) {
        return channel.attr(CLIENT).get();
    }

    /**
     * Counts a connection that is being pinned to one client (an upgrade or a stream from a trusted proxy) under that
     * client; false when that client holds the limit already. A connection counted at open is not counted again.
     */
    static boolean hold(Channel channel, AddressCounts connections) {
        if (channel.hasAttr(COUNTED) && channel.attr(COUNTED).get() != null || forwarded(channel)) {
            return true;
        }
        String client = client(channel);
        if (client == null) {
            return true;
        }
        if (!connections.acquire(client)) {
            return false;
        }
        channel.attr(COUNTED).set(client);
        return true;
    }
}
