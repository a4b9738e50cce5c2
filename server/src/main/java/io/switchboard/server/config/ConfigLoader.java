package io.switchboard.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import io.switchboard.protocol.Codec;
import io.switchboard.protocol.JsonErrors;
import io.switchboard.protocol.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Reads, defaults and checks the configuration; builds the embedded default. */
public final class ConfigLoader {
    public static final String DEFAULT_ACCOUNT = "default";
    public static final String DEFAULT_GROUP = "default";
    public static final String DEFAULT_SUPERVISOR = "admin";
    public static final String DEFAULT_API_KEY = "default";

    /** The shortest secret (agent token, API key secret, metrics token) the server takes: guessable ones are refused. */
    public static final int SECRET_MIN = 16;
    /**
     * How deep the configuration file may nest: far more than any valid shape needs (group hours reach about ten
     * levels), so a valid configuration is never refused for its depth, while a runaway file still is.
     */
    private static final int MAX_NESTING = 64;

    private static final ObjectMapper MAPPER = Codec.strictMapper(MAX_NESTING);

    private ConfigLoader() {
    }

    /** Reads a configuration file; a wrong one throws {@link ConfigException} naming the problem. */
    public static ServerConfig read(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException("configuration " + file + ": cannot read (" + e.getMessage() + ")", e);
        }
        return parse(text, file.toString());
    }

    /** Parses and checks configuration JSON; {@code source} names it in messages. */
    public static ServerConfig parse(String json, String source) {
        ServerConfig config;
        JsonNode tree;
        try {
            tree = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConfigException("configuration " + source + ": " + JsonErrors.syntax(e), e);
        }
        try {
            config = tree == null || tree.isMissingNode() ? null : MAPPER.treeToValue(tree, ServerConfig.class);
        } catch (UnrecognizedPropertyException e) {
            throw new ConfigException("configuration " + source + ": unknown key " + JsonErrors.path(e)
                    + " (expected one of " + e.getKnownPropertyIds() + ")", e);
        } catch (JsonMappingException e) {
            throw new ConfigException("configuration " + source + ": " + JsonErrors.mismatch(tree, e), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException("configuration " + source + ": " + JsonErrors.syntax(e), e);
        }
        if (config == null) {
            throw new ConfigException("configuration " + source + ": empty");
        }
        if (config.accounts() == null) {
            throw new ConfigException("configuration " + source + ": accounts: missing (expected: a list of accounts)");
        }
        check(config);
        return config;
    }

    /**
     * The embedded default: account {@code default} with group {@code default} (auto), supervisor {@code admin} and API
     * key {@code default}, whose secrets are generated now.
     */
    public static ServerConfig embeddedDefault() {
        SecureRandom random = new SecureRandom();
        return embeddedDefault(EmbeddedSecrets.secret(random), EmbeddedSecrets.secret(random));
    }

    /** The embedded default with the given secrets (kept in the data directory: {@link EmbeddedSecrets}). */
    public static ServerConfig embeddedDefault(String supervisorToken, String apiKeySecret) {
        var account = new ServerConfig.AccountConfig(DEFAULT_ACCOUNT,
                List.of(new ServerConfig.ApiKeyConfig(DEFAULT_API_KEY, apiKeySecret)),
                List.of(new ServerConfig.GroupConfig(DEFAULT_GROUP, Routing.AUTO)),
                List.of(new ServerConfig.AgentConfig(DEFAULT_SUPERVISOR, supervisorToken, null, null, true)));
        ServerConfig config = new ServerConfig(null, null, null, null, null, null, null, null, List.of(account),
                null, null, null, null, null, null, null);
        check(config);
        return config;
    }

    /** Checks everything Jackson cannot: references, duplicates, ranges. */
    static void check(ServerConfig config) {
        if (config.port() < 0 || config.port() > 65_535) {
            fail("port: " + config.port() + " (expected: 0..65535)");
        }
        Set<String> origins = new HashSet<>();
        for (int i = 0; i < config.allowedOrigins().size(); i++) {
            String origin = config.allowedOrigins().get(i);
            try {
                if (!origins.add(Origins.normalize(origin))) {
                    fail("allowed_origins[" + i + "]: " + origin + " is listed twice");
                }
            } catch (IllegalArgumentException e) {
                fail("allowed_origins[" + i + "]: " + e.getMessage());
            }
        }
        for (int i = 0; i < config.trustedProxies().size(); i++) {
            try {
                AddressRange.parse(config.trustedProxies().get(i));
            } catch (IllegalArgumentException e) {
                fail("trusted_proxies[" + i + "]: " + e.getMessage());
            }
        }
        if (config.metricsToken() != null) {
            requireSecret("metrics_token", config.metricsToken());
        }
        within("desk_threads", config.deskThreads(), 1, 64);
        if (config.cluster() != null) {
            checkClusterRanges(config.cluster());
        }
        Set<String> accountIds = new HashSet<>();
        Set<String> tokens = new HashSet<>();
        Set<String> secrets = new HashSet<>();
        for (int a = 0; a < config.accounts().size(); a++) {
            var account = config.accounts().get(a);
            String at = "accounts[" + a + "]";
            requireName(at + ".id", account.id());
            if (!accountIds.add(account.id())) {
                fail(at + ".id: duplicate account " + account.id());
            }
            Set<String> groups = new HashSet<>();
            for (int g = 0; g < account.groups().size(); g++) {
                var group = account.groups().get(g);
                String name = group.name();
                requireName(at + ".groups[" + g + "].name", name);
                if (!groups.add(name)) {
                    fail(at + ".groups[" + g + "].name: duplicate group " + name);
                }
                if (group.maxQueueLength() != null) {
                    positive(at + ".groups[" + g + "].max_queue_length", group.maxQueueLength());
                }
                positive(at + ".groups[" + g + "].busy_after_seconds", group.busyAfterSeconds());
                positive(at + ".groups[" + g + "].reply_within_seconds", group.replyWithinSeconds());
                notNegative(at + ".groups[" + g + "].unanswered_alert_seconds", group.unansweredAlertSeconds());
                notNegative(at + ".groups[" + g + "].offer_timeout_seconds", group.offerTimeoutSeconds());
                positive(at + ".groups[" + g + "].offers_missed_before_away", group.offersMissedBeforeAway());
                notNegative(at + ".groups[" + g + "].auto_away_seconds", group.autoAwaySeconds());
                if (group.hours() != null) {
                    try {
                        BusinessHours.of(group.hours());
                    } catch (IllegalArgumentException e) {
                        fail(at + ".groups[" + g + "].hours." + e.getMessage());
                    }
                }
            }
            Set<String> keys = new HashSet<>();
            for (int k = 0; k < account.apiKeys().size(); k++) {
                var key = account.apiKeys().get(k);
                requireName(at + ".api_keys[" + k + "].id", key.id());
                requireSecret(at + ".api_keys[" + k + "].secret", key.secret());
                if (!keys.add(key.id())) {
                    fail(at + ".api_keys[" + k + "].id: duplicate key " + key.id());
                }
                if (!secrets.add(key.secret())) {
                    fail(at + ".api_keys[" + k + "].secret: the same secret as another key (expected: one secret "
                            + "per key, so a Bearer secret names its account)");
                }
            }
            Set<String> users = new HashSet<>();
            for (int i = 0; i < account.agents().size(); i++) {
                var agent = account.agents().get(i);
                String where = at + ".agents[" + i + "]";
                requireName(where + ".user", agent.user());
                if (agent.user().length() > Limits.USER_MAX) {
                    fail(where + ".user: longer than " + Limits.USER_MAX + " characters");
                }
                if (!users.add(agent.user())) {
                    fail(where + ".user: duplicate user " + agent.user());
                }
                requireSecret(where + ".token", agent.token());
                if (agent.schedule() != null) {
                    try {
                        BusinessHours.of(agent.schedule());
                    } catch (IllegalArgumentException e) {
                        fail(where + ".schedule." + e.getMessage());
                    }
                }
                if (!tokens.add(agent.token())) {
                    fail(where + ".token: the same token as another agent (expected: one token per agent)");
                }
                if (agent.limit() < Limits.GUEST_LIMIT_MIN || agent.limit() > Limits.GUEST_LIMIT_MAX) {
                    fail(where + ".limit: " + agent.limit() + " (expected: " + Limits.GUEST_LIMIT_MIN + ".."
                            + Limits.GUEST_LIMIT_MAX + ")");
                }
                if (agent.groups() != null) {
                    for (String group : agent.groups()) {
                        if (!groups.contains(group)) {
                            fail(where + ".groups: " + group + " is not a group of account " + account.id());
                        }
                    }
                }
            }
        }
        var timings = config.timings();
        positive("timings.resume_grace_ms", timings.resumeGraceMs());
        positive("timings.queuepos_interval_ms", timings.queueposIntervalMs());
        positive("timings.ping_interval_ms", timings.pingIntervalMs());
        positive("timings.reserve_for_seconds", timings.reserveForSeconds());
        positive("timings.shutdown_grace_ms", timings.shutdownGraceMs());
        positive("timings.transcript_retention_ms", timings.transcriptRetentionMs());
        positive("timings.sse_keepalive_ms", timings.sseKeepaliveMs());
        positive("timings.handshake_timeout_ms", timings.handshakeTimeoutMs());
        positive("timings.http_idle_ms", timings.httpIdleMs());
        positive("timings.identify_deadline_ms", timings.identifyDeadlineMs());
        positive("timings.unserved_retention_ms", timings.unservedRetentionMs());
        positive("timings.store_retry_max_ms", timings.storeRetryMaxMs());
        positive("timings.waiting_grace_ms", timings.waitingGraceMs());
        checkMail(config);
        if (timings.sseSpreadMs() < 0 || timings.sseSpreadMs() >= timings.queueposIntervalMs()) {
            fail("timings.sse_spread_ms: " + timings.sseSpreadMs() + " (expected: 0 or more, less than "
                    + "timings.queuepos_interval_ms, " + timings.queueposIntervalMs() + ")");
        }
        within("timings.store_commit_gap_us", timings.storeCommitGapUs(), 0, 100_000);
        var limits = config.limits();
        if (limits.maxFrameBytes() < 1024) {
            fail("limits.max_frame_bytes: " + limits.maxFrameBytes() + " (expected: at least 1024)");
        }
        positive("limits.requests_per_second", limits.requestsPerSecond());
        positive("limits.request_burst", limits.requestBurst());
        positive("limits.queue_position_calls_per_minute", limits.queuePositionCallsPerMinute());
        positive("limits.failed_logins_per_minute", limits.failedLoginsPerMinute());
        positive("limits.connections_per_address", limits.connectionsPerAddress());
        positive("limits.identifies_per_address_per_minute", limits.identifiesPerAddressPerMinute());
        positive("limits.max_queue_length", limits.maxQueueLength());
        positive("limits.sse_streams_per_reservation", limits.sseStreamsPerReservation());
        positive("limits.sse_streams_per_address", limits.sseStreamsPerAddress());
        positive("limits.failed_api_keys_per_address_per_minute", limits.failedApiKeysPerAddressPerMinute());
        positive("limits.transcript_tail_messages", limits.transcriptTailMessages());
        positive("limits.store_queue_turns", limits.storeQueueTurns());
        positive("limits.guest_emails_per_address_per_hour", limits.guestEmailsPerAddressPerHour());
        positive("limits.guest_emails_per_account_per_hour", limits.guestEmailsPerAccountPerHour());
        positive("limits.messages_per_address_per_hour", limits.messagesPerAddressPerHour());
        positive("limits.canned_replies_per_account", limits.cannedRepliesPerAccount());
        positive("limits.canned_replies_per_agent", limits.cannedRepliesPerAgent());
        if (limits.maxHttpBodyBytes() < 1024) {
            fail("limits.max_http_body_bytes: " + limits.maxHttpBodyBytes() + " (expected: at least 1024)");
        }
        if (limits.slowReaderBytes() < 65_536) {
            fail("limits.slow_reader_bytes: " + limits.slowReaderBytes() + " (expected: at least 65536)");
        }
    }

    private static void checkMail(ServerConfig config) {
        if (config.publicUrl() != null && !config.publicUrl().matches("https?://[^\\s/]+(/\\S*)?")) {
            fail("public_url: " + config.publicUrl() + " (expected: http(s)://HOST[:PORT][/PATH])");
        }
        ServerConfig.Smtp smtp = config.smtp();
        if (smtp != null) {
            requireName("smtp.host", smtp.host());
            within("smtp.port", smtp.port(), 1, 65_535);
            oneOf("smtp.security", smtp.security(), "starttls", "tls", "none");
            if (smtp.from() == null || !smtp.from().matches("[^\\s@]+@[^\\s@]+")) {
                fail("smtp.from: " + smtp.from() + " (expected: the address email is sent from, such as "
                        + "support@example.com)");
            }
            if (smtp.replyTo() != null && !smtp.replyTo().matches("[^\\s@]*\\{token}[^\\s@]*@[^\\s@]+")) {
                fail("smtp.reply_to: " + smtp.replyTo() + " (expected: an address with {token} in its local part, "
                        + "such as support+{token}@example.com)");
            }
            if ((smtp.user() == null) != (smtp.password() == null)) {
                fail("smtp.user and smtp.password: give both or neither");
            }
            within("smtp.timeout_ms", smtp.timeoutMs(), 100, 600_000);
            within("smtp.retry_max_ms", smtp.retryMaxMs(), 100, 86_400_000);
        }
        ServerConfig.Imap imap = config.imap();
        if (imap != null) {
            if (smtp == null || smtp.replyTo() == null) {
                fail("imap: needs smtp with reply_to (guests answer to the reply-to address; imap reads its mailbox)");
            }
            requireName("imap.host", imap.host());
            within("imap.port", imap.port(), 1, 65_535);
            oneOf("imap.security", imap.security(), "starttls", "tls", "none");
            requireName("imap.user", imap.user());
            requireName("imap.password", imap.password());
            requireName("imap.folder", imap.folder());
            within("imap.poll_ms", imap.pollMs(), 100, 86_400_000);
            within("imap.timeout_ms", imap.timeoutMs(), 100, 600_000);
        }
        if (config.push() != null && smtp == null) {
            fail("push: needs smtp (a push goes with the email when an agent is ready for a guest whose place is "
                    + "kept)");
        }
        checkPush(config.push());
    }

    private static void checkPush(ServerConfig.Push push) {
        if (push == null) {
            return;
        }
        // Their shape here; that the public key is a point of P-256 is checked when the sender starts.
        byte[] publicKey = base64url(push.publicKey());
        if (publicKey == null || publicKey.length != 65 || publicKey[0] != 4) {
            fail("push.public_key: not a P-256 public key in base64url (java -jar switchboard-server.jar "
                    + "--vapid-keys prints a new pair)");
        }
        byte[] privateKey = base64url(push.privateKey());
        if (privateKey == null || privateKey.length != 32) {
            fail("push.private_key: not a P-256 private key in base64url (java -jar switchboard-server.jar "
                    + "--vapid-keys prints a new pair)");
        }
        if (push.subject() == null || !push.subject().matches("(mailto:\\S+@\\S+|https://\\S+)")) {
            fail("push.subject: " + push.subject() + " (expected: a contact for the push services, "
                    + "mailto:support@example.com or an https:// URL)");
        }
        for (int i = 0; i < push.endpoints().size(); i++) {
            if (!push.endpoints().get(i).matches("https?://[^/\\s]+/\\S*")) {
                fail("push.endpoints[" + i + "]: " + push.endpoints().get(i) + " (expected: a URL prefix such as "
                        + "https://fcm.googleapis.com/)");
            }
        }
        within("push.ttl_seconds", push.ttlSeconds(), 0, 2_419_200);
    }

    private static byte[] base64url(String text) {
        if (text == null) {
            return null;
        }
        try {
            return java.util.Base64.getUrlDecoder().decode(text.replace("=", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static void oneOf(String key, String value, String... allowed) {
        if (!List.of(allowed).contains(value)) {
            fail(key + ": " + value + " (expected: one of " + String.join(", ", allowed) + ")");
        }
    }

    private static void checkClusterRanges(ServerConfig.Cluster cluster) {
        within("cluster.lease_ms", cluster.leaseMs(), 1_000, 600_000);
        within("cluster.renew_ms", cluster.renewMs(), 100, cluster.leaseMs() / 2);
        within("cluster.forward_wait_ms", cluster.forwardWaitMs(), 0, 600_000);
        within("cluster.redis_timeout_ms", cluster.redisTimeoutMs(), 100, 600_000);
        if (cluster.node() != null) {
            requireName("cluster.node", cluster.node());
        }
        if (cluster.advertise() != null && !cluster.advertise().matches("[^\\s/:]+:\\d{1,5}")) {
            fail("cluster.advertise: " + cluster.advertise() + " (expected: HOST:PORT)");
        }
    }

    /**
     * Checks a cluster configuration once the command line had its say ({@code --node}, {@code --redis}): both must be
     * known by then.
     *
     * @throws ConfigException when one is missing
     */
    public static void checkCluster(ServerConfig config) {
        ServerConfig.Cluster cluster = config.cluster();
        if (cluster == null) {
            return;
        }
        if (cluster.redis() == null || cluster.redis().isBlank()) {
            fail("cluster.redis: missing (expected: a Redis URL such as redis://127.0.0.1:6379/0, or --redis URL)");
        }
        if (cluster.node() == null) {
            fail("cluster.node: missing (expected: this node's id, such as n1, or --node ID)");
        }
        checkClusterRanges(cluster);
    }

    private static void within(String key, long value, long min, long max) {
        if (value < min || value > max) {
            fail(key + ": " + value + " (expected: " + min + ".." + max + ")");
        }
    }

    private static void positive(String key, long value) {
        if (value <= 0) {
            fail(key + ": " + value + " (expected: more than 0)");
        }
    }

    private static void notNegative(String key, long value) {
        if (value < 0) {
            fail(key + ": " + value + " (expected: 0 for off, or more)");
        }
    }

    private static void requireName(String key, String value) {
        if (value == null || value.isBlank()) {
            fail(key + ": missing (expected: a non-empty name)");
        }
    }

    private static void requireSecret(String key, String value) {
        if (value == null || value.isEmpty()) {
            fail(key + ": missing (expected: a secret of at least " + SECRET_MIN + " characters)");
        }
        int length = value.codePointCount(0, value.length());
        if (length < SECRET_MIN) {
            fail(key + ": " + length + " characters (expected: at least " + SECRET_MIN + "; a short secret can be "
                    + "guessed)");
        }
    }

    private static void fail(String message) {
        throw new ConfigException("configuration: " + message);
    }
}
