package io.switchboard.server.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.server.gate.Link;
import io.switchboard.server.gate.Release;
import java.util.ArrayList;
import java.util.List;

/**
 * A WebSocket channel as the gate routes it and the desk sees it. Its pending output belongs to the thread of the desk
 * whose turn is running (a connection is on one desk at a time).
 */
final class ChannelConnection extends Link {
    static final AttributeKey<ChannelConnection> KEY = AttributeKey.valueOf("switchboard.connection");

    final Channel channel;
    /** Messages the desk queued this turn. */
    List<ServerMessage> pending = new ArrayList<>();
    /** A close the desk asked for this turn, sent after the pending messages. */
    int closeStatus;
    String closeReason;
    boolean queued;
    /** Its place in the release order: its frames leave in order, each once what it shows is durable. */
    final Release.Line line = new Release.Line();

    /** The connection of a channel; its client address is the upgrade's (the peer, or the client a proxy named). */
    ChannelConnection(Channel channel) {
        super(AddressGate.client(channel));
        this.channel = channel;
    }

    @Override
    public String toString() {
        return "connection " + channel.id().asShortText();
    }
}
