package io.switchboard.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Locale;

/**
 * Right after the HTTP decoder: notes each request's client address ({@link AddressGate#requested}), and answers a
 * request whose {@code Transfer-Encoding} does not end in {@code chunked}
 * 400 and the connection closed. Such a body has no length we can trust (RFC 9112 §6.3), and a proxy in front may
 * frame it differently than Netty would: the classic way to smuggle a second request. Whatever else the connection
 * sends is dropped.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {
    private final Transport services;
    private boolean refused;

    RequestGuard(Transport services) {
        this.services = services;
    }

    @Override
    public void channelRead(ChannelHandlerContext context, Object message) {
        if (refused) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpRequest request) {
            AddressGate.requested(context.channel(), request, services.addresses(), services.placement(),
                    services.connections());
        }
        if (message instanceof HttpRequest request && !lastCodingIsChunked(request)) {
            refused = true;
            ReferenceCountUtil.release(message);
            new Reply(context.channel(), services.codec(), services.metrics(), false).error(
                    HttpResponseStatus.BAD_REQUEST, "bad_request", "Transfer-Encoding: "
                            + String.join(", ", request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING))
                            + " (expected: no Transfer-Encoding, or one that ends in chunked)");
            return;
        }
        context.fireChannelRead(message);
    }

    private static boolean lastCodingIsChunked(HttpRequest request) {
        List<String> headers = request.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (headers.isEmpty()) {
            return true;
        }
        String last = headers.get(headers.size() - 1);
        int comma = last.lastIndexOf(',');
        String coding = (comma < 0 ? last : last.substring(comma + 1)).trim().toLowerCase(Locale.ROOT);
        return coding.equals("chunked");
    }
}
