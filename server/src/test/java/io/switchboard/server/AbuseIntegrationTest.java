package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Request;
import io.switchboard.server.config.ConfigLoader;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13 over real sockets: connections and streams per client address, client addresses behind a trusted proxy,
 * throttled wrong API keys, the metrics token, smuggling-shaped requests, handshakes without a key, origins in any
 * spelling, and the identify deadline.
 */
class AbuseIntegrationTest {
    private static final String CONFIG = """
            {"host": "127.0.0.1", "port": 0,
             "allowed_origins": ["https://Support.Example.com/"],
             "trusted_proxies": ["127.0.0.9"],
             "metrics_token": "metrics-token-for-tests",
             "accounts": [{"id": "default",
               "api_keys": [{"id": "ops", "secret": "s3cret-for-the-tests"}],
               "groups": [{"name": "default"}],
               "agents": [{"user": "bob", "token": "bob-token-for-tests"}]}],
             "timings": {"identify_deadline_ms": 400},
             "limits": {"connections_per_address": 4, "identifies_per_address_per_minute": 2,
                        "failed_api_keys_per_address_per_minute": 3, "sse_streams_per_address": 2,
                        "sse_streams_per_reservation": 3}}""";
    private static final String KEY = "Bearer s3cret-for-the-tests";

    @TempDir
    java.nio.file.Path data;

    private SwitchboardServer server;
    private final List<RawWs> open = new ArrayList<>();

    private int start() throws InterruptedException {
        server = SwitchboardServer.start(ConfigLoader.parse(CONFIG, "test").with(null, null, data.toString()));
        return server.port();
    }

    @AfterEach
    void stop() throws Exception {
        for (RawWs connection : open) {
            connection.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private RawWs from(String address) throws Exception {
        RawWs connection = new RawWs(server.port(), address, 0);
        open.add(connection);
        return connection;
    }

    /** One plain HTTP request on a fresh connection; returns the whole answer. */
    private String http(String address, String request) throws Exception {
        try (RawWs connection = new RawWs(server.port(), address, 0)) {
            connection.write(request);
            return connection.head() + connection.readRest();
        }
    }

    @Test
    void connectionsPerAddressAreLimitedAndOtherAddressesAreNot() throws Exception {
        start();
        for (int i = 0; i < 4; i++) {
            assertTrue(from("127.0.0.3").handshake(null).startsWith("HTTP/1.1 101"));
        }
        RawWs fifth = from("127.0.0.3");
        assertTrue(fifth.closedByServer(), "the fifth is closed at once");
        assertTrue(from("127.0.0.4").handshake(null).startsWith("HTTP/1.1 101"), "another address is not affected");
        open.get(0).close();
        Http.await("a closed connection frees its place", () -> {
            try (RawWs again = new RawWs(server.port(), "127.0.0.3", 0)) {
                return again.handshake(null).startsWith("HTTP/1.1 101");
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void behindATrustedProxyEachClientIsItsOwnAddress() throws Exception {
        start();
        // Through the proxy, 203.0.113.5 may start two conversations a minute; a spoofed hop to its left changes
        // nothing, and another client behind the same proxy has its own count.
        for (String forwarded : new String[] {"X-Forwarded-For: 203.0.113.5", "X-Forwarded-For: 198.51.100.1, "
                + "203.0.113.5"}) {
            String answer = identify("127.0.0.9", forwarded + "\r\n");
            assertTrue(answer.contains("\"type\":\"identified\""), forwarded + ": " + answer);
        }
        assertTrue(identify("127.0.0.9", "X-Forwarded-For: 10.1.1.1, 203.0.113.5\r\n").contains("rate_limited"));
        assertTrue(identify("127.0.0.9", "Forwarded: for=\"203.0.113.6\";proto=https\r\n")
                .contains("\"type\":\"identified\""));
        assertTrue(identify("127.0.0.9", "X-Forwarded-For: 203.0.113.7, 127.0.0.9\r\n")
                .contains("\"type\":\"identified\""), "trusted hops on the right are skipped");
        // From a peer that is no trusted proxy, the headers are the client's own words: ignored.
        assertTrue(identify("127.0.0.5", "X-Forwarded-For: 192.0.2.1\r\n").contains("\"type\":\"identified\""));
        assertTrue(identify("127.0.0.5", "X-Forwarded-For: 192.0.2.2\r\n").contains("\"type\":\"identified\""));
        assertTrue(identify("127.0.0.5", "X-Forwarded-For: 192.0.2.3\r\n").contains("rate_limited"));
    }

    private String identify(String address, String headers) throws Exception {
        RawWs connection = from(address);
        assertTrue(connection.handshake(null, headers).startsWith("HTTP/1.1 101"));
        connection.sendText("{\"type\":\"identify\",\"user\":\"ivy\",\"question\":\"q\",\"ref\":\"1\"}");
        StringBuilder texts = new StringBuilder();
        while (!texts.toString().contains("\"ref\":\"1\"")) {
            texts.append(connection.read().text()).append('\n');
        }
        return texts.toString();
    }

    @Test
    void wrongApiKeysAreThrottledPerAddressButTheRightKeyPasses() throws Exception {
        start();
        String path = "/v1/companies/default/groups/default/reservations/rsv_x";
        for (int i = 0; i < 3; i++) {
            assertTrue(http("127.0.0.6", "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong-" + i
                    + "\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 401"));
        }
        String limited = http("127.0.0.6", "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong"
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(limited.startsWith("HTTP/1.1 429"), limited);
        assertTrue(limited.toLowerCase().contains("retry-after: "), limited);
        assertTrue(limited.contains("\"error\":\"rate_limited\""), limited);
        String right = http("127.0.0.6", "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: " + KEY
                + "\r\nConnection: close\r\n\r\n");
        assertTrue(right.startsWith("HTTP/1.1 404"), "the right key is taken (and the reservation is unknown): "
                + right);
        assertTrue(http("127.0.0.7", "GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer wrong"
                + "\r\nConnection: close\r\n\r\n").startsWith("HTTP/1.1 401"), "another address is not throttled");
    }

    @Test
    void metricsNeedTheirTokenWhenOneIsSet() throws Exception {
        start();
        Http http = new Http(server.port());
        Http.Response anonymous = http.get("/metrics", null);
        assertEquals(401, anonymous.status());
        assertEquals("unauthorized", anonymous.json().get("error").asText());
        assertEquals(401, http.get("/metrics", "Bearer not-the-metrics-token").status());
        Http.Response allowed = http.get("/metrics", "Bearer metrics-token-for-tests");
        assertEquals(200, allowed.status());
        assertTrue(allowed.body().contains("switchboard_queue_length"));
    }

    @Test
    void aTransferEncodingThatDoesNotEndInChunkedIs400() throws Exception {
        start();
        String smuggled = http("127.0.0.8", "POST /v1/companies/default/groups/default/reservations HTTP/1.1\r\n"
                + "Host: x\r\nAuthorization: " + KEY + "\r\nTransfer-Encoding: chunked, gzip\r\n\r\n"
                + "0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
        assertTrue(smuggled.startsWith("HTTP/1.1 400"), smuggled);
        assertTrue(smuggled.contains("Transfer-Encoding: chunked, gzip"), smuggled);
        assertEquals(1, smuggled.split("HTTP/1.1 ", -1).length - 1, "one answer, the smuggled request never ran");
        String body = "{\"external_user_id\": \"cust-1\"}";
        String chunked = http("127.0.0.8", "POST /v1/companies/default/groups/default/reservations HTTP/1.1\r\n"
                + "Host: x\r\nAuthorization: " + KEY + "\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n");
        assertTrue(chunked.startsWith("HTTP/1.1 201"), "a last coding of chunked is framed by it: " + chunked);
        String plain = http("127.0.0.8", "POST /v1/companies/default/groups/default/reservations HTTP/1.1\r\n"
                + "Host: x\r\nAuthorization: " + KEY + "\r\nTransfer-Encoding: gzip\r\nContent-Length: 2\r\n\r\n{}");
        assertTrue(plain.startsWith("HTTP/1.1 400"), plain);
    }

    @Test
    void anUpgradeWithoutAKeyGetsJson400() throws Exception {
        start();
        String answer = http("127.0.0.8", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade"
                + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
        assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
        assertTrue(answer.contains("\"error\":\"bad_request\"") && answer.contains("Sec-WebSocket-Key"), answer);
    }

    @Test
    void originsAreComparedInOneSpellingAndEveryOriginIsChecked() throws Exception {
        start();
        for (String origin : new String[] {"https://support.example.com", "https://SUPPORT.example.com:443",
            "https://support.example.com/"}) {
            assertTrue(from("127.0.0.10").handshake(origin).startsWith("HTTP/1.1 101"), origin);
        }
        assertTrue(from("127.0.0.11").handshake("https://support.example.com:8443").startsWith("HTTP/1.1 403"));
        assertTrue(from("127.0.0.11").handshake("null").startsWith("HTTP/1.1 403"));
        assertTrue(from("127.0.0.11").handshake("https://support.example.com", "Origin: https://evil.example\r\n")
                .startsWith("HTTP/1.1 403"), "a second Origin is checked too");
    }

    @Test
    void eventStreamsPerAddressAndPerReservationAreLimited() throws Exception {
        start();
        Http http = new Http(server.port());
        String sid = http.post("/v1/companies/default/groups/default/reservations", KEY,
                "{\"external_user_id\": \"cust-1\"}").json().get("group_reservation").get("reservation_sid").asText();
        String stream = "GET /events/g/default/r/" + sid + " HTTP/1.1\r\nHost: x\r\n\r\n";
        for (int i = 0; i < 2; i++) {
            RawWs open = from("127.0.0.12");
            open.write(stream);
            assertTrue(open.head().startsWith("HTTP/1.1 200"));
        }
        RawWs third = from("127.0.0.12");
        third.write(stream);
        assertTrue(third.head().startsWith("HTTP/1.1 429"), "sse_streams_per_address is 2");
        RawWs elsewhere = from("127.0.0.13");
        elsewhere.write(stream);
        assertTrue(elsewhere.head().startsWith("HTTP/1.1 200"), "the third stream of the reservation");
        RawWs fourth = from("127.0.0.14");
        fourth.write(stream);
        String refused = fourth.head();
        assertTrue(refused.startsWith("HTTP/1.1 429"), "sse_streams_per_reservation is 3: " + refused);
    }

    @Test
    void aConnectionThatNeverIdentifiesIsClosedWith1008() throws Exception {
        start();
        try (WsClient idle = WsClient.connect(server.port()); WsClient guest = WsClient.connect(server.port())) {
            guest.call(Request.Identify.guest("ivy", "q"));
            assertEquals(1008, idle.awaitClose());
            guest.call(new Request.Ping());
        }
    }
}
