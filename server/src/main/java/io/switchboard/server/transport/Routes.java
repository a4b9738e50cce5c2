package io.switchboard.server.transport;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.protocol.Rest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The HTTP routes as data: a method, a path pattern whose {@code {name}} segments are its parameters, the shape its
 * errors take, and its handler. A request whose path matches no pattern is 404; one whose path matches but not with
 * its method is 405 with {@code Allow} (both in the shape of the routes of that path). A prefix may declare what a
 * malformed path under it answers (the queue-position API: 400 in its own shape).
 */
final class Routes {
    /** How a route's errors look. */
    enum ErrorShape {
        /** {@code {"error": code, "message": text}}: every route but the queue-position API. */
        CONTRACT,
        /** {@code {"exceptionType": ..., "message": text}}: the messaging vendor's queue-position API. */
        API
    }

    /** What handles a matched request, with its path parameters by name. */
    interface Handler {
        void handle(FullHttpRequest request, Map<String, String> parameters, Reply reply);
    }

    private record Route(HttpMethod method, String[] pattern, ErrorShape shape, Handler handler) {
    }

    private record Prefix(String[] segments, ErrorShape shape, String expected) {
    }

    private final List<Route> routes = new ArrayList<>();
    private final List<Prefix> prefixes = new ArrayList<>();

    /** Adds a route: {@code route(GET, "/v1/companies/{account}/groups/{group}/reservations/{sid}", ...)}. */
    Routes route(HttpMethod method, String pattern, ErrorShape shape, Handler handler) {
        routes.add(new Route(method, split(pattern), shape, handler));
        return this;
    }

    /** Under {@code prefix}, a path that no route matches is 400 in {@code shape}, saying what was expected. */
    Routes prefix(String prefix, ErrorShape shape, String expected) {
        prefixes.add(new Prefix(split(prefix), shape, expected));
        return this;
    }

    private static String[] split(String pattern) {
        String trimmed = pattern.startsWith("/") ? pattern.substring(1) : pattern;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }

    /** Finds the request's route and runs it, or answers 404, 405 or the prefix's 400. */
    void dispatch(FullHttpRequest request, List<String> path, Reply reply) {
        Set<String> allowed = new LinkedHashSet<>();
        ErrorShape shape = ErrorShape.CONTRACT;
        for (Route route : routes) {
            Map<String, String> parameters = match(route.pattern, path);
            if (parameters == null) {
                continue;
            }
            if (route.method.equals(request.method())) {
                route.handler.handle(request, parameters, reply);
                return;
            }
            allowed.add(route.method.name());
            shape = route.shape;
        }
        if (!allowed.isEmpty()) {
            String expected = request.method() + " (expected: " + String.join(" or ", allowed) + ")";
            Map<String, String> headers = Map.of(HttpHeaderNames.ALLOW.toString(), String.join(", ", allowed));
            if (shape == ErrorShape.API) {
                reply.json(HttpResponseStatus.METHOD_NOT_ALLOWED, new Rest.ApiError("MethodNotAllowedException",
                        expected), headers);
            } else {
                reply.json(HttpResponseStatus.METHOD_NOT_ALLOWED, new Rest.Error("method_not_allowed", expected),
                        headers);
            }
            return;
        }
        for (Prefix prefix : prefixes) {
            if (startsWith(path, prefix.segments)) {
                if (prefix.shape == ErrorShape.API) {
                    reply.json(HttpResponseStatus.BAD_REQUEST, new Rest.ApiError("BadRequestException", "path: "
                            + "expected " + prefix.expected));
                } else {
                    reply.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "path: expected " + prefix.expected);
                }
                return;
            }
        }
        reply.error(HttpResponseStatus.NOT_FOUND, "not_found", "no route for " + request.method() + " /"
                + String.join("/", path));
    }

    /** The path's parameters when it matches the pattern, else null. */
    private static Map<String, String> match(String[] pattern, List<String> path) {
        if (pattern.length != path.size()) {
            return null;
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String part = pattern[i];
            if (part.startsWith("{") && part.endsWith("}")) {
                parameters.put(part.substring(1, part.length() - 1), path.get(i));
            } else if (!part.equals(path.get(i))) {
                return null;
            }
        }
        return parameters;
    }

    private static boolean startsWith(List<String> path, String[] prefix) {
        if (path.size() < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (!prefix[i].equals(path.get(i))) {
                return false;
            }
        }
        return true;
    }
}
