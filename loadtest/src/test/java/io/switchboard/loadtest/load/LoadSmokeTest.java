package io.switchboard.loadtest.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few seconds of real load: a Switchboard and the reference server started as child JVMs on loopback, a few dozen
 * clients, every message delivered, the report of the interface written. Bounded: each run stops by itself.
 */
class LoadSmokeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    private JsonNode run(String scenario, String... args) throws IOException {
        Path out = temp.resolve(scenario + ".json");
        String[] all = new String[args.length + 4];
        all[0] = "--url";
        all[1] = "self";
        all[2] = "--out";
        all[3] = out.toString();
        System.arraycopy(args, 0, all, 4, args.length);
        assertEquals(0, LoadCommand.run(scenario, all), scenario + " had errors");
        return JSON.readTree(out.toFile());
    }

    @Test
    void chatDeliversEveryMessageOnBothTargets() throws IOException {
        JsonNode report = run("chat", "--duration-s", "2", "--rate", "200", "--guests", "20", "--agents", "2",
                "--warm-up-s", "2");
        assertEquals("chat", report.get("scenario").asText());
        assertEquals(400, report.get("sent").asLong());
        assertEquals(400, report.get("received").asLong());
        assertEquals(0, report.get("errors").asLong());
        for (String field : List.of("p50", "p99", "p999", "max")) {
            assertTrue(report.get("latency_ms").get(field).asDouble() > 0, field);
        }
        assertEquals(400, report.get("reference").get("received").asLong());
        assertTrue(report.get("ratio").has("rate"));
    }

    /** Three accounts on two desk threads: every guest is served in its own account, every message arrives. */
    @Test
    void chatSpreadOverAccountsOnSeveralDeskThreads() throws IOException {
        JsonNode report = run("chat", "--duration-s", "2", "--rate", "150", "--guests", "30", "--agents", "3", "--warm-up-s", "2",
                "--accounts", "3", "--desk-threads", "2", "--no-reference");
        assertEquals(300, report.get("received").asLong());
        assertEquals(0, report.get("errors").asLong());
        assertTrue(report.get("server_cpu_cores").asDouble() > 0, "the server's CPU is reported");
        String config = LoadConfig.json(3, "fsync", 3, 2);
        JsonNode parsed = JSON.readTree(config);
        assertEquals(2, parsed.get("desk_threads").asInt());
        List<String> ids = new java.util.ArrayList<>();
        parsed.get("accounts").forEach(account -> ids.add(account.get("id").asText()));
        assertEquals(List.of("default", "load-2", "load-3"), ids);
        assertThrows(IllegalArgumentException.class, () -> Options.parse("queue",
                new String[] {"--url", "self", "--accounts", "2"}), "only chat spreads over accounts");
    }

    @Test
    void connectMeasuresMemoryAndSseDeliversEveryChange() throws IOException {
        JsonNode connect = run("connect", "--duration-s", "1", "--rate", "200", "--guests", "40", "--no-reference");
        assertEquals(40, connect.get("received").asLong());
        assertTrue(connect.has("memory"), "heap and RSS per connection of a local server");
        JsonNode sse = run("sse", "--duration-s", "2", "--rate", "20", "--streams", "30", "--no-reference");
        assertEquals(30, sse.get("received").asLong());
        JsonNode queue = run("queue", "--duration-s", "2", "--rate", "10", "--guests", "40", "--no-reference");
        assertEquals(20, queue.get("sent").asLong());
        assertTrue(queue.get("received").asLong() > 0, "guests were told their new places");
    }

    @Test
    void refusesTargetsOffThisMachineAndUnboundedRuns() {
        assertThrows(IllegalArgumentException.class, () -> Options.parse("chat",
                new String[] {"--url", "ws://10.1.2.3:8080/ws"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("chat",
                new String[] {"--url", "ws://8.8.8.8:80/ws"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("chat",
                new String[] {"--url", "self", "--duration-s", "100000"}));
        assertThrows(IllegalArgumentException.class, () -> Options.parse("chat",
                new String[] {"--url", "self", "--guests", "50000"}));
        assertEquals(2, LoadCommand.run("chat", new String[] {"--url", "ws://10.1.2.3:8080/ws"}));
        Options local = Options.parse("chat", new String[] {"--url", "ws://127.0.0.2:9/ws"});
        assertEquals("ws://127.0.0.2:9/ws", local.url());
        Options.parse("chat", new String[] {"--url", "ws://[::1]:9/ws"});
    }
}
