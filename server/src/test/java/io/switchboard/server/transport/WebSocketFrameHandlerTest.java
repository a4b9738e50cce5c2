package io.switchboard.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.protocol.Codec;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.server.DeskLoop;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.Ids;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The frame handler and the outbox on Netty's {@code EmbeddedChannel}, with a real desk on its own thread. */
class WebSocketFrameHandlerTest implements ServerState {
    private static final Codec CODEC = new Codec();
    private final ChannelGroup webSockets = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final DeskLoop loop = new DeskLoop();
    private final ChannelOutbox outbox = new ChannelOutbox(CODEC, 1 << 20);
    private final Desk desk;

    WebSocketFrameHandlerTest() {
        loop.onEndOfTurn(outbox::flush);
        desk = loop.call(() -> new Desk(ConfigLoader.embeddedDefault(), loop, outbox, Ids.seeded(1)), 5_000);
    }

    @AfterEach
    void stop() {
        loop.shutdown(5_000);
    }

    @Override
    public ChannelGroup webSockets() {
        return webSockets;
    }

    @Override
    public ChannelGroup eventStreams() {
        return webSockets;
    }

    @Override
    public boolean draining() {
        return false;
    }

    private EmbeddedChannel handshaken() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketFrameHandler(HttpServices.of(
                ConfigLoader.embeddedDefault(), CODEC, loop, desk, this, new io.switchboard.server.metrics.ServerMetrics(),
                io.switchboard.server.store.Release.NOW)));
        channel.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/ws",
                new DefaultHttpHeaders(), null));
        assertEquals(new ServerMessage.Welcome(), read(channel));
        return channel;
    }

    /** Waits for the desk to finish what was handed to it, then runs the channel's queued writes. */
    private void settle(EmbeddedChannel channel) {
        loop.call(() -> null, 5_000);
        channel.runPendingTasks();
    }

    private ServerMessage read(EmbeddedChannel channel) {
        settle(channel);
        TextWebSocketFrame frame = channel.readOutbound();
        assertNotNull(frame, "a frame was written");
        try {
            return CODEC.decodeServerMessage(frame.text());
        } finally {
            frame.release();
        }
    }

    @Test
    void textFramesReachTheDeskAndRepliesComeBackInOrder() {
        EmbeddedChannel channel = handshaken();
        channel.writeInbound(new TextWebSocketFrame("{\"type\":\"ping\",\"ref\":\"a\"}"));
        assertEquals(new ServerMessage.Pong(), read(channel));
        assertEquals(new ServerMessage.Ack("a"), read(channel));
        channel.writeInbound(new TextWebSocketFrame("{\"type\":\"ping\",\"ref\":\"b\",\"x\":1}"));
        ServerMessage.ErrorReply error = assertInstanceOf(ServerMessage.ErrorReply.class, read(channel));
        assertEquals(ErrorCode.INVALID_FIELD, error.code());
        assertEquals("b", error.ref());
        assertFalse(channel.finish() && channel.readOutbound() != null, "nothing else was written");
    }

    @Test
    void binaryFramesCloseWith1003() {
        EmbeddedChannel channel = handshaken();
        channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2})));
        CloseWebSocketFrame close = channel.readOutbound();
        assertEquals(1003, close.statusCode());
        close.release();
        assertFalse(channel.isOpen());
    }

    @Test
    void outboxEncodesAMessageOnceForEveryConnection() {
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();
        ChannelConnection one = new ChannelConnection(first);
        ChannelConnection two = new ChannelConnection(second);
        ChannelOutbox local = new ChannelOutbox(CODEC, 1 << 20);
        ServerMessage shared = new ServerMessage.Update(List.of("carla"),
                io.switchboard.protocol.UpdateDetails.QUEUED);
        local.send(one, shared);
        local.send(two, shared);
        local.send(one, new ServerMessage.Pong());
        local.close(two, 1001, "bye");
        local.flush();
        first.runPendingTasks();
        second.runPendingTasks();
        TextWebSocketFrame a = first.readOutbound();
        TextWebSocketFrame b = second.readOutbound();
        assertEquals(CODEC.encode(shared), a.text());
        assertSame(a.content().array(), b.content().array(), "one encoding, shared");
        TextWebSocketFrame pong = first.readOutbound();
        assertEquals("{\"type\":\"pong\"}", pong.text());
        assertNull(first.readOutbound());
        CloseWebSocketFrame close = second.readOutbound();
        assertEquals(1001, close.statusCode());
        a.release();
        b.release();
        pong.release();
        close.release();
    }
}
