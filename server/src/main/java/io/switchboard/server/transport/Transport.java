package io.switchboard.server.transport;

import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.switchboard.protocol.Codec;
import io.switchboard.server.config.Secrets;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.CallLimiter;
import io.switchboard.server.gate.DeskGate;
import io.switchboard.server.gate.Placement;
import io.switchboard.server.gate.Release;
import io.switchboard.server.metrics.ServerMetrics;
import java.util.function.Supplier;

/**
 * What the transport's handlers share: the codec, the {@link DeskGate} (the only way to the desks), the metrics, the
 * API keys and every per-address rule, the {@link Release} (WebSocket frames, REST answers and SSE events all leave
 * through it), the server's health and the connection rules. Everything in it is thread-safe.
 */
public final class Transport {
    /** What {@code /healthz} says. */
    public enum Health {
        OK, DRAINING, STORAGE_FAILING, REDIS_UNREACHABLE
    }

    private final Codec codec;
    private final DeskGate gate;
    private final Supplier<Health> health;
    private final ServerMetrics metrics;
    private final ApiKeys apiKeys;
    private final OriginPolicy origins;
    private final ClientAddresses addresses;
    private final AddressCounts connections;
    private final AddressCounts streams;
    private final CallLimiter failedKeys;
    private final byte[] metricsToken;
    private final Release release;
    private final ConnectionRules rules;
    private final Placement placement;
    private final ChannelGroup webSockets = new DefaultChannelGroup("websockets", GlobalEventExecutor.INSTANCE);
    private final ChannelGroup eventStreams = new DefaultChannelGroup("event-streams", GlobalEventExecutor.INSTANCE);

    public Transport(ServerConfig config, Codec codec, DeskGate gate, Supplier<Health> health, ServerMetrics metrics,
                     Release release, ConnectionRules rules) {
        this(config, codec, gate, health, metrics, release, rules, Placement.SINGLE);
    }

    /** The transport of a cluster node: {@code placement} says where each account is (here, or forward it). */
    public Transport(ServerConfig config, Codec codec, DeskGate gate, Supplier<Health> health, ServerMetrics metrics,
                     Release release, ConnectionRules rules, Placement placement) {
        this.placement = placement;
        this.codec = codec;
        this.gate = gate;
        this.health = health;
        this.metrics = metrics;
        this.release = release;
        this.rules = rules;
        this.apiKeys = new ApiKeys(config);
        this.origins = new OriginPolicy(config.allowedOrigins());
        this.addresses = new ClientAddresses(config.trustedProxies());
        ServerConfig.Limits limits = config.limits();
        this.connections = new AddressCounts(limits.connectionsPerAddress());
        this.streams = new AddressCounts(limits.sseStreamsPerAddress());
        this.failedKeys = new CallLimiter(System::currentTimeMillis, limits.failedApiKeysPerAddressPerMinute(), 60_000);
        this.metricsToken = config.metricsToken() == null ? null : Secrets.digest(config.metricsToken());
    }

    Codec codec() {
        return codec;
    }

    DeskGate gate() {
        return gate;
    }

    Health health() {
        return health.get();
    }

    Placement placement() {
        return placement;
    }

    ConnectionRules rules() {
        return rules;
    }

    Release release() {
        return release;
    }

    /** The open WebSockets (told 1001 and closed when the server stops). */
    ChannelGroup webSockets() {
        return webSockets;
    }

    /** The open event streams (closed when the server stops). */
    ChannelGroup eventStreams() {
        return eventStreams;
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
