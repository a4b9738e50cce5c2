package io.switchboard.server.desk;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Random;

/**
 * Makes unguessable ids: a prefix, then URL-safe base64 of a 6-byte account tag and 128 random bits ({@code
 * rsv_TTTTTTTT...}). The tag (the start of SHA-256 of the account id) lets a session token, a reservation or a room be
 * routed to its account's desk without a look-up; the random part is what makes it unguessable. Each account draws
 * from its own generator, so one account's ids never depend on another's traffic. Seeded for tests and the simulator.
 */
public final class Ids {
    static final int TAG_BYTES = 6;
    private static final int RANDOM_BYTES = 16;
    /** Characters of the tag in an id: 6 bytes are 8 base64 characters. */
    private static final int TAG_CHARS = 8;
    private static final int TAGGED_CHARS = 30;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private final Random random;
    private final byte[] tag;
    private final long seed;
    private final boolean secure;

    private Ids(Random random, byte[] tag, long seed, boolean secure) {
        this.random = random;
        this.tag = tag;
        this.seed = seed;
        this.secure = secure;
    }

    /** Ids from the operating system's secure random source. */
    public static Ids secure() {
        return new Ids(new SecureRandom(), new byte[0], 0, true);
    }

    /** Repeatable ids for tests and the simulator; never for a real server. */
    public static Ids seeded(long seed) {
        return new Ids(new Random(seed), new byte[0], seed, false);
    }

    /**
     * The ids of one account's desk: tagged with the account, from a generator of its own ({@code generation} tells a
     * desk restored at runtime from the one before it, so a seeded run does not draw the same ids again).
     */
    public Ids forAccount(String account, int generation) {
        byte[] accountTag = tagBytes(account);
        if (secure) {
            return new Ids(new SecureRandom(), accountTag, 0, true);
        }
        long accountSeed = seed * 31 + account.hashCode() + 1_000_003L * generation;
        return new Ids(new Random(accountSeed), accountTag, accountSeed, false);
    }

    /** A new id such as {@code rsv_} and 30 URL-safe characters (22 without an account). */
    public String next(String prefix) {
        byte[] bytes = new byte[tag.length + RANDOM_BYTES];
        System.arraycopy(tag, 0, bytes, 0, tag.length);
        byte[] random16 = new byte[RANDOM_BYTES];
        random.nextBytes(random16);
        System.arraycopy(random16, 0, bytes, tag.length, RANDOM_BYTES);
        return prefix + ENCODER.encodeToString(bytes);
    }

    /**
     * A token for email (a reply-to address, a link): lower-case base32 of the account tag and 128 random bits, so
     * that a mail host that folds an address's case does not break it ({@code m} and 36 characters).
     */
    public String nextMailToken() {
        byte[] bytes = new byte[tag.length + RANDOM_BYTES];
        System.arraycopy(tag, 0, bytes, 0, tag.length);
        byte[] random16 = new byte[RANDOM_BYTES];
        random.nextBytes(random16);
        System.arraycopy(random16, 0, bytes, tag.length, RANDOM_BYTES);
        return "m" + base32(bytes);
    }

    /** The account tag (as {@link #tag} writes it) of a token from {@link #nextMailToken}, or null if it is none. */
    public static String tagOfMailToken(String token) {
        if (token == null || token.length() != 1 + MAIL_CHARS || token.charAt(0) != 'm') {
            return null;
        }
        byte[] bytes = new byte[TAG_BYTES];
        long buffer = 0;
        int bits = 0;
        int out = 0;
        for (int i = 1; i < token.length() && out < TAG_BYTES; i++) {
            int value = BASE32.indexOf(Character.toLowerCase(token.charAt(i)));
            if (value < 0) {
                return null;
            }
            buffer = buffer << 5 | value;
            bits += 5;
            if (bits >= 8) {
                bytes[out++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        return ENCODER.encodeToString(bytes);
    }

    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    /** 22 bytes in base32: 176 bits, 36 characters (the last one carrying 4 bits). */
    private static final int MAIL_CHARS = 36;

    private static String base32(byte[] bytes) {
        StringBuilder text = new StringBuilder(MAIL_CHARS);
        long buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = buffer << 8 | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                text.append(BASE32.charAt((int) (buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            text.append(BASE32.charAt((int) (buffer << (5 - bits)) & 31));
        }
        return text.toString();
    }

    /** An account's tag as it appears in its ids (8 characters). */
    public static String tag(String account) {
        return ENCODER.encodeToString(tagBytes(account));
    }

    /**
     * The account tag an id carries ({@code ses_}, {@code rsv_}, {@code rm_} and the tagged form), or null for an id
     * without one (made before tags, or not ours).
     */
    public static String tagOf(String id) {
        int underscore = id.indexOf('_');
        String body = underscore < 0 ? id : id.substring(underscore + 1);
        if (body.length() != TAGGED_CHARS) {
            return null;
        }
        return body.substring(0, TAG_CHARS);
    }

    private static byte[] tagBytes(String account) {
        byte[] digest = io.switchboard.server.config.Secrets.digest("switchboard-account:" + account);
        byte[] tag = new byte[TAG_BYTES];
        System.arraycopy(digest, 0, tag, 0, TAG_BYTES);
        return tag;
    }
}
