package io.switchboard.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.switchboard.protocol.Codec;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.server.desk.Connection;
import io.switchboard.server.gate.Release;
import io.switchboard.server.gate.TurnOutbox;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desk's outbox over Netty. During a desk turn it only collects; at the end of the turn ({@link #flush}) it encodes
 * each distinct message once, however many connections receive it, and hands every connection its frames in one
 * event-loop task with one flush, through the {@link Release}: what a turn that changed something says waits until
 * that change is durable; what a turn that changed nothing says (a {@code pong}, a {@code welcome}, an answer to a
 * read, an error) leaves as soon as what waits before it on its connection has left, so it answers even while the disk
 * is full. A connection whose unsent output passes the high-water mark is closed (1008).
 */
public final class ChannelOutbox implements TurnOutbox {
    private static final Logger log = LoggerFactory.getLogger(ChannelOutbox.class);

    private static final long SLOW_READER_CLOSE_WAIT_MS = 1_000;

    private final Codec codec;
    private final long slowReaderBytes;
    private final List<ChannelConnection> touched = new ArrayList<>();
    private final Map<ServerMessage, byte[]> encoded = new IdentityHashMap<>();

    private final Release release;

    /** An outbox whose turns leave at once. */
    public ChannelOutbox(Codec codec, long slowReaderBytes) {
        this(codec, slowReaderBytes, Release.NOW);
    }

    /** An outbox that hands each connection's deliveries of a turn to {@code release}, which lets them go. */
    public ChannelOutbox(Codec codec, long slowReaderBytes, Release release) {
        this.codec = codec;
        this.slowReaderBytes = slowReaderBytes;
        this.release = release;
    }

    @Override
    public void send(Connection connection, ServerMessage message) {
        ChannelConnection target = touch(connection);
        target.pending.add(message);
    }

    @Override
    public void close(Connection connection, int status, String reason) {
        ChannelConnection target = touch(connection);
        target.closeStatus = status;
        target.closeReason = reason;
    }

    private ChannelConnection touch(Connection connection) {
        ChannelConnection target = (ChannelConnection) connection;
        if (!target.queued) {
            target.queued = true;
            touched.add(target);
        }
        return target;
    }

    /** Ends a desk turn: hands each touched connection its frames. Desk thread only. */
    @Override
    public void flush(boolean changed) {
        if (touched.isEmpty()) {
            return;
        }
        for (ChannelConnection connection : touched) {
            List<ByteBuf> frames = new ArrayList<>(connection.pending.size());
            for (ServerMessage message : connection.pending) {
                frames.add(Unpooled.wrappedBuffer(encoded.computeIfAbsent(message, codec::encodeBytes)));
            }
            int closeStatus = connection.closeStatus;
            String closeReason = connection.closeReason;
            connection.pending = new ArrayList<>();
            connection.closeStatus = 0;
            connection.closeReason = null;
            connection.queued = false;
            Channel channel = connection.channel;
            release.after(connection.line, changed, connection.fence(), () -> onLoop(channel, frames,
                    () -> deliver(channel, frames, closeStatus, closeReason)), () -> onLoop(channel, frames,
                    () -> fenced(channel, frames)));
        }
        touched.clear();
        encoded.clear();
    }


    /**
     * Runs a delivery on the channel's event loop; when the server is stopping and the loop has ended, the channel is
     * gone with it and its frames are let go.
     */
    private static void onLoop(Channel channel, List<ByteBuf> frames, Runnable delivery) {
        try {
            channel.eventLoop().execute(delivery);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            frames.forEach(ByteBuf::release);
        }
    }

    /** Whether a channel's unsent output passed the slow-reader limit (WebSockets and event streams alike). */
    static boolean unsentOver(Channel channel, long limit) {
        ChannelOutboundBuffer unsent = channel.unsafe().outboundBuffer();
        return unsent != null && unsent.totalPendingWriteBytes() > limit;
    }

    /** What a desk that no longer speaks for its account said: dropped, and the client goes to the one that does. */
    private static void fenced(Channel channel, List<ByteBuf> frames) {
        frames.forEach(ByteBuf::release);
        if (channel.isActive()) {
            channel.writeAndFlush(new CloseWebSocketFrame(io.switchboard.server.desk.Desk.CLOSE_DESK_MOVED,
                    "this conversation moved to another server: reconnect and resume"))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void deliver(Channel channel, List<ByteBuf> frames, int closeStatus, String closeReason) {
        if (!channel.isActive()) {
            frames.forEach(ByteBuf::release);
            return;
        }
        for (ByteBuf frame : frames) {
            channel.write(new TextWebSocketFrame(frame), channel.voidPromise());
        }
        if (closeStatus != 0) {
            channel.writeAndFlush(new CloseWebSocketFrame(closeStatus, closeReason))
                    .addListener(ChannelFutureListener.CLOSE);
            return;
        }
        channel.flush();
        if (unsentOver(channel, slowReaderBytes)) {
            log.info("closing {}: slow reader, over {} bytes unsent", channel.id().asShortText(), slowReaderBytes);
            channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION.code(),
                    "slow reader: too much unsent output"));
            // A reader this slow may never take the close frame: do not wait for it.
            channel.eventLoop().schedule(() -> {
                channel.close();
            }, SLOW_READER_CLOSE_WAIT_MS, TimeUnit.MILLISECONDS);
        }
    }
}
