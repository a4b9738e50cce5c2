package io.switchboard.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: a connection that has not completed an HTTP request within {@code
 * handshake_timeout_ms} of connecting (it trickles its headers, or connects and says nothing) is closed, and so is a
 * plain HTTP connection kept open without a new request for {@code http_idle_ms}. WebSocket and event-stream connections leave its care once they
 * are upgraded or streaming (the heartbeat and the stream's own writes take over).
 */
final class ConnectionDeadline extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(ConnectionDeadline.class);
    /** When the connection's last complete HTTP request arrived (nanos), set by the handlers that take requests. */
    static final AttributeKey<Long> LAST_REQUEST = AttributeKey.valueOf("switchboard.lastRequest");

    private final long timeoutMs;
    private final long idleMs;

    ConnectionDeadline(long timeoutMs, long idleMs) {
        this.timeoutMs = timeoutMs;
        this.idleMs = idleMs;
    }

    @Override
    public void channelActive(ChannelHandlerContext context) throws Exception {
        schedule(context, timeoutMs);
        super.channelActive(context);
    }

    private void schedule(ChannelHandlerContext context, long delayMs) {
        context.executor().schedule(() -> check(context), delayMs, TimeUnit.MILLISECONDS);
    }

    private void check(ChannelHandlerContext context) {
        if (!context.channel().isActive() || context.channel().hasAttr(ChannelConnection.KEY)
                || Boolean.TRUE.equals(context.channel().attr(HttpRouter.STREAMING).get())) {
            return;
        }
        Long last = context.channel().attr(LAST_REQUEST).get();
        if (last == null) {
            log.debug("closing {}: no complete request within {} ms", context.channel().id().asShortText(),
                    timeoutMs);
            context.close();
            return;
        }
        long idle = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - last);
        if (idle >= idleMs) {
            log.debug("closing {}: idle for {} ms", context.channel().id().asShortText(), idle);
            context.close();
        } else {
            schedule(context, idleMs - idle);
        }
    }

    /** Notes a complete request on the channel (any thread of the channel's event loop). */
    static void requested(io.netty.channel.Channel channel) {
        channel.attr(LAST_REQUEST).set(System.nanoTime());
    }
}
