package io.switchboard.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A cluster on this machine for the load generator and the cluster crash test: {@code redis-server} and N Switchboard
 * nodes as child processes on loopback, started together (so that placement spreads the accounts over them), on the
 * load test's configuration with a {@code cluster} section. It knows which node owns an account (its lease), waits
 * for an account to answer, and restarts a node. For the chat, connection {@code index} goes to node {@code index %
 * N}, or, with affinity, to the owner of its account.
 */
final class LocalCluster implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final Path dir;
    private final RedisChild redis;
    private final Path config;
    private final List<String> jvmOptions;
    private final Path logs;
    private final List<Target> nodes = new ArrayList<>();
    private final Map<String, Integer> owners = new HashMap<>();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private LocalCluster(Path dir, RedisChild redis, Path config, List<String> jvmOptions, Path logs) {
        this.dir = dir;
        this.redis = redis;
        this.config = config;
        this.jvmOptions = jvmOptions;
        this.logs = logs;
    }

    /** Starts Redis and {@code count} nodes on {@code configJson} (LoadConfig's, with {@code accounts} accounts). */
    static LocalCluster start(String configJson, int count, int accounts) throws Exception {
        return start(configJson, count, accounts, Map.of(), List.of(), null);
    }

    /**
     * The same, with more keys of the {@code cluster} section ({@code lease_ms}, {@code audit}), options for the
     * nodes' JVMs, and a directory each node's whole output goes to ({@code n1.log}...; null: none).
     */
    static LocalCluster start(String configJson, int count, int accounts, Map<String, Object> clusterKeys,
                              List<String> jvmOptions, Path logs) throws Exception {
        Path dir = Files.createTempDirectory("switchboard-cluster");
        RedisChild redis = RedisChild.start(dir.resolve("redis"));
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(configJson);
        ObjectNode cluster = root.putObject("cluster").put("redis", redis.url()).put("node", "n1");
        clusterKeys.forEach((key, value) -> cluster.set(key, mapper.valueToTree(value)));
        Path config = dir.resolve("cluster.json");
        Files.writeString(config, mapper.writeValueAsString(root));
        LocalCluster started = new LocalCluster(dir, redis, config, List.copyOf(jvmOptions), logs);
        try {
            List<CompletableFuture<Target>> starting = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                starting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return started.launch(index);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (CompletableFuture<Target> node : starting) {
                started.nodes.add(node.get(90, TimeUnit.SECONDS));
            }
            for (int a = 0; a < accounts; a++) {
                String account = LoadConfig.accountOf(a, accounts);
                started.awaitAnswer(account, a == 0 ? Target.API_KEY : Target.API_KEY + "-" + account,
                        System.nanoTime(), -1, new Random(a));
                started.owners.put(account, started.ownerOf(account));
            }
            return started;
        } catch (Exception e) {
            started.close();
            throw e;
        }
    }

    private Target launch(int index) throws java.io.IOException {
        String node = "n" + (index + 1);
        return Target.clusterNode(config, node, jvmOptions, logs == null ? null : logs.resolve(node + ".log"));
    }

    /** Node {@code index} (0-based). */
    Target node(int index) {
        return nodes.get(index);
    }

    int size() {
        return nodes.size();
    }

    RedisChild redis() {
        return redis;
    }

    /** Starts node {@code index} again (after a kill), as a new process on a new port. */
    void restart(int index) throws java.io.IOException {
        nodes.set(index, launch(index));
    }

    /** The index of the node that holds the account's lease now, or -1. */
    int ownerOf(String account) {
        String lease = redis.commands().get("{a:" + account + "}:lease");
        return lease == null ? -1 : Integer.parseInt(lease.substring(1, lease.lastIndexOf(':'))) - 1;
    }

    /** The epoch of the account's lease now, or "?". */
    String epochOf(String account) {
        String lease = redis.commands().get("{a:" + account + "}:lease");
        return lease == null ? "?" : lease.substring(lease.lastIndexOf(':') + 1);
    }

    /** Waits until another node than {@code owner} holds each account (at most {@code timeoutMs}). */
    void awaitOwnerOtherThan(List<String> accounts, int owner, long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (String account : accounts) {
            while (true) {
                int now = ownerOf(account);
                if (now >= 0 && now != owner) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no other node took account " + account);
                }
                LockSupport.parkNanos(20_000_000);
            }
        }
    }

    /**
     * Waits until the account answers a REST call (a 404 from its desk for a reservation that does not exist) through
     * a random node but {@code dead}; returns the ms since {@code start}.
     */
    long awaitAnswer(String account, String apiKey, long start, int dead, Random random) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos() * 2;
        while (System.nanoTime() < deadline) {
            int at = random.nextInt(nodes.size());
            if (at == dead) {
                continue;
            }
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(nodes.get(at).http.resolve(
                        "/v1/companies/" + account + "/groups/queue/reservations/rsv_probe"))
                        .timeout(WAIT).header("Authorization", "Bearer " + apiKey).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 404) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            } catch (java.io.IOException e) {
                // A node going or coming: ask another.
            }
            LockSupport.parkNanos(50_000_000);
        }
        throw new IllegalStateException("account " + account + " did not answer within " + WAIT.multipliedBy(2));
    }

    /** Where connection {@code index} goes (agents first, then guests, as the chat scenario opens them). */
    URI uri(int index, Options options) {
        if (!options.affinity()) {
            return nodes.get(index % nodes.size()).ws;
        }
        int accounts = options.accounts();
        String account = index < options.agents() ? LoadConfig.accountOf(index % accounts, accounts)
                : LoadConfig.accountOf(index - options.agents(), accounts);
        return nodes.get(owners.get(account)).ws;
    }

    /** Which node owned each account when the cluster had started (0-based). */
    Map<String, Integer> owners() {
        return Map.copyOf(owners);
    }

    /** CPU time of every node and of Redis, in ms. */
    long cpuMillis() {
        long total = redis.cpuMillis();
        for (Target node : nodes) {
            total += node.cpuMillis();
        }
        return total;
    }

    /** CPU time of Redis alone, in ms. */
    long redisCpuMillis() {
        return redis.cpuMillis();
    }

    long redisUsedMemory() {
        return redis.usedMemory();
    }

    @Override
    public void close() throws Exception {
        for (Target node : nodes) {
            node.kill();
        }
        redis.close();
        Target.deleteTree(dir);
    }
}
