package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.server.config.ConfigException;
import io.switchboard.server.config.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
    /** {@code --vapid-keys} prints a push section the configuration takes as it is; each call a new pair. */
    @Test
    void vapidKeysPrintsAPushSectionToPaste() {
        String section = Main.vapidKeys();
        ServerConfig config = io.switchboard.server.config.ConfigLoader.parse("{\"accounts\": [], \"smtp\": "
                + "{\"host\": \"mail.example.com\", \"from\": \"support@example.com\"}, " + section + "}", "pasted");
        assertEquals("mailto:support@example.com", config.push().subject());
        assertTrue(!section.equals(Main.vapidKeys()), "a new pair each time");
        assertEquals(65, io.switchboard.server.push.PushCrypto.decode(config.push().publicKey()).length);
    }

    @Test
    void embeddedDefaultWithCommandLineOverrides(@TempDir Path dir) {
        String data = dir.resolve("d").toString();
        ServerConfig config = Main.configure(new String[] {"--port", "0", "--host", "127.0.0.2", "--data-dir", data});
        assertEquals(0, config.port());
        assertEquals("127.0.0.2", config.host());
        assertEquals(data, config.dataDir());
        assertEquals("admin", config.accounts().get(0).agents().get(0).user());
    }

    /** A restart on the same data keeps the admin's token and the API key; the file is the owner's only. */
    @Test
    void theEmbeddedDefaultKeepsItsSecretsInTheDataDirectory(@TempDir Path dir) throws Exception {
        String data = dir.resolve("data").toString();
        ServerConfig first = Main.configure(new String[] {"--data-dir", data});
        ServerConfig again = Main.configure(new String[] {"--data-dir", data});
        ServerConfig.AccountConfig a = first.accounts().get(0);
        ServerConfig.AccountConfig b = again.accounts().get(0);
        assertEquals(a.agents().get(0).token(), b.agents().get(0).token());
        assertEquals(a.apiKeys().get(0).secret(), b.apiKeys().get(0).secret());
        Path file = Path.of(data, "embedded-secrets.json");
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(file)));
        ServerConfig elsewhere = Main.configure(new String[] {"--data-dir", dir.resolve("other").toString()});
        assertTrue(!elsewhere.accounts().get(0).agents().get(0).token().equals(a.agents().get(0).token()),
                "another data directory has its own");
        Files.writeString(file, "{\"supervisor_token\": \"short\", \"api_key_secret\": \"also-short\"}");
        assertTrue(assertThrows(ConfigException.class, () -> Main.configure(new String[] {"--data-dir", data}))
                .getMessage().contains("delete the file"));
    }

    @Test
    void configFileIsReadAndFlagsWin(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, """
                {"port": 9000, "accounts": [{"id": "acme", "groups": [{"name": "g"}]}]}""");
        ServerConfig config = Main.configure(new String[] {"--config", file.toString(), "--port", "9001"});
        assertEquals(9001, config.port());
        assertEquals("acme", config.accounts().get(0).id());
    }

    @Test
    void badArgumentsAreExplained(@TempDir Path dir) {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.configure(new String[] {"--port", "x"}))
                .getMessage().contains("--port: x"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.configure(new String[] {"--bogus"}))
                .getMessage().contains("unknown argument --bogus"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.configure(new String[] {"--config"}))
                .getMessage().contains("--config needs a value"));
        assertTrue(assertThrows(ConfigException.class, () -> Main.configure(new String[] {"--config",
            dir.resolve("missing.json").toString()})).getMessage().contains("cannot read"));
    }

    /** Every node reads one file; --node and --redis say which node it is and where Redis is. */
    @Test
    void clusterNodesShareOneFileAndTheCommandLineNamesEach(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cluster.json");
        Files.writeString(file, """
                {"accounts": [{"id": "acme", "groups": [{"name": "g"}]}],
                 "cluster": {"redis": "redis://127.0.0.1:6379/0", "lease_ms": 3000}}""");
        ServerConfig config = Main.configure(new String[] {"--config", file.toString(), "--node", "n2"});
        assertEquals("n2", config.cluster().node());
        assertEquals("redis://127.0.0.1:6379/0", config.cluster().redis());
        assertEquals(3_000, config.cluster().leaseMs());
        assertEquals(1_000, config.cluster().renewMs(), "a third of the lease");
        assertEquals(8_000, config.cluster().forwardWaitMs(), "the lease and 5 s");
        ServerConfig other = Main.configure(new String[] {"--config", file.toString(), "--node", "n3", "--redis",
            "redis://10.0.0.9:6380/1"});
        assertEquals("redis://10.0.0.9:6380/1", other.cluster().redis());
        assertTrue(assertThrows(ConfigException.class, () -> Main.configure(new String[] {"--config",
            file.toString()})).getMessage().contains("cluster.node: missing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Main.configure(new String[] {"--node", "n1"}))
                .getMessage().contains("need --config"));
        Files.writeString(file, """
                {"accounts": [{"id": "acme", "groups": [{"name": "g"}]}],
                 "cluster": {"redis": "redis://127.0.0.1:6379/0", "lease_ms": 3000, "renew_ms": 2000}}""");
        assertTrue(assertThrows(ConfigException.class, () -> Main.configure(new String[] {"--config",
            file.toString(), "--node", "n1"})).getMessage().contains("cluster.renew_ms: 2000"));
    }
}
