package io.switchboard.server.transport;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ProtocolException;
import io.switchboard.protocol.Rest;
import io.switchboard.server.desk.DeskException;
import io.switchboard.server.gate.Release;
import java.util.HashMap;
import java.util.Map;

/**
 * The widget's own routes (no key; CORS per {@code allowed_origins}): {@code GET /v1/widget/{account}/{group}}, what
 * the widget shows before a guest types anything, and {@code POST /v1/widget/{account}/{group}/messages}, a message
 * left to be answered by email; and their preflights. A browser request from an origin that is not allowed is 403.
 */
final class WidgetRoutes {
    private final Transport transport;

    WidgetRoutes(Transport transport) {
        this.transport = transport;
    }

    void state(FullHttpRequest request, Map<String, String> path, Reply reply) {
        Map<String, String> cors = cors(request, reply);
        if (cors == null || !validPath(path, reply, cors)) {
            return;
        }
        // A widget on a busy site asks often: the answer may be cached for a few seconds.
        cors.put(HttpHeaderNames.CACHE_CONTROL.toString(), "max-age=5");
        onDesk(path.get("account"), reply, cors, desk -> desk.widget(path.get("group")), HttpResponseStatus.OK);
    }

    void leave(FullHttpRequest request, Map<String, String> path, Reply reply) {
        Map<String, String> cors = cors(request, reply);
        if (cors == null || !validPath(path, reply, cors)) {
            return;
        }
        Rest.LeaveMessage body;
        try {
            body = transport.codec().decodeBody(RestRoutes.utf8(request), Rest.LeaveMessage.class);
        } catch (ProtocolException e) {
            reply.json(HttpResponseStatus.BAD_REQUEST, new Rest.Error(e.code().wire(), e.getMessage()), cors);
            return;
        }
        String source = AddressGate.client(reply.channel());
        onDesk(path.get("account"), reply, cors, desk -> desk.leaveMessage(path.get("group"), body, source),
                HttpResponseStatus.CREATED);
    }

    /** A browser's preflight of a widget route (a JSON POST from another origin). */
    void preflight(FullHttpRequest request, Map<String, String> path, Reply reply) {
        Map<String, String> cors = cors(request, reply);
        if (cors == null) {
            return;
        }
        cors.put(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS.toString(), "GET, POST");
        cors.put(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS.toString(), "Content-Type");
        cors.put(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE.toString(), "600");
        reply.write(HttpResponseStatus.NO_CONTENT, new byte[0], "text/plain", cors);
    }

    /** The CORS headers for this request's origin, or null after answering 403 to an origin that is not allowed. */
    private Map<String, String> cors(FullHttpRequest request, Reply reply) {
        Map<String, String> headers = new HashMap<>();
        // The answer depends on the Origin: no shared cache may give one origin's copy to another.
        headers.put(HttpHeaderNames.VARY.toString(), "Origin");
        java.util.List<String> origins = request.headers().getAll(HttpHeaderNames.ORIGIN);
        if (origins.isEmpty()) {
            return headers;
        }
        String origin = origins.get(0);
        String allow = origins.size() == 1 ? transport.origins().allowOrigin(origin) : null;
        if (allow == null) {
            reply.error(HttpResponseStatus.FORBIDDEN, "forbidden", origins.size() == 1 ? "origin " + origin
                    + " is not allowed here" : "one Origin header expected, not " + origins.size());
            return null;
        }
        headers.put(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN.toString(), allow);
        return headers;
    }

    private static boolean validPath(Map<String, String> path, Reply reply, Map<String, String> cors) {
        String bad = !RestRoutes.isName(path.get("account")) ? "account"
                : !RestRoutes.isName(path.get("group")) ? "group" : null;
        if (bad != null) {
            reply.json(HttpResponseStatus.BAD_REQUEST, new Rest.Error("bad_request", bad + ": not a valid path "
                    + "parameter"), cors);
            return false;
        }
        return true;
    }

    private <T> void onDesk(String account, Reply reply, Map<String, String> cors,
                            java.util.function.Function<io.switchboard.server.desk.Desk, T> call,
                            HttpResponseStatus success) {
        reply.pause();
        transport.gate().ask(account, call, new Release.Line(), outcome -> {
            DeskException e = outcome.refused();
            if (e == null) {
                reply.json(success, outcome.value(), cors);
                return;
            }
            Map<String, String> headers = new HashMap<>(cors);
            if (e.code() == ErrorCode.RATE_LIMITED && e.retryAfterSeconds() > 0) {
                headers.put(HttpHeaderNames.RETRY_AFTER.toString(), Long.toString(e.retryAfterSeconds()));
            }
            reply.json(RestRoutes.status(e), new Rest.Error(e.missing() ? "not_found" : e.code().wire(),
                    e.getMessage()), headers);
        });
    }
}
