package io.switchboard.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private static final String FULL = """
            {
              "host": "127.0.0.1",
              "port": 8080,
              "data_dir": "switchboard-data",
              "allowed_origins": ["https://support.example.com"],
              "accounts": [
                {
                  "id": "acme",
                  "api_keys": [{"id": "ops", "secret": "a-long-random-secret"}],
                  "groups": [{"name": "billing", "routing": "auto"}, {"name": "tech", "routing": "manual"}],
                  "agents": [
                    {"user": "bob", "token": "another-long-secret", "groups": ["billing"], "limit": 3},
                    {"user": "sue", "token": "yet-another-secret", "groups": ["billing", "tech"], "limit": 5,
                     "supervisor": true}
                  ]
                }
              ],
              "timings": {
                "resume_grace_ms": 60000,
                "queuepos_interval_ms": 1000,
                "ping_interval_ms": 30000,
                "reserve_for_seconds": 180,
                "shutdown_grace_ms": 10000
              },
              "limits": {
                "max_frame_bytes": 65536,
                "requests_per_second": 20,
                "request_burst": 40,
                "queue_position_calls_per_minute": 2
              }
            }""";

    @Test
    void readsTheContractsExample() {
        ServerConfig config = ConfigLoader.parse(FULL, "example");
        assertEquals(List.of("https://support.example.com"), config.allowedOrigins());
        ServerConfig.AccountConfig acme = config.accounts().get(0);
        assertEquals(Routing.MANUAL, acme.groups().get(1).routing());
        assertEquals(5, acme.agents().get(1).limit());
        assertTrue(acme.agents().get(1).supervisor());
        assertEquals(180, config.timings().reserveForSeconds());
        assertEquals(2, config.limits().queuePositionCallsPerMinute());
    }

    @Test
    void everyKeyButAccountsDefaults() {
        ServerConfig config = ConfigLoader.parse("""
                {"accounts": [{"id": "a", "groups": [{"name": "g"}], "agents": [{"user": "u", "token": "t"}]}]}""",
                "minimal");
        assertEquals("127.0.0.1", config.host());
        assertEquals(8080, config.port());
        assertEquals("switchboard-data", config.dataDir());
        assertEquals(Durability.FSYNC, config.durability());
        assertEquals(60_000L, config.timings().resumeGraceMs());
        assertEquals(1_000L, config.timings().queueposIntervalMs());
        assertEquals(30_000L, config.timings().pingIntervalMs());
        assertEquals(10_000L, config.timings().shutdownGraceMs());
        assertEquals(65_536, config.limits().maxFrameBytes());
        assertEquals(20, config.limits().requestsPerSecond());
        assertEquals(40, config.limits().requestBurst());
        assertEquals(2, config.limits().queuePositionCallsPerMinute());
        assertEquals(65_536, config.limits().maxHttpBodyBytes());
        assertEquals(16L * 1024 * 1024, config.limits().slowReaderBytes());
        assertEquals(15_000L, config.timings().sseKeepaliveMs());
        assertEquals(10_000L, config.timings().handshakeTimeoutMs());
        assertEquals(60_000L, config.timings().httpIdleMs());
        assertEquals(10, config.limits().failedLoginsPerMinute());
        assertEquals(180, config.timings().reserveForSeconds());
        assertEquals(Routing.AUTO, config.accounts().get(0).groups().get(0).routing());
        assertEquals(3, config.accounts().get(0).agents().get(0).limit());
        assertNull(config.accounts().get(0).agents().get(0).groups(), "absent groups: every group");
    }

    @Test
    void durabilityIsFsyncOrProcess() {
        String json = """
                {"durability": "%s",
                 "accounts": [{"id": "a", "groups": [{"name": "g"}], "agents": [{"user": "u", "token": "t"}]}]}""";
        assertEquals(Durability.PROCESS, ConfigLoader.parse(json.formatted("process"), "p").durability());
        assertEquals(Durability.FSYNC, ConfigLoader.parse(json.formatted("fsync"), "f").durability());
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse(json.formatted("sometimes"),
                "s")).getMessage();
        assertTrue(message.contains("durability"), message);
    }

    @Test
    void unknownKeysAreErrorsWithTheirPath() {
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "t", "colour": "red"}]}]}""", "f.json"))
                .getMessage();
        assertTrue(message.contains("accounts[0].agents[0].colour"), message);
        String top = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                {"accounts": [], "tiemouts": {}}""", "f.json")).getMessage();
        assertTrue(top.contains("tiemouts"), top);
    }

    @Test
    void wrongConfigurationsNameTheProblem() {
        assertProblem("""
                {"accounts": [{"id": "a", "groups": [{"name": "g"}],
                  "agents": [{"user": "u", "token": "t", "groups": ["nope"]}]}]}""", "nope is not a group");
        assertProblem("""
                {"accounts": [{"id": "a", "groups": [{"name": "g"}],
                  "agents": [{"user": "u", "token": "t"}, {"user": "u", "token": "t2"}]}]}""", "duplicate user u");
        assertProblem("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "t", "limit": 11}]}]}""",
                "limit: 11 (expected: 1..10)");
        assertProblem("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "t", "limit": 0}]}]}""",
                "limit: 0 (expected: 1..10)");
        assertProblem("""
                {"accounts": [{"id": "a"}, {"id": "a"}]}""", "duplicate account a");
        assertProblem("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "t"}]},
                              {"id": "b", "agents": [{"user": "v", "token": "t"}]}]}""", "the same token");
        assertProblem("""
                {"accounts": [{"id": "a", "groups": [{"name": "g", "routing": "sometimes"}]}]}""", "routing");
        assertProblem("{}", "accounts: missing");
        assertProblem("{\"accounts\": [], \"port\": 70000}", "port: 70000");
        assertProblem("{\"accounts\": [], \"timings\": {\"resume_grace_ms\": 0}}", "resume_grace_ms");
        assertProblem("{\"accounts\": [", "not valid JSON");
        assertProblem("""
                {"accounts": [{"id": "a", "api_keys": [{"id": "k", "secret": "s"}]},
                              {"id": "b", "api_keys": [{"id": "k", "secret": "s"}]}]}""", "the same secret");
        assertProblem("{\"accounts\": [], \"timings\": {\"sse_keepalive_ms\": 0}}", "sse_keepalive_ms");
        assertProblem("{\"accounts\": [], \"limits\": {\"max_http_body_bytes\": 10}}", "max_http_body_bytes");
        assertProblem("{\"accounts\": [], \"limits\": {\"slow_reader_bytes\": 10}}", "slow_reader_bytes");
    }

    private static void assertProblem(String json, String expected) {
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse(json, "f.json")).getMessage();
        assertTrue(message.contains(expected), () -> "expected '" + expected + "' in: " + message);
    }

    @Test
    void embeddedDefaultHasAdminAndKeyWithFreshSecrets() {
        ServerConfig first = ConfigLoader.embeddedDefault();
        ServerConfig second = ConfigLoader.embeddedDefault();
        ServerConfig.AccountConfig account = first.accounts().get(0);
        assertEquals("default", account.id());
        assertEquals("default", account.groups().get(0).name());
        assertEquals(Routing.AUTO, account.groups().get(0).routing());
        assertEquals("admin", account.agents().get(0).user());
        assertTrue(account.agents().get(0).supervisor());
        assertEquals("default", account.apiKeys().get(0).id());
        assertTrue(account.agents().get(0).token().length() >= 32);
        assertNotEquals(account.agents().get(0).token(), second.accounts().get(0).agents().get(0).token());
        assertNotEquals(account.apiKeys().get(0).secret(), second.accounts().get(0).apiKeys().get(0).secret());
    }

    @Test
    void secretsStayOutOfToString() {
        ServerConfig config = ConfigLoader.parse(FULL, "example");
        assertTrue(!config.toString().contains("another-long-secret") && !config.toString()
                .contains("a-long-random-secret"), config::toString);
    }
}
