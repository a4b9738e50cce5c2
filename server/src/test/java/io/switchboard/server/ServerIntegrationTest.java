package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.NotificationDetails;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real server on 127.0.0.1, a free port, driven over real sockets by the JDK's WebSocket and HTTP clients. */
class ServerIntegrationTest {
    private static final String CONFIG = """
            {"host": "127.0.0.1", "port": 0,
             "accounts": [{"id": "default",
               "api_keys": [{"id": "default", "secret": "s3cret-for-the-tests"}],
               "groups": [{"name": "default"}, {"name": "vip", "routing": "manual"}],
               "agents": [
                 {"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "limit": 10},
                 {"user": "bob", "token": "bob-token-for-tests", "groups": ["vip"], "limit": 1}]}],
             "limits": {"max_frame_bytes": 8192}}""";

    /** Each test's own data directory: no test restores another's state. */
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path data;

    private SwitchboardServer server;
    private int port;

    /** A fresh server for every test: no test sees another's agents, limits or rooms. */
    @BeforeEach
    void start() throws InterruptedException {
        ServerConfig config = ConfigLoader.parse(CONFIG, "test").with(null, null, data.toString());
        server = SwitchboardServer.start(config);
        port = server.port();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    /** The README's walk-through: a guest waits, admin signs in, becomes available, gets the guest; they chat. */
    @Test
    void readmeWalkThrough() {
        try (WsClient guest = WsClient.connect(port); WsClient admin = WsClient.connect(port)) {
            guest.send(new Request.Identify("carla", "Where is my order?", null, null, null, null));
            ServerMessage.Identified identified = guest.next(ServerMessage.Identified.class);
            assertEquals(Role.GUEST, identified.role());
            ServerMessage.QueuePos queuePos = guest.next(ServerMessage.QueuePos.class);
            assertEquals(0, queuePos.position());

            admin.send(new Request.Login("admin", "admin-token-for-tests"));
            assertEquals(Role.SUPERVISOR, admin.next(ServerMessage.Identified.class).role());
            ServerMessage.Snapshot snapshot = admin.next(ServerMessage.Snapshot.class);
            assertTrue(snapshot.queue().stream().anyMatch(entry -> entry.user().equals("carla")));

            List<ServerMessage> before = admin.call(new Request.Status(null, StatusOf.AVAILABILITY,
                    StatusIs.AVAILABLE));
            ServerMessage.Joined joined = WsClient.first(before, ServerMessage.Joined.class);
            assertEquals("carla", joined.guest().user());
            String room = joined.room();
            assertTrue(before.contains(new ServerMessage.Update(List.of("carla", "admin"), UpdateDetails.ASSIGNED)));

            ServerMessage.Joined guestJoined = guest.await(ServerMessage.Joined.class);
            assertEquals(new ServerMessage.Joined(room, joined.guest(), "admin"), guestJoined);
            assertEquals(new ServerMessage.Notification(room, "carla", Role.GUEST, NotificationDetails.JOINED), guest.next());
            assertEquals(new ServerMessage.Notification(room, "admin", Role.SUPERVISOR, NotificationDetails.JOINED), guest.next());

            List<ServerMessage> effects = guest.call(new Request.Message(room, "Hi, order 42 has not arrived."));
            ServerMessage.Message echoed = (ServerMessage.Message) effects.get(0);
            ServerMessage.Message received = admin.await(ServerMessage.Message.class);
            assertEquals(echoed, received);
            assertEquals(1, received.seq());
            assertTrue(Math.abs(received.sent() - System.currentTimeMillis()) < 60_000, "sent is Unix milliseconds");

            admin.send(new Request.Status(room, StatusOf.TYPING, StatusIs.TRUE));
            assertEquals(new ServerMessage.Status(room, "admin", Role.SUPERVISOR, StatusOf.TYPING, StatusIs.TRUE),
                    guest.await(ServerMessage.Status.class));
            admin.call(new Request.Message(room, "Let me check."));
            assertEquals(2, guest.await(ServerMessage.Message.class).seq());

            ServerMessage.History all = (ServerMessage.History) guest.call(new Request.History(room, 0L)).get(0);
            assertEquals(List.of(echoed.body(), "Let me check."), all.messages().stream()
                    .map(ServerMessage.Message::body).toList());
            ServerMessage.History page = (ServerMessage.History) guest.call(new Request.History(room, 1L)).get(0);
            assertEquals(List.of("Let me check."), page.messages().stream().map(ServerMessage.Message::body)
                    .toList());

            admin.call(new Request.End(room));
            assertEquals(new ServerMessage.End(room, "admin", EndReason.ENDED), guest.await(ServerMessage.End.class));
        }
    }

    @Test
    void ackComesAfterTheRequestsOwnEffects() {
        try (WsClient guest = WsClient.connect(port)) {
            String ref = guest.sendWithRef(Request.Identify.guest("dora", "hello"));
            assertEquals(ServerMessage.Identified.class, guest.next().getClass());
            assertEquals(ServerMessage.QueuePos.class, guest.next().getClass());
            assertEquals(new ServerMessage.Ack(ref), guest.next());
            guest.call(new Request.Cancel());
        }
    }

    @Test
    void badRequestsGetErrorsAndTheConnectionStaysOpen() {
        try (WsClient client = WsClient.connect(port)) {
            client.sendText("{not json");
            ServerMessage.ErrorReply bad = client.next(ServerMessage.ErrorReply.class);
            assertEquals(ErrorCode.BAD_JSON, bad.code());
            assertNull(bad.ref());
            client.sendText("{\"type\":\"dance\",\"ref\":\"x1\"}");
            assertEquals(new ServerMessage.ErrorReply("x1", ErrorCode.UNKNOWN_TYPE,
                    "type: dance (expected: a request type)"), client.next());
            client.sendText("{\"type\":\"ping\",\"ref\":\"x2\",\"color\":\"red\"}");
            assertEquals(ErrorCode.INVALID_FIELD, client.next(ServerMessage.ErrorReply.class).code());
            client.sendText("{\"type\":\"message\",\"room\":\"r\",\"body\":\"" + "x".repeat(4001) + "\"}");
            assertEquals(ErrorCode.TOO_LARGE, client.next(ServerMessage.ErrorReply.class).code());
            client.sendText("{\"type\":\"snapshot\",\"ref\":\"x3\"}");
            assertEquals(new ServerMessage.ErrorReply("x3", ErrorCode.NOT_IDENTIFIED,
                    "connection: not identified (expected: identify, login or resume first)"), client.next());
            client.sendText("{\"type\":\"ping\",\"ref\":\"x4\"}");
            assertEquals(new ServerMessage.Pong(), client.next());
            assertEquals(new ServerMessage.Ack("x4"), client.next());
        }
    }

    @Test
    void binaryFrameClosesWith1003() {
        try (WsClient client = WsClient.connect(port)) {
            client.sendBinary(new byte[] {1, 2, 3});
            assertEquals(1003, client.awaitClose());
        }
    }

    @Test
    void messageOverTheFrameLimitClosesWith1009() {
        try (WsClient client = WsClient.connect(port)) {
            client.sendText("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(9000) + "\"}");
            assertEquals(1009, client.awaitClose());
        }
    }

    @Test
    void fragmentedMessageOverTheLimitClosesWith1009() {
        try (WsClient client = WsClient.connect(port)) {
            client.sendFragments("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(5000), "y".repeat(5000) + "\"}");
            assertEquals(1009, client.awaitClose());
        }
    }

    @Test
    void fragmentedMessageWithinTheLimitIsOneRequest() {
        try (WsClient client = WsClient.connect(port)) {
            client.sendFragments("{\"type\":\"ping\",", "\"ref\":\"frag\"}");
            assertEquals(new ServerMessage.Pong(), client.next());
            assertEquals(new ServerMessage.Ack("frag"), client.next());
        }
    }

    @Test
    void guestResumesAfterADroppedConnection() {
        String session;
        String reservation;
        try (WsClient guest = WsClient.connect(port)) {
            guest.send(Request.Identify.guest("erin", "resume me"));
            ServerMessage.Identified identified = guest.next(ServerMessage.Identified.class);
            session = identified.session();
            reservation = identified.reservation();
            guest.next(ServerMessage.QueuePos.class);
            guest.abort();
        }
        try (WsClient back = WsClient.connect(port)) {
            back.send(new Request.Resume(session));
            ServerMessage.Identified identified = back.next(ServerMessage.Identified.class);
            assertEquals(reservation, identified.reservation());
            assertEquals("erin", identified.user());
            back.next(ServerMessage.QueuePos.class);
            back.call(new Request.Cancel());
        }
        try (WsClient stranger = WsClient.connect(port)) {
            stranger.send(new Request.Resume("ses_not-a-session"));
            assertEquals(ErrorCode.AUTH_FAILED, stranger.next(ServerMessage.ErrorReply.class).code());
        }
    }

    @Test
    void manualGroupAssignsOnAssist() {
        try (WsClient guest = WsClient.connect(port); WsClient bob = WsClient.connect(port)) {
            guest.send(new Request.Identify("finn", "vip help", null, "vip", null, null));
            guest.next(ServerMessage.Identified.class);
            guest.next(ServerMessage.QueuePos.class);
            bob.call(new Request.Login("bob", "bob-token-for-tests"));
            List<ServerMessage> passed = new ArrayList<>();
            bob.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            List<ServerMessage> effects = bob.call(new Request.Assist("vip"));
            assertTrue(effects.stream().anyMatch(m -> m instanceof ServerMessage.Joined j
                    && j.guest().user().equals("finn")), effects::toString);
            ServerMessage.Joined joined = guest.await(ServerMessage.Joined.class, passed);
            assertEquals("bob", joined.agent());
            String ref = bob.sendWithRef(new Request.Assist("vip"));
            ServerMessage.ErrorReply error = bob.await(ServerMessage.ErrorReply.class);
            assertEquals(ref, error.ref());
            assertEquals(ErrorCode.AT_LIMIT, error.code());
            bob.call(new Request.End(joined.room()));
        }
    }

    @Test
    void webSocketPathMayCarryAQueryString() {
        try (WsClient client = WsClient.connect(URI.create("ws://127.0.0.1:" + port + "/ws?widget=1"))) {
            client.call(new Request.Ping());
        }
    }

    @Test
    void supervisorJoinsTransfersAndSetsLimits() {
        try (WsClient guest = WsClient.connect(port); WsClient admin = WsClient.connect(port);
             WsClient bob = WsClient.connect(port)) {
            bob.call(new Request.Login("bob", "bob-token-for-tests"));
            admin.call(new Request.Login("admin", "admin-token-for-tests"));
            guest.call(new Request.Identify("gina", "help", null, "vip", null, null));
            admin.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            List<ServerMessage> assisted = admin.call(new Request.Assist("vip"));
            String room = WsClient.first(assisted, ServerMessage.Joined.class).room();
            guest.await(ServerMessage.Joined.class);

            // The supervisor sets bob's limit, then hands the room to bob.
            admin.call(new Request.Limit(2, "bob"));
            List<ServerMessage> moved = admin.call(new Request.Transfer(room, "bob"));
            assertTrue(moved.contains(new ServerMessage.Notification(room, "admin", Role.SUPERVISOR, NotificationDetails.LEFT)),
                    moved::toString);
            assertEquals(new ServerMessage.Joined(room, new ServerMessage.Guest("gina", "help", java.util.Map.of()),
                    "bob"), bob.await(ServerMessage.Joined.class));
            guest.awaitExactly(new ServerMessage.Notification(room, "admin", Role.SUPERVISOR, NotificationDetails.LEFT));
            assertEquals(new ServerMessage.Notification(room, "bob", Role.AGENT, NotificationDetails.JOINED), guest.next());

            // The supervisor joins as an extra member and sees the chat, then leaves.
            admin.call(new Request.Join(room));
            bob.call(new Request.Message(room, "bob here"));
            assertEquals("bob here", admin.await(ServerMessage.Message.class).body());
            assertEquals("bob here", guest.await(ServerMessage.Message.class).body());
            admin.call(new Request.Leave(room));

            List<ServerMessage> snapshot = admin.call(new Request.Snapshot());
            ServerMessage.Snapshot view = (ServerMessage.Snapshot) snapshot.get(snapshot.size() - 1);
            assertTrue(view.agents().contains(new ServerMessage.AgentView("bob", StatusIs.AWAY, 1, 2)),
                    view::toString);
            assertTrue(view.rooms().contains(new ServerMessage.RoomView(room, "gina", "bob")), view::toString);
            bob.call(new Request.End(room));
            assertEquals(EndReason.ENDED, guest.await(ServerMessage.End.class).reason());
        }
    }

    @Test
    void agentResumesAndKeepsTheRoom() {
        try (WsClient guest = WsClient.connect(port); WsClient bob = WsClient.connect(port)) {
            bob.send(new Request.Login("bob", "bob-token-for-tests"));
            String session = bob.next(ServerMessage.Identified.class).session();
            bob.call(new Request.Limit(1, null));
            guest.call(new Request.Identify("hank", "help", null, "vip", null, null));
            String room = WsClient.first(bob.call(new Request.Assist("vip")), ServerMessage.Joined.class).room();
            bob.abort();
            assertEquals(new ServerMessage.Status(room, "bob", Role.AGENT, StatusOf.AVAILABILITY, StatusIs.AWAY),
                    guest.await(ServerMessage.Status.class));
            try (WsClient back = WsClient.connect(port)) {
                List<ServerMessage> state = back.call(new Request.Resume(session));
                assertEquals(ServerMessage.Identified.class, state.get(0).getClass());
                assertEquals(ServerMessage.Snapshot.class, state.get(1).getClass());
                assertEquals(room, ((ServerMessage.Joined) state.get(2)).room());
                back.call(new Request.End(room));
            }
        }
    }

    @Test
    void shutdownTellsClientsGoingAway() throws InterruptedException {
        SwitchboardServer own = SwitchboardServer.start(ConfigLoader.parse(CONFIG, "test")
                .with(null, null, data.resolve("own").toString()));
        try (WsClient client = WsClient.connect(own.port())) {
            client.call(Request.Identify.guest("ivy", "bye"));
            own.close();
            assertEquals(1001, client.awaitClose());
            assertEquals(io.switchboard.server.transport.Transport.Health.DRAINING, own.health());
        }
    }

    @Test
    void healthAndUnknownRoutes() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"ok\"}", health.body());
        HttpResponse<String> missing = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/nope")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, missing.statusCode());
        assertTrue(missing.body().contains("not_found"));
        assertFalse(missing.body().contains("Exception"));
    }
}
