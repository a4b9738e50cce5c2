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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A cluster on this machine for the load generator: {@code redis-server} and N Switchboard nodes as child processes
 * on loopback, started together (so that placement spreads the accounts over them), on the load test's configuration
 * with a {@code cluster} section. Connection {@code index} of a scenario goes to node {@code index % N}, or, with
 * affinity, to the owner of its account.
 */
final class LocalCluster implements AutoCloseable {
    private final Path dir;
    private final RedisChild redis;
    private final List<Target> nodes = new ArrayList<>();
    private final Map<String, Integer> owners = new HashMap<>();

    private LocalCluster(Path dir, RedisChild redis) {
        this.dir = dir;
        this.redis = redis;
    }

    /** Starts Redis and {@code count} nodes on {@code configJson} (LoadConfig's, with {@code accounts} accounts). */
    static LocalCluster start(String configJson, int count, int accounts) throws Exception {
        Path dir = Files.createTempDirectory("switchboard-cluster");
        LocalCluster cluster = new LocalCluster(dir, RedisChild.start(dir.resolve("redis")));
        try {
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode root = (ObjectNode) mapper.readTree(configJson);
            root.putObject("cluster").put("redis", cluster.redis.url()).put("node", "n1");
            Path config = dir.resolve("cluster.json");
            Files.writeString(config, mapper.writeValueAsString(root));
            List<CompletableFuture<Target>> starting = new ArrayList<>();
            for (int i = 1; i <= count; i++) {
                String node = "n" + i;
                starting.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return Target.clusterNode(config, node, List.of(), null);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (CompletableFuture<Target> node : starting) {
                cluster.nodes.add(node.get(90, TimeUnit.SECONDS));
            }
            for (int a = 0; a < accounts; a++) {
                cluster.awaitOwner(LoadConfig.accountOf(a, accounts), a == 0 ? Target.API_KEY
                        : Target.API_KEY + "-" + LoadConfig.accountOf(a, accounts));
            }
            return cluster;
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    /** Waits until the account has an owner that answers, and notes which node it is. */
    private void awaitOwner(String account, String apiKey) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            String lease = redis.commands().get("{a:" + account + "}:lease");
            if (lease != null) {
                HttpResponse<String> probe = http.send(HttpRequest.newBuilder(nodes.get(0).http.resolve(
                        "/v1/companies/" + account + "/groups/queue/reservations/rsv_probe")).timeout(
                        Duration.ofSeconds(30)).header("Authorization", "Bearer " + apiKey).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (probe.statusCode() == 404) {
                    owners.put(account, Integer.parseInt(lease.substring(1, lease.lastIndexOf(':'))) - 1);
                    return;
                }
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
        throw new IllegalStateException("account " + account + " has no owner within 60 s");
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

    /** Which node owns each account (0-based). */
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
