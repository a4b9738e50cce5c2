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
    @Test
    void embeddedDefaultWithCommandLineOverrides() {
        ServerConfig config = Main.configure(new String[] {"--port", "0", "--host", "127.0.0.2", "--data-dir", "d"});
        assertEquals(0, config.port());
        assertEquals("127.0.0.2", config.host());
        assertEquals("d", config.dataDir());
        assertEquals("admin", config.accounts().get(0).agents().get(0).user());
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
}
