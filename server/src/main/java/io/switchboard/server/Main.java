package io.switchboard.server;

import io.switchboard.server.config.ConfigException;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.EmbeddedSecrets;
import io.switchboard.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code java -jar switchboard-server.jar [--config FILE] [--port N] [--host H] [--data-dir DIR]
 * [--node ID] [--redis URL]}. Without
 * {@code --config} it runs on the embedded default and prints its generated secrets once.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);
    private static final String USAGE =
            "usage: java -jar switchboard-server.jar [--config FILE] [--port N] [--host H] [--data-dir DIR] "
                    + "[--node ID] [--redis URL]\n       java -jar switchboard-server.jar --vapid-keys   (prints a new "
                    + "key pair for the push section)";

    private Main() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length == 1 && args[0].equals("--vapid-keys")) {
            System.out.println(vapidKeys());
            return;
        }
        ServerConfig config;
        try {
            config = configure(args);
        } catch (IllegalArgumentException | ConfigException | java.io.UncheckedIOException e) {
            System.err.println("switchboard: " + e.getMessage());
            System.exit(2);
            return;
        }
        SwitchboardServer server;
        try {
            server = SwitchboardServer.start(config);
        } catch (io.switchboard.server.store.RedisLink.Unreachable e) {
            // Cluster mode without its Redis: nothing to serve from. Say where it looked, no stack trace.
            System.err.println("switchboard: " + e.getMessage());
            System.exit(1);
            return;
        } catch (ConfigException e) {
            // A setting that only shows as wrong when it is used (a push key that is not a point of the curve).
            System.err.println("switchboard: " + e.getMessage());
            System.exit(2);
            return;
        } catch (io.switchboard.server.store.StoreException e) {
            // The data directory cannot be used (another format version, not writable): say why, no stack trace.
            System.err.println("switchboard: " + e.getMessage());
            System.exit(2);
            return;
        } catch (RuntimeException e) {
            log.error("cannot start on {}:{}", config.host(), config.port(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("shutting down");
            server.close();
            stopped.countDown();
        }, "switchboard-shutdown"));
        log.info("listening on http://{}:{} (WebSocket: ws://{}:{}/ws)", server.host(), server.port(), server.host(),
                server.port());
        stopped.await();
    }

    /** A new VAPID key pair, as the configuration's {@code push} section takes it. */
    static String vapidKeys() {
        java.security.KeyPair keys = io.switchboard.server.push.PushCrypto.newKeyPair();
        return "\"push\": {\"public_key\": \"" + io.switchboard.server.push.PushCrypto.encode(
                io.switchboard.server.push.PushCrypto.raw(keys.getPublic())) + "\", \"private_key\": \""
                + io.switchboard.server.push.PushCrypto.encode(io.switchboard.server.push.PushCrypto.raw(
                        keys.getPrivate())) + "\", \"subject\": \"mailto:support@example.com\"}";
    }

    static ServerConfig configure(String[] args) {
        String configFile = null;
        String host = null;
        Integer port = null;
        String dataDir = null;
        String node = null;
        String redis = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--config" -> configFile = value(args, ++i, arg);
                case "--host" -> host = value(args, ++i, arg);
                case "--data-dir" -> dataDir = value(args, ++i, arg);
                case "--port" -> port = port(value(args, ++i, arg));
                case "--node" -> node = value(args, ++i, arg);
                case "--redis" -> redis = value(args, ++i, arg);
                case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
                default -> throw new IllegalArgumentException("unknown argument " + arg + "\n" + USAGE);
            }
        }
        ServerConfig config;
        if (configFile == null) {
            String dir = dataDir != null ? dataDir : ServerConfig.DEFAULT_DATA_DIR;
            EmbeddedSecrets secrets = EmbeddedSecrets.in(Path.of(dir));
            config = ConfigLoader.embeddedDefault(secrets.supervisorToken(), secrets.apiKeySecret());
            var account = config.accounts().get(0);
            log.info("no --config: embedded default. account '{}', group '{}', supervisor '{}' with token {}, "
                            + "API key '{}' with secret {} ({} {}; delete it for new ones)",
                    account.id(), account.groups().get(0).name(), account.agents().get(0).user(),
                    account.agents().get(0).token(), account.apiKeys().get(0).id(), account.apiKeys().get(0).secret(),
                    secrets.generated() ? "generated now and kept in" : "kept in", secrets.file());
        } else {
            config = ConfigLoader.read(Path.of(configFile));
        }
        if ((node != null || redis != null) && configFile == null) {
            throw new IllegalArgumentException("--node and --redis need --config: every node of a cluster reads the same "
                    + "configuration file\n" + USAGE);
        }
        ServerConfig configured = config.with(host, port, dataDir).withCluster(node, redis);
        ConfigLoader.checkCluster(configured);
        return configured;
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            throw new IllegalArgumentException(flag + " needs a value\n" + USAGE);
        }
        return args[index];
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("--port: " + text + " (expected: 0..65535)");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--port: " + text + " (expected: 0..65535)", e);
        }
    }
}
