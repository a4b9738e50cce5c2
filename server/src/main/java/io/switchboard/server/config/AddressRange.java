package io.switchboard.server.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One entry of {@code trusted_proxies}: an address ({@code 10.0.0.5}, {@code ::1}) or a CIDR range ({@code
 * 10.0.0.0/8}, {@code fd00::/8}). Immutable.
 */
public final class AddressRange {
    private final byte[] network;
    private final int prefix;
    private final String text;

    private AddressRange(byte[] network, int prefix, String text) {
        this.network = network;
        this.prefix = prefix;
        this.text = text;
    }

    /**
     * Parses an address or a CIDR range; only literal addresses (no host names: they would be looked up once, at start,
     * and silently go stale).
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static AddressRange parse(String text) {
        String address = text.trim();
        int prefix = -1;
        int slash = address.indexOf('/');
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(address.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(text + ": not an address or CIDR range (expected: 10.0.0.0/8)");
            }
            address = address.substring(0, slash);
        }
        byte[] bytes = literal(address);
        if (bytes == null) {
            throw new IllegalArgumentException(text + ": not an IP address or CIDR range (expected: 10.0.0.5, "
                    + "10.0.0.0/8 or fd00::/8; host names are not looked up)");
        }
        int bits = bytes.length * 8;
        if (prefix == -1) {
            prefix = bits;
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException(text + ": prefix " + prefix + " (expected: 0.." + bits + ")");
        }
        return new AddressRange(bytes, prefix, text.trim());
    }

    /** The bytes of a literal IPv4 or IPv6 address, or null when it is not one. */
    static byte[] literal(String address) {
        if (address.isEmpty() || !(address.indexOf(':') >= 0 || address.chars().allMatch(c -> c == '.'
                || Character.isDigit(c)))) {
            return null;
        }
        try {
            String bare = address.startsWith("[") && address.endsWith("]")
                    ? address.substring(1, address.length() - 1) : address;
            if (!bare.contains(":") && bare.split("\\.", -1).length != 4) {
                return null;
            }
            return InetAddress.getByName(bare).getAddress();
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** Whether the address (IPv4 or IPv6 bytes) is in the range; an IPv4-mapped IPv6 address counts as IPv4. */
    public boolean contains(InetAddress address) {
        byte[] bytes = unmapped(address.getAddress());
        if (bytes.length != network.length) {
            return false;
        }
        int full = prefix / 8;
        for (int i = 0; i < full; i++) {
            if (bytes[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest) & 0xff;
        return (bytes[full] & mask) == (network[full] & mask);
    }

    private static byte[] unmapped(byte[] bytes) {
        if (bytes.length != 16) {
            return bytes;
        }
        for (int i = 0; i < 10; i++) {
            if (bytes[i] != 0) {
                return bytes;
            }
        }
        if (bytes[10] != (byte) 0xff || bytes[11] != (byte) 0xff) {
            return bytes;
        }
        return new byte[] {bytes[12], bytes[13], bytes[14], bytes[15]};
    }

    @Override
    public String toString() {
        return text;
    }
}
