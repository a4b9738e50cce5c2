package io.switchboard.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * The whole configuration (contract §4). Every key but {@code accounts} is optional and takes its default; read it
 * with {@link ConfigLoader}, which also checks it.
 */
public record ServerConfig(
        String host,
        Integer port,
        @JsonProperty("data_dir") String dataDir,
        Durability durability,
        @JsonProperty("allowed_origins") List<String> allowedOrigins,
        @JsonProperty("trusted_proxies") List<String> trustedProxies,
        @JsonProperty("metrics_token") String metricsToken,
        @JsonProperty("desk_threads") Integer deskThreads,
        List<AccountConfig> accounts,
        Timings timings,
        Limits limits,
        Cluster cluster,
        @JsonProperty("public_url") String publicUrl,
        Smtp smtp,
        Imap imap,
        Push push) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_DATA_DIR = "switchboard-data";

    public ServerConfig {
        host = host == null ? DEFAULT_HOST : host;
        port = port == null ? DEFAULT_PORT : port;
        dataDir = dataDir == null ? DEFAULT_DATA_DIR : dataDir;
        durability = durability == null ? Durability.FSYNC : durability;
        allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        deskThreads = deskThreads == null ? 1 : deskThreads;
        accounts = accounts == null ? null : List.copyOf(accounts);
        timings = timings == null ? Timings.DEFAULTS : timings;
        limits = limits == null ? Limits.DEFAULTS : limits;
    }

    /** Whether this server is one node of a cluster on Redis (else: one server on SQLite, the embedded default). */
    public boolean clustered() {
        return cluster != null;
    }

    /** The same configuration on another host, port or data directory (command-line overrides). */
    public ServerConfig with(String newHost, Integer newPort, String newDataDir) {
        return new ServerConfig(newHost == null ? host : newHost, newPort == null ? port : newPort,
                newDataDir == null ? dataDir : newDataDir, durability, allowedOrigins, trustedProxies, metricsToken,
                deskThreads, accounts, timings, limits, cluster, publicUrl, smtp, imap, push);
    }

    /** The same configuration with the cluster's node id or Redis URL overridden (--node, --redis). */
    public ServerConfig withCluster(String node, String redis) {
        if (node == null && redis == null) {
            return this;
        }
        Cluster base = cluster != null ? cluster : new Cluster(null, null, null, null, null, null, null, null);
        return new ServerConfig(host, port, dataDir, durability, allowedOrigins, trustedProxies, metricsToken,
                deskThreads, accounts, timings, limits, base.with(node, redis), publicUrl, smtp, imap, push);
    }

    /** Whether the server sends email (an {@code smtp} section): only then does the widget offer email options. */
    public boolean email() {
        return smtp != null;
    }

    /**
     * Where guests' browsers reach this server's pages ({@code public_url}, without a trailing slash): the base of the
     * links in emails. Default: {@code http://HOST:PORT} of this server.
     */
    public String publicBase() {
        String base = publicUrl != null ? publicUrl : "http://" + host + ":" + port;
        return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
    }

    /** The queue length past which a group takes no new guest: its own setting, or {@code limits.max_queue_length}. */
    public int maxQueueLength(GroupConfig group) {
        return group.maxQueueLength() != null ? group.maxQueueLength() : limits.maxQueueLength();
    }

    @Override
    public String toString() {
        return "ServerConfig[host=" + host + ", port=" + port + ", dataDir=" + dataDir + ", durability=" + durability
                + ", allowedOrigins=" + allowedOrigins + ", trustedProxies=" + trustedProxies + ", metricsToken="
                + (metricsToken == null ? "none" : "(hidden)") + ", deskThreads=" + deskThreads + ", accounts="
                + accounts + ", timings=" + timings
                + ", limits=" + limits + ", cluster=" + cluster + ", publicUrl=" + publicUrl + ", smtp=" + smtp
                + ", imap=" + imap + ", push=" + push + "]";
    }

    /** A tenant: its API keys, groups (queues) and agents. */
    public record AccountConfig(
            String id,
            @JsonProperty("api_keys") List<ApiKeyConfig> apiKeys,
            List<GroupConfig> groups,
            List<AgentConfig> agents) {
        public AccountConfig {
            apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
            groups = groups == null ? List.of() : List.copyOf(groups);
            agents = agents == null ? List.of() : List.copyOf(agents);
        }
    }

    /** An API key of an account for the REST routes. */
    public record ApiKeyConfig(String id, String secret) {
        @Override
        public String toString() {
            return "ApiKeyConfig[id=" + id + ", secret=(hidden)]";
        }
    }

    /**
     * A group (queue): its routing mode, optionally its own queue length limit, its business hours (absent: always
     * open), the estimate past which the widget calls it busy ({@code busy_after_seconds}, 300), and how soon a message
     * left for it should be answered ({@code reply_within_seconds}, 86400: the SLA clock agents see).
     */
    public record GroupConfig(String name, Routing routing, @JsonProperty("max_queue_length") Integer maxQueueLength,
                              Hours hours, @JsonProperty("busy_after_seconds") Integer busyAfterSeconds,
                              @JsonProperty("reply_within_seconds") Integer replyWithinSeconds,
                              @JsonProperty("unanswered_alert_seconds") Integer unansweredAlertSeconds,
                              @JsonProperty("offer_timeout_seconds") Integer offerTimeoutSeconds,
                              @JsonProperty("offers_missed_before_away") Integer offersMissedBeforeAway,
                              @JsonProperty("auto_away_seconds") Integer autoAwaySeconds) {
        public static final int DEFAULT_BUSY_AFTER_SECONDS = 300;
        public static final int DEFAULT_REPLY_WITHIN_SECONDS = 86_400;
        public static final int DEFAULT_OFFERS_MISSED_BEFORE_AWAY = 3;

        /**
         * The agent workspace's per-group settings, 0 meaning off (the default): alert when a guest's message waits
         * {@code unanswered_alert_seconds} for an answer; offer each guest to an agent for {@code
         * offer_timeout_seconds} before assigning (and set away an agent who lets {@code offers_missed_before_away}
         * run out in a row, 3); set away an agent whose console has been hidden and idle {@code auto_away_seconds}.
         */
        public GroupConfig {
            routing = routing == null ? Routing.AUTO : routing;
            busyAfterSeconds = busyAfterSeconds == null ? DEFAULT_BUSY_AFTER_SECONDS : busyAfterSeconds;
            replyWithinSeconds = replyWithinSeconds == null ? DEFAULT_REPLY_WITHIN_SECONDS : replyWithinSeconds;
            unansweredAlertSeconds = unansweredAlertSeconds == null ? 0 : unansweredAlertSeconds;
            offerTimeoutSeconds = offerTimeoutSeconds == null ? 0 : offerTimeoutSeconds;
            offersMissedBeforeAway = offersMissedBeforeAway == null ? DEFAULT_OFFERS_MISSED_BEFORE_AWAY
                    : offersMissedBeforeAway;
            autoAwaySeconds = autoAwaySeconds == null ? 0 : autoAwaySeconds;
        }

        public GroupConfig(String name, Routing routing, Integer maxQueueLength, Hours hours,
                           Integer busyAfterSeconds, Integer replyWithinSeconds) {
            this(name, routing, maxQueueLength, hours, busyAfterSeconds, replyWithinSeconds, null, null, null, null);
        }

        public GroupConfig(String name, Routing routing) {
            this(name, routing, null, null, null, null);
        }
    }

    /**
     * When a group answers: its time zone, weekly opening spans ({@code days}: mon..sun, {@code from} and {@code to}:
     * HH:MM, {@code to} may be 24:00), and dates it is closed all day (YYYY-MM-DD, in its time zone).
     */
    public record Hours(@JsonProperty("time_zone") String timeZone, List<Span> weekly,
                        @JsonProperty("closed_dates") List<String> closedDates) {
        public Hours {
            weekly = weekly == null ? List.of() : List.copyOf(weekly);
            closedDates = closedDates == null ? List.of() : List.copyOf(closedDates);
        }

        /** One weekly opening span. */
        public record Span(List<String> days, String from, String to) {
        }
    }

    /**
     * Outgoing email: the SMTP server ({@code security}: {@code starttls} (default), {@code tls} or {@code none}), the
     * sender, and the reply-to address of conversations by email, where {@code {token}} stands for each conversation's
     * unguessable token ({@code support+{token}@example.com}; most mail hosts deliver such plus addresses to the
     * mailbox {@code imap} reads). {@code link_url}: the page that opens the widget from a link in an email (default:
     * the public URL's /demo). Sends are retried with backoff up to {@code retry_max_ms} apart (300000).
     */
    public record Smtp(String host, Integer port, String security, String user, String password, String from,
                       @JsonProperty("reply_to") String replyTo, @JsonProperty("link_url") String linkUrl,
                       @JsonProperty("timeout_ms") Long timeoutMs, @JsonProperty("retry_max_ms") Long retryMaxMs) {
        public Smtp {
            security = security == null ? "starttls" : security;
            port = port == null ? ("tls".equals(security) ? 465 : "none".equals(security) ? 25 : 587) : port;
            timeoutMs = timeoutMs == null ? 30_000L : timeoutMs;
            retryMaxMs = retryMaxMs == null ? 300_000L : retryMaxMs;
        }

        @Override
        public String toString() {
            return "Smtp[host=" + host + ", port=" + port + ", security=" + security + ", user=" + user
                    + ", password=" + (password == null ? "none" : "(hidden)") + ", from=" + from + ", replyTo="
                    + replyTo + ", linkUrl=" + linkUrl + "]";
        }
    }

    /**
     * Web Push for guests whose place is kept (with email: the push goes with the email when an agent is ready): the
     * server's VAPID key pair (base64url; {@code --vapid-keys} prints a new one), the contact in its tokens ({@code
     * subject}: {@code mailto:} or {@code https:}), the push services the server may call ({@code endpoints}: URL
     * prefixes, {@code *} standing for letters, digits and hyphens in a host name; the big browsers' services by
     * default), and
     * how long a push service keeps a message for a browser that is offline ({@code ttl_seconds}, 600).
     */
    public record Push(@JsonProperty("public_key") String publicKey, @JsonProperty("private_key") String privateKey,
                       String subject, List<String> endpoints, @JsonProperty("ttl_seconds") Long ttlSeconds) {
        /** The push services of Chrome, Firefox, Safari and Edge. */
        public static final List<String> DEFAULT_ENDPOINTS = List.of("https://fcm.googleapis.com/",
                "https://updates.push.services.mozilla.com/", "https://web.push.apple.com/",
                "https://*.notify.windows.com/");

        public Push {
            endpoints = endpoints == null ? DEFAULT_ENDPOINTS : List.copyOf(endpoints);
            ttlSeconds = ttlSeconds == null ? 600L : ttlSeconds;
        }

        /** Whether the server may post to this endpoint (it starts with one of {@code endpoints}). */
        public boolean allows(String endpoint) {
            for (String prefix : endpoints) {
                String pattern = java.util.regex.Pattern.quote(prefix).replace("*", "\\E[A-Za-z0-9-]+\\Q");
                if (endpoint.matches(pattern + ".*")) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return "Push[publicKey=" + publicKey + ", privateKey=(hidden), subject=" + subject + ", endpoints="
                    + endpoints + ", ttlSeconds=" + ttlSeconds + "]";
        }
    }

    /**
     * Incoming email: the mailbox where guests' answers arrive (the reply-to addresses' mailbox), read every {@code
     * poll_ms} (30000) over IMAP ({@code security}: {@code tls} (default), {@code starttls} or {@code none}). A mail
     * taken into a conversation is deleted from it; one that names no conversation is left there, flagged.
     */
    public record Imap(String host, Integer port, String security, String user, String password, String folder,
                       @JsonProperty("poll_ms") Long pollMs, @JsonProperty("timeout_ms") Long timeoutMs) {
        public Imap {
            security = security == null ? "tls" : security;
            port = port == null ? ("tls".equals(security) ? 993 : 143) : port;
            folder = folder == null ? "INBOX" : folder;
            pollMs = pollMs == null ? 30_000L : pollMs;
            timeoutMs = timeoutMs == null ? 30_000L : timeoutMs;
        }

        @Override
        public String toString() {
            return "Imap[host=" + host + ", port=" + port + ", security=" + security + ", user=" + user
                    + ", password=" + (password == null ? "none" : "(hidden)") + ", folder=" + folder + ", pollMs="
                    + pollMs + "]";
        }
    }

    /** An agent; {@code groups} absent means every group of the account. */
    public record AgentConfig(String user, String token, List<String> groups, Integer limit, Boolean supervisor,
                              Hours schedule) {
        public static final int DEFAULT_LIMIT = 3;

        /**
         * {@code schedule} (optional, the shape of a group's {@code hours}): when the agent is expected to work. It
         * sets nobody's availability; the wait estimate counts on the agent's capacity within it (a shift that
         * starts, one that ends).
         */
        public AgentConfig {
            groups = groups == null ? null : List.copyOf(groups);
            limit = limit == null ? DEFAULT_LIMIT : limit;
            supervisor = supervisor != null && supervisor;
        }

        public AgentConfig(String user, String token, List<String> groups, Integer limit, Boolean supervisor) {
            this(user, token, groups, limit, supervisor, null);
        }

        @Override
        public String toString() {
            return "AgentConfig[user=" + user + ", token=(hidden), groups=" + groups + ", limit=" + limit
                    + ", supervisor=" + supervisor + ", schedule=" + schedule + "]";
        }
    }

    /**
     * Cluster mode: several nodes share one Redis, which holds every account's durable state, its lease and its fencing
     * epoch; each account has one owner node at a time, and any node takes any connection and request and forwards it
     * to the owner (docs/design.md#cluster-mode). {@code redis}: a Lettuce URI ({@code redis://HOST:PORT/DB}, {@code
     * rediss://} for TLS, {@code redis-sentinel://HOST:PORT/DB#MASTER} for Sentinel, {@code
     * redis-cluster://HOST:PORT,HOST:PORT} for a Redis Cluster); {@code node}: this node's id;
     * {@code lease_ms}: how long an owner holds an account without renewing it (5000); {@code renew_ms}: how often it
     * renews (a third of the lease); {@code forward_wait_ms}: how long a node holds a request for an account that no node
     * holds right now before it answers 1012 / 503 (lease_ms + 5000); {@code advertise}: the HOST:PORT other nodes reach
     * this one at (this server's host and port); {@code audit}: record every commit's epoch and node in Redis (tests of
     * fencing; off).
     */
    public record Cluster(String redis, String node, @JsonProperty("lease_ms") Long leaseMs,
                          @JsonProperty("renew_ms") Long renewMs,
                          @JsonProperty("forward_wait_ms") Long forwardWaitMs, String advertise, Boolean audit,
                          @JsonProperty("redis_timeout_ms") Long redisTimeoutMs) {
        public static final long DEFAULT_LEASE_MS = 5_000;

        public Cluster {
            leaseMs = leaseMs == null ? DEFAULT_LEASE_MS : leaseMs;
            renewMs = renewMs == null ? Math.max(1, leaseMs / 3) : renewMs;
            forwardWaitMs = forwardWaitMs == null ? leaseMs + 5_000 : forwardWaitMs;
            audit = audit != null && audit;
            redisTimeoutMs = redisTimeoutMs == null ? 2_000 : redisTimeoutMs;
        }

        Cluster with(String newNode, String newRedis) {
            return new Cluster(newRedis == null ? redis : newRedis, newNode == null ? node : newNode, leaseMs, renewMs,
                    forwardWaitMs, advertise, audit, redisTimeoutMs);
        }

        @Override
        public String toString() {
            // The URL may carry a password.
            String where = redis == null ? null : redis.replaceAll("//[^@/]*@", "//(hidden)@");
            return "Cluster[node=" + node + ", redis=" + where
                    + ", leaseMs=" + leaseMs + ", renewMs=" + renewMs + ", forwardWaitMs=" + forwardWaitMs
                    + ", advertise=" + advertise + ", audit=" + audit + "]";
        }
    }

    /** Every timer of the server, in milliseconds unless the name says otherwise. */
    public record Timings(
            @JsonProperty("resume_grace_ms") Long resumeGraceMs,
            @JsonProperty("queuepos_interval_ms") Long queueposIntervalMs,
            @JsonProperty("ping_interval_ms") Long pingIntervalMs,
            @JsonProperty("reserve_for_seconds") Integer reserveForSeconds,
            @JsonProperty("shutdown_grace_ms") Long shutdownGraceMs,
            @JsonProperty("transcript_retention_ms") Long transcriptRetentionMs,
            @JsonProperty("sse_keepalive_ms") Long sseKeepaliveMs,
            @JsonProperty("handshake_timeout_ms") Long handshakeTimeoutMs,
            @JsonProperty("http_idle_ms") Long httpIdleMs,
            @JsonProperty("identify_deadline_ms") Long identifyDeadlineMs,
            @JsonProperty("unserved_retention_ms") Long unservedRetentionMs,
            @JsonProperty("store_retry_max_ms") Long storeRetryMaxMs,
            @JsonProperty("store_commit_gap_us") Long storeCommitGapUs,
            @JsonProperty("sse_spread_ms") Long sseSpreadMs,
            @JsonProperty("waiting_grace_ms") Long waitingGraceMs) {
        public static final Timings DEFAULTS = new Timings(null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null);

        public Timings {
            resumeGraceMs = resumeGraceMs == null ? 60_000L : resumeGraceMs;
            queueposIntervalMs = queueposIntervalMs == null ? 1_000L : queueposIntervalMs;
            pingIntervalMs = pingIntervalMs == null ? 30_000L : pingIntervalMs;
            reserveForSeconds = reserveForSeconds == null ? 180 : reserveForSeconds;
            shutdownGraceMs = shutdownGraceMs == null ? 10_000L : shutdownGraceMs;
            transcriptRetentionMs = transcriptRetentionMs == null ? 86_400_000L : transcriptRetentionMs;
            sseKeepaliveMs = sseKeepaliveMs == null ? 15_000L : sseKeepaliveMs;
            handshakeTimeoutMs = handshakeTimeoutMs == null ? 10_000L : handshakeTimeoutMs;
            httpIdleMs = httpIdleMs == null ? 60_000L : httpIdleMs;
            identifyDeadlineMs = identifyDeadlineMs == null ? 30_000L : identifyDeadlineMs;
            unservedRetentionMs = unservedRetentionMs == null ? 300_000L : unservedRetentionMs;
            storeRetryMaxMs = storeRetryMaxMs == null ? 5_000L : storeRetryMaxMs;
            storeCommitGapUs = storeCommitGapUs == null ? 500L : storeCommitGapUs;
            sseSpreadMs = sseSpreadMs == null ? Math.min(500L, queueposIntervalMs / 2) : sseSpreadMs;
            waitingGraceMs = waitingGraceMs == null ? 600_000L : waitingGraceMs;
        }
    }

    /** Sizes and rates. */
    public record Limits(
            @JsonProperty("max_frame_bytes") Integer maxFrameBytes,
            @JsonProperty("requests_per_second") Integer requestsPerSecond,
            @JsonProperty("request_burst") Integer requestBurst,
            @JsonProperty("queue_position_calls_per_minute") Integer queuePositionCallsPerMinute,
            @JsonProperty("max_http_body_bytes") Integer maxHttpBodyBytes,
            @JsonProperty("slow_reader_bytes") Long slowReaderBytes,
            @JsonProperty("failed_logins_per_minute") Integer failedLoginsPerMinute,
            @JsonProperty("connections_per_address") Integer connectionsPerAddress,
            @JsonProperty("identifies_per_address_per_minute") Integer identifiesPerAddressPerMinute,
            @JsonProperty("max_queue_length") Integer maxQueueLength,
            @JsonProperty("sse_streams_per_reservation") Integer sseStreamsPerReservation,
            @JsonProperty("sse_streams_per_address") Integer sseStreamsPerAddress,
            @JsonProperty("failed_api_keys_per_address_per_minute") Integer failedApiKeysPerAddressPerMinute,
            @JsonProperty("transcript_tail_messages") Integer transcriptTailMessages,
            @JsonProperty("store_queue_turns") Integer storeQueueTurns,
            @JsonProperty("guest_emails_per_address_per_hour") Integer guestEmailsPerAddressPerHour,
            @JsonProperty("guest_emails_per_account_per_hour") Integer guestEmailsPerAccountPerHour,
            @JsonProperty("messages_per_address_per_hour") Integer messagesPerAddressPerHour,
            @JsonProperty("canned_replies_per_account") Integer cannedRepliesPerAccount,
            @JsonProperty("canned_replies_per_agent") Integer cannedRepliesPerAgent) {
        public static final Limits DEFAULTS = new Limits(null, null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null);

        public Limits {
            maxFrameBytes = maxFrameBytes == null ? 65_536 : maxFrameBytes;
            requestsPerSecond = requestsPerSecond == null ? 20 : requestsPerSecond;
            requestBurst = requestBurst == null ? 40 : requestBurst;
            queuePositionCallsPerMinute = queuePositionCallsPerMinute == null ? 2 : queuePositionCallsPerMinute;
            maxHttpBodyBytes = maxHttpBodyBytes == null ? 65_536 : maxHttpBodyBytes;
            slowReaderBytes = slowReaderBytes == null ? 16L * 1024 * 1024 : slowReaderBytes;
            failedLoginsPerMinute = failedLoginsPerMinute == null ? 10 : failedLoginsPerMinute;
            connectionsPerAddress = connectionsPerAddress == null ? 20 : connectionsPerAddress;
            identifiesPerAddressPerMinute = identifiesPerAddressPerMinute == null ? 30 : identifiesPerAddressPerMinute;
            maxQueueLength = maxQueueLength == null ? 1_000 : maxQueueLength;
            sseStreamsPerReservation = sseStreamsPerReservation == null ? 5 : sseStreamsPerReservation;
            sseStreamsPerAddress = sseStreamsPerAddress == null ? 10 : sseStreamsPerAddress;
            failedApiKeysPerAddressPerMinute = failedApiKeysPerAddressPerMinute == null ? 30
                    : failedApiKeysPerAddressPerMinute;
            transcriptTailMessages = transcriptTailMessages == null ? 64 : transcriptTailMessages;
            storeQueueTurns = storeQueueTurns == null ? 20_000 : storeQueueTurns;
            guestEmailsPerAddressPerHour = guestEmailsPerAddressPerHour == null ? 5 : guestEmailsPerAddressPerHour;
            guestEmailsPerAccountPerHour = guestEmailsPerAccountPerHour == null ? 1_000
                    : guestEmailsPerAccountPerHour;
            messagesPerAddressPerHour = messagesPerAddressPerHour == null ? 10 : messagesPerAddressPerHour;
            cannedRepliesPerAccount = cannedRepliesPerAccount == null ? 500 : cannedRepliesPerAccount;
            cannedRepliesPerAgent = cannedRepliesPerAgent == null ? 100 : cannedRepliesPerAgent;
        }
    }
}
