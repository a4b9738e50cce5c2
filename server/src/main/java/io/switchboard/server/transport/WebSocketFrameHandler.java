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
import io.netty.channel.Channel;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.gate.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns complete WebSocket messages into gate calls: text is decoded to a typed request (or a rejection) on the event
 * loop and handed to the {@link io.switchboard.server.gate.DeskGate}; anything but text closes the connection with
 * 1003. It also keeps the connection's two rules that need no desk: a token bucket of {@code requests_per_second} with
 * bursts of {@code request_burst} (past it, {@code error rate_limited} and the request has no effect), and the
 * heartbeat (a ping every {@code ping_interval_ms}; a connection that sent nothing, not even a pong, for two intervals
 * is closed). Time is the event loop's ({@code ticker()}), so an {@code EmbeddedChannel} can move it.
 */
final class WebSocketFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger log = LoggerFactory.getLogger(WebSocketFrameHandler.class);
    /** Close status for a connection that answered nothing for two ping intervals. */
    static final WebSocketCloseStatus SILENT = WebSocketCloseStatus.ENDPOINT_UNAVAILABLE;
    static final long PLACE_RETRY_MS = 100;

    private final Transport transport;
    private final ConnectionRules rules;
    private double tokens;
    private long refilledAt;
    private long heardAt;
    private ScheduledFuture<?> heartbeat;
    private ChannelConnection connection;
    /** Cluster mode: the sign-in went to this node's gate; from then on every frame does. */
    private boolean placed;
    /** Cluster mode: the relay to the node that owns the connection's account; every frame goes up it as it is. */
    private PeerSocket relay;
    private Runnable unwatch;
    /** Cluster mode: frames held while the connection's account is on no node (it is moving), and until when. */
    private List<String> held;
    private long holdUntil;

    WebSocketFrameHandler(Transport transport) {
        this.transport = transport;
        this.rules = transport.rules();
        this.tokens = rules.requestBurst();
    }

    private static long now(ChannelHandlerContext context) {
        return context.executor().ticker().nanoTime();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext context, Object event) throws Exception {
        if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            connection = new ChannelConnection(context.channel());
            context.channel().attr(ChannelConnection.KEY).set(connection);
            transport.webSockets().add(context.channel());
            heardAt = now(context);
            refilledAt = heardAt;
            long interval = rules.pingIntervalMs();
            heartbeat = context.executor().scheduleAtFixedRate(() -> beat(context), interval, interval,
                    TimeUnit.MILLISECONDS);
            transport.gate().open(connection, !AddressGate.forwarded(context.channel()));
        }
        super.userEventTriggered(context, event);
    }

    /** A ping, or the end of a connection that answered nothing for two intervals. */
    private void beat(ChannelHandlerContext context) {
        long silentMs = TimeUnit.NANOSECONDS.toMillis(now(context) - heardAt);
        if (silentMs >= 2 * rules.pingIntervalMs()) {
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
        heardAt = now(context);
        if (frame instanceof PongWebSocketFrame) {
            return;
        }
        if (!(frame instanceof TextWebSocketFrame text)) {
            context.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.INVALID_MESSAGE_TYPE,
                    "text frames only")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (connection == null) {
            return;
        }
        if (relay != null) {
            relay.send(text.text());
            return;
        }
        if (held != null) {
            held.add(text.text());
            return;
        }
        Decoded decoded = transport.codec().decodeRequest(text.text());
        if (!take(context)) {
            String message = "rate limit: more than " + rules.requestsPerSecond() + " requests a second (bursts of "
                    + rules.requestBurst() + "); this request had no effect";
            transport.gate().rejected(connection, decoded.ref(), ErrorCode.RATE_LIMITED, message);
            return;
        }
        if (!placed && transport.placement().clustered() && decoded instanceof Decoded.Ok ok) {
            String account = transport.gate().accountOf(ok.request());
            if (account != null) {
                holdUntil = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(transport.placement().forwardWaitMs());
                place(context, account, new ArrayList<>(List.of(text.text())));
                return;
            }
        }
        dispatch(decoded);
    }

    private void dispatch(Decoded decoded) {
        if (decoded instanceof Decoded.Ok ok) {
            transport.gate().request(connection, ok.ref(), ok.request());
        } else if (decoded instanceof Decoded.Failed failed) {
            transport.gate().rejected(connection, failed.ref(), failed.code(), failed.message());
        }
    }

    /**
     * Cluster mode: a sign-in names its account, and the connection goes where that account is: to this node's gate,
     * up a relay to the owner, or, while the account is on no node (its owner died and its lease has not run out yet),
     * it waits up to {@code cluster.forward_wait_ms}, asking again every {@value #PLACE_RETRY_MS} ms, with everything
     * it sends meanwhile held in order. A connection another node forwarded is never forwarded again.
     */
    private void place(ChannelHandlerContext context, String account, List<String> texts) {
        Channel channel = context.channel();
        if (!channel.isActive()) {
            return;
        }
        Placement.Owner owner = transport.placement().ownerOf(account);
        boolean forwardedIn = AddressGate.forwarded(channel);
        if (owner.kind() == Placement.Kind.HERE) {
            placed = true;
            held = null;
            for (String text : texts) {
                dispatch(transport.codec().decodeRequest(text));
            }
            return;
        }
        if (forwardedIn && !transport.placement().arriving(account)) {
            // Another node sent it here as to the owner, and this node is not (any more): it goes back, and its client
            // reconnects to whichever node it reaches, which knows better by then. Nothing of it was done here.
            held = null;
            context.writeAndFlush(new CloseWebSocketFrame(Desk.CLOSE_DESK_MOVED, "this account is on another server "
                    + "now: reconnect")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        if (owner.kind() == Placement.Kind.THERE && !forwardedIn) {
            held = null;
            if (relay == null) {
                // The lobby forgets the connection: its frames go to the owner from now on.
                transport.gate().closed(connection);
            }
            if (unwatch != null) {
                unwatch.run();
            }
            PeerSocket opened = PeerSocket.open(channel, transport, owner, connection.source(), texts, unsent -> {
                relay = null;
                held = unsent;
                retryPlace(context, account);
            });
            relay = opened;
            unwatch = transport.placement().watch(account, owner, () -> channel.eventLoop().execute(() -> {
                if (relay == opened) {
                    opened.moved();
                }
            }));
            return;
        }
        held = texts;
        retryPlace(context, account);
    }

    private void retryPlace(ChannelHandlerContext context, String account) {
        if (System.nanoTime() - holdUntil >= 0) {
            held = null;
            context.writeAndFlush(new CloseWebSocketFrame(Desk.CLOSE_DESK_MOVED, "no server holds this account right "
                    + "now: reconnect in a moment")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        context.executor().schedule(() -> {
            List<String> texts = held;
            if (texts != null) {
                held = null;
                place(context, account, texts);
            }
        }, PLACE_RETRY_MS, TimeUnit.MILLISECONDS);
    }

    /** Takes a token from the connection's bucket, refilled at {@code requests_per_second} up to the burst. */
    private boolean take(ChannelHandlerContext context) {
        long now = now(context);
        tokens = Math.min(rules.requestBurst(), tokens + (now - refilledAt) / 1e9 * rules.requestsPerSecond());
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
        if (relay != null) {
            relay.clientClosed();
        }
        if (unwatch != null) {
            unwatch.run();
        }
        if (connection != null) {
            transport.gate().closed(connection);
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
