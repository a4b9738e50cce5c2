package io.switchboard.server.transport;

import io.switchboard.protocol.Codec;
import io.switchboard.server.DeskLoop;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.metrics.ServerMetrics;
import io.switchboard.server.store.Commits;
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
        long httpIdleMs,
        Commits commits) {

    public HttpServices {
        allowedOrigins = List.copyOf(allowedOrigins);
    }

    public static HttpServices of(ServerConfig config, Codec codec, DeskLoop loop, Desk desk, ServerState state,
                                  ServerMetrics metrics, Commits commits) {
        return new HttpServices(codec, loop, desk, state, metrics, new ApiKeys(config), config.allowedOrigins(),
                config.timings().sseKeepaliveMs(), config.limits().slowReaderBytes(),
                config.limits().requestsPerSecond(), config.limits().requestBurst(), config.timings().pingIntervalMs(),
                config.timings().handshakeTimeoutMs(), config.timings().httpIdleMs(), commits);
    }

    /**
     * Runs {@code task} (a reply, an SSE event) once every change the desk made so far is durable, after every reply
     * made before it. Desk thread only.
     */
    void afterDurable(Runnable task) {
        if (commits == null) {
            task.run();
        } else {
            commits.afterSubmitted(task);
        }
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
