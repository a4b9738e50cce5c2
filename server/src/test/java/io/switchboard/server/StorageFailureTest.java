package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.store.StoreFaults;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A disk that fails (issue 13, item 1), over real sockets: a store whose commits fail while {@code failing} is set.
 * Requests that would change something are refused as storage unavailable, what waits for a commit waits, what needs
 * none still answers, and once the disk is back everything held goes out and health is green again, without a
 * restart. The same run on a real full disk is {@code loadtest/scripts/disk-full.sh}.
 */
class StorageFailureTest {
    private static final String CONFIG = """
            {"host": "127.0.0.1", "port": 0,
             "accounts": [{"id": "default",
               "api_keys": [{"id": "ops", "secret": "s3cret-for-the-tests"}],
               "groups": [{"name": "default"}],
               "agents": [{"user": "bob", "token": "bob-token-for-tests", "limit": 3}]}],
             "timings": {"store_retry_max_ms": 100, "shutdown_grace_ms": 2000}}""";
    private static final String RESERVATIONS = "/v1/companies/default/groups/default/reservations";
    private static final String KEY = Http.bearer("s3cret-for-the-tests");

    @TempDir
    Path data;

    private final AtomicBoolean failing = new AtomicBoolean();
    private final StoreFaults faults = () -> {
        if (failing.get()) {
            throw new SQLException("[SQLITE_FULL] database or disk is full (injected)", null, 13);
        }
    };
    private SwitchboardServer server;

    @AfterEach
    void stop() {
        failing.set(false);
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aFailingDiskHoldsChangesRefusesNewOnesKeepsAnsweringAndRecovers() throws Exception {
        server = SwitchboardServer.start(ConfigLoader.parse(CONFIG, "test").with(null, null, data.toString()), null,
                faults);
        Http http = new Http(server.port());
        String stored = http.post(RESERVATIONS, KEY, "{\"external_user_id\": \"before\"}").json()
                .get("group_reservation").get("reservation_sid").asText();
        try (WsClient bob = WsClient.connect(server.port()); WsClient carla = WsClient.connect(server.port())) {
            bob.call(new Request.Login("bob", "bob-token-for-tests"));
            failing.set(true);
            // Carla's identify is taken before the disk is found failing: its replies wait for the commit.
            String held = carla.sendWithRef(new Request.Identify("carla", "where is my order?", null, null, null,
                    null));
            Http.await("health says the store fails", () -> http.get("/healthz", null).status() == 503);
            assertEquals("storage failing", http.get("/healthz", null).json().get("status").asText());
            carla.assertQuiet();

            try (WsClient dan = WsClient.connect(server.port())) {
                dan.call(new Request.Ping());
                String ref = dan.sendWithRef(new Request.Identify("dan", "me too", null, null, null, null));
                ServerMessage.ErrorReply refused = dan.next(ServerMessage.ErrorReply.class);
                assertEquals(ref, refused.ref());
                assertEquals(ErrorCode.INTERNAL, refused.code());
                assertTrue(refused.message().startsWith("storage is unavailable"), refused.message());
            }
            Http.Response create = http.post(RESERVATIONS, KEY, "{\"external_user_id\": \"during\"}");
            assertEquals(503, create.status(), create.body());
            assertEquals("internal", create.json().get("error").asText());
            assertEquals(200, http.get(RESERVATIONS + "/" + stored, KEY).status(), "reads answer");
            assertEquals(200, http.get("/metrics", null).status());

            failing.set(false);
            List<ServerMessage> replies = new java.util.ArrayList<>();
            ServerMessage.Ack ack = carla.await(ServerMessage.Ack.class, replies);
            assertEquals(held, ack.ref());
            assertEquals(ServerMessage.Identified.class, replies.get(0).getClass(), "held, then released in order");
            assertEquals(ServerMessage.QueuePos.class, replies.get(1).getClass());
            Http.await("health is green again", () -> http.get("/healthz", null).status() == 200);
            List<ServerMessage> assigned = bob.call(new Request.Status(null, StatusOf.AVAILABILITY,
                    StatusIs.AVAILABLE));
            assertEquals("carla", WsClient.first(assigned, ServerMessage.Joined.class).guest().user());
            assertEquals(201, http.post(RESERVATIONS, KEY, "{\"external_user_id\": \"after\"}").status());
        }
        // Nothing acknowledged was lost: after a restart carla's conversation and both reservations are there.
        server.close();
        server = SwitchboardServer.start(ConfigLoader.parse(CONFIG, "test").with(null, null, data.toString()));
        Http again = new Http(server.port());
        assertEquals(200, again.get(RESERVATIONS + "/" + stored, KEY).status());
        try (WsClient bob = WsClient.connect(server.port())) {
            List<ServerMessage> state = bob.call(new Request.Login("bob", "bob-token-for-tests"));
            assertEquals("carla", WsClient.first(state, ServerMessage.Joined.class).guest().user());
        }
    }

    @Test
    void shutdownStaysWithinItsGraceWhileTheDiskFails() throws Exception {
        server = SwitchboardServer.start(ConfigLoader.parse(CONFIG, "test").with(null, null, data.toString()), null,
                faults);
        Http http = new Http(server.port());
        try (WsClient carla = WsClient.connect(server.port())) {
            failing.set(true);
            carla.sendWithRef(Request.Identify.guest("carla", "hello?"));
            Http.await("the store fails", () -> http.get("/healthz", null).status() == 503);
            long started = System.nanoTime();
            server.close();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            assertTrue(tookMs < 2_000 + 1_500, "shutdown_grace_ms is 2 s; took " + tookMs + " ms");
            server = null;
        }
    }
}
