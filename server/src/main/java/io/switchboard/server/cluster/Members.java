package io.switchboard.server.cluster;

import io.lettuce.core.ScriptOutputType;
import io.switchboard.server.gate.Placement;
import io.switchboard.server.store.RedisLink;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who is in the cluster and where: this node beats every {@value Ownership#BEAT_MS} ms into {@code {sb}:nodes} with
 * the address the others reach it at, and reads who else is alive (a node silent for {@value #NODE_TTL_MS} ms is no
 * longer placed, but its last address is remembered: the leases it holds stay its own until they expire). Placement is
 * rendezvous hashing of an account over the live nodes ({@link #rank}). The beats run on the cluster thread; what they
 * learned is read from any thread.
 */
final class Members {
    private static final Logger log = LoggerFactory.getLogger(Members.class);
    static final long NODE_TTL_MS = 3_000;
    private static final RedisLink.Script HEARTBEAT = RedisLink.Script.named("heartbeat");
    private static final String[] NODE_KEYS = {"{sb}:nodes", "{sb}:addr"};

    private final String node;
    private final RedisLink redis;
    private volatile Map<String, String> live = Map.of();
    /** The last address each node was seen at (cluster thread). */
    private final Map<String, String> lastSeen = new HashMap<>();
    private volatile Set<InetAddress> peerAddresses = Set.of();
    private volatile boolean reachable = true;

    Members(String node, RedisLink redis) {
        this.node = node;
        this.redis = redis;
    }

    /** Says this node is alive at {@code address} (HOST:PORT) and reads who else is. Cluster thread. */
    void beat(String address) throws RedisLink.RedisUnavailable {
        List<Object> reply = redis.await(HEARTBEAT.<List<Object>>run(redis, ScriptOutputType.MULTI, NODE_KEYS, node,
                address, Long.toString(NODE_TTL_MS)));
        Map<String, String> now = new HashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            now.put(String.valueOf(reply.get(i)), String.valueOf(reply.get(i + 1)));
        }
        lastSeen.putAll(now);
        if (!now.equals(live)) {
            Set<InetAddress> addresses = new HashSet<>();
            for (Map.Entry<String, String> entry : now.entrySet()) {
                if (!entry.getKey().equals(node)) {
                    try {
                        addresses.add(InetAddress.getByName(host(entry.getValue())));
                    } catch (UnknownHostException e) {
                        log.warn("cluster node {}: node {} says it is at {}, which does not resolve", node,
                                entry.getKey(), entry.getValue());
                    }
                }
            }
            live = Map.copyOf(now);
            peerAddresses = Set.copyOf(addresses);
        }
    }

    /** A beat ({@link #beat}) that says when Redis stops and starts answering it, once each. Cluster thread. */
    void heartbeat(String address) {
        try {
            beat(address);
            if (!reachable) {
                log.info("cluster node {}: Redis at {} answers again", node, redis.where());
            }
            reachable = true;
        } catch (RedisLink.RedisUnavailable e) {
            if (reachable) {
                log.error("cluster node {}: Redis at {} does not answer ({}); accounts are given up when their leases "
                        + "run out, and taken again when it is back", node, redis.where(), e.getMessage());
            }
            reachable = false;
        }
    }

    /** Whether Redis answered the last beat ({@code /healthz}). Any thread. */
    boolean reachable() {
        return reachable;
    }

    /** This node leaves: it is no longer placed (its last beat would say so only after the TTL). */
    void leave() throws RedisLink.RedisUnavailable {
        redis.await(redis.async().zrem(NODE_KEYS[0], node));
    }

    /** How many nodes are alive. */
    int size() {
        return live.size();
    }

    /** Whether a connection from this address may be another node's. Any thread. */
    boolean isPeer(InetAddress address) {
        return peerAddresses.contains(address);
    }

    /**
     * Where the holder of a lease is, as an owner to relay to: alive or last seen (a paused holder may come back, a
     * dead one refuses connections and a relay asks again), or nowhere for this node itself or a node never seen.
     * Cluster thread.
     */
    Placement.Owner ownerAt(String holder, long epoch) {
        String at = live.containsKey(holder) ? live.get(holder) : lastSeen.get(holder);
        if (at == null || holder.equals(node)) {
            return Placement.Owner.NOWHERE;
        }
        return new Placement.Owner(Placement.Kind.THERE, holder, epoch, host(at),
                Integer.parseInt(at.substring(at.lastIndexOf(':') + 1)));
    }

    /** This node's rank among the live nodes for an account (0: it is the preferred one). */
    int rank(String account) {
        long mine = score(node, account);
        int rank = 0;
        for (String other : live.keySet()) {
            if (!other.equals(node) && Long.compareUnsigned(score(other, account), mine) > 0) {
                rank++;
            }
        }
        return rank;
    }

    private static long score(String node, String account) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((node + "\n" + account)
                    .getBytes(StandardCharsets.UTF_8));
            long score = 0;
            for (int i = 0; i < 8; i++) {
                score = score << 8 | (digest[i] & 0xff);
            }
            return score;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }
}
