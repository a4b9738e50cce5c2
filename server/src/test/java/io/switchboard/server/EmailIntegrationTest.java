package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The email round trip on the real server, against a real SMTP and IMAP server on loopback (GreenMail): a message left
 * in the widget, its confirmation, an agent's answer by email, the guest's answer by email back into the
 * conversation, and a second answer; a place kept by email, the email when an agent is ready, and the guest back in
 * the room through the link. The server restarts between the steps: nothing is lost.
 */
class EmailIntegrationTest {
    @TempDir
    Path data;
    private MailServer mail;
    private SwitchboardServer server;
    private io.switchboard.server.push.PushReceiver push;
    private static final java.security.KeyPair VAPID = io.switchboard.server.push.PushCrypto.newKeyPair();

    @BeforeEach
    void startMail() {
        mail = new MailServer();
        try {
            push = new io.switchboard.server.push.PushReceiver();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        mail.close();
        push.close();
    }

    private String config() {
        return """
                {"accounts": [{"id": "acme",
                   "groups": [{"name": "help", "reply_within_seconds": 3600}],
                   "agents": [{"user": "bob", "token": "bob-token-for-tests", "limit": 2}]}],
                 "public_url": "https://support.example.com",
                 %s,
                 "push": {"public_key": "%s", "private_key": "%s", "subject": "mailto:%s", "endpoints": ["%s"]}}"""
                .formatted(mail.config(", \"retry_max_ms\": 1000"),
                        io.switchboard.server.push.PushCrypto.encode(io.switchboard.server.push.PushCrypto.raw(
                                VAPID.getPublic())), io.switchboard.server.push.PushCrypto.encode(
                                io.switchboard.server.push.PushCrypto.raw(VAPID.getPrivate())), MailServer.SUPPORT,
                        push.prefix());
    }

    private SwitchboardServer restart() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        ServerConfig config = ConfigLoader.parse(config(), "test").with(null, 0, data.toString());
        server = SwitchboardServer.start(config);
        return server;
    }

    private WsClient agent(SwitchboardServer on) {
        WsClient bob = WsClient.connect(on.port());
        bob.call(new Request.Login("bob", "bob-token-for-tests"));
        return bob;
    }

    @Test
    void aMessageLeftIsAnsweredByEmailBothWaysAcrossRestarts() throws Exception {
        Http http = new Http(restart().port());
        Http.Response left = http.send(http.request("/v1/widget/acme/help/messages", null)
                .header("Content-Type", "application/json").header("Origin", "https://shop.example.com")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"user\": \"Lena\", \"email\": \"lena@example.com\", \"body\": \"My parcel is late\"}"))
                .build());
        assertEquals(201, left.status(), left.body());
        assertEquals("*", left.header("Access-Control-Allow-Origin"));
        assertTrue(left.json().get("conversation").asText().startsWith("rsv_"), left.body());

        // Her confirmation, with the conversation's reply-to address.
        MimeMessage confirmation = mail.mailsTo("lena@example.com", 1).get(0);
        assertTrue(MailServer.text(confirmation).contains("reply to this email"), MailServer.text(confirmation));
        String replyTo = ((InternetAddress) confirmation.getReplyTo()[0]).getAddress();
        assertTrue(replyTo.matches("support\\+m[a-z2-7]{36}@example\\.com"), replyTo);

        // A restart, then bob comes: the message is assigned to him, and his answer goes to her by email.
        SwitchboardServer second = restart();
        WsClient bob = agent(second);
        bob.send(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        ServerMessage.Joined joined = bob.await(ServerMessage.Joined.class);
        assertEquals("lena@example.com", joined.guest().email());
        assertEquals(List.of("My parcel is late"), bob.history(joined.room()));
        bob.call(new Request.Message(joined.room(), "Sorry! It leaves today."));
        MimeMessage answer = mail.mailsTo("lena@example.com", 2).get(1);
        assertTrue(MailServer.text(answer).contains("Sorry! It leaves today."), MailServer.text(answer));
        assertEquals(replyTo, ((InternetAddress) answer.getReplyTo()[0]).getAddress());
        bob.close();

        // Another restart; her answer arrives by email and appears in the conversation, without the quote.
        SwitchboardServer third = restart();
        WsClient bobAgain = agent(third);
        mail.answer(answer, "lena@example.com", "Thank you! Which carrier?");
        ServerMessage.Message hers = bobAgain.await(ServerMessage.Message.class);
        assertEquals(Role.GUEST, hers.role());
        assertEquals("Thank you! Which carrier?", hers.body());
        assertEquals(joined.room(), hers.room());
        Http.await("the answer is taken out of the mailbox", mail::answersTaken);
        bobAgain.call(new Request.Message(joined.room(), "DHL, tracking 123."));
        MimeMessage second2 = mail.mailsTo("lena@example.com", 3).get(2);
        assertTrue(MailServer.text(second2).contains("DHL, tracking 123."));
        assertEquals(List.of("My parcel is late", "Sorry! It leaves today.", "Thank you! Which carrier?",
                "DHL, tracking 123."), bobAgain.history(joined.room()));
        // This server (since the last restart) took one answer in and sent one mail.
        String metrics = new Http(third.port()).get("/metrics", null).body();
        assertTrue(metrics.contains("switchboard_mail_inbound_total{outcome=\"taken\"} 1.0"), metrics);
        assertTrue(metrics.contains("switchboard_mail_sends_total{outcome=\"sent\"} 1.0"), metrics);
        assertTrue(metrics.contains("switchboard_mail_queued{account=\"acme\"} 0.0"), metrics);
    }

    @Test
    void aGuestWhoKeptTheirPlaceComesBackThroughTheLinkAfterARestart() throws Exception {
        SwitchboardServer first = restart();
        WsClient guest = WsClient.connect(first.port());
        List<ServerMessage> before = guest.call(new Request.Identify("Carla", "Where is my order?", "acme", "help",
                Map.of(), null));
        ServerMessage.Identified identified = WsClient.first(before, ServerMessage.Identified.class);
        // She also allows notifications in her browser: its subscription goes with her email address.
        guest.send(new Request.KeepPlace("carla@example.com", new Request.PushSubscription(push.endpoint(),
                new Request.PushSubscription.Keys(push.p256dh(), push.auth()), null)));
        ServerMessage.Kept kept = guest.await(ServerMessage.Kept.class);
        assertEquals(identified.reservation(), kept.reservation());
        guest.close();
        MimeMessage told = mail.mailsTo("carla@example.com", 1).get(0);
        assertTrue(MailServer.text(told).contains("number 1 in line"), MailServer.text(told));

        SwitchboardServer second = restart();
        WsClient bob = agent(second);
        bob.send(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        MimeMessage ready = mail.mailsTo("carla@example.com", 2).get(1);
        assertEquals("bob is ready for you now", ready.getSubject());
        Matcher link = Pattern.compile("https://support\\.example\\.com/demo#sb-account=acme&sb-group=help"
                + "&sb-conversation=(\\S+)&sb-key=(\\S+)").matcher(MailServer.text(ready));
        assertTrue(link.find(), MailServer.text(ready));
        assertEquals(kept.reservation(), link.group(1));
        // Her browser is told too, through its push service: the notification opens the same link.
        io.switchboard.server.push.PushReceiver.Received pushed = push.next();
        com.fasterxml.jackson.databind.JsonNode notification = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(pushed.plaintext());
        assertEquals("bob is ready for you now", notification.get("title").asText());
        assertEquals(link.group(), notification.get("url").asText());
        assertEquals("600", pushed.ttl());
        assertEquals(push.prefix().substring(0, push.prefix().length() - 1), pushed.authorizationAudience());

        WsClient back = WsClient.connect(second.port());
        List<ServerMessage> attached = back.call(new Request.Identify(null, null, "acme", "help", null,
                link.group(1), link.group(2)));
        ServerMessage.Joined room = WsClient.first(attached, ServerMessage.Joined.class);
        assertEquals("bob", room.agent());
        assertNotNull(bob.await(ServerMessage.Joined.class));
        back.call(new Request.Message(room.room(), "Hi bob, I'm back"));
        assertEquals("Hi bob, I'm back", bob.await(ServerMessage.Message.class).body());
    }

    @Test
    void theWidgetStateRouteAnswersWithoutAKey() throws Exception {
        Http http = new Http(restart().port());
        Http.Response offline = http.get("/v1/widget/acme/help", null);
        assertEquals(200, offline.status(), offline.body());
        assertEquals("offline", offline.json().get("state").asText());
        assertTrue(offline.json().get("email").asBoolean());
        assertEquals(io.switchboard.server.push.PushCrypto.encode(io.switchboard.server.push.PushCrypto.raw(
                VAPID.getPublic())), offline.json().get("push_key").asText());
        WsClient bob = agent(server);
        bob.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        assertEquals("open", http.get("/v1/widget/acme/help", null).json().get("state").asText());
        assertEquals(404, http.get("/v1/widget/acme/nope", null).status());
        assertEquals("Origin", offline.header("Vary"), "cached copies are kept apart by origin");
        Http.Response twoOrigins = http.send(http.request("/v1/widget/acme/help", null)
                .header("Origin", "https://shop.example.com").header("Origin", "https://evil.example").GET().build());
        assertEquals(403, twoOrigins.status(), twoOrigins.body());
        Http.Response preflight = http.send(http.request("/v1/widget/acme/help/messages", null)
                .method("OPTIONS", java.net.http.HttpRequest.BodyPublishers.noBody())
                .header("Origin", "https://shop.example.com").header("Access-Control-Request-Method", "POST")
                .build());
        assertEquals(204, preflight.status());
        assertTrue(preflight.header("Access-Control-Allow-Headers").contains("Content-Type"));
        Http.Response bad = http.post("/v1/widget/acme/help/messages", null, "{\"user\": \"x\", \"email\": \"nope\", "
                + "\"body\": \"hi\"}");
        assertEquals(400, bad.status());
        assertEquals("invalid_field", bad.json().get("error").asText());
        bob.close();
    }
}
