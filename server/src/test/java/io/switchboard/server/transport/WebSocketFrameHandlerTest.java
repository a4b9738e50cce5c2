package io.switchboard.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.switchboard.protocol.Codec;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.DeskMetrics;
import io.switchboard.server.desk.EstimateMethod;
import io.switchboard.server.desk.Ids;
import io.switchboard.server.desk.Journal;
import io.switchboard.server.desk.ManualClock;
import io.switchboard.server.desk.Stored;
import io.switchboard.server.gate.DeskGate;
import io.switchboard.server.gate.ManualDeskThread;
import io.switchboard.server.gate.Release;
import io.switchboard.server.metrics.ServerMetrics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The frame handler and the outbox on Netty's {@code EmbeddedChannel}, in front of the real gate and desks on a
 * manual desk thread (the test's own thread). Time is the channel's: {@code advanceTimeBy} moves the heartbeat and the
 * token bucket, so nothing here waits.
 */
class WebSocketFrameHandlerTest {
    private static final Codec CODEC = new Codec();
    private static final long PING_MS = 1_000;

    private final ServerConfig config = ConfigLoader.embeddedDefault();
    private final ConnectionRules rules = ConnectionRules.of(config).withPingIntervalMs(PING_MS);
    private final ChannelOutbox outbox = new ChannelOutbox(CODEC, rules.slowReaderBytes());
    private final DeskGate gate = DeskGate.start(new DeskGate.Settings(config,
            List.of(new ManualDeskThread(new ManualClock(0))), index -> outbox, Ids.seeded(1), DeskMetrics.NONE,
            EstimateMethod.SWITCHBOARD, Journal.NONE, account -> Stored.State.empty(), Release.NOW));
    private final Transport transport = new Transport(config, CODEC, gate, () -> Transport.Health.OK,
            new ServerMetrics(), Release.NOW, rules);

    @AfterEach
    void stop() {
        gate.close(1_000);
    }

    private EmbeddedChannel handshaken() {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocketFrameHandler(transport));
        channel.pipeline().fireUserEventTriggered(new WebSocketServerProtocolHandler.HandshakeComplete("/ws",
                new DefaultHttpHeaders(), null));
        assertEquals(new ServerMessage.Welcome(), read(channel));
        return channel;
    }

    private static ServerMessage read(EmbeddedChannel channel) {
        channel.runPendingTasks();
        WebSocketFrame frame = channel.readOutbound();
        assertNotNull(frame, "a frame was written");
        try {
            return CODEC.decodeServerMessage(assertInstanceOf(TextWebSocketFrame.class, frame).text());
        } finally {
            frame.release();
        }
    }

    private static void send(EmbeddedChannel channel, String json) {
        channel.writeInbound(new TextWebSocketFrame(json));
    }

    @Test
    void textFramesReachTheDeskAndRepliesComeBackInOrder() {
        EmbeddedChannel channel = handshaken();
        send(channel, "{\"type\":\"ping\",\"ref\":\"a\"}");
        assertEquals(new ServerMessage.Pong(), read(channel));
        assertEquals(new ServerMessage.Ack("a"), read(channel));
        send(channel, "{\"type\":\"ping\",\"ref\":\"b\",\"x\":1}");
        ServerMessage.ErrorReply error = assertInstanceOf(ServerMessage.ErrorReply.class, read(channel));
        assertEquals(ErrorCode.INVALID_FIELD, error.code());
        assertEquals("b", error.ref());
        channel.runPendingTasks();
        assertNull(channel.readOutbound(), "nothing else was written");
    }

    @Test
    void aSignedInGuestIsServedByTheAccountsDeskOverTheSameChannel() {
        EmbeddedChannel channel = handshaken();
        send(channel, CODEC.encodeRequest("1", io.switchboard.protocol.Request.Identify.guest("ada", "Where is my order?")));
        assertInstanceOf(ServerMessage.Identified.class, read(channel));
        assertEquals(0, assertInstanceOf(ServerMessage.QueuePos.class, read(channel)).position());
        assertEquals(new ServerMessage.Ack("1"), read(channel));
        send(channel, "{\"type\":\"ping\",\"ref\":\"2\"}");
        assertEquals(new ServerMessage.Pong(), read(channel));
        assertEquals(new ServerMessage.Ack("2"), read(channel));
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
    void pastTheBurstRequestsAreRefusedUntilTheBucketRefills() {
        EmbeddedChannel channel = handshaken();
        for (int i = 0; i < rules.requestBurst(); i++) {
            send(channel, "{\"type\":\"ping\"}");
            assertEquals(new ServerMessage.Pong(), read(channel));
        }
        send(channel, "{\"type\":\"ping\",\"ref\":\"over\"}");
        ServerMessage.ErrorReply refused = assertInstanceOf(ServerMessage.ErrorReply.class, read(channel));
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
        assertEquals("over", refused.ref());
        // One token comes back every 1/requests_per_second of the channel's time.
        channel.advanceTimeBy(1_000 / rules.requestsPerSecond() + 1, TimeUnit.MILLISECONDS);
        send(channel, "{\"type\":\"ping\"}");
        assertEquals(new ServerMessage.Pong(), read(channel));
    }

    @Test
    void aConnectionIsPingedAndClosedWhenItAnswersNothingForTwoIntervals() {
        EmbeddedChannel channel = handshaken();
        channel.advanceTimeBy(PING_MS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        WebSocketFrame ping = channel.readOutbound();
        assertInstanceOf(PingWebSocketFrame.class, ping);
        ping.release();
        // A pong counts as hearing from it: the next beat pings again instead of closing.
        channel.writeInbound(new PongWebSocketFrame());
        channel.advanceTimeBy(PING_MS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        WebSocketFrame again = channel.readOutbound();
        assertInstanceOf(PingWebSocketFrame.class, again);
        again.release();
        assertTrue(channel.isOpen());
        // Then silence for two intervals since the pong: closed, "no answer to pings".
        channel.advanceTimeBy(PING_MS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
        CloseWebSocketFrame close = assertInstanceOf(CloseWebSocketFrame.class, channel.readOutbound());
        assertEquals(WebSocketFrameHandler.SILENT.code(), close.statusCode());
        close.release();
        assertFalse(channel.isOpen());
    }

    @Test
    void aCloseIsAnsweredOnceAndAnAnswerToTheServersCloseGetsNoSecondOne() {
        EmbeddedChannel client = new EmbeddedChannel(new CloseHandshake());
        client.writeInbound(new CloseWebSocketFrame(1000, "bye"));
        CloseWebSocketFrame answer = client.readOutbound();
        assertEquals(1000, answer.statusCode(), "the client's status, echoed");
        answer.release();
        assertFalse(client.isOpen());
        EmbeddedChannel server = new EmbeddedChannel(new CloseHandshake());
        server.writeAndFlush(new CloseWebSocketFrame(1001, "going away"));
        CloseWebSocketFrame sent = server.readOutbound();
        assertEquals(1001, sent.statusCode());
        sent.release();
        server.writeAndFlush(new CloseWebSocketFrame(1001, "again"));
        server.writeInbound(new CloseWebSocketFrame(1001, ""));
        assertNull(server.readOutbound(), "no second close frame, in either case");
        assertFalse(server.isOpen(), "the client's answer ends the connection");
    }

    @Test
    void outboxEncodesAMessageOnceForEveryConnection() {
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();
        ChannelConnection one = new ChannelConnection(first);
        ChannelConnection two = new ChannelConnection(second);
        ChannelOutbox local = new ChannelOutbox(CODEC, 1 << 20);
        ServerMessage shared = new ServerMessage.Update(List.of("carla"), UpdateDetails.QUEUED);
        local.send(one, shared);
        local.send(two, shared);
        local.send(one, new ServerMessage.Pong());
        local.close(two, 1001, "bye");
        local.flush(true);
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
