package io.switchboard.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;

/** Netty's aggregator, but a body over the limit is answered with a JSON 413 (and the connection closed). */
final class JsonHttpObjectAggregator extends HttpObjectAggregator {
    private final Transport services;

    JsonHttpObjectAggregator(int maxContentLength, Transport services) {
        super(maxContentLength);
        this.services = services;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext context, HttpMessage oversized) {
        new Reply(context.channel(), services.codec(), services.metrics(), false).error(
                HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "too_large", "body: over " + maxContentLength()
                        + " bytes");
    }
}
