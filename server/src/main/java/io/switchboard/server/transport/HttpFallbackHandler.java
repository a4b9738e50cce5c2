package io.switchboard.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * Plain HTTP requests that are not a WebSocket upgrade: the health check, and a JSON 404 for everything else.
 */
final class HttpFallbackHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ServerState state;

    HttpFallbackHandler(ServerState state) {
        this.state = state;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
        String path = request.uri();
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        if (path.equals("/healthz") && request.method().equals(HttpMethod.GET)) {
            if (state.draining()) {
                respond(context, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "{\"status\":\"draining\"}");
            } else {
                respond(context, request, HttpResponseStatus.OK, "{\"status\":\"ok\"}");
            }
            return;
        }
        if (path.equals("/ws")) {
            respond(context, request, HttpResponseStatus.BAD_REQUEST,
                    "{\"error\":\"bad_request\",\"message\":\"/ws takes a WebSocket upgrade\"}");
            return;
        }
        respond(context, request, HttpResponseStatus.NOT_FOUND,
                "{\"error\":\"not_found\",\"message\":\"no route for " + escape(path) + "\"}");
    }

    private static String escape(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '"' || c == '\\') {
                escaped.append('\\').append(c);
            } else if (c < 0x20) {
                escaped.append(String.format("\\u%04x", (int) c));
            } else {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }

    static void respond(ChannelHandlerContext context, FullHttpRequest request, HttpResponseStatus status,
                        String json) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setContentLength(response, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            context.writeAndFlush(response);
        } else {
            context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
