package io.switchboard.server.transport;

import java.util.concurrent.ConcurrentHashMap;

/**
 * How many of something (connections, event streams) each client address holds now, against a limit per address.
 * Addresses that hold none are forgotten, so memory follows the connections open. Thread-safe.
 */
final class AddressCounts {
    private final int limit;
    private final ConcurrentHashMap<String, Integer> counts = new ConcurrentHashMap<>();

    AddressCounts(int limit) {
        this.limit = limit;
    }

    /** Takes one for the address, or returns false (and takes nothing) when it holds the limit already. */
    boolean acquire(String address) {
        boolean[] taken = new boolean[1];
        counts.compute(address, (key, count) -> {
            int now = count == null ? 0 : count;
            if (now >= limit) {
                return count;
            }
            taken[0] = true;
            return now + 1;
        });
        return taken[0];
    }

    /** Gives one back. */
    void release(String address) {
        counts.computeIfPresent(address, (key, count) -> count <= 1 ? null : count - 1);
    }

    int limit() {
        return limit;
    }

    /** What an address holds now (tests, metrics). */
    int held(String address) {
        return counts.getOrDefault(address, 0);
    }
}
