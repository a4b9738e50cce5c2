package io.switchboard.server.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Browser origins ({@code scheme://host[:port]}) in one spelling, so that {@code https://Shop.Example.com/} in the
 * configuration and {@code https://shop.example.com:443} in a request are the same origin: scheme and host in lower
 * case, no trailing slash, no default port.
 */
public final class Origins {
    private Origins() {
    }

    /**
     * The origin in its one spelling.
     *
     * @throws IllegalArgumentException when it is not an origin (a path, a query, user info, no host, or {@code null})
     */
    public static String normalize(String origin) {
        URI uri;
        try {
            uri = new URI(origin.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(origin + ": not an origin (expected: scheme://host[:port])");
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        boolean onlySlash = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
        if (scheme == null || host == null || uri.getRawUserInfo() != null || !onlySlash || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(origin + ": not an origin (expected: scheme://host[:port], no path)");
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || scheme.equals("http") && port == 80 || scheme.equals("https") && port == 443;
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    /** The origin in its one spelling, or null when it is not one (a request's {@code Origin: null}, garbage). */
    public static String normalizeOrNull(String origin) {
        try {
            return normalize(origin);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
