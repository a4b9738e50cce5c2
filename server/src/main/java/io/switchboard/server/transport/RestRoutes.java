package io.switchboard.server.transport;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ProtocolException;
import io.switchboard.protocol.Rest;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.DeskException;
import io.switchboard.server.gate.DeskGate;
import io.switchboard.server.gate.Release;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The REST routes of contract §3.1 and §3.2 and the SSE stream: each checks the caller and the input on the event
 * loop, then makes one desk call through the gate ({@link DeskGate#ask}: a turn of the account's desk) and answers
 * from its outcome, once the release lets it go. No route touches a desk.
 */
final class RestRoutes {
    private static final Map<String, String> CHALLENGE = Map.of(HttpHeaderNames.WWW_AUTHENTICATE.toString(),
            "Bearer realm=\"switchboard\", Basic realm=\"switchboard\"");
    /** A name in a path (account, group): 1..128 characters, none of them a control character. */
    private static final int NAME_MAX = 128;
    /** A reservation sid: {@code rsv_} and base64url, or anything of those characters (then it is unknown). */
    private static final Pattern SID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

    private final Transport transport;

    RestRoutes(Transport transport) {
        this.transport = transport;
    }

    // -------------------------------------------------------------------------------------------------------------
    // Group reservations (§3.1)

    void create(FullHttpRequest request, Map<String, String> path, Reply reply) {
        String account = path.get("account");
        String group = path.get("group");
        if (!authorized(request, account, group, null, reply)) {
            return;
        }
        Rest.CreateReservation body;
        Map<String, String> details;
        try {
            body = transport.codec().decodeBody(utf8(request), Rest.CreateReservation.class);
            details = body.detailMap();
        } catch (ProtocolException e) {
            reply.error(HttpResponseStatus.BAD_REQUEST, e.code().wire(), e.getMessage());
            return;
        }
        int priority = body.priority() == null ? Desk.WEBSOCKET_PRIORITY : body.priority();
        onDesk(account, reply, desk -> desk.createReservation(group, body.externalUserId(), priority,
                        body.reserveForSeconds(), details),
                view -> reply.json(HttpResponseStatus.CREATED, new Rest.ReservationEnvelope(view)));
    }

    void get(FullHttpRequest request, Map<String, String> path, Reply reply) {
        String account = path.get("account");
        if (authorized(request, account, path.get("group"), path.get("sid"), reply)) {
            onDesk(account, reply, desk -> desk.reservation(path.get("group"), path.get("sid")),
                    view -> reply.json(HttpResponseStatus.OK, new Rest.ReservationEnvelope(view)));
        }
    }

    void cancel(FullHttpRequest request, Map<String, String> path, Reply reply) {
        String account = path.get("account");
        if (authorized(request, account, path.get("group"), path.get("sid"), reply)) {
            onDesk(account, reply, desk -> desk.cancelReservation(path.get("group"), path.get("sid")),
                    view -> reply.json(HttpResponseStatus.OK, new Rest.ReservationEnvelope(view)));
        }
    }

    /**
     * 401 without a valid key (429 instead once the address has sent too many wrong keys), 400 for a bad path
     * parameter, 403 for a key of another account.
     */
    private boolean authorized(FullHttpRequest request, String account, String group, String sid, Reply reply) {
        long retryAfter = transport.failedKeysRetryAfter(AddressGate.client(reply.channel()));
        String keyAccount = keyAccount(request, reply);
        if (keyAccount == null) {
            if (retryAfter > 0) {
                transport.metrics().rateLimited("api_key");
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
        String account = transport.apiKeys().account(request.headers().get(HttpHeaderNames.AUTHORIZATION));
        if (account == null) {
            transport.failedKey(AddressGate.client(reply.channel()));
        }
        return account;
    }

    private static String tooManyWrongKeys(long retryAfter) {
        return "too many requests with a missing or wrong API key from your address; try again in " + retryAfter
                + " s";
    }

    /** Makes one desk call and answers with its result, or with the error it refused with. */
    private <T> void onDesk(String account, Reply reply, Function<Desk, T> call, Consumer<T> answer) {
        reply.pause();
        transport.gate().ask(account, call, new Release.Line(), outcome -> {
            if (outcome.refused() == null) {
                answer.accept(outcome.value());
            } else {
                DeskException e = outcome.refused();
                reply.error(status(e), e.missing() ? "not_found" : e.code().wire(), e.getMessage());
            }
        });
    }

    static HttpResponseStatus status(DeskException e) {
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

    // -------------------------------------------------------------------------------------------------------------
    // Queue position (§3.2): its own error shape

    void queuePosition(FullHttpRequest request, Map<String, String> path, Reply reply) {
        long retryAfter = transport.failedKeysRetryAfter(AddressGate.client(reply.channel()));
        String keyAccount = keyAccount(request, reply);
        if (keyAccount == null) {
            if (retryAfter > 0) {
                transport.metrics().rateLimited("api_key");
                reply.json(HttpResponseStatus.TOO_MANY_REQUESTS, new Rest.ApiError("TooManyRequestsException",
                        tooManyWrongKeys(retryAfter)), Map.of(HttpHeaderNames.RETRY_AFTER.toString(),
                        Long.toString(retryAfter)));
            } else {
                reply.json(HttpResponseStatus.UNAUTHORIZED, new Rest.ApiError("UnauthorizedException",
                        "Authorization: missing or not a valid API key (expected: Bearer <secret>)"), CHALLENGE);
            }
            return;
        }
        String account = path.get("account");
        String conversation = path.get("conversation");
        if (!isName(account) || !SID.matcher(conversation).matches()) {
            reply.json(HttpResponseStatus.BAD_REQUEST, new Rest.ApiError("BadRequestException",
                    "accountId or conversationId: not a valid path parameter"));
            return;
        }
        if (!keyAccount.equals(account)) {
            reply.json(HttpResponseStatus.FORBIDDEN, new Rest.ApiError("ForbiddenException",
                    "this API key is not a key of account " + account));
            return;
        }
        reply.pause();
        transport.gate().ask(account, desk -> desk.queuePosition(conversation), new Release.Line(), outcome -> {
            DeskException e = outcome.refused();
            if (e == null) {
                reply.json(HttpResponseStatus.OK, outcome.value());
            } else if (e.missing()) {
                reply.json(HttpResponseStatus.NOT_FOUND, new Rest.ApiError("NotFoundException", e.getMessage()));
            } else if (e.code() == ErrorCode.RATE_LIMITED) {
                reply.json(HttpResponseStatus.TOO_MANY_REQUESTS, new Rest.ApiError("TooManyRequestsException",
                        e.getMessage()), Map.of(HttpHeaderNames.RETRY_AFTER.toString(),
                        Long.toString(e.retryAfterSeconds())));
            } else {
                reply.json(HttpResponseStatus.INTERNAL_SERVER_ERROR, new Rest.ApiError(
                        "InternalServerErrorException", e.getMessage()));
            }
        });
    }

    // -------------------------------------------------------------------------------------------------------------
    // The SSE stream (§3.1): the sid is the credential

    void stream(FullHttpRequest request, Map<String, String> path, Reply reply) {
        String group = path.get("group");
        String sid = path.get("sid");
        if (!isName(group) || !SID.matcher(sid).matches()) {
            reply.error(HttpResponseStatus.BAD_REQUEST, "bad_request", "group or reservation_sid: not a valid "
                    + "path parameter");
            return;
        }
        String account = transport.gate().accountOfReservation(sid);
        if (account == null) {
            reply.error(HttpResponseStatus.NOT_FOUND, "not_found", "reservation: " + sid + " (expected: a "
                    + "reservation of group " + group + ")");
            return;
        }
        String client = AddressGate.client(reply.channel());
        if (client != null && !transport.streams().acquire(client)) {
            transport.metrics().rateLimited("sse_streams");
            reply.error(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited", "too many event streams from your "
                    + "address (at most " + transport.streams().limit() + ")");
            return;
        }
        if (!AddressGate.hold(reply.channel(), transport.connections())) {
            if (client != null) {
                transport.streams().release(client);
            }
            reply.error(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited", "too many connections from your "
                    + "address (at most " + transport.connections().limit() + ")");
            return;
        }
        long lastSeen = lastEventId(request.headers().get("Last-Event-ID"));
        String allowOrigin = transport.origins().allowOrigin(request.headers().get(HttpHeaderNames.ORIGIN));
        EventStream stream = new EventStream(transport, reply.channel(), account, sid, allowOrigin);
        if (client != null) {
            reply.channel().closeFuture().addListener(closed -> transport.streams().release(client));
        }
        reply.pause();
        reply.channel().attr(HttpRouter.STREAMING).set(true);
        transport.gate().ask(account, desk -> {
            desk.watch(group, sid, lastSeen, stream);
            return Boolean.TRUE;
        }, new Release.Line(), outcome -> {
            DeskException e = outcome.refused();
            if (e == null) {
                reply.channel().eventLoop().execute(() -> reply.channel().config().setAutoRead(true));
                return;
            }
            reply.channel().attr(HttpRouter.STREAMING).set(false);
            if (e.code() == ErrorCode.RATE_LIMITED) {
                reply.error(HttpResponseStatus.TOO_MANY_REQUESTS, "rate_limited", e.getMessage());
            } else {
                reply.error(HttpResponseStatus.NOT_FOUND, "not_found", e.getMessage());
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

    static boolean isName(String value) {
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

    static String utf8(FullHttpRequest request) {
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
