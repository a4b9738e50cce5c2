package io.switchboard.server.transport;

import io.switchboard.protocol.Codec;
import io.switchboard.server.DeskLoop;
import io.switchboard.server.config.Secrets;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.CallLimiter;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.metrics.ServerMetrics;
import io.switchboard.server.store.Release;

/**
 * What the transport's handlers share. Everything in it is thread-safe; the desk is only called on the desk loop, and
 * what the desk says leaves through {@link #release}.
 */
public final class HttpServices {
    private final Codec codec;
    private final DeskLoop loop;
    private final Desk desk;
    private final ServerState state;
    private final ServerMetrics metrics;
    private final ApiKeys apiKeys;
    private final OriginPolicy origins;
    private final ClientAddresses addresses;
    private final AddressCounts connections;
    private final AddressCounts streams;
    private final CallLimiter failedKeys;
    private final byte[] metricsToken;
    private final Release release;
    private final ServerConfig.Timings timings;
    private final ServerConfig.Limits limits;

    private HttpServices(ServerConfig config, Codec codec, DeskLoop loop, Desk desk, ServerState state,
                         ServerMetrics metrics, Release release) {
        this.codec = codec;
        this.loop = loop;
        this.desk = desk;
        this.state = state;
        this.metrics = metrics;
        this.release = release;
        this.apiKeys = new ApiKeys(config);
        this.origins = new OriginPolicy(config.allowedOrigins());
        this.addresses = new ClientAddresses(config.trustedProxies());
        this.timings = config.timings();
        this.limits = config.limits();
        this.connections = new AddressCounts(limits.connectionsPerAddress());
        this.streams = new AddressCounts(limits.sseStreamsPerAddress());
        this.failedKeys = new CallLimiter(System::currentTimeMillis, limits.failedApiKeysPerAddressPerMinute(), 60_000);
        this.metricsToken = config.metricsToken() == null ? null : Secrets.digest(config.metricsToken());
    }

    public static HttpServices of(ServerConfig config, Codec codec, DeskLoop loop, Desk desk, ServerState state,
                                  ServerMetrics metrics, Release release) {
        return new HttpServices(config, codec, loop, desk, state, metrics, release);
    }

    Codec codec() {
        return codec;
    }

    DeskLoop loop() {
        return loop;
    }

    Desk desk() {
        return desk;
    }

    ServerState state() {
        return state;
    }

    ServerMetrics metrics() {
        return metrics;
    }

    ApiKeys apiKeys() {
        return apiKeys;
    }

    OriginPolicy origins() {
        return origins;
    }

    ClientAddresses addresses() {
        return addresses;
    }

    /** Connections per client address ({@code limits.connections_per_address}). */
    AddressCounts connections() {
        return connections;
    }

    /** Event streams per client address ({@code limits.sse_streams_per_address}). */
    AddressCounts streams() {
        return streams;
    }

    long keepaliveMs() {
        return timings.sseKeepaliveMs();
    }

    long slowReaderBytes() {
        return limits.slowReaderBytes();
    }

    int requestsPerSecond() {
        return limits.requestsPerSecond();
    }

    int requestBurst() {
        return limits.requestBurst();
    }

    long pingIntervalMs() {
        return timings.pingIntervalMs();
    }

    long handshakeTimeoutMs() {
        return timings.handshakeTimeoutMs();
    }

    long httpIdleMs() {
        return timings.httpIdleMs();
    }

    /**
     * Runs {@code task} (a reply, an SSE event) on its line once it may leave: once every change the desk made so far
     * is durable when it {@code reveals} desk state, else after what waits on its line. Desk thread only.
     */
    void afterDurable(Release.Line line, boolean reveals, Runnable task) {
        release.after(line, reveals, task);
    }

    /** How many batches of changes the desk has handed to the store: moved by a turn that changed something. */
    long submitted() {
        return release.submitted();
    }

    /**
     * Seconds until an address whose API keys keep failing may try again (0: now). Failures are counted per address
     * over a minute ({@code limits.failed_api_keys_per_address_per_minute}); a valid key is never refused for them.
     */
    long failedKeysRetryAfter(String address) {
        if (address == null) {
            return 0;
        }
        synchronized (failedKeys) {
            return failedKeys.retryAfter(address);
        }
    }

    /** Counts a request with a missing or wrong API key from the address. */
    void failedKey(String address) {
        if (address != null) {
            synchronized (failedKeys) {
                failedKeys.record(address);
            }
        }
    }

    /** Whether {@code /metrics} may be read with this {@code Authorization} (always, when no token is set). */
    boolean metricsAllowed(String authorization) {
        if (metricsToken == null) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        return Secrets.same(metricsToken, Secrets.digest(authorization.substring(7).trim()));
    }
}
