package io.switchboard.server.transport;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.switchboard.server.config.Origins;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code allowed_origins}, in one spelling ({@link Origins}): which browser pages may open a WebSocket, and what an
 * event stream answers in {@code Access-Control-Allow-Origin}. An empty list allows every origin. Immutable.
 */
final class OriginPolicy {
    private final Set<String> allowed = new HashSet<>();

    OriginPolicy(List<String> configured) {
        for (String origin : configured) {
            allowed.add(Origins.normalize(origin));
        }
    }

    boolean restricted() {
        return !allowed.isEmpty();
    }

    /**
     * The first {@code Origin} a request carries that is not allowed, or null when it carries none or all are allowed
     * (a request may carry several: each must pass).
     */
    String refused(HttpHeaders headers) {
        if (allowed.isEmpty()) {
            return null;
        }
        for (String origin : headers.getAll(HttpHeaderNames.ORIGIN)) {
            String normalized = Origins.normalizeOrNull(origin);
            if (normalized == null || !allowed.contains(normalized)) {
                return origin;
            }
        }
        return null;
    }

    /** The {@code Access-Control-Allow-Origin} for a browser's {@code Origin}, or null to send none. */
    String allowOrigin(String origin) {
        if (origin == null) {
            return null;
        }
        if (allowed.isEmpty()) {
            return "*";
        }
        String normalized = Origins.normalizeOrNull(origin);
        return normalized != null && allowed.contains(normalized) ? origin : null;
    }
}
