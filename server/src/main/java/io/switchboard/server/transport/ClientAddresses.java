package io.switchboard.server.transport;

import io.netty.handler.codec.http.HttpHeaders;
import io.switchboard.server.config.AddressRange;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who a request comes from: the peer's address, or, when the peer is one of {@code trusted_proxies}, the client that
 * proxy names: the right-most hop of {@code Forwarded} ({@code for=}) or else {@code X-Forwarded-For} that is not
 * itself a trusted proxy. Hops to the left of it are the client's own words and are never believed; from a peer that is
 * not trusted both headers are ignored. Every per-address rule keys on this. Immutable and thread-safe.
 */
final class ClientAddresses {
    private final List<AddressRange> trusted;

    ClientAddresses(List<String> trustedProxies) {
        List<AddressRange> ranges = new ArrayList<>(trustedProxies.size());
        for (String entry : trustedProxies) {
            ranges.add(AddressRange.parse(entry));
        }
        this.trusted = List.copyOf(ranges);
    }

    /** Whether the peer is a trusted proxy (then the client address comes with each request). */
    boolean trusted(SocketAddress peer) {
        return peer instanceof InetSocketAddress address && address.getAddress() != null
                && trusted(address.getAddress());
    }

    private boolean trusted(InetAddress address) {
        for (AddressRange range : trusted) {
            if (range.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The peer's own address as text, or null when it has none (an embedded channel). */
    static String of(SocketAddress peer) {
        return peer instanceof InetSocketAddress address && address.getAddress() != null
                ? address.getAddress().getHostAddress() : null;
    }

    /** The client a request from {@code peer} comes from. */
    String of(SocketAddress peer, HttpHeaders headers) {
        String direct = of(peer);
        if (direct == null || !trusted(peer)) {
            return direct;
        }
        List<String> hops = hops(headers);
        for (int i = hops.size() - 1; i >= 0; i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                // A hop a trusted proxy did not write: the one after it is the best we know.
                return i == hops.size() - 1 ? direct : addressOf(hops.get(i + 1), direct);
            }
            if (!trusted(hop)) {
                return hop.getHostAddress();
            }
        }
        return hops.isEmpty() ? direct : addressOf(hops.get(0), direct);
    }

    private static String addressOf(String hop, String fallback) {
        InetAddress address = literal(hop);
        return address == null ? fallback : address.getHostAddress();
    }

    /** The hops, left (the first client) to right (the nearest proxy): {@code Forwarded} if sent, else XFF. */
    private static List<String> hops(HttpHeaders headers) {
        List<String> hops = new ArrayList<>();
        List<String> forwarded = headers.getAll("Forwarded");
        if (!forwarded.isEmpty()) {
            for (String header : forwarded) {
                for (String element : header.split(",")) {
                    String hop = "";
                    for (String pair : element.split(";")) {
                        int equals = pair.indexOf('=');
                        if (equals > 0 && pair.substring(0, equals).trim().toLowerCase(Locale.ROOT).equals("for")) {
                            hop = pair.substring(equals + 1).trim();
                        }
                    }
                    hops.add(unquote(hop));
                }
            }
            return hops;
        }
        for (String header : headers.getAll("X-Forwarded-For")) {
            for (String hop : header.split(",")) {
                hops.add(hop.trim());
            }
        }
        return hops;
    }

    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
    }

    /** A hop as an address: {@code 1.2.3.4}, {@code 1.2.3.4:80}, {@code [::1]}, {@code [::1]:80}, {@code ::1}. */
    static InetAddress literal(String hop) {
        String text = hop.trim();
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                return null;
            }
            text = text.substring(1, close);
        } else if (text.indexOf(':') >= 0 && text.indexOf(':') == text.lastIndexOf(':')) {
            text = text.substring(0, text.indexOf(':'));
        }
        boolean ipv4 = !text.isEmpty() && text.chars().allMatch(c -> c == '.' || Character.isDigit(c))
                && text.split("\\.", -1).length == 4;
        boolean ipv6 = text.indexOf(':') >= 0 && text.chars().allMatch(c -> c == ':' || c == '.'
                || Character.digit(c, 16) >= 0);
        if (!ipv4 && !ipv6) {
            return null;
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
