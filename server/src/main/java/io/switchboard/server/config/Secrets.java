package io.switchboard.server.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Secrets (agent tokens, API keys) are kept only as SHA-256 digests, compared in full and in constant time. */
public final class Secrets {
    private Secrets() {
    }

    /** The SHA-256 digest of a secret's UTF-8 bytes. */
    public static byte[] digest(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /**
     * The SHA-256 digest of a token as URL-safe text: what is kept (and stored) of a session token instead of the token.
     */
    public static String digestText(String token) {
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(digest(token));
    }

    /** Whether two digests are equal, in time that does not depend on where they differ. */
    public static boolean same(byte[] a, byte[] b) {
        return MessageDigest.isEqual(a, b);
    }
}
