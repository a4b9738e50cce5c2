package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every request against its exact JSON, both ways. */
class GoldenRequestTest {
    private static final Codec CODEC = new Codec();
    private static final ObjectMapper PLAIN = new ObjectMapper();

    static Stream<Arguments> requests() {
        return Stream.of(
                Arguments.of(new Request.Identify("ann", "where is my order?", "acme", "billing",
                        Map.of("order", "42"), null), """
                        {"type":"identify","user":"ann","question":"where is my order?","account":"acme",\
                        "group":"billing","details":{"order":"42"},"ref":"r1"}"""),
                Arguments.of(Request.Identify.guest("ann", "hello"), """
                        {"type":"identify","user":"ann","question":"hello","ref":"r1"}"""),
                Arguments.of(new Request.Identify(null, null, null, null, null, "rsv_abc"), """
                        {"type":"identify","reservation":"rsv_abc","ref":"r1"}"""),
                Arguments.of(new Request.Login("bob", "secret"), """
                        {"type":"login","user":"bob","token":"secret","ref":"r1"}"""),
                Arguments.of(new Request.Resume("ses_1"), """
                        {"type":"resume","session":"ses_1","ref":"r1"}"""),
                Arguments.of(new Request.Status("rm_1", StatusOf.TYPING, StatusIs.TRUE), """
                        {"type":"status","room":"rm_1","of":"typing","is":"true","ref":"r1"}"""),
                Arguments.of(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE), """
                        {"type":"status","of":"availability","is":"available","ref":"r1"}"""),
                Arguments.of(new Request.Message("rm_1", "hello"), """
                        {"type":"message","room":"rm_1","body":"hello","ref":"r1"}"""),
                Arguments.of(new Request.Message("rm_1", "for agents only", true), """
                        {"type":"message","room":"rm_1","body":"for agents only","private":true,"ref":"r1"}"""),
                Arguments.of(new Request.History("rm_1", 5L), """
                        {"type":"history","room":"rm_1","after":5,"ref":"r1"}"""),
                Arguments.of(new Request.Cancel(), """
                        {"type":"cancel","ref":"r1"}"""),
                Arguments.of(new Request.End("rm_1"), """
                        {"type":"end","room":"rm_1","ref":"r1"}"""),
                Arguments.of(new Request.Assist("billing"), """
                        {"type":"assist","group":"billing","ref":"r1"}"""),
                Arguments.of(new Request.Transfer("rm_1", "sue"), """
                        {"type":"transfer","room":"rm_1","agent":"sue","ref":"r1"}"""),
                Arguments.of(new Request.Join("rm_1"), """
                        {"type":"join","room":"rm_1","ref":"r1"}"""),
                Arguments.of(new Request.Leave("rm_1"), """
                        {"type":"leave","room":"rm_1","ref":"r1"}"""),
                Arguments.of(new Request.Limit(5, "bob"), """
                        {"type":"limit","limit":5,"agent":"bob","ref":"r1"}"""),
                Arguments.of(new Request.Snapshot(), """
                        {"type":"snapshot","ref":"r1"}"""),
                Arguments.of(new Request.Login("ann", "ann-token", true), """
                        {"type":"login","user":"ann","token":"ann-token","console":true,"ref":"r1"}"""),
                Arguments.of(new Request.Resume("ses_1", true), """
                        {"type":"resume","session":"ses_1","console":true,"ref":"r1"}"""),
                Arguments.of(new Request.Snapshot(500), """
                        {"type":"snapshot","queue_limit":500,"ref":"r1"}"""),
                Arguments.of(new Request.Join("rm_1", true), """
                        {"type":"join","room":"rm_1","silent":true,"ref":"r1"}"""),
                Arguments.of(new Request.Accept("q_1"), """
                        {"type":"accept","offer":"q_1","ref":"r1"}"""),
                Arguments.of(new Request.Pass("q_1"), """
                        {"type":"pass","offer":"q_1","ref":"r1"}"""),
                Arguments.of(new Request.Activity(true), """
                        {"type":"activity","hidden":true,"ref":"r1"}"""),
                Arguments.of(new Request.Context("rm_1"), """
                        {"type":"context","room":"rm_1","ref":"r1"}"""),
                Arguments.of(new Request.ReplySave(null, "Welcome", "Hello {guest}", true), """
                        {"type":"reply_save","title":"Welcome","body":"Hello {guest}","shared":true,"ref":"r1"}"""),
                Arguments.of(new Request.ReplySave("cr_1", "Bye", "Bye", null), """
                        {"type":"reply_save","id":"cr_1","title":"Bye","body":"Bye","ref":"r1"}"""),
                Arguments.of(new Request.ReplyDelete("cr_1"), """
                        {"type":"reply_delete","id":"cr_1","ref":"r1"}"""),
                Arguments.of(new Request.Ping(), """
                        {"type":"ping","ref":"r1"}"""),
                Arguments.of(new Request.Logout(), """
                        {"type":"logout","ref":"r1"}"""),
                Arguments.of(new Request.Question("and it is blue"), """
                        {"type":"question","body":"and it is blue","ref":"r1"}"""),
                Arguments.of(new Request.KeepPlace("ann@example.com"), """
                        {"type":"keep_place","email":"ann@example.com","ref":"r1"}"""),
                Arguments.of(new Request.Identify(null, null, "acme", "billing", null, "rsv_abc", "mkey"), """
                        {"type":"identify","account":"acme","group":"billing","reservation":"rsv_abc","key":"mkey",\
                        "ref":"r1"}"""));
    }

    @ParameterizedTest
    @MethodSource("requests")
    void decodesExactly(Request request, String json) {
        Decoded decoded = CODEC.decodeRequest(json);
        Decoded.Ok ok = assertInstanceOf(Decoded.Ok.class, decoded, decoded::toString);
        assertEquals("r1", ok.ref());
        assertEquals(request, ok.request());
    }

    @ParameterizedTest
    @MethodSource("requests")
    void encodesExactly(Request request, String json) throws Exception {
        assertEquals(PLAIN.readTree(json), PLAIN.readTree(CODEC.encodeRequest("r1", request)));
    }

    /** A browser's push subscription: a plain http(s) URL (the server calls it) and a real point of P-256. */
    @Test
    void pushSubscriptionsAreChecked() throws Exception {
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.spec.ECPoint w = ((java.security.interfaces.ECPublicKey) generator.generateKeyPair()
                .getPublic()).getW();
        byte[] raw = new byte[65];
        raw[0] = 4;
        byte[] x = w.getAffineX().toByteArray();
        byte[] y = w.getAffineY().toByteArray();
        System.arraycopy(x, Math.max(0, x.length - 32), raw, 1 + 32 - Math.min(32, x.length), Math.min(32, x.length));
        System.arraycopy(y, Math.max(0, y.length - 32), raw, 33 + 32 - Math.min(32, y.length), Math.min(32, y.length));
        String point = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        String auth = "AAAAAAAAAAAAAAAAAAAAAA";
        String good = "{\"type\":\"keep_place\",\"email\":\"a@b.cc\",\"push\":{\"endpoint\":\"%s\",\"keys\":"
                + "{\"p256dh\":\"%s\",\"auth\":\"%s\"},\"expirationTime\":null}}";
        Decoded ok = CODEC.decodeRequest(good.formatted("https://fcm.googleapis.com/fcm/send/abc", point, auth));
        assertInstanceOf(Decoded.Ok.class, ok, ok::toString);
        String zeros = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                java.util.Arrays.copyOf(new byte[] {4}, 65));
        String[][] bad = {
            {"https://fcm.googleapis.com/x", zeros},
            {"https://user@fcm.googleapis.com/x", point},
            {"https://fcm.googleapis.com/a/../b", point},
            {"https://fcm.googleapis.com/a/%2e%2e/b", point},
            {"https://fcm.googleapis.com/a#frag", point},
            {"ftp://fcm.googleapis.com/a", point},
            {"https://a_b.example/a", point},
            {"https://fcm.googleapis.com", point},
        };
        for (String[] one : bad) {
            Decoded decoded = CODEC.decodeRequest(good.formatted(one[0], one[1], auth));
            assertInstanceOf(Decoded.Failed.class, decoded, () -> one[0] + " " + decoded);
        }
    }

    @Test
    void everyRequestTypeHasAGoldenCase() {
        Set<Class<?>> covered = requests().map(arguments -> arguments.get()[0].getClass()).collect(Collectors.toSet());
        assertEquals(Set.of(Request.class.getPermittedSubclasses()), covered);
    }

    @Test
    void workspaceRequestsAreChecked() {
        for (String json : new String[] {
            "{\"type\":\"snapshot\",\"queue_limit\":0}",
            "{\"type\":\"snapshot\",\"queue_limit\":1001}",
            "{\"type\":\"activity\"}",
            "{\"type\":\"accept\"}",
            "{\"type\":\"reply_save\",\"title\":\"\",\"body\":\"x\"}",
            "{\"type\":\"reply_save\",\"title\":\"" + "t".repeat(101) + "\",\"body\":\"x\"}",
            "{\"type\":\"reply_save\",\"title\":\"t\",\"body\":\"" + "b".repeat(4001) + "\"}",
        }) {
            Decoded decoded = CODEC.decodeRequest(json);
            assertInstanceOf(Decoded.Failed.class, decoded, json);
        }
    }

    @Test
    void refIsOptional() {
        Decoded decoded = CODEC.decodeRequest("{\"type\":\"ping\"}");
        assertEquals(new Decoded.Ok(null, new Request.Ping()), decoded);
    }

    @Test
    void privateFalseIsAnOrdinaryMessage() {
        Decoded decoded = CODEC.decodeRequest("{\"type\":\"message\",\"room\":\"rm_1\",\"body\":\"hi\","
                + "\"private\":false}");
        assertEquals(new Decoded.Ok(null, new Request.Message("rm_1", "hi")), decoded);
        Decoded wrong = CODEC.decodeRequest("{\"type\":\"message\",\"room\":\"rm_1\",\"body\":\"hi\","
                + "\"private\":\"yes\"}");
        assertEquals(ErrorCode.INVALID_FIELD, assertInstanceOf(Decoded.Failed.class, wrong).code());
    }

    @Test
    void historyAfterDefaultsToZero() {
        Decoded decoded = CODEC.decodeRequest("{\"type\":\"history\",\"room\":\"rm_1\"}");
        assertEquals(new Decoded.Ok(null, new Request.History("rm_1", 0L)), decoded);
    }
}
