package io.switchboard.server.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.server.desk.Connection;
import java.util.ArrayList;
import java.util.List;

/** A WebSocket channel as the desk sees it. Its pending output belongs to the desk thread. */
final class ChannelConnection implements Connection {
    static final AttributeKey<ChannelConnection> KEY = AttributeKey.valueOf("switchboard.connection");

    final Channel channel;
    /** Messages the desk queued this turn; desk thread only. */
    List<ServerMessage> pending = new ArrayList<>();
    /** A close the desk asked for this turn, sent after the pending messages; desk thread only. */
    int closeStatus;
    String closeReason;
    boolean queued;
    /** Its place in the release order: its frames leave in order, each once what it shows is durable. */
    final io.switchboard.server.store.Release.Line line = new io.switchboard.server.store.Release.Line();

    /** The client address of the upgrade: the peer, or the client a trusted proxy named. */
    private final String source;

    ChannelConnection(Channel channel) {
        this.channel = channel;
        this.source = AddressGate.client(channel);
    }

    @Override
    public String source() {
        return source;
    }

    @Override
    public String toString() {
        return "connection " + channel.id().asShortText();
    }
}
