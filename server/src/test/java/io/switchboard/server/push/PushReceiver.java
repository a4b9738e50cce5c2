package io.switchboard.server.push;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The far end of Web Push for tests: a push service on loopback that checks each request's VAPID token against the
 * server's public key, and a browser's subscription that decrypts what arrives (RFC 8291's receiving side, written
 * here from the RFC, apart from the sending code). Each message it takes is queued, decrypted.
 */
public final class PushReceiver implements AutoCloseable {
    /** One push as the browser got it: its plaintext and the request's headers that matter. */
    public record Received(String plaintext, String ttl, String authorizationAudience) {
    }

    private final HttpServer server;
    private final KeyPair browser = PushCrypto.newKeyPair();
    private final byte[] auth = new byte[16];
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private volatile String failure;

    public PushReceiver() throws IOException {
        new java.security.SecureRandom().nextBytes(auth);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/push/", exchange -> {
            try {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String authorization = exchange.getRequestHeaders().getFirst("Authorization");
                String audience = verifyVapid(authorization);
                if (!"aes128gcm".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    throw new IllegalStateException("Content-Encoding is not aes128gcm");
                }
                received.add(new Received(new String(decrypt(body, browser, auth),
                        StandardCharsets.UTF_8), exchange.getRequestHeaders().getFirst("TTL"), audience));
                exchange.sendResponseHeaders(201, -1);
            } catch (RuntimeException | GeneralSecurityException e) {
                failure = e.toString();
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    /** The subscription's endpoint (a URL of this push service). */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/push/sub-1";
    }

    /** The prefix a server's {@code push.endpoints} must list to call it. */
    public String prefix() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/";
    }

    public String p256dh() {
        return PushCrypto.encode(PushCrypto.raw(browser.getPublic()));
    }

    public String auth() {
        return PushCrypto.encode(auth);
    }

    /** The next push, waiting up to 10 s; fails with what went wrong if a push was refused. */
    public Received next() throws InterruptedException {
        Received next = received.poll(10, java.util.concurrent.TimeUnit.SECONDS);
        if (next == null) {
            throw new AssertionError("no push within 10 s" + (failure == null ? "" : "; refused: " + failure));
        }
        return next;
    }

    /** Checks {@code vapid t=JWT, k=KEY}: the signature by that key; returns the token's audience. */
    private static String verifyVapid(String header) throws GeneralSecurityException {
        if (header == null || !header.startsWith("vapid t=") || !header.contains(", k=")) {
            throw new IllegalStateException("no VAPID Authorization: " + header);
        }
        String token = header.substring(8, header.indexOf(", k="));
        byte[] key = PushCrypto.decode(header.substring(header.indexOf(", k=") + 4));
        String[] parts = token.split("\\.");
        Signature verify = Signature.getInstance("SHA256withECDSAinP1363Format");
        verify.initVerify(PushCrypto.publicKey(key));
        verify.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        if (!verify.verify(PushCrypto.decode(parts[2]))) {
            throw new IllegalStateException("the VAPID signature does not verify");
        }
        String claims = new String(PushCrypto.decode(parts[1]), StandardCharsets.UTF_8);
        return claims.replaceAll(".*\"aud\":\"([^\"]+)\".*", "$1");
    }

    /** RFC 8291 §3.4 from the browser's side: the aes128gcm body decrypted with its private key and auth secret. */
    static byte[] decrypt(byte[] body, KeyPair browser, byte[] authSecret) {
        try {
            ByteBuffer in = ByteBuffer.wrap(body);
            byte[] salt = new byte[16];
            in.get(salt);
            in.getInt();
            byte[] asPublic = new byte[in.get() & 0xff];
            in.get(asPublic);
            byte[] record = new byte[in.remaining()];
            in.get(record);
            KeyAgreement agreement = KeyAgreement.getInstance("ECDH");
            agreement.init(browser.getPrivate());
            agreement.doPhase(PushCrypto.publicKey(asPublic), true);
            byte[] secret = agreement.generateSecret();
            byte[] uaPublic = PushCrypto.raw(browser.getPublic());
            byte[] prkKey = hmac(authSecret, secret);
            byte[] info = join("WebPush: info\0".getBytes(StandardCharsets.US_ASCII), uaPublic, asPublic);
            byte[] ikm = Arrays.copyOf(hmac(prkKey, join(info, new byte[] {1})), 32);
            byte[] prk = hmac(salt, ikm);
            byte[] cek = Arrays.copyOf(hmac(prk, join("Content-Encoding: aes128gcm\0"
                    .getBytes(StandardCharsets.US_ASCII), new byte[] {1})), 16);
            byte[] nonce = Arrays.copyOf(hmac(prk, join("Content-Encoding: nonce\0"
                    .getBytes(StandardCharsets.US_ASCII), new byte[] {1})), 12);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, nonce));
            byte[] padded = cipher.doFinal(record);
            int end = padded.length - 1;
            while (end >= 0 && padded[end] == 0) {
                end--;
            }
            if (end < 0 || padded[end] != 2) {
                throw new IllegalStateException("no last-record delimiter");
            }
            return Arrays.copyOf(padded, end);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt: " + e.getMessage(), e);
        }
    }

    private static byte[] hmac(byte[] key, byte[] data) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return mac.doFinal(data);
    }

    private static byte[] join(byte[]... parts) {
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

    @Override
    public void close() {
        server.stop(0);
    }
}
