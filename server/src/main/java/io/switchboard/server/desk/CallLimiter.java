package io.switchboard.server.desk;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * At most {@code limit} calls per key in any window of {@code windowMs} (a sliding log), on the clock it is given: the
 * desk's (virtual in tests), or the system's in the transport. Keys idle for a whole window are forgotten, so memory
 * follows the keys in use, not every key ever seen. Not thread-safe: the desk uses it on its thread, the transport
 * behind a lock.
 */
public final class CallLimiter {
    private final LongSupplier clock;
    private final int limit;
    private final long windowMs;
    /** Least recently used first, so the idle keys are always at the head. */
    private final LinkedHashMap<String, Calls> calls = new LinkedHashMap<>(16, 0.75f, true);

    private static final class Calls {
        final ArrayDeque<Long> times = new ArrayDeque<>();
        long lastSeen;
    }

    public CallLimiter(LongSupplier clock, int limit, long windowMs) {
        this.clock = clock;
        this.limit = limit;
        this.windowMs = windowMs;
    }

    /** Whole seconds until a call for the key would pass (0: it would pass now), counting nothing. */
    public long retryAfter(String key) {
        long now = clock.getAsLong();
        forgetIdle(now);
        Calls entry = calls.get(key);
        if (entry == null) {
            return 0;
        }
        while (!entry.times.isEmpty() && entry.times.peekFirst() <= now - windowMs) {
            entry.times.removeFirst();
        }
        if (entry.times.size() < limit) {
            return 0;
        }
        return Math.max(1, (entry.times.peekFirst() + windowMs - now + 999) / 1000);
    }

    /** Counts a call for the key, whether or not it would have passed. */
    public void record(String key) {
        long now = clock.getAsLong();
        forgetIdle(now);
        Calls entry = calls.computeIfAbsent(key, k -> new Calls());
        entry.lastSeen = now;
        entry.times.addLast(now);
        while (entry.times.size() > limit) {
            entry.times.removeFirst();
        }
    }

    /** Counts a call for the key and returns 0, or refuses it and returns whole seconds until one would pass. */
    public long acquire(String key) {
        long now = clock.getAsLong();
        forgetIdle(now);
        Calls entry = calls.computeIfAbsent(key, k -> new Calls());
        entry.lastSeen = now;
        while (!entry.times.isEmpty() && entry.times.peekFirst() <= now - windowMs) {
            entry.times.removeFirst();
        }
        if (entry.times.size() < limit) {
            entry.times.addLast(now);
            return 0;
        }
        long waitMs = entry.times.peekFirst() + windowMs - now;
        return Math.max(1, (waitMs + 999) / 1000);
    }

    private void forgetIdle(long now) {
        Iterator<Map.Entry<String, Calls>> it = calls.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().lastSeen > now - windowMs) {
                return;
            }
            it.remove();
        }
    }

    public int limit() {
        return limit;
    }

    /** Keys remembered now (for tests and metrics). */
    int size() {
        return calls.size();
    }
}
