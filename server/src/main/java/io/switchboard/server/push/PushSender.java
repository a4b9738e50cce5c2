package io.switchboard.server.push;

import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.PushSink;
import io.switchboard.server.desk.Stored;
import io.switchboard.server.metrics.ServerMetrics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Posts Web Push messages to browsers' push services (RFC 8030): the message is the notification's title, text and
 * the link it opens, encrypted for the subscription (RFC 8291), with the server's VAPID token (RFC 8292) and {@code
 * push.ttl_seconds} to live. Only endpoints under {@code push.endpoints} are ever called (a subscription comes from a
 * browser, so anyone could name any address). A push that fails is logged and counted; the email goes anyway.
 */
public final class PushSender implements PushSink {
    private static final Logger log = LoggerFactory.getLogger(PushSender.class);
    /** How long a VAPID token is valid (RFC 8292 allows at most 24 h). */
    private static final long TOKEN_SECONDS = 12 * 3600;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    private final ServerConfig.Push push;
    private final KeyPair keys;
    private final ServerMetrics metrics;
    /** Encrypting and signing happen here, off the thread that releases what desks said. */
    private final java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors
            .newSingleThreadExecutor(runnable -> {
                Thread t = new Thread(runnable, "switchboard-push");
                t.setDaemon(true);
                return t;
            });
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .followRedirects(HttpClient.Redirect.NEVER).executor(thread).build();

    public PushSender(ServerConfig.Push push, ServerMetrics metrics) {
        this.push = push;
        try {
            this.keys = new KeyPair(PushCrypto.publicKey(PushCrypto.decode(push.publicKey())),
                    PushCrypto.privateKey(PushCrypto.decode(push.privateKey())));
        } catch (IllegalArgumentException e) {
            throw new io.switchboard.server.config.ConfigException("configuration: push.public_key: "
                    + e.getMessage() + " (java -jar switchboard-server.jar --vapid-keys prints a new pair)");
        }
        this.metrics = metrics;
    }

    @Override
    public void push(Stored.Push subscription, String title, String body, String url) {
        thread.execute(() -> {
            try {
                send(subscription, title, body, url);
            } catch (RuntimeException e) {
                metrics.push("failed");
                log.warn("push: cannot send to {} ({}); the guest has the email", subscription.endpoint(),
                        e.getMessage());
            }
        });
    }

    private void send(Stored.Push subscription, String title, String body, String url) {
        if (!push.allows(subscription.endpoint())) {
            return;
        }
        URI endpoint = URI.create(subscription.endpoint());
        String audience = endpoint.getScheme() + "://" + endpoint.getRawAuthority();
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        fields.put("title", title);
        fields.put("body", body);
        fields.put("url", url);
        byte[] message;
        try {
            message = JSON.writeValueAsBytes(fields);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        byte[] encrypted = PushCrypto.encrypt(message,
                PushCrypto.decode(subscription.p256dh()), PushCrypto.decode(subscription.auth()));
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/octet-stream")
                .header("Content-Encoding", "aes128gcm")
                .header("TTL", Long.toString(push.ttlSeconds()))
                .header("Urgency", "high")
                .header("Authorization", PushCrypto.vapid(audience, push.subject(),
                        System.currentTimeMillis() / 1000 + TOKEN_SECONDS, keys))
                .POST(HttpRequest.BodyPublishers.ofByteArray(encrypted)).build();
        client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            if (failure != null) {
                metrics.push("failed");
                log.warn("push: {} did not answer ({}); the guest has the email", audience, failure.toString());
            } else if (response.statusCode() / 100 == 2) {
                metrics.push("sent");
            } else {
                metrics.push(response.statusCode() == 404 || response.statusCode() == 410 ? "gone" : "failed");
                log.info("push: {} answered {}; the guest has the email", audience, response.statusCode());
            }
        });
    }
}
