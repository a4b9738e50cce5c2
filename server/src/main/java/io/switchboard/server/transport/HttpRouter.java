package io.switchboard.server.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import io.switchboard.protocol.Rest;
import io.switchboard.server.gate.Placement;
import io.switchboard.server.metrics.ServerMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain HTTP requests (everything that is not a WebSocket upgrade on {@code /ws}), by the route table:
 *
 * <pre>
 *   GET  /healthz                                                   health (503 while draining or storage fails)
 *   GET  /metrics                                                   Prometheus text format (metrics_token if set)
 *   POST /v1/companies/{account}/groups/{group}/reservations        create       (API key)
 *   GET  /v1/companies/{account}/groups/{group}/reservations/{sid}  get          (API key)
 *   POST /v1/companies/{account}/groups/{group}/reservations/{sid}/cancel        (API key)
 *   GET  /v1/queuePosition/account/{accountId}/conversations/{conversationId}   (API key, 2 calls/min)
 *   GET  /v1/widget/{account}/{group}                               widget state (no key, CORS)
 *   POST /v1/widget/{account}/{group}/messages                      leave a message (no key, CORS)
 *   GET  /events/g/{group}/r/{sid}                                  SSE stream of a reservation
 *   GET  /console, /console.js, /console.css, /client.js, /view-kit.js  the agent console
 *   GET  /widget.js, /demo                                          the guest widget and its demo page
 * </pre>
 *
 * Every answer is JSON (but the metrics, the pages and the stream); nothing a client sends yields a stack trace or an
 * empty 500.
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    /** Set on a channel that carries an event stream: it takes no more requests. */
    static final AttributeKey<Boolean> STREAMING = AttributeKey.valueOf("switchboard.streaming");
    private static final StaticFiles FILES = new StaticFiles();

    private final Transport transport;
    private final Routes routes;

    HttpRouter(Transport transport) {
        this.transport = transport;
        RestRoutes rest = new RestRoutes(transport);
        WidgetRoutes widget = new WidgetRoutes(transport);
        Routes table = new Routes()
                .route(HttpMethod.GET, "/healthz", Routes.ErrorShape.CONTRACT, (request, parameters, reply) -> health(
                        reply))
                .route(HttpMethod.GET, "/metrics", Routes.ErrorShape.CONTRACT, this::metrics)
                .route(HttpMethod.POST, "/v1/companies/{account}/groups/{group}/reservations",
                        Routes.ErrorShape.CONTRACT, rest::create)
                .route(HttpMethod.GET, "/v1/companies/{account}/groups/{group}/reservations/{sid}",
                        Routes.ErrorShape.CONTRACT, rest::get)
                .route(HttpMethod.POST, "/v1/companies/{account}/groups/{group}/reservations/{sid}/cancel",
                        Routes.ErrorShape.CONTRACT, rest::cancel)
                .route(HttpMethod.GET, "/v1/queuePosition/account/{account}/conversations/{conversation}",
                        Routes.ErrorShape.API, rest::queuePosition)
                .prefix("/v1/queuePosition", Routes.ErrorShape.API,
                        "/v1/queuePosition/account/{accountId}/conversations/{conversationId}")
                .route(HttpMethod.GET, "/events/g/{group}/r/{sid}", Routes.ErrorShape.CONTRACT, rest::stream)
                .route(HttpMethod.GET, "/v1/widget/{account}/{group}", Routes.ErrorShape.CONTRACT, widget::state)
                .route(HttpMethod.OPTIONS, "/v1/widget/{account}/{group}", Routes.ErrorShape.CONTRACT,
                        widget::preflight)
                .route(HttpMethod.POST, "/v1/widget/{account}/{group}/messages", Routes.ErrorShape.CONTRACT,
                        widget::leave)
                .route(HttpMethod.OPTIONS, "/v1/widget/{account}/{group}/messages", Routes.ErrorShape.CONTRACT,
                        widget::preflight);
        for (String name : FILES.names()) {
            StaticFiles.File file = FILES.find(name);
            table.route(HttpMethod.GET, "/" + name, Routes.ErrorShape.CONTRACT, (request, parameters, reply) ->
                    reply.write(HttpResponseStatus.OK, file.bytes(), file.contentType(), file.headers()));
        }
        this.routes = table;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
        if (Boolean.TRUE.equals(context.channel().attr(STREAMING).get())) {
            return;
        }
        ServerMetrics metrics = transport.metrics();
        if (!request.decoderResult().isSuccess()) {
            new Reply(context.channel(), transport.codec(), metrics, false).error(HttpResponseStatus.BAD_REQUEST,
                    "bad_request", "malformed HTTP request");
            return;
        }
        Reply reply = new Reply(context.channel(), transport.codec(), metrics, HttpUtil.isKeepAlive(request));
        String rawPath = new QueryStringDecoder(request.uri()).rawPath();
        List<String> path;
        try {
            path = segments(rawPath);
        } catch (IllegalArgumentException e) {
            reply.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "path: not valid percent-encoding");
            return;
        }
        if (transport.placement().clustered()) {
            String account = accountOf(path);
            if (account != null && transport.gate().configured(account)
                    && transport.placement().ownerOf(account).kind() != Placement.Kind.HERE) {
                request.retain();
                context.channel().config().setAutoRead(false);
                elsewhere(context, request, path, reply, account, System.nanoTime()
                        + TimeUnit.MILLISECONDS.toNanos(transport.placement().forwardWaitMs()));
                return;
            }
        }
        dispatch(request, path, reply);
    }

    private void dispatch(FullHttpRequest request, List<String> path, Reply reply) {
        try {
            routes.dispatch(request, path, reply);
        } catch (RuntimeException e) {
            log.error("HTTP {} /{} failed", request.method(), String.join("/", path), e);
            reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "internal error");
        }
    }

    /**
     * Cluster mode: the account a request names is not here. It is relayed to its owner; while it is on no node (its
     * owner died and the lease has not run out), the request waits up to {@code cluster.forward_wait_ms}, asking again
     * every {@value WebSocketFrameHandler#PLACE_RETRY_MS} ms, then gets 503. A request another node forwarded is never
     * forwarded again. {@code request} is retained, and released here.
     */
    private void elsewhere(ChannelHandlerContext context, FullHttpRequest request, List<String> path, Reply reply,
                           String account, long deadline) {
        Channel channel = context.channel();
        if (!channel.isActive()) {
            request.release();
            return;
        }
        Placement.Owner owner = transport.placement().ownerOf(account);
        if (owner.kind() == Placement.Kind.HERE) {
            channel.config().setAutoRead(true);
            try {
                dispatch(request, path, reply);
            } finally {
                request.release();
            }
            return;
        }
        if (AddressGate.forwarded(channel) && !transport.placement().arriving(account)) {
            // Another node sent it here as to the owner, and this node is not: nothing was done, and the node that
            // sent it asks again where the account is (PeerHttp).
            request.release();
            channel.config().setAutoRead(true);
            reply.json(HttpResponseStatus.MISDIRECTED_REQUEST, new Rest.Error("internal", "account " + account
                    + " is not on this server"), Map.of(Peers.NOT_OWNER, "1"));
            return;
        }
        if (owner.kind() == Placement.Kind.THERE && !AddressGate.forwarded(channel)) {
            PeerHttp relay = PeerHttp.forward(channel, request, transport, owner, AddressGate.client(channel),
                    () -> later(context, request, path, reply, account, deadline), () -> {
                        request.release();
                        channel.config().setAutoRead(true);
                        reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "internal", "the server holding account "
                                + account + " went away before it answered; the request may or may not have taken "
                                + "effect: look before you try again");
                    });
            // An owner that stops answering (paused) is replaced after its lease: the request does not wait for it.
            Runnable unwatch = transport.placement().watch(account, owner, () -> channel.eventLoop().execute(
                    relay::moved));
            channel.closeFuture().addListener(closed -> unwatch.run());
            return;
        }
        later(context, request, path, reply, account, deadline);
    }

    private void later(ChannelHandlerContext context, FullHttpRequest request, List<String> path, Reply reply,
                       String account, long deadline) {
        if (System.nanoTime() - deadline >= 0) {
            request.release();
            context.channel().config().setAutoRead(true);
            reply.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "internal", "account " + account + " is moving to "
                    + "another server; try again in a few seconds");
            return;
        }
        context.executor().schedule(() -> elsewhere(context, request, path, reply, account, deadline),
                WebSocketFrameHandler.PLACE_RETRY_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * The account a path names: the company of a reservation route, the account of a widget route or of the
     * queue-position API, or the account of a stream's reservation.
     */
    private String accountOf(List<String> path) {
        if (path.size() >= 3 && path.get(0).equals("v1")
                && (path.get(1).equals("companies") || path.get(1).equals("widget"))) {
            return path.get(2);
        }
        if (path.size() >= 4 && path.get(0).equals("v1") && path.get(1).equals("queuePosition")
                && path.get(2).equals("account")) {
            return path.get(3);
        }
        if (path.size() == 5 && path.get(0).equals("events") && path.get(1).equals("g") && path.get(3).equals("r")) {
            return transport.gate().accountOfReservation(path.get(4));
        }
        return null;
    }

    private void health(Reply reply) {
        switch (transport.health()) {
            case OK -> reply.json(HttpResponseStatus.OK, Map.of("status", "ok"));
            case DRAINING -> reply.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status", "draining"));
            case STORAGE_FAILING -> reply.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status",
                    "storage failing"));
            case REDIS_UNREACHABLE -> reply.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status",
                    "redis unreachable"));
        }
    }

    /** Asks every desk for its gauges (on its thread), then writes every metric on the event loop. */
    private void metrics(FullHttpRequest request, Map<String, String> parameters, Reply reply) {
        if (!transport.metricsAllowed(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            reply.json(HttpResponseStatus.UNAUTHORIZED, new Rest.Error("unauthorized", "Authorization: missing or "
                    + "not the metrics token (expected: Bearer <metrics_token>)"), Map.of(
                    HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Bearer realm=\"switchboard metrics\""));
            return;
        }
        reply.pause();
        transport.gate().gauges(gauges -> {
            transport.metrics().gauges(gauges);
            reply.channel().eventLoop().execute(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
                try {
                    transport.metrics().write(out);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                reply.write(HttpResponseStatus.OK, out.toByteArray(), transport.metrics().contentType(), Map.of());
            });
        });
    }

    /** The decoded segments of a path: {@code /v1/a%20b/} is {@code ["v1", "a b", ""]}. */
    static List<String> segments(String rawPath) {
        List<String> segments = new ArrayList<>();
        String trimmed = rawPath.startsWith("/") ? rawPath.substring(1) : rawPath;
        if (trimmed.isEmpty()) {
            return segments;
        }
        for (String segment : trimmed.split("/", -1)) {
            segments.add(QueryStringDecoder.decodeComponent(segment.replace("+", "%2B")));
        }
        return segments;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        log.debug("HTTP connection {} failed: {}", context.channel().id().asShortText(), cause.toString());
        context.close();
    }
}
