package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Email in cluster mode: three nodes on a real {@code redis-server}, one real SMTP and IMAP server (GreenMail). The
 * message is left on a node that does not own the account, the agent works on another; every node reads the mailbox,
 * and only the owner takes an answer in. Then the owner stops: the next owner sends what is queued and takes the next
 * answer, and the conversation goes on with nothing lost or doubled.
 */
class ClusterEmailTest {
    @TempDir
    Path dir;
    private RedisProcess redis;
    private MailServer mail;
    private final List<SwitchboardServer> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        redis = RedisProcess.start(dir.resolve("redis"));
        mail = new MailServer();
        String json = """
                {"host": "127.0.0.1", "port": 0,
                 "accounts": [{"id": "acme", "groups": [{"name": "help"}],
                   "agents": [{"user": "bob", "token": "bob-token-for-tests", "limit": 2}]}],
                 %s,
                 "cluster": {"redis": "%s", "node": "n1", "lease_ms": 2000}}""".formatted(mail.config(""),
                redis.url());
        for (int i = 1; i <= 3; i++) {
            ServerConfig config = ConfigLoader.parse(json, "test").withCluster("n" + i, null);
            nodes.add(SwitchboardServer.start(config));
        }
        ClusterNodes.awaitOwner(nodes, "acme");
    }

    @AfterEach
    void stop() {
        nodes.forEach(SwitchboardServer::close);
        if (mail != null) {
            mail.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    /** An owner fenced by a newer epoch sends no mail for what it could not commit; the next owner goes on. */
    @Test
    void aFencedOwnerEmailsNothing() throws Exception {
        SwitchboardServer owner = ClusterNodes.awaitOwner(nodes, "acme");
        Http http = new Http(owner.port());
        assertEquals(201, http.post("/v1/widget/acme/help/messages", null, "{\"user\": \"Lena\", \"email\": "
                + "\"lena@example.com\", \"body\": \"Hello?\"}").status());
        mail.mailsTo("lena@example.com", 1);
        io.lettuce.core.RedisClient client = io.lettuce.core.RedisClient.create(redis.url());
        String session;
        String room;
        try (io.lettuce.core.api.StatefulRedisConnection<String, String> raw = client.connect();
             WsClient bob = WsClient.connect(owner.port())) {
            session = WsClient.first(bob.call(new Request.Login("bob", "bob-token-for-tests")),
                    ServerMessage.Identified.class).session();
            bob.send(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            room = bob.await(ServerMessage.Joined.class).room();
            raw.sync().incr("{a:acme}:epoch");
            bob.sendWithRef(new Request.Message(room, "never sent"));
            assertEquals(1012, bob.awaitClose());
        } finally {
            client.shutdown();
        }
        SwitchboardServer successor = ClusterNodes.awaitOwner(nodes, "acme");
        try (WsClient bob = WsClient.connect(successor.port())) {
            bob.call(new Request.Resume(session));
            bob.call(new Request.Message(room, "Here is your answer."));
            MimeMessage answer = mail.mailsTo("lena@example.com", 2).get(1);
            assertTrue(MailServer.text(answer).contains("Here is your answer."));
            assertEquals(List.of("Hello?", "Here is your answer."), bob.history(room));
        }
        assertTrue(mail.received("lena@example.com").stream().noneMatch(m -> MailServer.text(m)
                .contains("never sent")), "nothing fenced went out");
    }

    @Test
    void aConversationByEmailGoesOnAcrossNodesAndAnOwnerThatStops() throws Exception {
        SwitchboardServer owner = ClusterNodes.awaitOwner(nodes, "acme");
        List<SwitchboardServer> edges = nodes.stream().filter(node -> node != owner).toList();
        Http http = new Http(edges.get(0).port());
        Http.Response left = http.post("/v1/widget/acme/help/messages", null,
                "{\"user\": \"Lena\", \"email\": \"lena@example.com\", \"body\": \"My parcel is late\"}");
        assertEquals(201, left.status(), left.body());
        assertEquals("offline", http.get("/v1/widget/acme/help", null).json().get("state").asText());
        mail.mailsTo("lena@example.com", 1);

        WsClient bob = WsClient.connect(edges.get(1).port());
        String session = WsClient.first(bob.call(new Request.Login("bob", "bob-token-for-tests")),
                ServerMessage.Identified.class).session();
        bob.send(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        ServerMessage.Joined joined = bob.await(ServerMessage.Joined.class);
        bob.call(new Request.Message(joined.room(), "Sorry! It leaves today."));
        MimeMessage answer = mail.mailsTo("lena@example.com", 2).get(1);
        mail.answer(answer, "lena@example.com", "Thanks! Which carrier?");
        ServerMessage.Message hers = bob.await(ServerMessage.Message.class);
        assertEquals(Role.GUEST, hers.role());
        assertEquals("Thanks! Which carrier?", hers.body());

        // The owner stops; bob comes back on a node that is left, and the conversation goes on there.
        owner.close();
        nodes.remove(owner);
        assertTrue(bob.awaitClose() > 0);
        SwitchboardServer next = ClusterNodes.awaitOwner(nodes, "acme");
        WsClient bobAgain = WsClient.connect(nodes.get(0).port());
        bobAgain.call(new Request.Resume(session));
        bobAgain.call(new Request.Message(joined.room(), "DHL."));
        MimeMessage third = mail.mailsTo("lena@example.com", 3).get(2);
        assertTrue(String.valueOf(third.getContent()).contains("DHL."));
        mail.answer(third, "lena@example.com", "Got it, thank you.");
        assertEquals("Got it, thank you.", bobAgain.await(ServerMessage.Message.class).body());
        assertEquals(List.of("My parcel is late", "Sorry! It leaves today.", "Thanks! Which carrier?", "DHL.",
                "Got it, thank you."), bobAgain.history(joined.room()));
        assertTrue(nodes.contains(next));
        // Each mail went once: three to her, nothing sent twice by two owners.
        assertEquals(3, mail.received("lena@example.com").size());
    }
}
