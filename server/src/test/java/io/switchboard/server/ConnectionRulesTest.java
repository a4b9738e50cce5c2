package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Contract §2.3 attacked over real sockets: slowloris, silence, floods, non-readers, origins, failed sign-ins. */
class ConnectionRulesTest {
    private static final String CONFIG = """
            {"host": "127.0.0.1", "port": 0,
             "allowed_origins": ["https://support.example.com"],
             "accounts": [{"id": "default", "groups": [{"name": "default"}],
               "agents": [{"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "limit": 10}]}],
             "timings": {"handshake_timeout_ms": 500, "http_idle_ms": 800, "ping_interval_ms": 200},
             "limits": {"failed_logins_per_minute": 3, "slow_reader_bytes": 65536 %s}}""";

    /** Each test's own data directory: no test restores another's state. */
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path data;

    private SwitchboardServer server;

    private int start(String extraLimits) throws InterruptedException {
        server = SwitchboardServer.start(ConfigLoader.parse(CONFIG.formatted(extraLimits), "test")
                .with(null, null, data.toString()));
        return server.port();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void slowlorisIsClosedAtTheDeadline() throws Exception {
        int port = start("");
        // 1. Connects and says nothing.
        try (RawWs silent = RawWs.connect(port)) {
            assertTrue(silent.closedByServer(), "a silent connection is closed");
        }
        // 2. Trickles its headers, one line every 100 ms, never finishing.
        try (RawWs trickle = RawWs.connect(port)) {
            trickle.socket.setSoTimeout(100);
            trickle.write("GET /ws HTTP/1.1\r\n");
            boolean closed = false;
            for (int i = 0; i < 100 && !closed; i++) {
                try {
                    trickle.write("X-Slow-" + i + ": 1\r\n");
                    closed = trickle.closedByServer();
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertTrue(closed, "a trickled handshake is closed within 10 s (deadline 0.5 s)");
        }
        // 3. Upgrades, then never answers a ping: two intervals later it is closed with 1001.
        try (RawWs mute = RawWs.connect(port)) {
            assertTrue(mute.handshake(null).startsWith("HTTP/1.1 101"));
            int pings = 0;
            RawWs.Frame frame;
            while ((frame = mute.read()) != null && frame.opcode() != 8) {
                pings += frame.opcode() == 9 ? 1 : 0;
            }
            assertNotNull(frame, "a close frame before the end");
            assertEquals(1001, frame.closeStatus());
            assertTrue(pings >= 1, "it was pinged first");
        }
    }

    @Test
    void anIdleKeepAliveConnectionIsClosedAfterItsIdleTime() throws Exception {
        int port = start("");
        try (RawWs http = RawWs.connect(port)) {
            http.socket.setSoTimeout(300);
            // Requests every 300 ms (well past the 500 ms handshake deadline in all) keep it open.
            for (int i = 0; i < 5; i++) {
                http.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                assertTrue(!http.closedByServer(), "open while it keeps asking");
            }
            http.socket.setSoTimeout(10_000);
            assertTrue(http.closedByServer(), "closed once idle for http_idle_ms");
        }
    }

    @Test
    void theHeartbeatKeepsLiveConnectionsAndDropsASilentOne() throws Exception {
        int port = start(", \"connections_per_address\": 5000");
        HttpClient http = HttpClient.newHttpClient();
        AtomicInteger closed = new AtomicInteger();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
                closed.incrementAndGet();
                return null;
            }
        };
        List<WebSocket> idle = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            idle.add(http.newWebSocketBuilder().buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), listener)
                    .get(10, TimeUnit.SECONDS));
        }
        try (RawWs silent = RawWs.connect(port)) {
            assertTrue(silent.handshake(null).startsWith("HTTP/1.1 101"));
            RawWs.Frame frame;
            while ((frame = silent.read()) != null && frame.opcode() != 8) {
                // pings and the welcome, unanswered
            }
            assertNotNull(frame);
            assertEquals(1001, frame.closeStatus(), "the silent one is dropped after two ping intervals");
        }
        assertEquals(0, closed.get(), "the 2 000 that answer pings (the JDK client does by itself) are kept");
        for (WebSocket socket : idle) {
            assertTrue(!socket.isInputClosed() && !socket.isOutputClosed());
        }
        idle.forEach(WebSocket::abort);
    }

    @Test
    void aFloodIsRateLimitedAndHasNoEffect() throws Exception {
        int port = start("");
        try (WsClient client = WsClient.connect(port)) {
            for (int i = 0; i < 60; i++) {
                client.sendText("{\"type\":\"ping\",\"ref\":\"p" + i + "\"}");
            }
            int acks = 0;
            int limited = 0;
            while (acks + limited < 60) {
                ServerMessage message = client.next();
                if (message instanceof ServerMessage.Ack) {
                    acks++;
                } else if (message instanceof ServerMessage.ErrorReply error) {
                    assertEquals(ErrorCode.RATE_LIMITED, error.code());
                    assertTrue(error.message().contains("no effect"), error.message());
                    limited++;
                }
            }
            assertTrue(acks >= 40 && acks < 60, "the burst of 40 passed, then the rate: " + acks + " acks");
            assertTrue(limited > 0, "the rest was refused");
        }
    }

    @Test
    void aReaderThatNeverReadsIsClosedAndCanResume() throws Exception {
        server = SwitchboardServer.start(ConfigLoader.parse(CONFIG.formatted(
                ", \"requests_per_second\": 100000, \"request_burst\": 100000").replace("65536", "1048576"), "test").with(null, null, data.toString()));
        int port = server.port();
        try (WsClient admin = WsClient.connect(port); RawWs reader = new RawWs(port, null, 4096)) {
            admin.call(new Request.Login("admin", "admin-token-for-tests"));
            admin.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            assertTrue(reader.handshake(null).startsWith("HTTP/1.1 101"));
            reader.sendText("{\"type\":\"identify\",\"user\":\"slow\",\"question\":\"q\"}");
            String identified = reader.readTextContaining("\"type\":\"identified\"").text();
            String session = identified.replaceAll(".*\"session\":\"([^\"]+)\".*", "$1");
            String room = admin.await(ServerMessage.Joined.class).room();
            String body = "x".repeat(4_000);
            // The guest never reads: its unsent output grows past slow_reader_bytes (1 MiB beyond what the sockets
            // buffer) and it is closed; the room sees the guest go away. The agent reads its own echoes as it goes.
            ServerMessage away = new ServerMessage.Status(room, "slow", Role.GUEST, StatusOf.AVAILABILITY, StatusIs.AWAY);
            boolean gone = false;
            for (int i = 0; i < 250 && !gone; i++) {
                for (int j = 0; j < 19; j++) {
                    admin.send(new Request.Message(room, body));
                }
                gone = admin.call(new Request.Message(room, body)).contains(away);
            }
            if (!gone) {
                admin.awaitExactly(away);
            }
            // Its session survives the close: it comes back to its room.
            try (WsClient again = WsClient.connect(port)) {
                List<ServerMessage> back = again.call(new Request.Resume(session));
                assertTrue(back.stream().anyMatch(m -> m instanceof ServerMessage.Joined joined
                        && joined.room().equals(room)), back.toString());
            }
        }
    }

    @Test
    void browsersFromOtherOriginsAreRefused() throws Exception {
        int port = start("");
        try (RawWs evil = RawWs.connect(port)) {
            String head = evil.handshake("https://evil.example");
            assertTrue(head.startsWith("HTTP/1.1 403"), head);
            assertTrue(evil.readRest().contains("\"error\":\"forbidden\""));
        }
        try (RawWs allowed = RawWs.connect(port)) {
            assertTrue(allowed.handshake("https://support.example.com").startsWith("HTTP/1.1 101"));
        }
        try (RawWs script = RawWs.connect(port)) {
            assertTrue(script.handshake(null).startsWith("HTTP/1.1 101"), "no Origin: not a browser, allowed");
        }
    }

    @Test
    void failedSignInsAreThrottledButTheRightTokenAlwaysPasses() throws Exception {
        int port = start("");
        try (WsClient attacker = WsClient.connect(port)) {
            for (int i = 0; i < 4; i++) {
                attacker.send(new Request.Login("admin", "wrong-" + i));
                assertEquals(ErrorCode.AUTH_FAILED, attacker.await(ServerMessage.ErrorReply.class).code());
            }
            attacker.send(new Request.Login("admin", "wrong-again"));
            ServerMessage.ErrorReply refused = attacker.await(ServerMessage.ErrorReply.class);
            assertEquals(ErrorCode.RATE_LIMITED, refused.code(), "past failed_logins_per_minute: wait");
            for (int i = 0; i < 20; i++) {
                attacker.send(new Request.Resume("ses_garbage_" + i));
                assertEquals(ErrorCode.AUTH_FAILED, attacker.await(ServerMessage.ErrorReply.class).code(),
                        "an unknown session is no failed sign-in");
            }
            attacker.send(new Request.Login("admin", "admin-token-for-tests"));
            assertEquals(io.switchboard.protocol.Role.SUPERVISOR, attacker.await(ServerMessage.Identified.class).role(),
                    "the right token from the same address is taken");
        }
        try (RawWs elsewhere = new RawWs(port, "127.0.0.2", 0)) {
            assertTrue(elsewhere.handshake(null).startsWith("HTTP/1.1 101"));
            elsewhere.sendText("{\"type\":\"login\",\"user\":\"admin\",\"token\":\"admin-token-for-tests\"}");
            assertTrue(elsewhere.readTextContaining("\"type\":\"identified\"").text().contains("supervisor"),
                    "another address signs in");
        }
    }

    @Test
    void sigtermWithClientsConnectedSendsGoingAwayAndExits() throws Exception {
        java.nio.file.Path config = java.nio.file.Files.createTempFile("switchboard", ".json");
        java.nio.file.Files.writeString(config, CONFIG.formatted(""));
        // The server's own logging configuration (the tests' one keeps INFO quiet, and the port is in an INFO line).
        Process process = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
                "io.switchboard.server.Main", "--config", config.toString())
                .redirectErrorStream(true).start();
        try {
            CompletableFuture<Integer> port = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()))) {
                    String line;
                    while ((line = lines.readLine()) != null) {
                        var matcher = java.util.regex.Pattern.compile("listening on http://[0-9.]+:(\\d+)").matcher(line);
                        if (matcher.find()) {
                            port.complete(Integer.parseInt(matcher.group(1)));
                        }
                    }
                } catch (IOException e) {
                    port.completeExceptionally(e);
                }
            });
            reader.setDaemon(true);
            reader.start();
            try (WsClient guest = WsClient.connect(port.get(20, TimeUnit.SECONDS))) {
                guest.call(Request.Identify.guest("ivy", "still there?"));
                process.destroy();
                assertEquals(1001, guest.awaitClose());
                assertTrue(process.waitFor(10, TimeUnit.SECONDS), "exits within shutdown_grace_ms");
            }
        } finally {
            process.destroyForcibly();
            java.nio.file.Files.deleteIfExists(config);
        }
    }
}
