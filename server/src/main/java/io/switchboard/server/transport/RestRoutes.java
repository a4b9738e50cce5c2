package io.switchboard.server.transport;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ProtocolException;
import io.switchboard.protocol.Rest;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.DeskException;
import io.switchboard.server.store.Release;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST routes of contract §3.1 and §3.2 and the SSE stream: each checks the caller and the input on the event
 * loop, then makes one desk call on the desk's thread and answers from its result. No route reads desk state from
 * another thread.
 */
final class RestRoutes {
    private static final Logger log = LoggerFactory.getLogger(RestRoutes.class);
    private static final Map<String, String> CHALLENGE = Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(),
            "Bearer realm=\"switchboard\", Basic realm=\"switchboard\"");
    /** A name in a path (account, group): 1..128 characters, none of them a control character. */
    private static final int NAME_MAX = 128;
    /** A reservation sid: {@code rsv_} and base64url, or anything of those characters (then it is unknown). */
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final HttpServices services;

    RestRoutes(HttpServices services) {
        this.services = services;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Group reservations (§3.1)

    void create(FullHttpRequest request, String account, String group, Reply reply) {
        if (!authorized(request, account, group, null, reply)) {
            return;
        }
        Rest.CreateReservation body;
        Map<String, String> details;
        try {
            body = services.codec().decodeBody(utf8(request), Rest.CreateReservation.class);
            details = body.detailMap();
        } catch (ProtocolException e) {
            reply.error(HttpResponseStatus.BAD_REQUEST, e.code().wire(), e.getMessage());
            return;
        }
        int priority = body.priority() == null ? Desk.WEBSOCKET_PRIORITY : body.priority();
        onDesk(reply, desk -> desk.createReservation(account, group, body.externalUserId(), priority,
                        body.reserveForSeconds(), details),
                view -> reply.json(HttpResponseStatus.CREATED, new Rest.ReservationEnvelope(view)));
    }

    void get(FullHttpRequest request, String account, String group, String sid, Reply reply) {
        if (authorized(request, account, group, sid, reply)) {
            onDesk(reply, desk -> desk.reservation(account, group, sid),
                    view -> reply.json(HttpResponseStatus.OK, new Rest.ReservationEnvelope(view)));
        }
    }

    void cancel(FullHttpRequest request, String account, String group, String sid, Reply reply) {
        if (authorized(request, account, group, sid, reply)) {
            onDesk(reply, desk -> desk.cancelReservation(account, group, sid),
                    view -> reply.json(HttpResponseStatus.OK, new Rest.ReservationEnvelope(view)));
        }
    }

    /**
     * 401 without a valid key (429 instead once the address has sent too many wrong keys), 400 for a bad path
     * parameter, 403 for a key of another account.
     */
    private boolean authorized(FullHttpRequest request, String account, String group, String sid, Reply reply) {
        long retryAfter = services.failedKeysRetryAfter(AddressGate.client(reply.channel()));
        String keyAccount = keyAccount(request, reply);
        if (keyAccount == null) {
            if (retryAfter > 0) {
                services.metrics().rateLimited("api_key");
                reply.json(HttpResponseStatus.TOO_MANY_REQUESTS, new Rest.Error("rate_limited", tooManyWrongKeys(
                        retryAfter)), Map.of(HttpHeaderNames.RETRY_AFTER.toString(), Long.toString(retryAfter)));
            } else {
                reply.json(HttpResponseStatus.UNAUTHORIZED, new Rest.Error("unauthorized", "Authorization: missing "
                        + "or not a valid API key (expected: Bearer <secret> or Basic <id:secret>)"), CHALLENGE);
            }
            return false;
        }
        String bad = !isName(account) ? "account" : !isName(group) ? "group"
                : sid != null && !SID.matcher(sid).matches() ? "reservation_sid" : null;
        if (bad != null) {
            reply.error(HttpResponseStatus.BAD_REQUEST, "bad_request", bad + ": not a valid path parameter");
            return false;
        }
        if (!keyAccount.equals(account)) {
            reply.error(HttpResponseStatus.FORBIDDEN, "forbidden", "this API key is not a key of account " + account);
            return false;
        }
        return true;
    }

    /**
     * The account of the request's API key, or null (counted as a wrong key of the client's address). A valid key is
     * always taken, however many wrong ones others sent from the same address.
     */
    private String keyAccount(FullHttpRequest request, Reply reply) {
        String account = services.apiKeys().account(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (account == null) {
            services.failedKey(AddressGate.client(reply.channel()));
        }
        return account;
    }

    private static String tooManyWrongKeys(long retryAfter) {
        return "too many requests with a missing or wrong API key from your address; try again in " + retryAfter
                + " s";
    }

    /**
     * Runs a desk call on the desk's thread and answers with its result, or with the error it refused with. An answer
     * to a call that changed something leaves once the change is durable; one that changed nothing (a read, a
     * refusal) at once.
     */
    private <T> void onDesk(Reply reply, Function<Desk, T> call, Consumer<T> answer) {
        reply.pause();
        Release.Line line = new Release.Line();
        services.loop().execute(() -> {
            long before = services.submitted();
            T result;
            try {
                result = call.apply(services.desk());
            } catch (DeskException e) {
                services.afterDurable(line, services.submitted() != before,
                        () -> reply.error(status(e), errorName(e), e.getMessage()));
                return;
            } catch (RuntimeException e) {
                log.error("REST call failed on the desk", e);
                services.afterDurable(line, services.submitted() != before, () -> reply.error(
                        HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal", "internal error"));
                return;
            }
            services.afterDurable(line, services.submitted() != before, () -> answer.accept(result));
        });
    }

    private static HttpResponseStatus status(DeskException e) {
        if (e.missing()) {
            return HttpResponseStatus.NOT_FOUND;
        }
        if (e.unavailable()) {
            return HttpResponseStatus.SERVICE_UNAVAILABLE;
        }
        return switch (e.code()) {
            case CONFLICT, NOT_ALLOWED -> HttpResponseStatus.CONFLICT;
            case RATE_LIMITED -> HttpResponseStatus.TOO_MANY_REQUESTS;
            case INVALID_FIELD, TOO_LARGE, BAD_JSON -> HttpResponseStatus.BAD_REQUEST;
            default -> HttpResponseStatus.INTERNAL_SERVER_ERROR;
        };
    }

    private static String errorName(DeskException e) {
        return e.missing() ? "not_found" : e.code().wire();
    }

    // -------------------------------------------------------------------------------------------------------------
    // Queue position (§3.2): its own error shape

    void queuePosition(FullHttpRequest request, List<String> path, Reply reply) {
        if (!request.method().name().equals("GET")) {
            reply.json(HttpResponseStatus.METHOD_NOT_ALLOWED, new Rest.ApiError("MethodNotAllowedException",
                    request.method() + " (expected: GET)"), Map.of(HttpHeaderNames.ALLOW.toString(), "GET"));
            return;
        }
        long retryAfter = services.failedKeysRetryAfter(AddressGate.client(reply.channel()));
        String keyAccount = keyAccount(request, reply);
        if (keyAccount == null) {
            if (retryAfter > 0) {
                services.metrics().rateLimited("api_key");
                reply.json(HttpResponseStatus.TOO_MANY_REQUESTS, new Rest.ApiError("TooManyRequestsException",
                        tooManyWrongKeys(retryAfter)), Map.of(HttpHeaderNames.RETRY_AFTER.toString(),
                        Long.toString(retryAfter)));
            } else {
                reply.json(HttpResponseStatus.UNAUTHORIZED, new Rest.ApiError("UnauthorizedException",
                        "Authorization: missing or not a valid API key (expected: Bearer <secret>)"), CHALLENGE);
            }
            return;
        }
        boolean shape = path.size() == 6 && path.get(2).equals("account") && path.get(4).equals("conversations");
        if (!shape || !isName(path.get(3)) || !SID.matcher(path.get(5)).matches()) {
            reply.json(HttpResponseStatus.BAD_REQUEST, new Rest.ApiError("BadRequestException", shape
                    ? "accountId or conversationId: not a valid path parameter"
                    : "path: expected /v1/queuePosition/account/{accountId}/conversations/{conversationId}"));
            return;
        }
        String account = path.get(3);
        String conversation = path.get(5);
        if (!keyAccount.equals(account)) {
            reply.json(HttpResponseStatus.FORBIDDEN, new Rest.ApiError("ForbiddenException",
                    "this API key is not a key of account " + account));
            return;
        }
        reply.pause();
        services.loop().execute(() -> {
            try {
                reply.json(HttpResponseStatus.OK, services.desk().queuePosition(account, conversation));
            } catch (DeskException e) {
                if (e.missing()) {
                    reply.json(HttpResponseStatus.NOT_FOUND, new Rest.ApiError("NotFoundException", e.getMessage()));
                } else if (e.code() == ErrorCode.RATE_LIMITED) {
                    reply.json(HttpResponseStatus.TOO_MANY_REQUESTS, new Rest.ApiError("TooManyRequestsException",
                            e.getMessage()), Map.of(HttpHeaderNames.RETRY_AFTER.toString(),
                            Long.toString(e.retryAfterSeconds())));
                } else {
                    reply.json(HttpResponseStatus.INTERNAL_SERVER_ERROR, new Rest.ApiError(
                            "InternalServerErrorException", e.getMessage()));
                }
            } catch (RuntimeException e) {
                log.error("queue position failed on the desk", e);
                reply.json(HttpResponseStatus.INTERNAL_SERVER_ERROR, new Rest.ApiError(
                        "InternalServerErrorException", "internal error"));
            }
        });
    }

    // -------------------------------------------------------------------------------------------------------------
    // The SSE stream (§3.1): the sid is the credential

    void stream(FullHttpRequest request, String group, String sid, Reply reply) {
        if (!isName(group) || !SID.matcher(sid).matches()) {
            reply.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "group or reservation_sid: not a valid "
                    + "path parameter");
            return;
        }
        String client = AddressGate.client(reply.channel());
        if (client != null && !services.streams().acquire(client)) {
            services.metrics().rateLimited("sse_streams");
            reply.error(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited", "too many event streams from your "
                    + "address (at most " + services.streams().limit() + ")");
            return;
        }
        if (!AddressGate.hold(reply.channel(), services.connections())) {
            if (client != null) {
                services.streams().release(client);
            }
            reply.error(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited", "too many connections from your "
                    + "address (at most " + services.connections().limit() + ")");
            return;
        }
        long lastSeen = lastEventId(request.headers().get("Last-Event-ID"));
        String allowOrigin = services.origins().allowOrigin(request.headers().get(HttpHeaderNames.ORIGIN));
        EventStream stream = new EventStream(services, reply.channel(), sid, allowOrigin);
        if (client != null) {
            reply.channel().closeFuture().addListener(closed -> services.streams().release(client));
        }
        reply.pause();
        reply.channel().attr(HttpRouter.STREAMING).set(true);
        services.loop().execute(() -> {
            try {
                services.desk().watch(group, sid, lastSeen, stream);
                reply.channel().eventLoop().execute(() -> reply.channel().config().setAutoRead(true));
            } catch (DeskException e) {
                reply.channel().attr(HttpRouter.STREAMING).set(false);
                if (e.code() == ErrorCode.RATE_LIMITED) {
                    reply.error(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited", e.getMessage());
                } else {
                    reply.error(HttpResponseStatus.NOT_FOUND, "not_found", e.getMessage());
                }
            }
        });
    }

    /** The version a reconnecting client saw last, or -1 (no version has it) when absent or not a number. */
    private static long lastEventId(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isName(String value) {
        if (value.isEmpty() || value.length() > NAME_MAX) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static String utf8(FullHttpRequest request) {
        ByteBuffer bytes = request.content().nioBuffer();
        if (!bytes.hasRemaining()) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "body: missing (expected: a JSON object)");
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "body: not UTF-8");
        }
    }
}
