package io.switchboard.server.push;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cryptography of Web Push on P-256, with the JDK only: a message encrypted for one browser's subscription
 * (RFC 8291 with RFC 8188's aes128gcm, one record), and the application server's VAPID token (RFC 8292, an ES256 JWT).
 * Keys travel as the specifications write them: base64url without padding, public keys as uncompressed points (65
 * bytes), private keys as their 32-byte scalar.
 */
public final class PushCrypto {
    /** The record size written in the header: one record holds any message we send (at most 4 KB). */
    private static final int RECORD_SIZE = 4096;
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final ECParameterSpec P256 = p256();
    private static final SecureRandom RANDOM = new SecureRandom();

    private PushCrypto() {
    }

    private static ECParameterSpec p256() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return ((ECPublicKey) generator.generateKeyPair().getPublic()).getParams();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no P-256", e);
        }
    }

    public static String encode(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    /** Base64url, with or without padding. */
    public static byte[] decode(String text) {
        return B64D.decode(text.replace("=", ""));
    }

    /** A new P-256 key pair (VAPID keys, and each message's own sender key). */
    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A public key as an uncompressed point: 0x04, then x and y in 32 bytes each. */
    public static byte[] raw(PublicKey key) {
        ECPoint point = ((ECPublicKey) key).getW();
        byte[] raw = new byte[65];
        raw[0] = 4;
        unsigned(point.getAffineX(), raw, 1);
        unsigned(point.getAffineY(), raw, 33);
        return raw;
    }

    /** A private key as its 32-byte scalar. */
    public static byte[] raw(PrivateKey key) {
        byte[] raw = new byte[32];
        unsigned(((ECPrivateKey) key).getS(), raw, 0);
        return raw;
    }

    private static void unsigned(BigInteger value, byte[] into, int at) {
        byte[] bytes = value.toByteArray();
        int skip = bytes.length > 32 ? bytes.length - 32 : 0;
        System.arraycopy(bytes, skip, into, at + 32 - (bytes.length - skip), bytes.length - skip);
    }

    /**
     * A public key from its uncompressed point.
     *
     * @throws IllegalArgumentException when it is not a point of P-256
     */
    public static PublicKey publicKey(byte[] raw) {
        if (raw.length != 65 || raw[0] != 4) {
            throw new IllegalArgumentException("not an uncompressed P-256 point (65 bytes starting with 4)");
        }
        try {
            ECPoint point = new ECPoint(new BigInteger(1, Arrays.copyOfRange(raw, 1, 33)),
                    new BigInteger(1, Arrays.copyOfRange(raw, 33, 65)));
            return KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(point, P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a point of P-256", e);
        }
    }

    /** A private key from its 32-byte scalar. */
    public static PrivateKey privateKey(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("not a P-256 private key (32 bytes)");
        }
        try {
            return KeyFactory.getInstance("EC").generatePrivate(new ECPrivateKeySpec(new BigInteger(1, raw), P256));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a P-256 private key", e);
        }
    }

    /** Encrypts a message for a subscription ({@code p256dh}, {@code auth}) with a fresh sender key and salt. */
    public static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return encrypt(plaintext, uaPublic, authSecret, newKeyPair(), salt);
    }

    /**
     * RFC 8291 §3.4 and RFC 8188: the aes128gcm body (header: salt, record size, the sender's public key; then the one
     * record: the message, the last-record delimiter 2, encrypted and authenticated).
     */
    static byte[] encrypt(byte[] plaintext, byte[] uaPublic, byte[] authSecret, KeyPair sender, byte[] salt) {
        try {
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(sender.getPrivate());
            agreement.doPhase(publicKey(uaPublic), true);
            byte[] ecdhSecret = agreement.generateSecret();
            byte[] asPublic = raw(sender.getPublic());
            // IKM = HKDF(auth_secret, ecdh_secret, "WebPush: info" 0x00 ua_public as_public, 32)
            byte[] keyInfo = concat("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
            byte[] ikm = expand(hmac(authSecret, ecdhSecret), keyInfo, 32);
            byte[] prk = hmac(salt, ikm);
            byte[] cek = expand(prk, "Content-Encoding: aes128gcm\0".getBytes(StandardCharsets.US_ASCII), 16);
            byte[] nonce = expand(prk, "Content-Encoding: nonce\0".getBytes(StandardCharsets.US_ASCII), 12);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
            byte[] record = cipher.doFinal(concat(plaintext, new byte[] {2}));
            ByteBuffer body = ByteBuffer.allocate(16 + 4 + 1 + asPublic.length + record.length);
            body.put(salt).putInt(RECORD_SIZE).put((byte) asPublic.length).put(asPublic).put(record);
            return body.array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("encrypting a push message failed", e);
        }
    }

    /**
     * The {@code Authorization} header of a push to {@code audience} (the push service's origin): {@code vapid t=JWT,
     * k=PUBLIC_KEY}, the token valid until {@code expiresAt} (epoch seconds; at most 24 h ahead).
     */
    public static String vapid(String audience, String subject, long expiresAt, KeyPair keys) {
        String header = encode("{\"typ\":\"JWT\",\"alg\":\"ES256\"}".getBytes(StandardCharsets.UTF_8));
        String claims = encode(("{\"aud\":\"" + audience + "\",\"exp\":" + expiresAt + ",\"sub\":\"" + subject
                + "\"}").getBytes(StandardCharsets.UTF_8));
        String signed = header + "." + claims;
        try {
            Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(keys.getPrivate());
            signature.update(signed.getBytes(StandardCharsets.US_ASCII));
            return "vapid t=" + signed + "." + encode(signature.sign()) + ", k=" + encode(raw(keys.getPublic()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing a VAPID token failed", e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    /** HKDF-Expand for at most one block (32 bytes): T(1) = HMAC(prk, info 0x01), cut to {@code length}. */
    private static byte[] expand(byte[] prk, byte[] info, int length) throws GeneralSecurityException {
        return Arrays.copyOf(hmac(prk, concat(info, new byte[] {1})), length);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] all = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
