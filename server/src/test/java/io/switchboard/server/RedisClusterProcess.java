package io.switchboard.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A Redis Cluster of three masters (no replicas) as child processes on loopback, made with {@code redis-cli --cluster
 * create} (Debian's redis-tools, which redis-server depends on). Its URL for {@code cluster.redis} lists the seeds.
 */
public final class RedisClusterProcess implements AutoCloseable {
    private final List<RedisProcess> nodes = new ArrayList<>();

    private RedisClusterProcess() {
    }

    public static RedisClusterProcess start(Path dir) {
        RedisClusterProcess cluster = new RedisClusterProcess();
        try {
            for (int i = 0; i < 3; i++) {
                cluster.nodes.add(RedisProcess.start(dir.resolve("node-" + i), List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")));
            }
            String cli = RedisProcess.binary("redis-cli");
            List<String> create = new ArrayList<>(List.of(cli, "--cluster", "create"));
            cluster.nodes.forEach(node -> create.add("127.0.0.1:" + node.port()));
            create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
            run(create);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            for (RedisProcess node : cluster.nodes) {
                while (!run(List.of(cli, "-p", Integer.toString(node.port()), "cluster", "info"))
                        .contains("cluster_state:ok")) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("the Redis Cluster did not become ok within 20 s");
                    }
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
                }
            }
            return cluster;
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(String.join(" ", command) + " could not run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code redis-cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3}. */
    public String url() {
        return "redis-cluster://" + nodes.stream().map(node -> "127.0.0.1:" + node.port())
                .collect(Collectors.joining(","));
    }

    @Override
    public void close() {
        nodes.forEach(RedisProcess::close);
    }
}
