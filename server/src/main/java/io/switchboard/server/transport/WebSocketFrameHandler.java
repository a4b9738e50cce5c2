package io.switchboard.server.transport;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.protocol.Decoded;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.DeskLoop;
import io.switchboard.server.desk.Desk;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns complete WebSocket messages into desk calls: text is decoded to a typed request (or a rejection) on the event
 * loop and handed to the desk thread; anything but text closes the connection with 1003. It also keeps the
 * connection's two rules that need no desk: a token bucket of {@code requests_per_second} with bursts of {@code
 * request_burst} (past it, {@code error rate_limited} and the request has no effect), and the heartbeat (a ping every
 * {@code ping_interval_ms}; a connection that sent nothing, not even a pong, for two intervals is closed).
 */
final class WebSocketFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);
    /** Close status for a connection that answered nothing for two ping intervals. */
    static final WebSocketCloseStatus SILENT = WebSocketCloseStatus.ENDPOINT_UNAVAILABLE;

    private final HttpServices services;
    private final DeskLoop loop;
    private final Desk desk;
    private double tokens;
    private long refilledAt = System.nanoTime();
    private long heardAt = System.nanoTime();
    private ScheduledFuture<?> heartbeat;

    WebSocketFrameHandler(HttpServices services) {
        this.services = services;
        this.loop = services.loop();
        this.desk = services.desk();
        this.tokens = services.requestBurst();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            ChannelConnection connection = new ChannelConnection(context.channel());
            context.channel().attr(ChannelConnection.KEY).set(connection);
            services.state().webSockets().add(context.channel());
            heardAt = System.nanoTime();
            long interval = services.pingIntervalMs();
            heartbeat = context.executor().scheduleAtFixedRate(() -> beat(context), interval, interval,
                    TimeUnit.MILLISECONDS);
            loop.execute(() -> desk.onConnect(connection));
        }
        super.userEventTriggered(context, event);
    }

    /** A ping, or the end of a connection that answered nothing for two intervals. */
    private void beat(ChannelHandlerContext context) {
        long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - heardAt);
        if (silentMs >= 2 * services.pingIntervalMs()) {
            log.debug("closing {}: silent for {} ms", context.channel().id().asShortText(), silentMs);
            context.writeAndFlush(new CloseWebSocketFrame(SILENT, "no answer to pings"))
                    .addListener(ChannelFutureListener.CLOSE);
            heartbeat.cancel(false);
            return;
        }
        context.writeAndFlush(new PingWebSocketFrame());
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, WebSocketFrame frame) {
        heardAt = System.nanoTime();
        if (frame instanceof PongWebSocketFrame) {
            return;
        }
        ChannelConnection connection = context.channel().attr(ChannelConnection.KEY).get();
        if (!(frame instanceof TextWebSocketFrame text)) {
            context.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                    "text frames only")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (connection == null) {
            return;
        }
        Decoded decoded = services.codec().decodeRequest(text.text());
        if (!take()) {
            String ref = decoded instanceof Decoded.Ok ok ? ok.ref() : ((Decoded.Failed) decoded).ref();
            String message = "rate limit: more than " + services.requestsPerSecond() + " requests a second (bursts of "
                    + services.requestBurst() + "); this request had no effect";
            loop.execute(() -> desk.onRejected(connection, ref, ErrorCode.RATE_LIMITED, message));
            return;
        }
        if (decoded instanceof Decoded.Ok ok) {
            loop.execute(() -> desk.onRequest(connection, ok.ref(), ok.request()));
        } else if (decoded instanceof Decoded.Failed failed) {
            loop.execute(() -> desk.onRejected(connection, failed.ref(), failed.code(), failed.message()));
        }
    }

    /** Takes a token from the connection's bucket, refilled at {@code requests_per_second} up to the burst. */
    private boolean take() {
        long now = System.nanoTime();
        tokens = Math.min(services.requestBurst(), tokens + (now - refilledAt) / 1e9 * services.requestsPerSecond());
        refilledAt = now;
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    @Override
    public void channelInactive(ChannelHandlerContext context) throws Exception {
        if (heartbeat != null) {
            heartbeat.cancel(false);
        }
        ChannelConnection connection = context.channel().attr(ChannelConnection.KEY).get();
        if (connection != null) {
            loop.execute(() -> desk.onDisconnect(connection));
        }
        super.channelInactive(context);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof io.netty.handler.codec.TooLongFrameException) {
            context.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                    "message over the size limit")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        log.debug("closing {} after {}", context.channel().id().asShortText(), cause.toString());
        context.close();
    }
}
