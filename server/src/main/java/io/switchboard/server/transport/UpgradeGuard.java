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
 * Stands before the WebSocket handshake: a browser's handshake from an {@code Origin} outside {@code allowed_origins}
 * (when the list is not empty) gets a JSON 403, and a request on the WebSocket path that is no upgrade a JSON 400
 * (Netty's handshaker would answer in plain text); real upgrades pass on. A request without {@code Origin} (scripts,
 * load tests, other servers) is no browser's and passes. It also notes every complete request for the connection
 * deadline.
 */
final class UpgradeGuard extends ChannelInboundHandlerAdapter {
    private final HttpServices services;
    private final String path;

    UpgradeGuard(HttpServices services, String path) {
        this.services = services;
        this.path = path;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (message instanceof FullHttpRequest request) {
            ConnectionDeadline.requested(context.channel());
            String origin = request.headers().get(HttpHeaderNames.ORIGIN);
            if (origin != null && onWebSocketPath(request) && !services.allowedOrigins().isEmpty()
                    && !services.allowedOrigins().contains(origin)) {
                try {
                    new Reply(context.channel(), services.codec(), services.metrics(), false).error(
                            HttpResponseStatus.FORBIDDEN, "forbidden", "Origin " + origin + " is not allowed");
                } finally {
                    ReferenceCountUtil.release(request);
                }
                return;
            }
        }
        if (message instanceof FullHttpRequest request && onWebSocketPath(request) && !isUpgrade(request)) {
            try {
                new Reply(context.channel(), services.codec(), services.metrics(), HttpUtil.isKeepAlive(request))
                        .error(HttpResponseStatus.BAD_REQUEST, "bad_request", path + " takes a WebSocket upgrade "
                                + "(GET with Connection: Upgrade and Upgrade: websocket)");
            } finally {
                ReferenceCountUtil.release(request);
            }
            return;
        }
        context.fireChannelRead(message);
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
