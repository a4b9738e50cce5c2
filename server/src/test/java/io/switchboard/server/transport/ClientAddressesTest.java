package io.switchboard.server.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Who a request comes from, with and without trusted proxies in front (issue 13, item 4). */
class ClientAddressesTest {
    private final ClientAddresses addresses = new ClientAddresses(List.of("10.0.0.0/8", "fd00::1"));
    private static final InetSocketAddress PROXY = new InetSocketAddress("10.0.0.5", 40_000);
    private static final InetSocketAddress STRANGER = new InetSocketAddress("192.0.2.9", 40_000);

    private static HttpHeaders headers(String... pairs) {
        HttpHeaders headers = new DefaultHttpHeaders();
        for (int i = 0; i < pairs.length; i += 2) {
            headers.add(pairs[i], pairs[i + 1]);
        }
        return headers;
    }

    @Test
    void fromAStrangerTheHeadersAreIgnored() {
        assertFalse(addresses.trusted(STRANGER));
        assertEquals("192.0.2.9", addresses.of(STRANGER, headers("X-Forwarded-For", "203.0.113.1")));
        assertEquals("192.0.2.9", addresses.of(STRANGER, headers("Forwarded", "for=203.0.113.1")));
    }

    @Test
    void fromATrustedProxyTheRightMostUntrustedHopIsTheClient() {
        assertTrue(addresses.trusted(PROXY));
        assertEquals("203.0.113.1", addresses.of(PROXY, headers("X-Forwarded-For", "203.0.113.1")));
        assertEquals("203.0.113.1", addresses.of(PROXY, headers("X-Forwarded-For", "6.6.6.6, 203.0.113.1")),
                "what the client wrote to the left is not believed");
        assertEquals("203.0.113.1", addresses.of(PROXY, headers("X-Forwarded-For", "203.0.113.1, 10.9.9.9")),
                "trusted hops are skipped");
        assertEquals("203.0.113.1", addresses.of(PROXY, headers("X-Forwarded-For", "6.6.6.6",
                "X-Forwarded-For", "203.0.113.1")), "several headers are one list");
        assertEquals("203.0.113.1", addresses.of(PROXY, headers("X-Forwarded-For", "203.0.113.1:5555")));
        assertEquals("2001:db8:0:0:0:0:0:17", addresses.of(PROXY, headers("X-Forwarded-For", "[2001:db8::17]:4711")));
        assertEquals("10.0.0.5", addresses.of(PROXY, headers()), "no header: the proxy itself");
        assertEquals("10.0.0.5", addresses.of(PROXY, headers("X-Forwarded-For", "unknown")),
                "a hop the proxy hid: the proxy itself");
    }

    @Test
    void forwardedIsReadWhenSent() {
        assertEquals("203.0.113.7", addresses.of(PROXY, headers("Forwarded", "for=203.0.113.7;proto=https")));
        assertEquals("2001:db8:0:0:0:0:0:17", addresses.of(PROXY, headers("Forwarded",
                "for=\"6.6.6.6\", for=\"[2001:db8::17]:4711\";by=10.0.0.5")));
        assertEquals("203.0.113.7", addresses.of(PROXY, headers("Forwarded", "for=203.0.113.7",
                "X-Forwarded-For", "6.6.6.6")), "Forwarded wins over X-Forwarded-For");
    }

    @Test
    void anIpv6ProxyIsTrustedByItsAddress() {
        InetSocketAddress six = new InetSocketAddress("fd00::1", 443);
        assertTrue(addresses.trusted(six));
        assertEquals("198.51.100.4", addresses.of(six, headers("X-Forwarded-For", "198.51.100.4")));
        assertFalse(addresses.trusted(new InetSocketAddress("fd00::2", 443)));
    }
}
