package io.switchboard.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
                {"accounts": [{"id": "a", "groups": [{"name": "g"}], "agents": [{"user": "u", "token": "token-of-the-user-u"}]}]}""",
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
                 "accounts": [{"id": "a", "groups": [{"name": "g"}], "agents": [{"user": "u", "token": "token-of-the-user-u"}]}]}""";
        assertEquals(Durability.PROCESS, ConfigLoader.parse(json.formatted("process"), "p").durability());
        assertEquals(Durability.FSYNC, ConfigLoader.parse(json.formatted("fsync"), "f").durability());
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse(json.formatted("sometimes"),
                "s")).getMessage();
        assertTrue(message.contains("durability"), message);
    }

    @Test
    void unknownKeysAreErrorsWithTheirPath() {
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "token-of-the-user-u", "colour": "red"}]}]}""", "f.json"))
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
                  "agents": [{"user": "u", "token": "token-of-the-user-u", "groups": ["nope"]}]}]}""", "nope is not a group");
        assertProblem("""
                {"accounts": [{"id": "a", "groups": [{"name": "g"}],
                  "agents": [{"user": "u", "token": "token-of-the-user-u"}, {"user": "u", "token": "token-of-the-user-u2"}]}]}""", "duplicate user u");
        assertProblem("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "token-of-the-user-u", "limit": 11}]}]}""",
                "limit: 11 (expected: 1..10)");
        assertProblem("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "token-of-the-user-u", "limit": 0}]}]}""",
                "limit: 0 (expected: 1..10)");
        assertProblem("""
                {"accounts": [{"id": "a"}, {"id": "a"}]}""", "duplicate account a");
        assertProblem("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "token-of-the-user-u"}]},
                              {"id": "b", "agents": [{"user": "v", "token": "token-of-the-user-u"}]}]}""", "the same token");
        assertProblem("""
                {"accounts": [{"id": "a", "groups": [{"name": "g", "routing": "sometimes"}]}]}""", "routing");
        assertProblem("{}", "accounts: missing");
        assertProblem("{\"accounts\": [], \"port\": 70000}", "port: 70000");
        assertProblem("{\"accounts\": [], \"timings\": {\"resume_grace_ms\": 0}}", "resume_grace_ms");
        assertProblem("{\"accounts\": [", "bad JSON");
        assertProblem("""
                {"accounts": [{"id": "a", "api_keys": [{"id": "k", "secret": "secret-of-the-key-k"}]},
                              {"id": "b", "api_keys": [{"id": "k", "secret": "secret-of-the-key-k"}]}]}""", "the same secret");
        assertProblem("{\"accounts\": [], \"timings\": {\"sse_keepalive_ms\": 0}}", "sse_keepalive_ms");
        assertProblem("{\"accounts\": [], \"limits\": {\"max_http_body_bytes\": 10}}", "max_http_body_bytes");
        assertProblem("{\"accounts\": [], \"limits\": {\"slow_reader_bytes\": 10}}", "slow_reader_bytes");
    }

    @Test
    void shortSecretsAreRefusedAtStart() {
        assertProblem("""
                {"accounts": [{"id": "a", "agents": [{"user": "u", "token": "fifteen-chars!!"}]}]}""",
                "accounts[0].agents[0].token: 15 characters (expected: at least 16");
        assertProblem("""
                {"accounts": [{"id": "a", "api_keys": [{"id": "k", "secret": "short"}]}]}""",
                "accounts[0].api_keys[0].secret: 5 characters (expected: at least 16");
        assertProblem("{\"accounts\": [], \"metrics_token\": \"abc\"}", "metrics_token: 3 characters");
        ConfigLoader.parse("{\"accounts\": [], \"metrics_token\": \"sixteen-chars!!!\"}", "f.json");
    }

    @Test
    void originsAreCheckedAndProxiesMustBeAddresses() {
        assertProblem("{\"accounts\": [], \"allowed_origins\": [\"support.example.com\"]}",
                "allowed_origins[0]: support.example.com: not an origin");
        assertProblem("{\"accounts\": [], \"allowed_origins\": [\"https://a.example/shop\"]}",
                "allowed_origins[0]");
        assertProblem("{\"accounts\": [], \"allowed_origins\": [\"null\"]}", "allowed_origins[0]");
        assertProblem("{\"accounts\": [], \"allowed_origins\": [\"https://A.example/\", \"https://a.example:443\"]}",
                "allowed_origins[1]: https://a.example:443 is listed twice");
        ConfigLoader.parse("{\"accounts\": [], \"allowed_origins\": [\"HTTPS://Shop.Example.com/\"]}", "f.json");
        assertEquals("https://shop.example.com", Origins.normalize("HTTPS://Shop.Example.com:443/"));
        assertEquals("http://localhost:8080", Origins.normalize("http://LOCALHOST:8080"));
        assertProblem("{\"accounts\": [], \"trusted_proxies\": [\"proxy.example.com\"]}",
                "trusted_proxies[0]: proxy.example.com: not an IP address");
        assertProblem("{\"accounts\": [], \"trusted_proxies\": [\"10.0.0.0/33\"]}", "prefix 33");
        ConfigLoader.parse("{\"accounts\": [], \"trusted_proxies\": [\"10.0.0.0/8\", \"::1\", \"fd00::/8\", "
                + "\"192.168.1.7\"]}", "f.json");
    }

    @Test
    void addressRangesMatchTheirAddresses() throws Exception {
        AddressRange ten = AddressRange.parse("10.0.0.0/8");
        assertTrue(ten.contains(java.net.InetAddress.getByName("10.200.3.4")));
        assertTrue(!ten.contains(java.net.InetAddress.getByName("11.0.0.1")));
        assertTrue(ten.contains(java.net.InetAddress.getByName("::ffff:10.1.2.3")), "IPv4-mapped counts as IPv4");
        AddressRange odd = AddressRange.parse("192.168.4.0/22");
        assertTrue(odd.contains(java.net.InetAddress.getByName("192.168.7.255")));
        assertTrue(!odd.contains(java.net.InetAddress.getByName("192.168.8.0")));
        AddressRange six = AddressRange.parse("fd00::/8");
        assertTrue(six.contains(java.net.InetAddress.getByName("fd12:3456::1")));
        assertTrue(!six.contains(java.net.InetAddress.getByName("fe80::1")));
        assertTrue(AddressRange.parse("::1").contains(java.net.InetAddress.getByName("::1")));
    }

    @Test
    void aValidConfigurationIsNeverRefusedForItsDepth() {
        StringBuilder deep = new StringBuilder("{\"accounts\": [{\"id\": \"a\", \"groups\": [{\"name\": \"g\"}]}], "
                + "\"timings\": {}, \"limits\": {}}");
        ServerConfig config = ConfigLoader.parse(deep.toString(), "f.json");
        assertEquals(1, config.accounts().size());
        // Deeper than the frame decoder's 8 levels, as a group's opening hours are: the shape of issue 18 is taken,
        // and a wrong one deeper still is refused for what is wrong in it, never for its depth.
        ServerConfig withHours = ConfigLoader.parse("{\"accounts\": [{\"id\": \"a\", \"groups\": [{\"name\": \"g\", "
                + "\"hours\": {\"time_zone\": \"Europe/Berlin\", \"weekly\": [{\"days\": [\"mon\",\"tue\",\"wed\",\"thu\","
                + "\"fri\"], \"from\": \"09:00\", \"to\": \"17:30\"}], \"closed_dates\": [\"2026-12-25\"]}}]}]}", "f.json");
        assertEquals("Europe/Berlin", withHours.accounts().get(0).groups().get(0).hours().timeZone());
        String hours = "{\"accounts\": [{\"id\": \"a\", \"groups\": [{\"name\": \"g\", \"hours\": {\"weekly\": "
                + "[{\"days\": [[[\"mon\"]]]}]}}]}]}";
        String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse(hours, "f.json")).getMessage();
        assertEquals("configuration f.json: accounts[0].groups[0].hours.weekly[0].days[0]: a list (expected: a "
                + "string)", message);
    }

    @Test
    void wrongHoursAndMailSettingsNameTheProblem() {
        String group = "{\"accounts\": [{\"id\": \"a\", \"groups\": [{\"name\": \"g\", \"hours\": %s}]}]}";
        String[][] cases = {
            {"{\"time_zone\": \"Mars/Olympus\"}", "hours.time_zone: Mars/Olympus (expected: an IANA time zone"},
            {"{\"time_zone\": \"UTC\", \"weekly\": [{\"days\": [\"mo\"], \"from\": \"09:00\", \"to\": \"17:00\"}]}",
                "hours.weekly[0].days: mo (expected: one of mon"},
            {"{\"time_zone\": \"UTC\", \"weekly\": [{\"days\": [\"mon\"], \"from\": \"9:00\", \"to\": \"17:00\"}]}",
                "hours.weekly[0].from: 9:00 (expected: HH:MM)"},
            {"{\"time_zone\": \"UTC\", \"weekly\": [{\"days\": [\"mon\"], \"from\": \"18:00\", \"to\": \"02:00\"}]}",
                "one that passes midnight is two spans"},
            {"{\"time_zone\": \"UTC\", \"weekly\": [{\"days\": [\"mon\"], \"from\": \"09:00\", \"to\": \"12:00\"}, "
                + "{\"days\": [\"mon\"], \"from\": \"11:00\", \"to\": \"13:00\"}]}", "hours.weekly[1]: overlaps"},
            {"{\"time_zone\": \"UTC\", \"closed_dates\": [\"25.12.2026\"]}", "hours.closed_dates[0]: 25.12.2026"},
        };
        for (String[] bad : cases) {
            String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse(group.formatted(bad[0]),
                    "f.json")).getMessage();
            assertTrue(message.contains(bad[1]), message);
        }
        String base = "{\"accounts\": [], %s}";
        String[][] mail = {
            {"\"smtp\": {\"host\": \"mail\", \"from\": \"nobody\"}", "smtp.from: nobody"},
            {"\"smtp\": {\"host\": \"mail\", \"from\": \"a@b.c\", \"security\": \"ssl\"}", "smtp.security: ssl"},
            {"\"smtp\": {\"host\": \"mail\", \"from\": \"a@b.c\", \"reply_to\": \"a@b.c\"}", "smtp.reply_to: a@b.c"},
            {"\"smtp\": {\"host\": \"mail\", \"from\": \"a@b.c\", \"user\": \"u\"}", "give both or neither"},
            {"\"smtp\": {\"host\": \"mail\", \"from\": \"a@b.c\"}, \"imap\": {\"host\": \"mail\", \"user\": \"u\", "
                + "\"password\": \"p\"}", "imap: needs smtp with reply_to"},
            {"\"public_url\": \"support.example.com\"", "public_url: support.example.com"},
            {"\"timings\": {\"waiting_grace_ms\": 0}", "timings.waiting_grace_ms: 0"},
            {"\"push\": {\"public_key\": \"x\", \"private_key\": \"y\", \"subject\": \"mailto:a@b.c\"}",
                "push: needs smtp"},
            {"\"smtp\": {\"host\": \"mail\", \"from\": \"a@b.c\"}, \"push\": {\"public_key\": \"x\", "
                + "\"private_key\": \"y\", \"subject\": \"mailto:a@b.c\"}", "push.public_key: not a P-256 public key"},
        };
        for (String[] bad : mail) {
            String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse(base.formatted(bad[0]),
                    "f.json")).getMessage();
            assertTrue(message.contains(bad[1]), message);
        }
        ServerConfig fine = ConfigLoader.parse(base.formatted("\"smtp\": {\"host\": \"mail\", \"from\": \"a@b.c\", "
                + "\"reply_to\": \"help+{token}@b.c\"}, \"imap\": {\"host\": \"mail\", \"user\": \"u\", \"password\": \"p\"}"),
                "f.json");
        assertEquals(587, fine.smtp().port());
        assertEquals(993, fine.imap().port());
        assertTrue(fine.email());
        assertEquals(600_000, fine.timings().waitingGraceMs());
        assertFalse(fine.toString().contains("\"p\""));
    }

    @Test
    void configurationErrorsAreOurOwnWords() {
        for (String json : new String[] {"{\"accounts\": [], \"port\": \"80\"}", "{\"accounts\": 5}",
            "{\"accounts\": [{\"id\": \"a\", \"groups\": [{\"name\": \"g\", \"max_queue_length\": 1.5}]}]}",
            "{\"accounts\": [], \"durability\": 3}", "{\"accounts\": [] \"port\": 1}", "[1]"}) {
            String message = assertThrows(ConfigException.class, () -> ConfigLoader.parse(json, "f.json")).getMessage();
            for (String foreign : new String[] {"java.", "`", "Cannot ", "coerc", "Deserializ", "$"}) {
                assertTrue(!message.contains(foreign), () -> "'" + foreign + "' in: " + message);
            }
        }
        String port = assertThrows(ConfigException.class, () -> ConfigLoader.parse(
                "{\"accounts\": [], \"port\": \"80\"}", "f.json")).getMessage();
        assertEquals("configuration f.json: port: the string \"80\" (expected: a whole number)", port);
    }

    @Test
    void aGroupMayHaveItsOwnQueueLimit() {
        ServerConfig config = ConfigLoader.parse("""
                {"accounts": [{"id": "a", "groups": [{"name": "g", "max_queue_length": 5}, {"name": "h"}]}],
                 "limits": {"max_queue_length": 50}}""", "f.json");
        assertEquals(5, config.maxQueueLength(config.accounts().get(0).groups().get(0)));
        assertEquals(50, config.maxQueueLength(config.accounts().get(0).groups().get(1)));
        assertProblem("""
                {"accounts": [{"id": "a", "groups": [{"name": "g", "max_queue_length": 0}]}]}""",
                "accounts[0].groups[0].max_queue_length: 0");
        assertEquals(1_000, ServerConfig.Limits.DEFAULTS.maxQueueLength());
        assertEquals(20, ServerConfig.Limits.DEFAULTS.connectionsPerAddress());
        assertEquals(30_000, ServerConfig.Timings.DEFAULTS.identifyDeadlineMs());
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
