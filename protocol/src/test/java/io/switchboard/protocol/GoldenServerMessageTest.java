package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every server message against its exact JSON, both ways. */
class GoldenServerMessageTest {
    private static final Codec CODEC = new Codec();
    private static final ObjectMapper PLAIN = new ObjectMapper();

    static Stream<Arguments> messages() {
        ServerMessage.Message chat = new ServerMessage.Message("rm_1", "ann", Role.GUEST, "hi *there*", 1700000000123L,
                7);
        return Stream.of(
                Arguments.of(new ServerMessage.Notification("rm_1", "ann", Role.GUEST, NotificationDetails.JOINED), """
                        {"type":"notification","room":"rm_1","user":"ann","role":"guest","details":"joined"}"""),
                Arguments.of(new ServerMessage.Notification("rm_1", "bob", Role.AGENT, NotificationDetails.LEFT), """
                        {"type":"notification","room":"rm_1","user":"bob","role":"agent","details":"left"}"""),
                Arguments.of(chat, """
                        {"type":"message","room":"rm_1","user":"ann","role":"guest","body":"hi *there*",\
                        "sent":1700000000123,"seq":7}"""),
                Arguments.of(new ServerMessage.Message("rm_1", "bob", Role.AGENT, "she asked twice", 1700000000124L, 8,
                        true), """
                        {"type":"message","room":"rm_1","user":"bob","role":"agent","body":"she asked twice",\
                        "sent":1700000000124,"seq":8,"private":true}"""),
                Arguments.of(new ServerMessage.Status("rm_1", "ann", Role.GUEST, StatusOf.TYPING, StatusIs.TRUE), """
                        {"type":"status","room":"rm_1","user":"ann","role":"guest","of":"typing","is":"true"}"""),
                Arguments.of(new ServerMessage.Status(null, "bob", Role.SUPERVISOR, StatusOf.AVAILABILITY,
                        StatusIs.OFFLINE), """
                        {"type":"status","room":null,"user":"bob","role":"supervisor","of":"availability",\
                        "is":"offline"}"""),
                Arguments.of(new ServerMessage.Update(List.of("ann", "bob"), UpdateDetails.ASSIGNED), """
                        {"type":"update","users":["ann","bob"],"details":"assigned"}"""),
                Arguments.of(new ServerMessage.Update(List.of("ann"), UpdateDetails.UNASSIGNED), """
                        {"type":"update","users":["ann"],"details":"unassigned"}"""),
                Arguments.of(new ServerMessage.Welcome(), """
                        {"type":"welcome"}"""),
                Arguments.of(new ServerMessage.QueuePos(3, 42L, 95L), """
                        {"type":"queuepos","position":3,"wait":42,"estimated_wait":95}"""),
                Arguments.of(new ServerMessage.QueuePos(0, null, null), """
                        {"type":"queuepos","position":0,"wait":null,"estimated_wait":null}"""),
                Arguments.of(new ServerMessage.Identified(Role.GUEST, "ann", "ses_x", "rsv_y"), """
                        {"type":"identified","role":"guest","user":"ann","session":"ses_x","reservation":"rsv_y"}"""),
                Arguments.of(new ServerMessage.Identified(Role.SUPERVISOR, "admin", "ses_z", null), """
                        {"type":"identified","role":"supervisor","user":"admin","session":"ses_z","reservation":null}"""),
                Arguments.of(new ServerMessage.Joined("rm_1",
                        new ServerMessage.Guest("ann", "where is my order?", Map.of("order", "42")), "bob"), """
                        {"type":"joined","room":"rm_1","guest":{"user":"ann","question":"where is my order?",\
                        "details":{"order":"42"}},"agent":"bob"}"""),
                Arguments.of(new ServerMessage.End("rm_1", "bob", EndReason.ENDED), """
                        {"type":"end","room":"rm_1","user":"bob","reason":"ended"}"""),
                Arguments.of(new ServerMessage.End("rm_1", null, EndReason.GUEST_GONE), """
                        {"type":"end","room":"rm_1","user":null,"reason":"guest_gone"}"""),
                Arguments.of(new ServerMessage.History("rm_1", List.of(chat)), """
                        {"type":"history","room":"rm_1","messages":[{"type":"message","room":"rm_1","user":"ann",\
                        "role":"guest","body":"hi *there*","sent":1700000000123,"seq":7}]}"""),
                Arguments.of(new ServerMessage.Snapshot(
                        List.of(new ServerMessage.AgentView("bob", StatusIs.AVAILABLE, 1, 3)),
                        List.of(new ServerMessage.QueueEntry("ann", "billing", 0, 12, "refund?")),
                        List.of(new ServerMessage.RoomView("rm_1", "cid", "bob"))), """
                        {"type":"snapshot","agents":[{"user":"bob","availability":"available","guests":1,"limit":3}],\
                        "queue":[{"user":"ann","group":"billing","position":0,"waited":12,"question":"refund?"}],\
                        "rooms":[{"room":"rm_1","guest":"cid","agent":"bob"}]}"""),
                Arguments.of(new ServerMessage.Ack("r1"), """
                        {"type":"ack","ref":"r1"}"""),
                Arguments.of(new ServerMessage.ErrorReply("r2", ErrorCode.AT_LIMIT, "agent bob: at limit 3"), """
                        {"type":"error","ref":"r2","code":"at_limit","message":"agent bob: at limit 3"}"""),
                Arguments.of(new ServerMessage.ErrorReply(null, ErrorCode.BAD_JSON, "bad"), """
                        {"type":"error","ref":null,"code":"bad_json","message":"bad"}"""),
                Arguments.of(new ServerMessage.Pong(), """
                        {"type":"pong"}"""),
                Arguments.of(ServerMessage.QueueChange.of("queued", new ServerMessage.QueueEntry("ann", "billing", 3, 12,
                        "refund?", null, null, "q_1")), """
                        {"type":"queue","change":"queued","entry":{"user":"ann","group":"billing","position":3,\
                        "waited":12,"question":"refund?","id":"q_1"}}"""),
                Arguments.of(ServerMessage.QueueChange.left("q_1", "billing", "message"), """
                        {"type":"queue","change":"left","id":"q_1","group":"billing","kind":"message"}"""),
                Arguments.of(new ServerMessage.Team(new ServerMessage.AgentView("bob", StatusIs.AVAILABLE, 1, 3)),
                        """
                        {"type":"team","agent":{"user":"bob","availability":"available","guests":1,"limit":3}}"""),
                Arguments.of(new ServerMessage.RoomChange("opened", new ServerMessage.RoomView("rm_1", "ann", "bob")),
                        """
                        {"type":"rooms","change":"opened","room":{"room":"rm_1","guest":"ann","agent":"bob"}}"""),
                Arguments.of(new ServerMessage.Offer("q_1", "sales", new ServerMessage.Guest("ann", "chairs?", Map.of()),
                        1700000030000L), """
                        {"type":"offer","offer":"q_1","group":"sales","guest":{"user":"ann","question":"chairs?",\
                        "details":{}},"expires":1700000030000}"""),
                Arguments.of(ServerMessage.ReplyChange.saved(new ServerMessage.Reply("cr_1", "Bye", "Bye {guest}", false,
                        "ann")), """
                        {"type":"reply","reply":{"id":"cr_1","title":"Bye","body":"Bye {guest}","shared":false,\
                        "owner":"ann"}}"""),
                Arguments.of(ServerMessage.ReplyChange.deleted("cr_1"), """
                        {"type":"reply","id":"cr_1","deleted":true}"""),
                Arguments.of(new ServerMessage.Joined("rm_1", new ServerMessage.Guest("ann", "q", Map.of()), "bob", true),
                        """
                        {"type":"joined","room":"rm_1","guest":{"user":"ann","question":"q","details":{}},"agent":"bob",\
                        "silent":true}"""),
                Arguments.of(new ServerMessage.OfferEnd("q_1", "missed"), """
                        {"type":"offer_end","offer":"q_1","reason":"missed"}"""),
                Arguments.of(new ServerMessage.Alert("unanswered", "bob", "rm_1", 1700000000000L, null), """
                        {"type":"alert","kind":"unanswered","agent":"bob","room":"rm_1","since":1700000000000}"""),
                Arguments.of(new ServerMessage.Alert("missed_offers", "bob", null, null, 3), """
                        {"type":"alert","kind":"missed_offers","agent":"bob","count":3}"""),
                Arguments.of(new ServerMessage.Context("rm_1", "billing", new ServerMessage.Guest("ann", "refund?",
                        Map.of("page", "https://shop.example/")), 45,
                        List.of(new ServerMessage.EarlierConversation("rm_0", 1699990000000L, "sue", "hello")),
                        List.of(new ServerMessage.TimelineEntry(1700000000000L, "assigned", "bob"))), """
                        {"type":"context","room":"rm_1","group":"billing","guest":{"user":"ann","question":"refund?",\
                        "details":{"page":"https://shop.example/"}},"waited":45,"earlier":[{"room":"rm_0",\
                        "started":1699990000000,"agent":"sue","question":"hello"}],"timeline":[{"at":1700000000000,\
                        "event":"assigned","user":"bob"}]}"""),
                Arguments.of(new ServerMessage.Replies(List.of(new ServerMessage.Reply("cr_1", "Welcome", "Hi {guest}",
                        true, null))), """
                        {"type":"replies","replies":[{"id":"cr_1","title":"Welcome","body":"Hi {guest}","shared":true,\
                        "owner":null}]}"""),
                Arguments.of(new ServerMessage.Kept("rsv_1", "ann@example.com", "mkey"), """
                        {"type":"kept","reservation":"rsv_1","email":"ann@example.com","key":"mkey"}"""),
                Arguments.of(new ServerMessage.Joined("rm_2",
                        new ServerMessage.Guest("lena", "my parcel", Map.of(), "lena@example.com"), "bob"), """
                        {"type":"joined","room":"rm_2","guest":{"user":"lena","question":"my parcel","details":{},\
                        "email":"lena@example.com"},"agent":"bob"}"""),
                Arguments.of(new ServerMessage.Snapshot(List.of(), List.of(new ServerMessage.QueueEntry("lena",
                        "billing", 0, 60, "my parcel", "message", 1700000000000L)), List.of()), """
                        {"type":"snapshot","agents":[],"queue":[{"user":"lena","group":"billing","position":0,\
                        "waited":60,"question":"my parcel","kind":"message","reply_by":1700000000000}],"rooms":[]}"""));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void encodesExactly(ServerMessage message, String json) throws Exception {
        assertEquals(PLAIN.readTree(json), PLAIN.readTree(CODEC.encode(message)));
        assertEquals(json, CODEC.encode(message), "field order and spelling");
    }

    @ParameterizedTest
    @MethodSource("messages")
    void decodesBack(ServerMessage message, String json) {
        assertEquals(message, CODEC.decodeServerMessage(json));
    }

    @ParameterizedTest
    @MethodSource("messages")
    void everyTypeIsCovered(ServerMessage message, String json) {
        assertEquals(true, json.startsWith("{\"type\":\""), json);
    }
}
