package io.switchboard.server.transport;

import io.switchboard.server.config.ServerConfig;

/**
 * The connection rules the transport enforces by itself (contract §2.3 and the HTTP limits), as one value: the
 * configuration's, or the defaults with one changed ({@code DEFAULTS.withPingIntervalMs(200)} in a test).
 */
public record ConnectionRules(
        long pingIntervalMs,
        long handshakeTimeoutMs,
        long httpIdleMs,
        long sseKeepaliveMs,
        long slowReaderBytes,
        int requestsPerSecond,
        int requestBurst,
        int maxFrameBytes,
        int maxHttpBodyBytes,
        long sseSpreadMs) {

    public static final ConnectionRules DEFAULTS = of(ServerConfig.Timings.DEFAULTS, ServerConfig.Limits.DEFAULTS);

    public static ConnectionRules of(ServerConfig config) {
        return of(config.timings(), config.limits());
    }

    private static ConnectionRules of(ServerConfig.Timings timings, ServerConfig.Limits limits) {
        return new ConnectionRules(timings.pingIntervalMs(), timings.handshakeTimeoutMs(), timings.httpIdleMs(),
                timings.sseKeepaliveMs(), limits.slowReaderBytes(), limits.requestsPerSecond(), limits.requestBurst(),
                limits.maxFrameBytes(), limits.maxHttpBodyBytes(), timings.sseSpreadMs());
    }

    public ConnectionRules withPingIntervalMs(long value) {
        return new ConnectionRules(value, handshakeTimeoutMs, httpIdleMs, sseKeepaliveMs, slowReaderBytes,
                requestsPerSecond, requestBurst, maxFrameBytes, maxHttpBodyBytes, sseSpreadMs);
    }
}
