package io.switchboard.server.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.switchboard.protocol.Codec;
import io.switchboard.protocol.Rest;
import io.switchboard.server.metrics.ServerMetrics;
import java.util.Map;

/**
 * The one answer to one HTTP request, from any thread: the body is encoded and written on the channel's event loop.
 * While a request waits for the desk the channel reads nothing more, so pipelined requests are answered in order.
 */
final class Reply {
    private final Channel channel;
    private final Codec codec;
    private final ServerMetrics metrics;
    private final boolean keepAlive;
    private volatile boolean answered;

    Reply(Channel channel, Codec codec, ServerMetrics metrics, boolean keepAlive) {
        this.channel = channel;
        this.codec = codec;
        this.metrics = metrics;
        this.keepAlive = keepAlive;
    }

    Channel channel() {
        return channel;
    }

    /** The answer will come later, from another thread: stop reading until it is written. */
    void pause() {
        answered = true;
        channel.config().setAutoRead(false);
    }

    /** Whether an answer is written or on its way. */
    boolean answered() {
        return answered;
    }

    /** A JSON body (one of the {@link Rest} shapes). */
    void json(HttpResponseStatus status, Object body) {
        json(status, body, Map.of());
    }

    void json(HttpResponseStatus status, Object body, Map<String, String> headers) {
        answered = true;
        if (channel.eventLoop().inEventLoop()) {
            write(status, codec.encodeJson(body), HttpHeaderValues.APPLICATION_JSON.toString(), headers);
        } else {
            channel.eventLoop().execute(() -> json(status, body, headers));
        }
    }

    /** The error shape of every route but the queue-position API: {@code {"error": code, "message": text}}. */
    void error(HttpResponseStatus status, String code, String message) {
        json(status, new Rest.Error(code, message));
    }

    /** Any other body, already encoded, with its content type. Event loop only. */
    void write(HttpResponseStatus status, byte[] body, String contentType, Map<String, String> headers) {
        answered = true;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        headers.forEach(response.headers()::set);
        HttpUtil.setContentLength(response, body.length);
        HttpUtil.setKeepAlive(response, keepAlive);
        metrics.httpResponse(status.code());
        if (keepAlive) {
            channel.writeAndFlush(response);
            channel.config().setAutoRead(true);
        } else {
            channel.writeAndFlush(response).addListener(written -> lingeringClose(channel));
        }
    }

    /** How long a connection that was answered and told it ends may still send what it was sending. */
    private static final long LINGER_MS = 1_000;

    /**
     * Ends a connection after its answer without losing the answer: closing a socket whose client is still sending
     * (a body over the limit) resets it, and the client may never read the answer. So the output ends first; what
     * still comes in is read and dropped (the aggregator discards the rest of the body) until the client closes, or
     * for {@link #LINGER_MS} at most.
     */
    private static void lingeringClose(Channel channel) {
        if (channel instanceof io.netty.channel.socket.DuplexChannel duplex && duplex.isActive()) {
            duplex.shutdownOutput();
            try {
                channel.eventLoop().schedule(() -> {
                    channel.close();
                }, LINGER_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException stopping) {
                channel.close();
            }
        } else {
            channel.close();
        }
    }
}
