package io.switchboard.server.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.AttributeKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plain HTTP requests (everything that is not a WebSocket upgrade on {@code /ws}): finds the route and hands over.
 *
 * <pre>
 *   GET  /healthz                                                   health (503 while draining)
 *   GET  /metrics                                                   Prometheus text format (metrics_token if set)
 *   POST /v1/companies/{account}/groups/{group}/reservations        create       (API key)
 *   GET  /v1/companies/{account}/groups/{group}/reservations/{sid}  get          (API key)
 *   POST /v1/companies/{account}/groups/{group}/reservations/{sid}/cancel        (API key)
 *   GET  /v1/queuePosition/account/{account}/conversations/{sid}    queue position (API key, 2 calls/min)
 *   GET  /events/g/{group}/r/{sid}                                  SSE stream of a reservation
 *   GET  /console, /console.js, /console.css, /client.js            the agent console
 *   GET  /widget.js, /demo                                          the guest widget and its demo page
 * </pre>
 *
 * Every answer is JSON (but the metrics and the stream); nothing a client sends yields a stack trace or an empty 500.
 */
final class HttpRouter extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(HttpRouter.class);
    /** Set on a channel that carries an event stream: it takes no more requests. */
    static final AttributeKey<Boolean> STREAMING = AttributeKey.valueOf("switchboard.streaming");

    private final HttpServices services;
    private final RestRoutes rest;
    private static final StaticFiles FILES = new StaticFiles();

    HttpRouter(HttpServices services) {
        this.services = services;
        this.rest = new RestRoutes(services);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext context, FullHttpRequest request) {
        if (Boolean.TRUE.equals(context.channel().attr(STREAMING).get())) {
            return;
        }
        if (!request.decoderResult().isSuccess()) {
            new Reply(context.channel(), services.codec(), services.metrics(), false).error(
                    HttpResponseStatus.BAD_REQUEST, "bad_request", "malformed HTTP request");
            return;
        }
        Reply reply = new Reply(context.channel(), services.codec(), services.metrics(), HttpUtil.isKeepAlive(request));
        String rawPath = new QueryStringDecoder(request.uri()).rawPath();
        List<String> path;
        try {
            path = segments(rawPath);
        } catch (IllegalArgumentException e) {
            reply.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "path: not valid percent-encoding");
            return;
        }
        try {
            route(request, path, reply);
        } catch (RuntimeException e) {
            log.error("HTTP {} {} failed", request.method(), rawPath, e);
            reply.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "internal error");
        }
    }

    private void route(FullHttpRequest request, List<String> path, Reply reply) {
        HttpMethod method = request.method();
        String first = path.isEmpty() ? "" : path.get(0);
        switch (first) {
            case "healthz" -> {
                if (path.size() == 1 && only(HttpMethod.GET, method, reply)) {
                    health(reply);
                    return;
                }
            }
            case "metrics" -> {
                if (path.size() == 1 && only(HttpMethod.GET, method, reply)) {
                    if (services.metricsAllowed(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
                        metrics(reply);
                    } else {
                        reply.json(HttpResponseStatus.UNAUTHORIZED, new io.switchboard.protocol.Rest.Error(
                                "unauthorized", "Authorization: missing or not the metrics token (expected: Bearer "
                                + "<metrics_token>)"), Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(),
                                "Bearer realm=\"switchboard metrics\""));
                    }
                    return;
                }
            }
            case "v1" -> {
                if (path.size() > 1 && path.get(1).equals("queuePosition")) {
                    rest.queuePosition(request, path, reply);
                    return;
                }
                if (path.size() >= 6 && path.get(1).equals("companies") && path.get(3).equals("groups")
                        && path.get(5).equals("reservations")) {
                    reservations(request, path, reply);
                    return;
                }
            }
            case "events" -> {
                if (path.size() == 5 && path.get(1).equals("g") && path.get(3).equals("r")
                        && only(HttpMethod.GET, method, reply)) {
                    rest.stream(request, path.get(2), path.get(4), reply);
                    return;
                }
            }
            default -> {
                StaticFiles.File file = path.size() == 1 ? FILES.find(first) : null;
                if (file != null && only(HttpMethod.GET, method, reply)) {
                    reply.write(HttpResponseStatus.OK, file.bytes(), file.contentType(), file.headers());
                    return;
                }
            }
        }
        if (!reply.answered()) {
            reply.error(HttpResponseStatus.NOT_FOUND, "not_found", "no route for " + method + " /"
                    + String.join("/", path));
        }
    }

    private void reservations(FullHttpRequest request, List<String> path, Reply reply) {
        String account = path.get(2);
        String group = path.get(4);
        HttpMethod method = request.method();
        if (path.size() == 6 && only(HttpMethod.POST, method, reply)) {
            rest.create(request, account, group, reply);
        } else if (path.size() == 7 && only(HttpMethod.GET, method, reply)) {
            rest.get(request, account, group, path.get(6), reply);
        } else if (path.size() == 8 && path.get(7).equals("cancel") && only(HttpMethod.POST, method, reply)) {
            rest.cancel(request, account, group, path.get(6), reply);
        }
    }

    /** True for the route's method; otherwise answers 405 with {@code Allow}. */
    private static boolean only(HttpMethod allowed, HttpMethod method, Reply reply) {
        if (allowed.equals(method)) {
            return true;
        }
        reply.json(HttpResponseStatus.METHOD_NOT_ALLOWED, new io.switchboard.protocol.Rest.Error(
                "method_not_allowed", method + " (expected: " + allowed + ")"),
                Map.of(HttpHeaderNames.ALLOW.toString(), allowed.name()));
        return false;
    }

    private void health(Reply reply) {
        if (services.state().draining()) {
            reply.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status", "draining"));
        } else if (services.state().storeFailing()) {
            reply.json(HttpResponseStatus.SERVICE_UNAVAILABLE, Map.of("status", "storage failing"));
        } else {
            reply.json(HttpResponseStatus.OK, Map.of("status", "ok"));
        }
    }

    /** Asks the desk for its gauges (on its thread), then writes every metric on the event loop. */
    private void metrics(Reply reply) {
        reply.pause();
        services.loop().execute(() -> {
            services.desk().reportGauges();
            reply.channel().eventLoop().execute(() -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream(16_384);
                try {
                    services.metrics().write(out);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
                reply.write(HttpResponseStatus.OK, out.toByteArray(), services.metrics().contentType(), Map.of());
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
