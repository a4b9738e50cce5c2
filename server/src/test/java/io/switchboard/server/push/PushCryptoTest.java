package io.switchboard.server.push;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import org.junit.jupiter.api.Test;

/**
 * Web Push cryptography against the specifications: RFC 8291's worked example byte for byte, a message a browser
 * decrypts back (the receiving side written here from the RFC), and a VAPID token the push service verifies with the
 * server's public key.
 */
class PushCryptoTest {
    // RFC 8291 Appendix A: published test data, not credentials.
    private static final String PLAINTEXT = "When I grow up, I want to be a watermelon";
    private static final String AS_PRIVATE = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw";
    private static final String AS_PUBLIC = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8w"
            + "EqKK6PBru3jl7A8";
    private static final String UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94";
    private static final String UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZ"
            + "GH6SRpkNtoIAiw4";
    private static final String AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
    private static final String SALT = "DGv6ra1nlYgDCS1FRnbzlw";
    private static final String BODY = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vC"
            + "YLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qul"
            + "cy4a-fN";

    @Test
    void encryptionMatchesTheWorkedExampleOfRfc8291() {
        KeyPair sender = new KeyPair(PushCrypto.publicKey(PushCrypto.decode(AS_PUBLIC)),
                PushCrypto.privateKey(PushCrypto.decode(AS_PRIVATE)));
        byte[] body = PushCrypto.encrypt(PLAINTEXT.getBytes(StandardCharsets.UTF_8), PushCrypto.decode(UA_PUBLIC),
                PushCrypto.decode(AUTH), sender, PushCrypto.decode(SALT));
        assertEquals(BODY, PushCrypto.encode(body));
        KeyPair browser = new KeyPair(PushCrypto.publicKey(PushCrypto.decode(UA_PUBLIC)),
                PushCrypto.privateKey(PushCrypto.decode(UA_PRIVATE)));
        assertEquals(PLAINTEXT, new String(PushReceiver.decrypt(PushCrypto.decode(BODY), browser,
                PushCrypto.decode(AUTH)), StandardCharsets.UTF_8));
    }

    @Test
    void aFreshMessageDecryptsOnlyWithTheBrowsersKeys() {
        KeyPair browser = PushCrypto.newKeyPair();
        byte[] auth = "sixteen byte key".getBytes(StandardCharsets.US_ASCII);
        byte[] body = PushCrypto.encrypt("{\"title\":\"bob is ready\"}".getBytes(StandardCharsets.UTF_8),
                PushCrypto.raw(browser.getPublic()), auth);
        assertEquals("{\"title\":\"bob is ready\"}", new String(PushReceiver.decrypt(body, browser, auth),
                StandardCharsets.UTF_8));
        byte[] otherAuth = "another 16 bytes".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IllegalStateException.class, () -> PushReceiver.decrypt(body, browser, otherAuth));
        assertThrows(IllegalStateException.class, () -> PushReceiver.decrypt(body, PushCrypto.newKeyPair(), auth));
        // Raw keys survive their encodings.
        assertArrayEquals(PushCrypto.raw(browser.getPublic()), PushCrypto.raw(PushCrypto.publicKey(
                PushCrypto.raw(browser.getPublic()))));
        assertThrows(IllegalArgumentException.class, () -> PushCrypto.publicKey(new byte[65]));
    }

    @Test
    void theVapidTokenIsAnEs256JwtForThePushServicesOrigin() throws Exception {
        KeyPair server = PushCrypto.newKeyPair();
        String header = PushCrypto.vapid("https://push.example.net", "mailto:support@example.com", 1_800_000_000L,
                server);
        assertTrue(header.startsWith("vapid t="), header);
        String token = header.substring("vapid t=".length(), header.indexOf(", k="));
        assertEquals(PushCrypto.encode(PushCrypto.raw(server.getPublic())),
                header.substring(header.indexOf(", k=") + 4));
        String[] parts = token.split("\\.");
        JsonNode claims = new ObjectMapper().readTree(PushCrypto.decode(parts[1]));
        assertEquals("https://push.example.net", claims.get("aud").asText());
        assertEquals(1_800_000_000L, claims.get("exp").asLong());
        assertEquals("mailto:support@example.com", claims.get("sub").asText());
        assertEquals("ES256", new ObjectMapper().readTree(PushCrypto.decode(parts[0])).get("alg").asText());
        Signature verify = Signature.getInstance("SHA256withECDSAinP1363Format");
        verify.initVerify(PushCrypto.publicKey(PushCrypto.decode(header.substring(header.indexOf(", k=") + 4))));
        verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertTrue(verify.verify(PushCrypto.decode(parts[2])), "the push service verifies the token");
    }
}
