package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.gate.Placement;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three cluster nodes in this JVM on one real {@code redis-server} (a child process on loopback): every client talks
 * to a node that does not own its account, so every frame, REST call and event stream crosses nodes; then the owner
 * goes (stopped, fenced by a newer epoch, or its Redis restarted) and nothing acknowledged is lost.
 */
class ClusterIntegrationTest {
    private static final String CONFIG = """
            {"host": "127.0.0.1", "port": 0,
             "accounts": [{"id": "default",
               "api_keys": [{"id": "default", "secret": "s3cret-for-the-tests"}],
               "groups": [{"name": "default"}],
               "agents": [{"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "limit": 10}]},
              {"id": "acme", "groups": [{"name": "default"}],
               "agents": [{"user": "ann", "token": "ann-token-for-tests", "limit": 2}]}],
             "limits": {"connections_per_address": 200, "sse_streams_per_address": 100,
                        "requests_per_second": 1000, "request_burst": 1000},
             "cluster": {"redis": "REDIS", "node": "n1", "lease_ms": 2000}}""";
    private static final String KEY = Http.bearer("s3cret-for-the-tests");
    private static final String RESERVATIONS = "/v1/companies/default/groups/default/reservations";

    @TempDir
    Path dir;

    private RedisProcess redis;
    private final List<SwitchboardServer> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        redis = RedisProcess.start(dir.resolve("redis"));
        for (int i = 1; i <= 3; i++) {
            nodes.add(node("n" + i));
        }
        awaitOwner("default");
        awaitOwner("acme");
    }

    private SwitchboardServer node(String id) throws InterruptedException {
        ServerConfig config = ConfigLoader.parse(CONFIG.replace("REDIS", redis.url()), "test").withCluster(id, null);
        return SwitchboardServer.start(config);
    }

    @AfterEach
    void stop() {
        nodes.forEach(SwitchboardServer::close);
        if (redis != null) {
            redis.close();
        }
    }

    /** The node that owns the account now (waits until one does). */
    private SwitchboardServer awaitOwner(String account) {
        return ClusterNodes.awaitOwner(nodes, account);
    }

    /** The nodes that do not own the account: every client of these tests talks to one of them. */
    private List<SwitchboardServer> edges(String account) {
        SwitchboardServer owner = awaitOwner(account);
        return nodes.stream().filter(node -> node != owner).toList();
    }

    @Test
    void aGuestOnOneNodeChatsWithAnAgentOnAnother() {
        List<SwitchboardServer> edges = edges("default");
        try (WsClient guest = WsClient.connect(edges.get(0).port());
             WsClient admin = WsClient.connect(edges.get(1).port())) {
            guest.send(Request.Identify.guest("carla", "Where is my order?"));
            guest.next(ServerMessage.Identified.class);
            assertEquals(0, guest.next(ServerMessage.QueuePos.class).position());

            List<ServerMessage> signedIn = admin.call(new Request.Login("admin", "admin-token-for-tests"));
            assertTrue(WsClient.first(signedIn, ServerMessage.Snapshot.class).queue().stream()
                    .anyMatch(entry -> entry.user().equals("carla")), "the queue crossed nodes: " + signedIn);
            String room = WsClient.first(admin.call(new Request.Status(null, StatusOf.AVAILABILITY,
                    StatusIs.AVAILABLE)), ServerMessage.Joined.class).room();
            assertEquals(room, guest.await(ServerMessage.Joined.class).room());

            guest.call(new Request.Message(room, "hello from node " + edges.get(0).port()));
            ServerMessage.Message got = admin.await(ServerMessage.Message.class);
            assertEquals(1, got.seq());
            admin.call(new Request.Message(room, "hello back"));
            assertEquals("hello back", guest.await(ServerMessage.Message.class).body());
            assertEquals(List.of("hello from node " + edges.get(0).port(), "hello back"), guest.history(room));

            // A frame far over max_frame_bytes (64 KiB; it bounds what clients send, not what the server says)
            // crosses nodes whole: a page of 200 long messages.
            String line = "x".repeat(1_000);
            for (int i = 0; i < 200; i++) {
                guest.call(new Request.Message(room, i + " " + line));
            }
            List<String> all = admin.history(room);
            assertEquals(202, all.size());
            assertEquals("199 " + line, all.get(201));
        }
    }

    /**
     * Issue 19 in cluster mode: a console on a node that does not own its account gets the board's changes, a note
     * never reaches the guest on another node, and canned replies, a silent join and a room's timeline outlive the
     * owner.
     */
    @Test
    void theAgentsWorkspaceCrossesNodesAndOutlivesItsOwner() throws InterruptedException {
        SwitchboardServer owner = awaitOwner("default");
        List<SwitchboardServer> edges = edges("default");
        WsClient admin = WsClient.connect(edges.get(0).port());
        WsClient guest = WsClient.connect(edges.get(1).port());
        try {
            String session = WsClient.first(admin.call(new Request.Login("admin", "admin-token-for-tests", true)),
                    ServerMessage.Identified.class).session();
            assertEquals("Welcome", WsClient.first(admin.call(new Request.ReplySave(null, "Welcome", "Hello {guest}!",
                    true)), ServerMessage.ReplyChange.class).reply().title());
            guest.call(Request.Identify.guest("carla", "Where is my order?"));
            ServerMessage.QueueChange queued = admin.await(ServerMessage.QueueChange.class);
            assertEquals("queued", queued.change());
            assertEquals("carla", queued.entry().user());
            admin.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            String room = guest.await(ServerMessage.Joined.class).room();
            admin.call(new Request.Message(room, "new customer, be nice", true));
            admin.call(new Request.Message(room, "Hello carla!"));
            assertEquals("Hello carla!", guest.await(ServerMessage.Message.class).body(), "the note never came");
            List<ServerMessage.Message> hers = WsClient.first(guest.call(new Request.History(room, 0L)),
                    ServerMessage.History.class).messages();
            assertEquals(List.of(new ServerMessage.Message(room, "admin", Role.SUPERVISOR, "Hello carla!",
                    hers.get(0).sent(), 2)), hers, "seq 1 is the note: not hers");

            owner.close();
            nodes.remove(owner);
            assertTrue(admin.awaitClose() > 0);
            awaitOwner("default");
            WsClient back = WsClient.connect(nodes.get(0).port());
            List<ServerMessage> resumed = back.call(new Request.Resume(session, true));
            assertEquals("Hello {guest}!", WsClient.first(resumed, ServerMessage.Replies.class).replies().get(0)
                    .body(), "the canned reply is in Redis");
            ServerMessage.Context context = WsClient.first(back.call(new Request.Context(room)),
                    ServerMessage.Context.class);
            assertEquals(List.of("queued", "assigned"), context.timeline().stream()
                    .map(ServerMessage.TimelineEntry::event).toList());
            assertEquals(List.of("new customer, be nice", "Hello carla!"), back.history(room));
            back.close();
        } finally {
            admin.close();
            guest.close();
        }
    }

    @Test
    void queuePositionsAreExactWhateverNodeEachGuestIsOn() {
        List<WsClient> guests = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                WsClient guest = WsClient.connect(nodes.get(i).port());
                guests.add(guest);
                guest.send(Request.Identify.guest("guest" + i, "question " + i));
                guest.await(ServerMessage.Identified.class);
                assertEquals(i, guest.await(ServerMessage.QueuePos.class).position(), "guest" + i);
            }
            try (WsClient admin = WsClient.connect(edges("default").get(0).port())) {
                admin.call(new Request.Login("admin", "admin-token-for-tests"));
                admin.call(new Request.Limit(1, null));
                admin.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
                guests.get(0).await(ServerMessage.Joined.class);
                assertEquals(0, guests.get(1).await(ServerMessage.QueuePos.class).position());
                assertEquals(1, guests.get(2).await(ServerMessage.QueuePos.class).position());
            }
        } finally {
            guests.forEach(WsClient::close);
        }
    }

    @Test
    void restAndEventStreamsWorkOnEveryNode() {
        List<SwitchboardServer> edges = edges("default");
        Http first = new Http(edges.get(0).port());
        Http second = new Http(edges.get(1).port());
        Http.Response created = first.post(RESERVATIONS, KEY, "{\"external_user_id\": \"cust-1\"}");
        assertEquals(201, created.status(), created.body());
        String sid = created.json().get("group_reservation").get("reservation_sid").asText();
        Http.Response read = second.get(RESERVATIONS + "/" + sid, KEY);
        assertEquals(200, read.status(), read.body());
        assertEquals("GROUP_RESERVATION_STATUS_QUEUED",
                read.json().get("group_reservation").get("reservation_status").asText());
        Http.Response position = second.get("/v1/queuePosition/account/default/conversations/" + sid, KEY);
        assertEquals(200, position.status(), position.body());
        assertEquals(1, position.json().get("queuePosition").asInt());
        assertEquals(404, second.get(RESERVATIONS + "/rsv_none", KEY).status(), "errors cross nodes too");

        try (SseClient stream = new SseClient(first, "/events/g/default/r/" + sid, null)) {
            assertEquals(200, stream.response.statusCode());
            JsonNode current = data(stream.nextEvent());
            assertEquals("GROUP_RESERVATION_STATUS_QUEUED", current.get("reservation_status").asText());
            assertEquals(200, second.post(RESERVATIONS + "/" + sid + "/cancel", KEY, null).status());
            JsonNode canceled = data(stream.nextEvent());
            assertEquals("GROUP_RESERVATION_STATUS_CANCELED", canceled.get("reservation_status").asText());
        }
        for (SwitchboardServer node : nodes) {
            assertEquals(200, new Http(node.port()).get("/healthz", null).status(), "health is per node");
        }
    }

    private static JsonNode data(SseClient.Block block) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(block.field("data"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aGuestResumesOnAnotherNodeInTheirPlace() {
        List<SwitchboardServer> edges = edges("default");
        String session;
        try (WsClient other = WsClient.connect(nodes.get(0).port())) {
            other.call(Request.Identify.guest("first", "ahead of carla"));
            try (WsClient guest = WsClient.connect(edges.get(0).port())) {
                List<ServerMessage> identified = guest.call(Request.Identify.guest("carla", "my order"));
                session = WsClient.first(identified, ServerMessage.Identified.class).session();
                guest.abort();
            }
            try (WsClient back = WsClient.connect(edges.get(1).port())) {
                List<ServerMessage> resumed = back.call(new Request.Resume(session));
                WsClient.first(resumed, ServerMessage.Identified.class);
                ServerMessage.QueuePos place = resumed.stream().filter(ServerMessage.QueuePos.class::isInstance)
                        .map(ServerMessage.QueuePos.class::cast).findFirst()
                        .orElseGet(() -> back.await(ServerMessage.QueuePos.class));
                assertEquals(1, place.position(), "still behind the first guest");
            }
        }
    }

    @Test
    void whenTheOwnerStopsAnotherNodeTakesTheAccountAndNothingIsLost() throws InterruptedException {
        SwitchboardServer owner = awaitOwner("default");
        SwitchboardServer acmeOwner = awaitOwner("acme");
        List<SwitchboardServer> edges = edges("default");
        String guestSession;
        String adminSession;
        String room;
        try (WsClient guest = WsClient.connect(edges.get(0).port());
             WsClient admin = WsClient.connect(edges.get(1).port())) {
            guestSession = WsClient.first(guest.call(Request.Identify.guest("carla", "my order")),
                    ServerMessage.Identified.class).session();
            adminSession = WsClient.first(admin.call(new Request.Login("admin", "admin-token-for-tests")),
                    ServerMessage.Identified.class).session();
            room = WsClient.first(admin.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE)),
                    ServerMessage.Joined.class).room();
            guest.call(new Request.Message(room, "one"));
            admin.call(new Request.Message(room, "two"));

            nodes.remove(owner);
            owner.close();
            assertEquals(1012, guest.awaitClose(), "the guest is told to come back");
            assertEquals(1012, admin.awaitClose(), "so is the agent");
        }
        SwitchboardServer successor = awaitOwner("default");
        assertTrue(successor != owner);
        if (acmeOwner != owner) {
            assertTrue(acmeOwner.placement().ownerOf("acme").kind() == Placement.Kind.HERE,
                    "another account did not move");
        }
        SwitchboardServer edge = nodes.stream().filter(node -> node != successor).findFirst().orElseThrow();
        try (WsClient guest = WsClient.connect(edge.port()); WsClient admin = WsClient.connect(successor.port())) {
            List<ServerMessage> back = guest.call(new Request.Resume(guestSession));
            assertTrue(back.stream().anyMatch(m -> m instanceof ServerMessage.Joined joined
                    && joined.room().equals(room)), "carla is back in her room: " + back);
            admin.call(new Request.Resume(adminSession));
            guest.call(new Request.Message(room, "three"));
            assertEquals(3, admin.await(ServerMessage.Message.class).seq(), "the seq goes on");
            assertEquals(List.of("one", "two", "three"), admin.history(room));
        }
    }

    @Test
    void anOwnerFencedByANewerEpochAcknowledgesNothingMore() {
        SwitchboardServer owner = awaitOwner("default");
        String session;
        String room;
        RedisClient client = RedisClient.create(redis.url());
        try (StatefulRedisConnection<String, String> raw = client.connect();
             WsClient guest = WsClient.connect(owner.port()); WsClient admin = WsClient.connect(owner.port())) {
            ServerMessage.Identified identified = WsClient.first(guest.call(Request.Identify.guest("carla",
                    "my order")), ServerMessage.Identified.class);
            session = identified.session();
            admin.call(new Request.Login("admin", "admin-token-for-tests"));
            room = WsClient.first(admin.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE)),
                    ServerMessage.Joined.class).room();
            guest.call(new Request.Message(room, "kept"));
            SseClient stream = new SseClient(new Http(owner.port()), "/events/g/default/r/"
                    + identified.reservation(), null);
            stream.nextEvent();
            // Another node took the account behind this owner's back (it was paused, say): a newer epoch.
            raw.sync().incr("{a:default}:epoch");
            String ref = guest.sendWithRef(new Request.Message(room, "never acknowledged"));
            List<ServerMessage> after = new ArrayList<>();
            int status = 0;
            while (status == 0) {
                try {
                    after.add(guest.next());
                } catch (AssertionError closed) {
                    status = guest.awaitClose();
                }
            }
            assertEquals(1012, status);
            assertFalse(after.stream().anyMatch(m -> m instanceof ServerMessage.Ack ack && ack.ref().equals(ref)),
                    "no ack from a fenced owner: " + after);
            // The event stream of the account it gave up ends too, so the browser reconnects to the new owner.
            stream.awaitEnd();
        } finally {
            client.shutdown();
        }
        SwitchboardServer successor = awaitOwner("default");
        try (WsClient guest = WsClient.connect(successor.port())) {
            guest.call(new Request.Resume(session));
            assertEquals(List.of("kept"), guest.history(room), "what was fenced never landed");
        }
    }

    @Test
    void aRedisRestartLosesNothingAcknowledged() {
        List<SwitchboardServer> edges = edges("default");
        String guestSession;
        String room;
        try (WsClient guest = WsClient.connect(edges.get(0).port());
             WsClient admin = WsClient.connect(edges.get(1).port())) {
            guestSession = WsClient.first(guest.call(Request.Identify.guest("carla", "my order")),
                    ServerMessage.Identified.class).session();
            admin.call(new Request.Login("admin", "admin-token-for-tests"));
            room = WsClient.first(admin.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE)),
                    ServerMessage.Joined.class).room();
            for (String body : List.of("one", "two", "three")) {
                guest.call(new Request.Message(room, body));
            }
        }
        redis.kill();
        Http first = new Http(nodes.get(0).port());
        Http.await("node 1 says Redis is unreachable", () -> {
            Http.Response health = first.get("/healthz", null);
            return health.status() == 503 && health.body().contains("redis unreachable");
        });
        redis.restart();
        for (SwitchboardServer node : nodes) {
            Http http = new Http(node.port());
            Http.await("node " + node.port() + " healthy again", () -> http.get("/healthz", null).status() == 200);
        }
        SwitchboardServer owner = awaitOwner("default");
        try (WsClient guest = WsClient.connect(owner.port())) {
            guest.call(new Request.Resume(guestSession));
            assertEquals(List.of("one", "two", "three"), guest.history(room));
            guest.call(new Request.Message(room, "four"));
            assertEquals(List.of("one", "two", "three", "four"), guest.history(room));
        }
    }

    /**
     * A node that gets a request forwarded to it as if it were the owner, and is not (it just gave the account up, or
     * it was paused), sends it back at once instead of holding it: nothing of it is done, and the node that forwarded
     * it asks again where the account is. Here the "forwarding node" is the test, with the cluster's secret.
     */
    @Test
    void aNodeThatIsNotTheOwnerSendsAForwardedRequestBackAtOnce() throws Exception {
        SwitchboardServer notOwner = edges("default").get(0);
        RedisClient client = RedisClient.create(redis.url());
        String secret;
        try (StatefulRedisConnection<String, String> raw = client.connect()) {
            secret = raw.sync().get("{sb}:secret");
        } finally {
            client.shutdown();
        }
        java.util.Map<String, String> peer = java.util.Map.of("x-switchboard-peer", secret,
                "x-switchboard-client", "203.0.113.7");
        Http http = new Http(notOwner.port());
        long start = System.nanoTime();
        java.net.http.HttpRequest.Builder request = http.request(RESERVATIONS + "/rsv_none", KEY);
        peer.forEach(request::header);
        Http.Response response = http.send(request.GET().build());
        assertEquals(421, response.status(), response.body());
        assertEquals("1", response.header("x-switchboard-not-owner"));
        try (WsClient forwarded = WsClient.connectWith(notOwner.port(), peer)) {
            forwarded.send(Request.Identify.guest("carla", "my order"));
            assertEquals(1012, forwarded.awaitClose(), "a forwarded sign-in for another node's account goes back");
        }
        assertTrue(System.nanoTime() - start < java.util.concurrent.TimeUnit.SECONDS.toNanos(5),
                "at once, not after forward_wait_ms");
        // Without the secret the same headers are a client's like any other: relayed to the owner, answered there.
        java.net.http.HttpRequest.Builder spoofed = http.request(RESERVATIONS + "/rsv_none", KEY)
                .header("x-switchboard-peer", "not-the-secret").header("x-switchboard-client", "203.0.113.7");
        assertEquals(404, http.send(spoofed.GET().build()).status());
    }
}
