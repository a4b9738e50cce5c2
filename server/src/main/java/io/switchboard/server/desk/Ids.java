package io.switchboard.server.desk;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Random;

/** Makes unguessable ids: a prefix and 128 random bits, URL-safe. Seeded for tests and the simulator. */
public final class Ids {
    private static final int RANDOM_BYTES = 16;

    private final Random random;

    private Ids(Random random) {
        this.random = random;
    }

    /** Ids from the operating system's secure random source. */
    public static Ids secure() {
        return new Ids(new SecureRandom());
    }

    /** Repeatable ids for tests and the simulator; never for a real server. */
    public static Ids seeded(long seed) {
        return new Ids(new Random(seed));
    }

    /** A new id such as {@code rsv_3q2+...}: the prefix and 22 URL-safe characters. */
    public String next(String prefix) {
        byte[] bytes = new byte[RANDOM_BYTES];
        random.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
