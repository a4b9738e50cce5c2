package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.desk.ManualClock;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Contract §3 over real sockets: every HTTP route, status code and error body, with the JDK's {@code HttpClient}. The
 * desk keeps time with a manual clock, so expiry and the queue-position limit are tested without waiting.
 */
class HttpIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long START = 1_800_000_000_000L;
    private static final String CONFIG = """
            {"host": "127.0.0.1", "port": 0,
             "accounts": [
               {"id": "default",
                "api_keys": [{"id": "ops", "secret": "s3cret-for-the-tests"}],
                "groups": [{"name": "default"}, {"name": "sales"}],
                "agents": [
                  {"user": "bob", "token": "bob-token-for-tests", "groups": ["default"], "limit": 1},
                  {"user": "admin", "token": "admin-token-for-tests", "groups": ["sales"], "supervisor": true}]},
               {"id": "other",
                "api_keys": [{"id": "ops", "secret": "other-secret-for-tests"}],
                "groups": [{"name": "default"}]}],
             "timings": {"sse_keepalive_ms": 300, "identify_deadline_ms": 3600000},
             "limits": {"sse_streams_per_reservation": 100, "sse_streams_per_address": 100,
                        "connections_per_address": 200}}""";
    private static final String KEY = Http.bearer("s3cret-for-the-tests");
    private static final String OTHER_KEY = Http.bearer("other-secret-for-tests");
    private static final String RESERVATIONS = "/v1/companies/default/groups/default/reservations";

    private final ManualClock clock = new ManualClock(START);
    private SwitchboardServer server;
    private Http http;

    /** Each test's own data directory: no test restores another's state. */
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path data;

    @BeforeEach
    void start() throws InterruptedException {
        server = SwitchboardServer.start(ConfigLoader.parse(CONFIG, "test").with(null, null, data.toString()), clock);
        http = new Http(server.port());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void advance(long millis) {
        server.onDesk(() -> {
            clock.advance(millis);
            return null;
        });
    }

    private static String iso(long epochMs) {
        return DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC)
                .format(Instant.ofEpochMilli(epochMs));
    }

    private JsonNode create(String body) {
        Http.Response response = http.post(RESERVATIONS, KEY, body);
        assertEquals(201, response.status(), response.body());
        return response.json().get("group_reservation");
    }

    private String sidOf(JsonNode reservation) {
        return reservation.get("reservation_sid").asText();
    }

    private JsonNode get(String sid) {
        Http.Response response = http.get(RESERVATIONS + "/" + sid, KEY);
        assertEquals(200, response.status(), response.body());
        return response.json().get("group_reservation");
    }

    private static Set<String> names(JsonNode object) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static ServerMessage.Joined joinedIn(List<ServerMessage> effects) {
        return WsClient.first(effects, ServerMessage.Joined.class);
    }

    /** An agent signed in and available; the messages of sign-in are consumed. */
    private WsClient availableAgent(String user) {
        WsClient agent = WsClient.connect(server.port());
        agent.call(new Request.Login(user, user + "-token-for-tests"));
        agent.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        return agent;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // §3.1 group reservations

    @Test
    void createAnswersTheWholeGroupReservation() throws IOException {
        JsonNode created = create("""
                {"externalUserId": "cust-1", "priority": 3, "reserve_for_seconds": 45,
                 "details": [{"label": "order", "value": "A-17"}, {"label": "plan", "value": ""}]}""");
        String sid = sidOf(created);
        assertTrue(sid.matches("rsv_[A-Za-z0-9_-]{22,}"), sid);
        JsonNode expected = JSON.readTree("""
                {"company_sid": "default", "group": {"sid": "default", "name": "default"},
                 "reservation_sid": "%s", "external_user_id": "cust-1", "priority": 3, "reserve_for_seconds": 45,
                 "reservation_status": "GROUP_RESERVATION_STATUS_QUEUED", "queue_position": 0,
                 "estimated_wait_until": null,
                 "details": [{"label": "order", "value": "A-17"}, {"label": "plan", "value": ""}],
                 "room_sid": null, "reserved_until": null, "reserved_user": null}""".formatted(sid));
        assertEquals(expected, created);
        assertEquals(expected, get(sid));

        JsonNode second = create("{\"external_user_id\": \"cust-2\"}");
        assertEquals(1, second.get("priority").asInt(), "default priority is a WebSocket guest's");
        assertEquals(180, second.get("reserve_for_seconds").asInt(), "default from timings.reserve_for_seconds");
        assertEquals(1, second.get("queue_position").asInt(), "behind the higher priority");
        JsonNode urgent = create("{\"external_user_id\": \"cust-3\", \"priority\": 9}");
        assertEquals(0, urgent.get("queue_position").asInt());
        assertEquals(2, get(sidOf(second)).get("queue_position").asInt());
    }

    @Test
    void badBodiesAreClearErrorsAndCreateNothing() {
        String[][] cases = {
            {"", "bad_json"},
            {"not json", "bad_json"},
            {"[1]", "bad_json"},
            {"{}", "invalid_field"},
            {"{\"priority\": 1}", "invalid_field"},
            {"{\"external_user_id\": \"\"}", "invalid_field"},
            {"{\"external_user_id\": 5}", "invalid_field"},
            {"{\"external_user_id\": \"a\", \"bogus\": 1}", "invalid_field"},
            {"{\"external_user_id\": \"a\", \"priority\": 1.5}", "invalid_field"},
            {"{\"external_user_id\": \"a\", \"reserve_for_seconds\": 0}", "invalid_field"},
            {"{\"external_user_id\": \"a\", \"details\": [{\"label\": \"x\", \"value\": \"1\"},"
                    + " {\"label\": \"x\", \"value\": \"2\"}]}", "invalid_field"},
            {"{\"external_user_id\": \"a\", \"details\": {\"x\": \"1\"}}", "invalid_field"},
            {"{\"external_user_id\": \"" + "x".repeat(129) + "\"}", "too_large"},
        };
        for (String[] c : cases) {
            Http.Response response = http.post(RESERVATIONS, KEY, c[0]);
            assertEquals(400, response.status(), c[0] + " -> " + response.body());
            assertEquals(Set.of("error", "message"), names(response.json()), response.body());
            assertEquals(c[1], response.json().get("error").asText(), c[0] + " -> " + response.body());
            assertFalse(response.body().contains("Exception") || response.body().contains("at io."), response.body());
        }
        Http.Response unknownGroup = http.post("/v1/companies/default/groups/nope/reservations", KEY,
                "{\"external_user_id\": \"a\"}");
        assertEquals(404, unknownGroup.status());
        assertEquals("not_found", unknownGroup.json().get("error").asText());

        Http.Response huge = http.post(RESERVATIONS, KEY, "{\"external_user_id\": \"" + "x".repeat(70_000) + "\"}");
        assertEquals(413, huge.status());
        assertEquals("too_large", huge.json().get("error").asText());

        JsonNode first = create("{\"external_user_id\": \"a\"}");
        assertEquals(0, first.get("queue_position").asInt(), "no failed call left a reservation behind");
        Http.Response duplicate = http.post(RESERVATIONS, KEY, "{\"external_user_id\": \"a\"}");
        assertEquals(409, duplicate.status());
        assertEquals("conflict", duplicate.json().get("error").asText());
        assertTrue(duplicate.json().get("message").asText().contains(sidOf(first)), duplicate.body());
    }

    @Test
    void apiKeysBearerBasicAndAccounts() {
        Http.Response none = http.get(RESERVATIONS + "/rsv_x", null);
        assertEquals(401, none.status());
        assertNotNull(none.header("WWW-Authenticate"));
        assertEquals("unauthorized", none.json().get("error").asText());
        for (String bad : List.of(Http.bearer("wrong"), Http.basic("nope", "s3cret-for-the-tests"), Http.basic("ops", "wrong"),
                "Basic !!!", "Token s3cret", "Bearer")) {
            assertEquals(401, http.post(RESERVATIONS, bad, "{\"external_user_id\": \"a\"}").status(), bad);
        }
        Http.Response basic = http.post(RESERVATIONS, Http.basic("ops", "s3cret-for-the-tests"), "{\"external_user_id\": \"b\"}");
        assertEquals(201, basic.status(), basic.body());
        String sid = basic.json().get("group_reservation").get("reservation_sid").asText();

        for (Http.Response forbidden : List.of(
                http.post(RESERVATIONS, OTHER_KEY, "{\"external_user_id\": \"c\"}"),
                http.get(RESERVATIONS + "/" + sid, OTHER_KEY),
                http.post(RESERVATIONS + "/" + sid + "/cancel", OTHER_KEY, null),
                http.get(RESERVATIONS + "/" + sid, Http.basic("ops", "other-secret-for-tests")))) {
            assertEquals(403, forbidden.status(), forbidden.body());
            assertEquals("forbidden", forbidden.json().get("error").asText());
        }
        assertEquals(404, http.get("/v1/companies/other/groups/default/reservations/" + sid, OTHER_KEY).status(),
                "another account's reservation does not exist for this account");
        assertEquals("GROUP_RESERVATION_STATUS_QUEUED", get(sid).get("reservation_status").asText());
    }

    @Test
    void getAndCancel() {
        assertEquals(404, http.get(RESERVATIONS + "/rsv_unknown", KEY).status());
        assertEquals(400, http.get(RESERVATIONS + "/bad%20sid", KEY).status());
        String first = sidOf(create("{\"external_user_id\": \"a\"}"));
        String second = sidOf(create("{\"external_user_id\": \"b\"}"));
        assertEquals(404, http.get("/v1/companies/default/groups/sales/reservations/" + first, KEY).status(),
                "a reservation is found under its own group only");

        Http.Response canceled = http.post(RESERVATIONS + "/" + first + "/cancel", KEY, null);
        assertEquals(200, canceled.status(), canceled.body());
        JsonNode view = canceled.json().get("group_reservation");
        assertEquals("GROUP_RESERVATION_STATUS_CANCELED", view.get("reservation_status").asText());
        assertEquals(-1, view.get("queue_position").asInt());
        assertEquals(0, get(second).get("queue_position").asInt(), "the one behind moved up");

        Http.Response again = http.post(RESERVATIONS + "/" + first + "/cancel", KEY, null);
        assertEquals(409, again.status());
        assertEquals("conflict", again.json().get("error").asText());
        assertEquals(404, http.post(RESERVATIONS + "/rsv_unknown/cancel", KEY, null).status());
        assertEquals(405, http.get(RESERVATIONS + "/" + first + "/cancel", KEY).status());
        assertEquals(201, http.post(RESERVATIONS, KEY, "{\"external_user_id\": \"a\"}").status(),
                "a canceled reservation does not block a new one");
    }

    @Test
    void cancelingAHeldReservationFreesTheAgentForTheNextGuest() {
        String held = sidOf(create("{\"external_user_id\": \"a\"}"));
        try (WsClient guest = WsClient.connect(server.port()); WsClient bob = availableAgent("bob")) {
            assertEquals("GROUP_RESERVATION_STATUS_MATCHED", get(held).get("reservation_status").asText());
            guest.call(Request.Identify.guest("walt", "waiting behind"));
            JsonNode canceled = http.post(RESERVATIONS + "/" + held + "/cancel", KEY, null).json()
                    .get("group_reservation");
            assertEquals("GROUP_RESERVATION_STATUS_CANCELED", canceled.get("reservation_status").asText());
            assertNull(canceled.get("reserved_user").textValue());
            bob.awaitExactly(new ServerMessage.Update(List.of("a"), UpdateDetails.CANCELED));
            assertEquals("walt", guest.await(ServerMessage.Joined.class).guest().user());
        }
    }

    @Test
    void heldReservationExpiresOnTheDesksClock() {
        JsonNode created = create("{\"external_user_id\": \"a\", \"reserve_for_seconds\": 30}");
        String sid = sidOf(created);
        try (WsClient guest = WsClient.connect(server.port()); WsClient bob = availableAgent("bob");
             SseClient stream = new SseClient(http, "/events/g/default/r/" + sid, null)) {
            JsonNode matched = get(sid);
            assertEquals("GROUP_RESERVATION_STATUS_MATCHED", matched.get("reservation_status").asText());
            assertEquals(iso(START + 30_000), matched.get("reserved_until").asText());
            assertEquals("bob", matched.get("reserved_user").get("name").asText());
            assertEquals(-1, matched.get("queue_position").asInt());
            assertNull(matched.get("room_sid").textValue());
            assertEquals("GROUP_RESERVATION_STATUS_MATCHED", data(stream.nextEvent()).get("reservation_status")
                    .asText());

            guest.call(Request.Identify.guest("walt", "next in line"));
            advance(29_999);
            assertEquals("GROUP_RESERVATION_STATUS_MATCHED", get(sid).get("reservation_status").asText());
            advance(1);
            JsonNode expired = data(stream.nextEvent());
            assertEquals("GROUP_RESERVATION_STATUS_EXPIRED", expired.get("reservation_status").asText());
            assertNull(expired.get("reserved_user").textValue());
            bob.awaitExactly(new ServerMessage.Update(List.of("a"), UpdateDetails.EXPIRED));
            assertEquals("walt", guest.await(ServerMessage.Joined.class).guest().user(), "the agent is freed");
            assertEquals(expired, get(sid));
            assertEquals(409, http.post(RESERVATIONS + "/" + sid + "/cancel", KEY, null).status());
        }
    }

    @Test
    void attachingWithinTheHoldOpensTheRoom() {
        String sid = sidOf(create("{\"external_user_id\": \"cust-9\"}"));
        try (WsClient bob = availableAgent("bob"); WsClient guest = WsClient.connect(server.port())) {
            ServerMessage.Joined joined = joinedIn(guest.call(new Request.Identify("Pat", null, null, null, null,
                    sid)));
            assertEquals("bob", joined.agent());
            JsonNode view = get(sid);
            assertEquals("GROUP_RESERVATION_STATUS_MATCHED", view.get("reservation_status").asText());
            assertEquals(joined.room(), view.get("room_sid").asText());
            assertEquals("bob", view.get("reserved_user").get("name").asText());
            assertEquals(joined.room(), bob.await(ServerMessage.Joined.class).room());
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The SSE stream

    private static JsonNode data(SseClient.Block event) {
        try {
            return JSON.readTree(event.field("data"));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void streamSendsTheStateThenEachChangeAndHonoursLastEventId() {
        String sid = sidOf(create("{\"external_user_id\": \"a\"}"));
        String path = "/events/g/default/r/" + sid;
        String seenId;
        try (SseClient stream = new SseClient(http, path, null)) {
            assertEquals(200, stream.response.statusCode());
            assertTrue(stream.response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            SseClient.Block first = stream.next();
            assertEquals("3000", first.field("retry"));
            SseClient.Block current = stream.nextEvent();
            assertEquals(get(sid), data(current), "first event: the current reservation");
            String[] comment = stream.next().fields().get(0);
            assertEquals("", comment[0], "a comment keeps the stream alive");
            assertEquals("keep-alive", comment[1]);

            try (WsClient bob = availableAgent("bob")) {
                SseClient.Block matched = stream.nextEvent();
                assertEquals("GROUP_RESERVATION_STATUS_MATCHED", data(matched).get("reservation_status").asText());
                assertTrue(Long.parseLong(matched.field("id")) > Long.parseLong(current.field("id")));
                seenId = matched.field("id");
            }
        }
        try (SseClient resumed = new SseClient(http, path, seenId)) {
            resumed.next();
            http.post(RESERVATIONS + "/" + sid + "/cancel", KEY, null);
            SseClient.Block next = resumed.nextEvent();
            assertEquals("GROUP_RESERVATION_STATUS_CANCELED", data(next).get("reservation_status").asText(),
                    "nothing was sent again for the version already seen");
            assertTrue(Long.parseLong(next.field("id")) > Long.parseLong(seenId));
        }
        try (SseClient behind = new SseClient(http, path, seenId)) {
            SseClient.Block at = behind.nextEvent();
            assertEquals("GROUP_RESERVATION_STATUS_CANCELED", data(at).get("reservation_status").asText(),
                    "a client that missed a change gets the current state at once");
        }
        Http.await("every stream closed and forgotten", () -> metric("switchboard_sse_streams") == 0.0);
    }

    /**
     * A new place is held back by the stream's spread delay (from its sid, within {@code sse_spread_ms}, 500 by
     * default) so that a queue's streams do not leave in one burst; a status change leaves at once and carries the
     * newest state, so the held place is not sent after it. A place with no status change after it still arrives.
     */
    @Test
    void aStatusChangeOvertakesAHeldPlaceAndTheLastPlaceStillArrives() {
        String first = sidOf(create("{\"external_user_id\": \"first\"}"));
        String late = null;
        for (int i = 0; i < 200 && late == null; i++) {
            String sid = sidOf(create("{\"external_user_id\": \"try-" + i + "\"}"));
            if (Math.floorMod(sid.hashCode(), 500) >= 450) {
                late = sid;
            } else {
                http.post(RESERVATIONS + "/" + sid + "/cancel", KEY, null);
            }
        }
        assertNotNull(late, "some sid has a spread delay of 450 ms or more");
        String third = sidOf(create("{\"external_user_id\": \"third\"}"));
        try (SseClient held = new SseClient(http, "/events/g/default/r/" + late, null);
             SseClient moved = new SseClient(http, "/events/g/default/r/" + third, null)) {
            assertEquals(1, data(held.nextEvent()).get("queue_position").asInt());
            assertEquals(2, data(moved.nextEvent()).get("queue_position").asInt());
            http.post(RESERVATIONS + "/" + first + "/cancel", KEY, null);
            advance(1_000);
            // The publication gave both their new places; the held stream's is due at least 450 ms later.
            http.post(RESERVATIONS + "/" + late + "/cancel", KEY, null);
            JsonNode canceled = data(held.nextEvent());
            assertEquals("GROUP_RESERVATION_STATUS_CANCELED", canceled.get("reservation_status").asText(),
                    "the status change came first, and the older place was not sent: " + canceled);
            JsonNode place = data(moved.nextEvent());
            assertEquals("GROUP_RESERVATION_STATUS_QUEUED", place.get("reservation_status").asText());
            assertTrue(place.get("queue_position").asInt() < 2, "the new place arrived: " + place);
        }
    }

    @Test
    void streamOfAnUnknownReservationIs404() {
        String sid = sidOf(create("{\"external_user_id\": \"a\"}"));
        Http.Response unknown = http.get("/events/g/default/r/rsv_nope", null);
        assertEquals(404, unknown.status());
        assertEquals("not_found", unknown.json().get("error").asText());
        assertEquals(404, http.get("/events/g/sales/r/" + sid, null).status(), "under its own group only");
        assertEquals(405, http.post("/events/g/default/r/" + sid, null, null).status());
    }

    @Test
    void manyStreamsOpenAndCloseWithoutLeaks() {
        String sid = sidOf(create("{\"external_user_id\": \"a\"}"));
        List<SseClient> streams = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                streams.add(new SseClient(http, "/events/g/default/r/" + sid, null));
            }
            for (SseClient stream : streams) {
                assertEquals("GROUP_RESERVATION_STATUS_QUEUED", data(stream.nextEvent()).get("reservation_status")
                        .asText());
            }
            assertEquals(50.0, metric("switchboard_sse_streams"));
            http.post(RESERVATIONS + "/" + sid + "/cancel", KEY, null);
            for (SseClient stream : streams) {
                assertEquals("GROUP_RESERVATION_STATUS_CANCELED", data(stream.nextEvent())
                        .get("reservation_status").asText());
            }
        } finally {
            streams.forEach(SseClient::close);
        }
        Http.await("streams closed", () -> metric("switchboard_sse_streams") == 0.0);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // §3.2 the queue-position API

    private static final String QP = "/v1/queuePosition/account/default/conversations/";

    private static void assertApiError(Http.Response response, int status, String type) {
        assertEquals(status, response.status(), response.body());
        assertEquals(Set.of("exceptionType", "message"), names(response.json()));
        assertEquals(type, response.json().get("exceptionType").asText());
    }

    @Test
    void queuePositionIsOneBasedAndLimitedToTwoCallsAMinute() {
        String first = sidOf(create("{\"external_user_id\": \"a\"}"));
        String second = sidOf(create("{\"external_user_id\": \"b\"}"));
        Http.Response answer = http.get(QP + second, KEY);
        assertEquals(200, answer.status());
        assertEquals(Set.of("queuePosition", "estimatedWaitTimeSec"), names(answer.json()));
        assertEquals(2, answer.json().get("queuePosition").asInt());
        assertTrue(answer.json().get("estimatedWaitTimeSec").isNull(), "no history: no estimate");
        assertEquals(200, http.get(QP + second, KEY).status());

        Http.Response limited = http.get(QP + second, KEY);
        assertApiError(limited, 429, "TooManyRequestsException");
        assertEquals("60", limited.header("Retry-After"));
        assertEquals(200, http.get(QP + first, KEY).status(), "the limit is per conversation");

        advance(20_000);
        assertEquals("40", http.get(QP + second, KEY).header("Retry-After"));
        advance(40_000);
        assertEquals(2, http.get(QP + second, KEY).json().get("queuePosition").asInt(), "a minute later: allowed");

        http.post(RESERVATIONS + "/" + first + "/cancel", KEY, null);
        assertEquals(1, http.get(QP + second, KEY).json().get("queuePosition").asInt());
        http.post(RESERVATIONS + "/" + second + "/cancel", KEY, null);
        advance(60_000);
        JsonNode notQueued = http.get(QP + second, KEY).json();
        assertEquals(0, notQueued.get("queuePosition").asInt());
        assertEquals(0, notQueued.get("estimatedWaitTimeSec").asInt());
    }

    @Test
    void queuePositionEstimatesFromHistory() {
        try (WsClient bob = availableAgent("bob"); WsClient first = WsClient.connect(server.port());
             WsClient second = WsClient.connect(server.port())) {
            String room1 = joinedIn(first.call(Request.Identify.guest("g1", "q"))).room();
            advance(40_000);
            first.call(new Request.End(room1));
            joinedIn(second.call(Request.Identify.guest("g2", "q")));
            advance(10_000);
            String waiting = sidOf(create("{\"external_user_id\": \"a\"}"));
            JsonNode answer = http.get(QP + waiting, KEY).json();
            assertEquals(1, answer.get("queuePosition").asInt());
            assertEquals(30, answer.get("estimatedWaitTimeSec").asInt(),
                    "bob's only slot is busy for 10 s of a conversation that took 40 s last time: 30 s to go");
            assertEquals(iso(START + 80_000), get(waiting).get("estimated_wait_until").asText());
            assertEquals("bob", bob.await(ServerMessage.Joined.class).agent());
        }
    }

    @Test
    void queuePositionErrors() {
        String sid = sidOf(create("{\"external_user_id\": \"a\"}"));
        assertApiError(http.get(QP + sid, null), 401, "UnauthorizedException");
        assertApiError(http.get(QP + sid, Http.bearer("wrong")), 401, "UnauthorizedException");
        assertApiError(http.get("/v1/queuePosition/account/other/conversations/" + sid, KEY), 403,
                "ForbiddenException");
        assertApiError(http.get("/v1/queuePosition/account/other/conversations/" + sid, OTHER_KEY), 404,
                "NotFoundException");
        assertApiError(http.get(QP + "rsv_unknown", KEY), 404, "NotFoundException");
        assertApiError(http.get(QP + "not%20a%20sid", KEY), 400, "BadRequestException");
        assertApiError(http.get("/v1/queuePosition/account/default", KEY), 400, "BadRequestException");
        assertApiError(http.get(QP, KEY), 400, "BadRequestException");
        assertApiError(http.post(QP + sid, KEY, "{}"), 405, "MethodNotAllowedException");
        assertEquals(200, http.get(QP + sid, KEY).status(), "no error counted as a call");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // §3.3 operations, and errors of any route

    private double metric(String sample) {
        Http.Response metrics = http.get("/metrics", null);
        assertEquals(200, metrics.status());
        for (String line : metrics.body().split("\n")) {
            if (line.startsWith(sample + " ")) {
                return Double.parseDouble(line.substring(sample.length() + 1));
            }
        }
        throw new AssertionError("no sample " + sample + " in /metrics");
    }

    @Test
    void healthAndMetrics() {
        Http.Response health = http.get("/healthz", null);
        assertEquals(200, health.status());
        assertEquals("{\"status\":\"ok\"}", health.body());
        try (WsClient bob = availableAgent("bob"); WsClient guest = WsClient.connect(server.port());
             WsClient waiting = WsClient.connect(server.port())) {
            String room = joinedIn(guest.call(Request.Identify.guest("g1", "q"))).room();
            guest.call(new Request.Message(room, "hello"));
            advance(5_000);
            waiting.call(Request.Identify.guest("g2", "q"));
            advance(7_000);
            bob.send(new Request.Assist(null));
            assertEquals(ErrorCode.AT_LIMIT, bob.await(ServerMessage.ErrorReply.class).code());
            Http.Response metrics = http.get("/metrics", null);
            assertTrue(metrics.header("Content-Type").startsWith("text/plain"), metrics.header("Content-Type"));
            assertEquals(1.0, metric("switchboard_connections{role=\"agent\"}"));
            assertEquals(2.0, metric("switchboard_connections{role=\"guest\"}"));
            assertEquals(0.0, metric("switchboard_connections{role=\"anonymous\"}"));
            assertEquals(1.0, metric("switchboard_queue_length{account=\"default\",group=\"default\"}"));
            assertEquals(7.0, metric("switchboard_queue_oldest_wait_seconds{account=\"default\",group=\"default\"}"));
            assertEquals(1.0, metric("switchboard_assignments_total{account=\"default\",group=\"default\"}"));
            assertEquals(1.0, metric("switchboard_wait_seconds_bucket{account=\"default\",group=\"default\","
                    + "le=\"1.0\"}"));
            assertEquals(1.0, metric("switchboard_messages_total"));
            assertEquals(1.0, metric("switchboard_errors_total{code=\"at_limit\"}"));
            assertTrue(metrics.body().contains("jvm_memory_used_bytes"), "JVM metrics too");
            assertTrue(metrics.body().contains("switchboard_rate_limited_total{limit=\"queue_position\"}"));
        }
    }

    /** Sends raw bytes (what {@code HttpClient} refuses to send) and reads the answer until the server closes. */
    private String raw(String request) {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) Http.WAIT.toMillis());
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyErrorIsJson() {
        Http.Response notUpgraded = http.get("/ws", null);
        assertEquals(400, notUpgraded.status());
        assertEquals("bad_request", notUpgraded.json().get("error").asText());
        Http.Response missing = http.get("/nope", null);
        assertEquals(404, missing.status());
        assertEquals("not_found", missing.json().get("error").asText());
        Http.Response wrongMethod = http.send(http.request("/healthz", null)
                .method("DELETE", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(405, wrongMethod.status());
        assertEquals("GET", wrongMethod.header("Allow"));
        assertEquals("method_not_allowed", wrongMethod.json().get("error").asText());
        String badEncoding = raw("GET /v1/companies/%zz/groups/default/reservations/x HTTP/1.1\r\n"
                + "Host: x\r\nAuthorization: Bearer s3cret\r\nConnection: close\r\n\r\n");
        assertTrue(badEncoding.startsWith("HTTP/1.1 400"), badEncoding);
        assertTrue(badEncoding.endsWith("{\"error\":\"bad_request\",\"message\":\"path: not valid percent-encoding\"}"),
                badEncoding);
        String garbage = raw("HELLO THERE\r\n\r\n");
        assertTrue(garbage.startsWith("HTTP/1.1 400"), garbage);
        assertTrue(garbage.contains("\"error\":\"bad_request\""), garbage);
        Http.Response listing = http.get(RESERVATIONS, KEY);
        assertEquals(405, listing.status());
        assertEquals("POST", listing.header("Allow"));
    }
}
