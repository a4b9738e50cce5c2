package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
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
    private static final String SUPPORT = "support@example.com";
    private static final String SUPPORT_PASSWORD = "support-mailbox-password";

    @TempDir
    Path data;
    private GreenMail mail;
    private SwitchboardServer server;
    private io.switchboard.server.push.PushReceiver push;
    private static final java.security.KeyPair VAPID = io.switchboard.server.push.PushCrypto.newKeyPair();

    @BeforeEach
    void startMail() {
        mail = new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)
                .dynamicPort(), new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort()});
        mail.start();
        mail.setUser(SUPPORT, SUPPORT, SUPPORT_PASSWORD);
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
        mail.stop();
        push.close();
    }

    private String config() {
        return """
                {"accounts": [{"id": "acme",
                   "groups": [{"name": "help", "reply_within_seconds": 3600}],
                   "agents": [{"user": "bob", "token": "bob-token-for-tests", "limit": 2}]}],
                 "public_url": "https://support.example.com",
                 "smtp": {"host": "127.0.0.1", "port": %d, "security": "none", "from": "%s",
                          "reply_to": "support+{token}@example.com", "retry_max_ms": 1000},
                 "imap": {"host": "127.0.0.1", "port": %d, "security": "none", "user": "%s", "password": "%s",
                          "poll_ms": 100},
                 "push": {"public_key": "%s", "private_key": "%s", "subject": "mailto:%s", "endpoints": ["%s"]}}"""
                .formatted(mail.getSmtp().getPort(), SUPPORT, mail.getImap().getPort(), SUPPORT, SUPPORT_PASSWORD,
                        io.switchboard.server.push.PushCrypto.encode(io.switchboard.server.push.PushCrypto.raw(
                                VAPID.getPublic())), io.switchboard.server.push.PushCrypto.encode(
                                io.switchboard.server.push.PushCrypto.raw(VAPID.getPrivate())), SUPPORT,
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

    /** The mails that arrived for {@code to}, waiting until there are {@code count}. */
    private List<MimeMessage> mailsTo(String to, int count) {
        Http.await(count + " mails to " + to, () -> received(to).size() >= count);
        return received(to);
    }

    private List<MimeMessage> received(String to) {
        return Arrays.stream(mail.getReceivedMessages()).filter(message -> {
            try {
                return Arrays.stream(message.getRecipients(Message.RecipientType.TO))
                        .anyMatch(address -> ((InternetAddress) address).getAddress().equals(to));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    private static String text(MimeMessage message) {
        try {
            return String.valueOf(message.getContent()).replace("\r\n", "\n");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The guest's mail client answers a mail; their mail host puts the answer in the support mailbox. */
    private void answer(MimeMessage original, String from, String body) throws Exception {
        MimeMessage reply = new MimeMessage(Session.getInstance(new Properties()));
        reply.setFrom(new InternetAddress(from));
        reply.setRecipients(Message.RecipientType.TO, original.getReplyTo());
        reply.setSubject("Re: " + original.getSubject());
        reply.setHeader("In-Reply-To", original.getMessageID());
        reply.setText(body + "\n\nOn Tue, 1 Dec 2026 at 10:00, Support <" + SUPPORT + "> wrote:\n> "
                + text(original).replace("\n", "\n> "), "UTF-8");
        reply.saveChanges();
        // The mail host delivers plus addresses (support+TOKEN@) to the support mailbox, as most hosts do.
        mail.getUserManager().getUserByEmail(SUPPORT).deliver(reply);
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
        MimeMessage confirmation = mailsTo("lena@example.com", 1).get(0);
        assertTrue(text(confirmation).contains("My parcel is late"), text(confirmation));
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
        MimeMessage answer = mailsTo("lena@example.com", 2).get(1);
        assertTrue(text(answer).contains("Sorry! It leaves today."), text(answer));
        assertEquals(replyTo, ((InternetAddress) answer.getReplyTo()[0]).getAddress());
        bob.close();

        // Another restart; her answer arrives by email and appears in the conversation, without the quote.
        SwitchboardServer third = restart();
        WsClient bobAgain = agent(third);
        answer(answer, "lena@example.com", "Thank you! Which carrier?");
        ServerMessage.Message hers = bobAgain.await(ServerMessage.Message.class);
        assertEquals(Role.GUEST, hers.role());
        assertEquals("Thank you! Which carrier?", hers.body());
        assertEquals(joined.room(), hers.room());
        Http.await("the answer is taken out of the mailbox", () -> {
            try {
                return mail.getUserManager().getUserByEmail(SUPPORT) != null && Arrays.stream(
                        mail.getReceivedMessages()).noneMatch(m -> {
                            try {
                                return m.getSubject().startsWith("Re:");
                            } catch (Exception e) {
                                return false;
                            }
                        });
            } catch (Exception e) {
                return false;
            }
        });
        bobAgain.call(new Request.Message(joined.room(), "DHL, tracking 123."));
        MimeMessage second2 = mailsTo("lena@example.com", 3).get(2);
        assertTrue(text(second2).contains("DHL, tracking 123."));
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
        MimeMessage told = mailsTo("carla@example.com", 1).get(0);
        assertTrue(text(told).contains("number 1 in line"), text(told));

        SwitchboardServer second = restart();
        WsClient bob = agent(second);
        bob.send(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        MimeMessage ready = mailsTo("carla@example.com", 2).get(1);
        assertEquals("bob is ready for you now", ready.getSubject());
        Matcher link = Pattern.compile("https://support\\.example\\.com/demo#sb-account=acme&sb-group=help"
                + "&sb-conversation=(\\S+)&sb-key=(\\S+)").matcher(text(ready));
        assertTrue(link.find(), text(ready));
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
