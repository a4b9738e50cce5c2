package io.switchboard.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.switchboard.server.metrics.ServerMetrics;
import java.nio.charset.StandardCharsets;

/** Netty's aggregator, but a body over the limit is answered with a JSON 413 (and the connection closed). */
final class JsonHttpObjectAggregator extends HttpObjectAggregator {
    private final ServerMetrics metrics;

    JsonHttpObjectAggregator(int maxContentLength, ServerMetrics metrics) {
        super(maxContentLength);
        this.metrics = metrics;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext context, HttpMessage oversized) {
        byte[] body = ("{\"error\":\"too_large\",\"message\":\"body: over " + maxContentLength()
                + " bytes\"}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        HttpUtil.setContentLength(response, body.length);
        HttpUtil.setKeepAlive(response, false);
        metrics.httpResponse(response.status().code());
        context.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
