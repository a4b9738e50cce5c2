package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP shapes (contract §3) against their exact JSON, and the strict reading of a create body. */
class GoldenRestTest {
    private static final Codec CODEC = new Codec();
    private static final ObjectMapper PLAIN = new ObjectMapper();

    private static void assertJson(String expected, Object value) throws Exception {
        String actual = new String(CODEC.encodeJson(value), StandardCharsets.UTF_8);
        assertEquals(PLAIN.readTree(expected), PLAIN.readTree(actual), actual);
        assertEquals(value, CODEC.decodeJson(actual, value.getClass()), "decodes back");
    }

    @Test
    void groupReservationHasEveryFieldOfTheContract() throws Exception {
        Rest.GroupReservation matched = new Rest.GroupReservation("acme", new Rest.GroupRef("billing", "billing"),
                "rsv_1", "cust-7", 2, 180, "GROUP_RESERVATION_STATUS_MATCHED", -1, null,
                List.of(new Rest.Detail("order", "A-17")), "rm_9", "2026-11-22T10:00:00.000Z",
                new Rest.ReservedUser("bob"));
        assertJson("""
                {"group_reservation": {"company_sid": "acme", "group": {"sid": "billing", "name": "billing"},
                 "reservation_sid": "rsv_1", "external_user_id": "cust-7", "priority": 2, "reserve_for_seconds": 180,
                 "reservation_status": "GROUP_RESERVATION_STATUS_MATCHED", "queue_position": -1,
                 "estimated_wait_until": null, "details": [{"label": "order", "value": "A-17"}],
                 "room_sid": "rm_9", "reserved_until": "2026-11-22T10:00:00.000Z", "reserved_user": {"name": "bob"}}}""",
                new Rest.ReservationEnvelope(matched));
    }

    @Test
    void queuePositionAndErrors() throws Exception {
        assertJson("{\"queuePosition\": 20, \"estimatedWaitTimeSec\": 500}", new Rest.QueuePosition(20, 500L));
        assertJson("{\"queuePosition\": 3, \"estimatedWaitTimeSec\": null}", new Rest.QueuePosition(3, null));
        assertJson("{\"exceptionType\": \"NotFoundException\", \"message\": \"m\"}",
                new Rest.ApiError("NotFoundException", "m"));
        assertJson("{\"error\": \"not_found\", \"message\": \"m\"}", new Rest.Error("not_found", "m"));
    }

    @Test
    void widgetShapes() throws Exception {
        assertJson("{\"state\": \"closed\", \"next_open\": \"2026-12-07T08:00:00Z\", \"estimated_wait\": null, "
                + "\"email\": true}", new Rest.WidgetState("closed", "2026-12-07T08:00:00Z", null, true));
        assertJson("{\"conversation\": \"rsv_1\"}", new Rest.MessageLeft("rsv_1"));
        Rest.LeaveMessage left = CODEC.decodeBody("{\"user\": \"Lena\", \"email\": \"lena@example.com\", "
                + "\"body\": \"late\"}", Rest.LeaveMessage.class);
        assertEquals(new Rest.LeaveMessage("Lena", "lena@example.com", "late", Map.of()), left);
        for (String bad : new String[] {"{\"user\": \"L\", \"email\": \"lena\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"a@b\", \"body\": \"x\"}", "{\"user\": \"L\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"a@b.cc\", \"body\": \" \"}",
            "{\"user\": \"L\", \"email\": \"a\\u0001b@x.cc\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \".a@b.cc\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"a..b@b.cc\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"a%evil.com@b.cc\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"\\u00fc@x.cc\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"=?utf-8?b?YQ==?=@x.cc\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"a@b.c\\u0000c\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"a@-b.cc\", \"body\": \"x\"}",
            "{\"user\": \"L\", \"email\": \"a@b.c\", \"body\": \"x\", \"cc\": 1}"}) {
            assertThrows(ProtocolException.class, () -> CODEC.decodeBody(bad, Rest.LeaveMessage.class), bad);
        }
        for (String good : new String[] {"o'brien@example.ie", "a.b+tag@sub.example.co.uk", "x@xn--bcher-kva.example"}) {
            assertEquals(good, CODEC.decodeBody("{\"user\": \"L\", \"email\": \"" + good + "\", \"body\": \"x\"}",
                    Rest.LeaveMessage.class).email());
        }
    }

    @Test
    void createBodyAcceptsTheAliasAndDefaults() {
        Rest.CreateReservation alias = CODEC.decodeBody("{\"externalUserId\": \"u1\"}", Rest.CreateReservation.class);
        assertEquals(new Rest.CreateReservation("u1", null, null, List.of()), alias);
        Rest.CreateReservation full = CODEC.decodeBody("""
                {"external_user_id": "u2", "priority": 5, "reserve_for_seconds": 60,
                 "details": [{"label": "a", "value": "1"}, {"label": "b", "value": "2"}]}""",
                Rest.CreateReservation.class);
        assertEquals(Map.of("a", "1", "b", "2"), full.detailMap());
        assertEquals(List.of("a", "b"), List.copyOf(full.detailMap().keySet()), "in order");
    }

    @Test
    void createBodyIsStrict() {
        String[][] cases = {
            {"{\"externalUserId\": \"u\", \"external_user_id\": \"u\", \"x\": 1}", "invalid_field"},
            {"{\"external_user_id\": \"u\", \"priority\": \"1\"}", "invalid_field"},
            {"{\"external_user_id\": \"u\", \"priority\": 1000001}", "invalid_field"},
            {"{\"external_user_id\": \"u\", \"reserve_for_seconds\": 86401}", "invalid_field"},
            {"{\"external_user_id\": \"u\", \"details\": [{\"label\": \"\", \"value\": \"1\"}]}", "invalid_field"},
            {"{\"external_user_id\": \"u\", \"details\": [{\"label\": \"a\"}]}", "invalid_field"},
            {"{\"external_user_id\": \"u\\n\"}", "invalid_field"},
            {"{\"external_user_id\": \"u\"} {}", "bad_json"},
            {"{\"external_user_id\": \"u\", \"external_user_id\": \"v\"}", "bad_json"},
        };
        for (String[] c : cases) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> CODEC.decodeBody(c[0], Rest.CreateReservation.class), c[0]);
            assertEquals(c[1], e.code().wire(), c[0] + ": " + e.getMessage());
        }
        StringBuilder many = new StringBuilder("{\"external_user_id\": \"u\", \"details\": [");
        for (int i = 0; i < 21; i++) {
            many.append(i == 0 ? "" : ",").append("{\"label\": \"l").append(i).append("\", \"value\": \"v\"}");
        }
        ProtocolException tooMany = assertThrows(ProtocolException.class,
                () -> CODEC.decodeBody(many + "]}", Rest.CreateReservation.class));
        assertEquals(ErrorCode.TOO_LARGE, tooMany.code());
    }
}
