package io.switchboard.server.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;
import io.switchboard.server.desk.ReservationEvent;
import io.switchboard.server.desk.ReservationWatcher;
import io.switchboard.server.gate.Release;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SSE stream of a reservation ({@code GET /events/g/{group}/r/{sid}}). The desk calls it on its thread; every
 * write happens on the channel's event loop, in the order the desk called. A comment every {@code sse_keepalive_ms}
 * keeps proxies from closing it. When the channel closes, for whatever reason, the desk forgets the watcher and the
 * keep-alive stops: nothing outlives the connection.
 */
final class EventStream implements ReservationWatcher {
    private static final Logger log = LoggerFactory.getLogger(EventStream.class);
    /** How long a browser waits before it reconnects (the {@code retry:} field). */
    static final long RETRY_MS = 3_000;
    private static final byte[] KEEPALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.UTF_8);

    private final Transport transport;
    private final Channel channel;
    private final String account;
    private final String sid;
    private final String allowOrigin;
    private ScheduledFuture<?> keepalive;
    /** The stream's place in the release order: its events leave in order, each once what it shows is durable. */
    private final Release.Line line = new Release.Line();
    /** This stream's delay for an event that only moves its place: a queue's streams spread over the window. */
    private final long spreadMs;
    /** A place-only event waiting for its moment, and whether that moment is scheduled. Event loop only. */
    private ReservationEvent held;
    private boolean holding;

    EventStream(Transport transport, Channel channel, String account, String sid, String allowOrigin) {
        this.transport = transport;
        this.channel = channel;
        this.account = account;
        this.sid = sid;
        this.allowOrigin = allowOrigin;
        long window = transport.rules().sseSpreadMs();
        this.spreadMs = window <= 0 ? 0 : Math.floorMod(sid.hashCode(), window);
    }

    @Override
    public void opened() {
        transport.release().after(line, false, () -> channel.eventLoop().execute(this::start));
    }

    @Override
    public void current(ReservationEvent event) {
        transport.release().after(line, false, fence(), () -> write(event), this::moved);
    }

    /** Whether what this reservation's desk says may leave this node (a cluster: while it holds the lease). */
    private io.switchboard.server.gate.Fence fence() {
        return transport.gate().fence(account);
    }

    /** The account moved to another node: the stream ends, and the browser reconnects to whichever node it reaches. */
    private void moved() {
        channel.eventLoop().execute(() -> {
            if (channel.isActive()) {
                channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            }
        });
    }

    @Override
    public void changed(ReservationEvent event) {
        // Not before the change is durable: a stream never shows a change that a crash could take back.
        transport.release().after(line, true, fence(), () -> {
            if (event.placeOnly() && spreadMs > 0) {
                channel.eventLoop().execute(() -> hold(event));
            } else {
                write(event);
            }
        }, this::moved);
    }

    /**
     * A new place is sent {@link #spreadMs} later, the same delay every time, so the streams of a queue that moved
     * all at once do not leave in one burst, and one stream still gets at most one event per publication: a newer
     * place replaces a held one (the last value is never dropped), and a status change sent meanwhile carries it.
     */
    private void hold(ReservationEvent event) {
        held = event;
        if (!holding) {
            holding = true;
            channel.eventLoop().schedule(this::sendHeld, spreadMs, TimeUnit.MILLISECONDS);
        }
    }

    private void sendHeld() {
        holding = false;
        ReservationEvent event = held;
        held = null;
        if (event != null) {
            send(Unpooled.wrappedBuffer(event.encoded(this::encode)));
        }
    }

    private void write(ReservationEvent event) {
        channel.eventLoop().execute(() -> {
            if (held != null && held.version() < event.version()) {
                held = null;
            }
            send(Unpooled.wrappedBuffer(event.encoded(this::encode)));
        });
    }

    /** {@code id: <version>}, {@code data: <the object>} and a blank line: encoded once per change, for all streams. */
    private byte[] encode(ReservationEvent event) {
        byte[] json = transport.codec().encodeJson(event.reservation());
        byte[] head = ("id: " + event.version() + "\ndata: ").getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + json.length + 2];
        System.arraycopy(head, 0, bytes, 0, head.length);
        System.arraycopy(json, 0, bytes, head.length, json.length);
        bytes[bytes.length - 2] = '\n';
        bytes[bytes.length - 1] = '\n';
        return bytes;
    }

    @Override
    public void gone() {
        transport.release().after(line, true, this::moved);
    }

    private void start() {
        channel.closeFuture().addListener(future -> stopped());
        if (!channel.isActive()) {
            return;
        }
        transport.metrics().sseStreams(1);
        transport.eventStreams().add(channel);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8");
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
        response.headers().set("X-Accel-Buffering", "no");
        if (allowOrigin != null) {
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, allowOrigin);
        }
        HttpUtil.setTransferEncodingChunked(response, true);
        transport.metrics().httpResponse(response.status().code());
        channel.write(response);
        send(Unpooled.copiedBuffer("retry: " + RETRY_MS + "\n\n", StandardCharsets.UTF_8));
        long period = transport.rules().sseKeepaliveMs();
        keepalive = channel.eventLoop().scheduleAtFixedRate(
                () -> send(Unpooled.wrappedBuffer(KEEPALIVE)), period, period, TimeUnit.MILLISECONDS);
    }

    /** Writes one chunk, or closes a client that stopped reading (its unsent output passed the high-water mark). */
    private void send(ByteBuf chunk) {
        if (!channel.isActive()) {
            chunk.release();
            return;
        }
        if (ChannelOutbox.unsentOver(channel, transport.rules().slowReaderBytes())) {
            chunk.release();
            log.info("closing event stream {}: slow reader, over {} bytes unsent", channel.id().asShortText(),
                    transport.rules().slowReaderBytes());
            channel.close();
            return;
        }
        channel.writeAndFlush(new DefaultHttpContent(chunk));
    }

    private void stopped() {
        if (keepalive != null) {
            keepalive.cancel(false);
            transport.metrics().sseStreams(-1);
        }
        transport.gate().tell(account, desk -> desk.unwatch(sid, this));
    }
}
