package io.switchboard.server.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection to Redis (Lettuce, asynchronous and pipelined: commands leave and are answered in order), and the Lua
 * scripts of cluster mode, sent by digest and loaded again by themselves when Redis forgot them (a restart). While
 * Redis cannot be reached, commands fail at once instead of queueing, and Lettuce reconnects by itself. A URL
 * {@code redis-cluster://HOST:PORT,HOST:PORT} connects to a Redis Cluster through those seed nodes (every key of an
 * account shares its {@code {a:ID}} hash tag, so each script runs on the node of that slot); anything else is a
 * Lettuce URL (a single server, or {@code redis-sentinel://} for a master that Sentinel fails over). Thread-safe.
 */
public final class RedisLink implements AutoCloseable {
    /** The scheme of a Redis Cluster's seed list. */
    static final String CLUSTER_SCHEME = "redis-cluster://";

    private final AbstractRedisClient client;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterAsyncCommands<String, String> commands;
    private final long timeoutMs;
    private final String uri;

    private RedisLink(AbstractRedisClient client, StatefulConnection<String, String> connection,
                      RedisClusterAsyncCommands<String, String> commands, long timeoutMs, String uri) {
        this.client = client;
        this.connection = connection;
        this.commands = commands;
        this.timeoutMs = timeoutMs;
        this.uri = uri;
    }

    /**
     * Connects to {@code uri}.
     *
     * @throws Unreachable when Redis cannot be reached (the message says where and why)
     * @throws StoreException when the URL is not one
     */
    public static RedisLink connect(String uri, long timeoutMs) {
        if (uri.startsWith(CLUSTER_SCHEME)) {
            return connectCluster(uri, timeoutMs);
        }
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (IllegalArgumentException e) {
            throw new StoreException("cluster.redis: " + uri + " is not a Redis URL (" + e.getMessage() + ")", e);
        }
        parsed.setTimeout(Duration.ofMillis(timeoutMs));
        RedisClient client = RedisClient.create(parsed);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(timeoutMs)))
                .build());
        try {
            var connection = client.connect();
            return new RedisLink(client, connection, connection.async(), timeoutMs, redact(uri));
        } catch (RedisException e) {
            client.shutdown(0, 1, TimeUnit.SECONDS);
            throw new Unreachable("cannot reach Redis at " + redact(uri) + " (" + rootMessage(e) + "); start it, or "
                    + "point cluster.redis / --redis at it", e);
        }
    }

    /** A Redis Cluster, found through its seed nodes ({@code redis-cluster://[:PASSWORD@]HOST:PORT,HOST:PORT}). */
    private static RedisLink connectCluster(String uri, long timeoutMs) {
        String rest = uri.substring(CLUSTER_SCHEME.length());
        String password = null;
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String credentials = rest.substring(0, at);
            password = credentials.substring(credentials.indexOf(':') + 1);
            rest = rest.substring(at + 1);
        }
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            rest = rest.substring(0, slash);
        }
        java.util.List<RedisURI> seeds = new java.util.ArrayList<>();
        for (String hostPort : rest.split(",")) {
            try {
                RedisURI seed = RedisURI.create("redis://" + (password == null ? "" : ":" + password + "@")
                        + hostPort.trim());
                seed.setTimeout(Duration.ofMillis(timeoutMs));
                seeds.add(seed);
            } catch (IllegalArgumentException e) {
                throw new StoreException("cluster.redis: " + redact(uri) + " is not a list of HOST:PORT seed nodes ("
                        + e.getMessage() + ")", e);
            }
        }
        RedisClusterClient client = RedisClusterClient.create(seeds);
        client.setOptions(ClusterClientOptions.builder()
                .autoReconnect(true)
                // A Redis Cluster client connects to each node when it first needs it, and would reject a command for
                // a node it has not connected to yet (lettuce#3747): here commands wait for the connection instead,
                // and every wait is bounded by redis_timeout_ms all the same (await).
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.ACCEPT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(timeoutMs)))
                // A slot that moved (MOVED, a failover) makes Lettuce read the cluster's layout again.
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enableAllAdaptiveRefreshTriggers().build())
                .build());
        try {
            StatefulRedisClusterConnection<String, String> connection = client.connect();
            return new RedisLink(client, connection, connection.async(), timeoutMs, redact(uri));
        } catch (RedisException e) {
            client.shutdown(0, 1, TimeUnit.SECONDS);
            throw new Unreachable("cannot reach the Redis Cluster at " + redact(uri) + " (" + rootMessage(e)
                    + "); start it, or point cluster.redis / --redis at it", e);
        }
    }

    /** The URL without its password, for messages. */
    static String redact(String uri) {
        return uri.replaceAll("//[^@/]*@", "//(hidden)@");
    }

    private static String rootMessage(Throwable e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    /** The commands (asynchronous), of a single server or of a Redis Cluster. */
    public RedisClusterAsyncCommands<String, String> async() {
        return commands;
    }

    /** Whether the connection is up now. */
    public boolean connected() {
        return connection.isOpen();
    }

    /** Where it connects (no password). */
    public String where() {
        return uri;
    }

    /** Waits for a reply at most the configured timeout. */
    public <T> T await(java.util.concurrent.CompletionStage<T> reply) throws RedisUnavailable {
        try {
            return reply.toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RedisUnavailable("interrupted", e);
        } catch (ExecutionException | CompletionException e) {
            throw new RedisUnavailable(rootMessage(e), e.getCause());
        } catch (java.util.concurrent.CancellationException e) {
            // Lettuce cancels what it cannot send again after a reconnect: not answered, like any other failure.
            throw new RedisUnavailable("cancelled (" + rootMessage(e) + ")", e);
        } catch (TimeoutException e) {
            throw new RedisUnavailable("no answer within " + timeoutMs + " ms", e);
        }
    }

    /** Redis cannot be reached at start: the node does not start (exit status 1). */
    public static final class Unreachable extends RuntimeException {
        public Unreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Redis did not answer (not reachable, too slow, or it refused the command). */
    public static final class RedisUnavailable extends Exception {
        RedisUnavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** A Lua script of cluster mode (a resource under {@code /cluster}), run by its digest. */
    public static final class Script {
        private final String text;
        private final String sha;

        private Script(String text) {
            this.text = text;
            try {
                this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                        .digest(text.getBytes(StandardCharsets.UTF_8)));
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The script {@code /cluster/NAME.lua}. */
        public static Script named(String name) {
            try (InputStream in = RedisLink.class.getResourceAsStream("/cluster/" + name + ".lua")) {
                if (in == null) {
                    throw new IllegalStateException("missing script /cluster/" + name + ".lua");
                }
                return new Script(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        /** Runs it: by digest, and by its text when Redis does not have it (after a restart). */
        public <T> CompletableFuture<T> run(RedisLink redis, ScriptOutputType type, String[] keys, String... args) {
            CompletableFuture<T> result = new CompletableFuture<>();
            RedisClusterAsyncCommands<String, String> commands = redis.async();
            try {
                commands.<T>evalsha(sha, type, keys, args).whenComplete((value, failure) -> {
                    if (failure == null) {
                        result.complete(value);
                    } else if (failure instanceof RedisNoScriptException
                            || String.valueOf(failure.getMessage()).startsWith("NOSCRIPT")) {
                        try {
                            commands.<T>eval(text, type, keys, args).whenComplete((again, failedAgain) -> {
                                if (failedAgain == null) {
                                    result.complete(again);
                                } else {
                                    result.completeExceptionally(failedAgain);
                                }
                            });
                        } catch (RuntimeException e) {
                            result.completeExceptionally(e);
                        }
                    } else {
                        result.completeExceptionally(failure);
                    }
                });
            } catch (RuntimeException e) {
                // A command Lettuce refuses at once (not connected) fails like one Redis did not answer.
                result.completeExceptionally(e);
            }
            return result;
        }
    }
}
