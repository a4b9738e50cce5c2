package io.switchboard.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

/**
 * Stands before the WebSocket handshake, which Netty would answer in plain text: on the WebSocket path, a browser's
 * handshake with an {@code Origin} outside {@code allowed_origins} (each {@code Origin} it carries is checked) gets a
 * JSON 403, a request that is no upgrade a JSON 400, an upgrade without {@code Sec-WebSocket-Key} a JSON 400, and an
 * upgrade through a trusted proxy from a client that holds {@code connections_per_address} already a JSON 429. A
 * request without {@code Origin} (scripts, load tests, other servers) is no browser's and passes. It also notes every
 * complete request for the connection deadline.
 */
final class UpgradeGuard extends ChannelInboundHandlerAdapter {
    private final Transport services;
    private final String path;

    UpgradeGuard(Transport services, String path) {
        this.services = services;
        this.path = path;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (!(message instanceof FullHttpRequest request)) {
            context.fireChannelRead(message);
            return;
        }
        ConnectionDeadline.requested(context.channel());
        if (!onWebSocketPath(request)) {
            context.fireChannelRead(message);
            return;
        }
        String origin = services.origins().refused(request.headers());
        if (origin != null) {
            refuse(context, request, HttpResponseStatus.FORBIDDEN, "forbidden", "Origin " + origin + " is not allowed",
                    false);
        } else if (!isUpgrade(request)) {
            refuse(context, request, HttpResponseStatus.BAD_REQUEST, "bad_request", path + " takes a WebSocket "
                    + "upgrade (GET with Connection: Upgrade and Upgrade: websocket)", HttpUtil.isKeepAlive(request));
        } else if (!request.headers().contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            refuse(context, request, HttpResponseStatus.BAD_REQUEST, "bad_request", "Sec-WebSocket-Key: missing "
                    + "(expected: the handshake key of RFC 6455)", false);
        } else if (!AddressGate.hold(context.channel(), services.connections())) {
            services.metrics().rateLimited("connections");
            refuse(context, request, HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited", "too many connections "
                    + "from your address (at most " + services.connections().limit() + ")", false);
        } else {
            context.fireChannelRead(message);
        }
    }

    private void refuse(ChannelHandlerContext context, FullHttpRequest request, HttpResponseStatus status, String code,
                        String text, boolean keepAlive) {
        try {
            new Reply(context.channel(), services.codec(), services.metrics(), keepAlive).error(status, code, text);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }

    private boolean onWebSocketPath(FullHttpRequest request) {
        String raw = new QueryStringDecoder(request.uri()).rawPath();
        return raw.equals(path) || raw.startsWith(path + "/");
    }

    private static boolean isUpgrade(FullHttpRequest request) {
        return request.method().equals(HttpMethod.GET)
                && request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
    }
}
