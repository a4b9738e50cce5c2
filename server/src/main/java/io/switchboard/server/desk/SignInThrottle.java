package io.switchboard.server.desk;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Failed sign-ins ({@code login} with a wrong token, {@code identify} of a reservation that cannot be attached),
 * counted per source address and per who was tried. Up to {@code failed_logins_per_minute} failures in a minute cost
 * nothing; each one past that makes the pair wait, twice as long as the last time ({@value #FIRST_WAIT_MS} ms up to
 * {@value #MAX_WAIT_MS} ms), and while it waits its failures are answered {@code rate_limited} with the time to wait.
 *
 * <p>It never refuses a correct credential: the desk checks the credential first and only a wrong one meets the
 * throttle, so neither someone else's failures at a shared address (a proxy, an office) nor a stream of garbage
 * {@code resume}s can lock anybody out. Guessing is not what it defends against (tokens are at least 16 characters and
 * generated ones 192 bits); it slows a client that keeps failing and keeps its failures from costing the desk.
 *
 * <p>Memory follows the pairs in use: a pair idle past its wait and a minute is forgotten, and at most {@value
 * #MAX_PAIRS} pairs are kept (the oldest go first). Not thread-safe: {@link AddressLimits} guards it.
 */
final class SignInThrottle {
    static final long WINDOW_MS = 60_000;
    static final long FIRST_WAIT_MS = 1_000;
    static final long MAX_WAIT_MS = 300_000;
    static final int MAX_PAIRS = 100_000;

    private static final class Pair {
        final ArrayDeque<Long> failures = new ArrayDeque<>();
        long waitMs;
        long blockedUntil;
        long lastSeen;
    }

    private final java.util.function.LongSupplier clock;
    private final int free;
    private final LinkedHashMap<String, Pair> pairs = new LinkedHashMap<>(16, 0.75f, true);

    SignInThrottle(java.util.function.LongSupplier clock, int freeFailuresPerMinute) {
        this.clock = clock;
        this.free = freeFailuresPerMinute;
    }

    /** Whole seconds until a failure of this pair would be answered as a failure again (0: it would now). */
    long retryAfter(String source, String who) {
        if (source == null) {
            return 0;
        }
        long now = clock.getAsLong();
        forgetIdle(now);
        Pair pair = pairs.get(key(source, who));
        if (pair == null || pair.blockedUntil <= now) {
            return 0;
        }
        return Math.max(1, (pair.blockedUntil - now + 999) / 1000);
    }

    /** A failed attempt of the pair: past the free ones, it waits longer. */
    void failed(String source, String who) {
        if (source == null) {
            return;
        }
        long now = clock.getAsLong();
        forgetIdle(now);
        Pair pair = pairs.computeIfAbsent(key(source, who), k -> new Pair());
        pair.lastSeen = now;
        pair.failures.addLast(now);
        while (pair.failures.peekFirst() <= now - WINDOW_MS) {
            pair.failures.removeFirst();
        }
        if (pair.failures.size() > free) {
            pair.waitMs = pair.waitMs == 0 ? FIRST_WAIT_MS : Math.min(MAX_WAIT_MS, pair.waitMs * 2);
            pair.blockedUntil = now + pair.waitMs;
            while (pair.failures.size() > free) {
                pair.failures.removeFirst();
            }
        }
        if (pairs.size() > MAX_PAIRS) {
            Iterator<Map.Entry<String, Pair>> eldest = pairs.entrySet().iterator();
            eldest.next();
            eldest.remove();
        }
    }

    /** The pair signed in: its failures are forgotten. */
    void succeeded(String source, String who) {
        if (source != null) {
            pairs.remove(key(source, who));
        }
    }

    private static String key(String source, String who) {
        return source + '\n' + who;
    }

    private void forgetIdle(long now) {
        Iterator<Map.Entry<String, Pair>> it = pairs.entrySet().iterator();
        while (it.hasNext()) {
            Pair pair = it.next().getValue();
            if (pair.lastSeen > now - WINDOW_MS || pair.blockedUntil > now) {
                return;
            }
            it.remove();
        }
    }

    /** Pairs remembered now (tests). */
    int size() {
        return pairs.size();
    }
}
