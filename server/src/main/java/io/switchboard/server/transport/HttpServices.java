package io.switchboard.server.transport;

import io.switchboard.protocol.Codec;
import io.switchboard.server.DeskLoop;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.metrics.ServerMetrics;
import java.util.List;

/** What the transport's handlers share. Everything in it is thread-safe; the desk is only called on the desk loop. */
public record HttpServices(
        Codec codec,
        DeskLoop loop,
        Desk desk,
        ServerState state,
        ServerMetrics metrics,
        ApiKeys apiKeys,
        List<String> allowedOrigins,
        long keepaliveMs,
        long slowReaderBytes,
        int requestsPerSecond,
        int requestBurst,
        long pingIntervalMs,
        long handshakeTimeoutMs,
        long httpIdleMs) {

    public HttpServices {
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    public static HttpServices of(ServerConfig config, Codec codec, DeskLoop loop, Desk desk, ServerState state,
                                  ServerMetrics metrics) {
        return new HttpServices(codec, loop, desk, state, metrics, new ApiKeys(config), config.allowedOrigins(),
                config.timings().sseKeepaliveMs(), config.limits().slowReaderBytes(),
                config.limits().requestsPerSecond(), config.limits().requestBurst(), config.timings().pingIntervalMs(),
                config.timings().handshakeTimeoutMs(), config.timings().httpIdleMs());
    }

    /** The {@code Access-Control-Allow-Origin} for a browser's {@code Origin}, or null to send none. */
    String allowOrigin(String origin) {
        if (origin == null) {
            return null;
        }
        if (allowedOrigins.isEmpty()) {
            return "*";
        }
        return allowedOrigins.contains(origin) ? origin : null;
    }
}
