package io.switchboard.server.cluster;

import io.lettuce.core.ScriptOutputType;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.gate.DeskGate;
import io.switchboard.server.gate.Fence;
import io.switchboard.server.gate.Placement;
import io.switchboard.server.metrics.ServerMetrics;
import io.switchboard.server.store.RedisJournal;
import io.switchboard.server.store.RedisLink;
import java.net.InetAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's part in a cluster: which accounts it owns, and where every other account is.
 *
 * <p>Every account has at most one owner, the node that holds its lease in Redis ({@code {a:ID}:lease} = {@code
 * node:epoch}, expiring after {@code lease_ms}). A node takes a free lease with {@code acquire.lua}, which increments
 * the account's epoch; the journal's every commit checks that epoch, so an owner that was paused or cut off past its
 * lease and wakes up fails its next commit and has said nothing since (its {@link Fence} closed at its local deadline,
 * the last renewal's start plus the lease minus a margin, on the monotonic clock). Renewals run every {@code renew_ms}.
 * Placement is rendezvous hashing of the account over the live nodes: the preferred node takes a free lease at once, the
 * others after {@value #RANK_DELAY_MS} ms per rank, so a lease whose owner died is always taken. There is no fail-back:
 * a lease stays with its holder until it dies or stops.
 *
 * <p>Who is alive and where, and the placement, are {@link Members}'. All of this runs on one thread, {@code
 * switchboard-cluster}.
 */
public final class Ownership implements Placement, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Ownership.class);
    static final long TICK_MS = 100;
    static final long BEAT_MS = 1_000;
    static final long SCAN_MS = 200;
    static final long RANK_DELAY_MS = 500;
    /** How long a node that just joined waits before it takes accounts: one beat, to see the nodes that joined too. */
    static final long SETTLE_MS = BEAT_MS + 200;
    private static final RedisLink.Script ACQUIRE = RedisLink.Script.named("acquire");
    private static final RedisLink.Script RENEW = RedisLink.Script.named("renew");
    private static final RedisLink.Script RELEASE = RedisLink.Script.named("release");
    private static final String SECRET_KEY = "{sb}:secret";

    /** A lease this node holds: the fence of the account's desk here. */
    private final class Held implements Fence {
        final String account;
        final long epoch;
        volatile long deadlineNanos;
        volatile boolean lost;
        volatile boolean ready;

        Held(String account, long epoch, long deadlineNanos) {
            this.account = account;
            this.epoch = epoch;
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public boolean open() {
            return !lost && System.nanoTime() - deadlineNanos < 0;
        }
    }

    private final ServerConfig.Cluster settings;
    private final String node;
    private volatile String address;
    private final List<String> accounts;
    private final RedisLink redis;
    private final ServerMetrics metrics;
    private final long leaseMs;
    private final long marginMs;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread t = new Thread(runnable, "switchboard-cluster");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final Map<String, Owner> owners = new ConcurrentHashMap<>();
    private final Watches watches = new Watches();
    /** Since when each account was seen without a lease (cluster thread). */
    private final Map<String, Long> freeSince = new HashMap<>();
    private final String secret;
    private final Members members;
    private volatile boolean closing;
    private DeskGate gate;
    private RedisJournal journal;
    private long nextBeat;
    private long nextRenew;
    private long nextScan;

    private Ownership(ServerConfig.Cluster settings, List<String> accounts, RedisLink redis, ServerMetrics metrics,
                      String secret) {
        this.settings = settings;
        this.node = settings.node();
        this.accounts = List.copyOf(accounts);
        this.redis = redis;
        this.metrics = metrics;
        this.leaseMs = settings.leaseMs();
        this.marginMs = Math.min(1_000, leaseMs / 4);
        this.secret = secret;
        this.members = new Members(node, redis);
    }

    /**
     * Connects this node to the cluster on {@code redis} and learns the nodes' shared secret; it says nothing of itself
     * and takes no account before {@link #start}.
     *
     * @throws RedisLink.Unreachable when Redis does not answer
     */
    public static Ownership connect(ServerConfig.Cluster settings, List<String> accounts, RedisLink redis,
                                    ServerMetrics metrics) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String candidate = java.util.HexFormat.of().formatHex(random);
        try {
            redis.await(redis.async().setnx(SECRET_KEY, candidate));
            String secret = redis.await(redis.async().get(SECRET_KEY));
            return new Ownership(settings, accounts, redis, metrics, secret);
        } catch (RedisLink.RedisUnavailable e) {
            throw new RedisLink.Unreachable("cannot reach Redis at " + redis.where() + " (" + e.getMessage() + ")", e);
        }
    }

    /**
     * Joins: says this node is alive at {@code address} (HOST:PORT, where the other nodes reach it), then takes,
     * renews and watches leases for {@code gate}'s desks, written to {@code journal}.
     *
     * @throws RedisLink.Unreachable when Redis does not answer
     */
    public void start(DeskGate gate, RedisJournal journal, String address) {
        this.gate = gate;
        this.journal = journal;
        this.address = address;
        try {
            members.beat(address);
        } catch (RedisLink.RedisUnavailable e) {
            throw new RedisLink.Unreachable("cannot reach Redis at " + redis.where() + " (" + e.getMessage() + ")", e);
        }
        log.info("cluster node {} (at {}, with {} live nodes, Redis at {})", node, address, members.size(),
                redis.where());
        // Nodes started together see each other at their next beat: only then does placement spread the accounts.
        long now = System.nanoTime();
        nextBeat = now + TimeUnit.MILLISECONDS.toNanos(BEAT_MS);
        nextScan = now + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
        nextRenew = now;
        thread.scheduleWithFixedDelay(this::tick, TICK_MS, TICK_MS, TimeUnit.MILLISECONDS);
    }

    /** A commit found a newer epoch: the fence closes now (before the round is released), the desk goes next. */
    public void fenced(String account, long epoch, String why) {
        Held lease = held.get(account);
        if (lease != null && lease.epoch == epoch) {
            lease.lost = true;
            try {
                thread.execute(() -> stepDown(account, epoch, "fenced", "a commit was refused (" + why + ")"));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                log.debug("cluster node {}: stopping; account {} is given up with everything else", node, account);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Placement

    @Override
    public Owner ownerOf(String account) {
        Held lease = held.get(account);
        if (lease != null) {
            return lease.ready && lease.open() ? Owner.HERE : Owner.NOWHERE;
        }
        return owners.getOrDefault(account, Owner.NOWHERE);
    }

    @Override
    public boolean arriving(String account) {
        Held lease = held.get(account);
        return lease != null && !lease.ready && lease.open();
    }

    @Override
    public boolean clustered() {
        return true;
    }

    @Override
    public String peerSecret() {
        return secret;
    }

    @Override
    public String node() {
        return node;
    }

    @Override
    public boolean mayBePeer(InetAddress address) {
        return members.isPeer(address);
    }

    @Override
    public long forwardWaitMs() {
        return settings.forwardWaitMs();
    }

    @Override
    public Runnable watch(String account, Owner owner, Runnable moved) {
        Runnable cancel = watches.add(account, owner, moved);
        // It may have moved before the watch was set.
        thread.execute(() -> movedFrom(account));
        return cancel;
    }

    /** Whether Redis answered the last heartbeat ({@code /healthz}). */
    public boolean reachable() {
        return members.reachable();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The cluster thread

    private void tick() {
        if (closing) {
            return;
        }
        try {
            long now = System.nanoTime();
            if (now - nextBeat >= 0) {
                nextBeat = now + TimeUnit.MILLISECONDS.toNanos(BEAT_MS);
                members.heartbeat(address);
            }
            if (now - nextRenew >= 0) {
                nextRenew = now + TimeUnit.MILLISECONDS.toNanos(settings.renewMs());
                renew();
            }
            expire();
            if (now - nextScan >= 0 && members.reachable()) {
                nextScan = now + TimeUnit.MILLISECONDS.toNanos(SCAN_MS);
                scan();
            }
            metrics.ownedAccounts(held.size());
        } catch (RuntimeException e) {
            log.error("cluster node {}: a round of lease work failed", node, e);
        }
    }

    private void renew() {
        List<Held> leases = new ArrayList<>(held.values());
        long start = System.nanoTime();
        List<CompletableFuture<Long>> replies = new ArrayList<>();
        for (Held lease : leases) {
            replies.add(RENEW.run(redis, ScriptOutputType.INTEGER, new String[] {RedisJournal.prefix(lease.account)},
                    node, Long.toString(lease.epoch), Long.toString(leaseMs)));
        }
        for (int i = 0; i < leases.size(); i++) {
            Held lease = leases.get(i);
            try {
                if (redis.await(replies.get(i)) == 1L) {
                    lease.deadlineNanos = start + TimeUnit.MILLISECONDS.toNanos(leaseMs - marginMs);
                    metrics.leaseRenewal("ok");
                } else {
                    metrics.leaseRenewal("lost");
                    lease.lost = true;
                    stepDown(lease.account, lease.epoch, "lost", "another node holds its lease now");
                }
            } catch (RedisLink.RedisUnavailable e) {
                metrics.leaseRenewal("failed");
            }
        }
    }

    /** Gives up every lease whose local deadline passed without a renewal: another node may hold it by now. */
    private void expire() {
        for (Held lease : List.copyOf(held.values())) {
            if (!lease.open() && !lease.lost) {
                lease.lost = true;
                stepDown(lease.account, lease.epoch, "expired", "its lease could not be renewed in time");
            }
        }
    }

    /** Reads who holds each account this node does not, and takes the free ones in placement order. */
    private void scan() {
        List<String> others = new ArrayList<>();
        List<CompletableFuture<String>> replies = new ArrayList<>();
        for (String account : accounts) {
            if (!held.containsKey(account)) {
                others.add(account);
                replies.add(redis.async().get(RedisJournal.prefix(account) + "lease").toCompletableFuture());
            }
        }
        long now = System.nanoTime();
        for (int i = 0; i < others.size(); i++) {
            String account = others.get(i);
            String lease;
            try {
                lease = redis.await(replies.get(i));
            } catch (RedisLink.RedisUnavailable e) {
                return;
            }
            if (lease != null) {
                freeSince.remove(account);
                int colon = lease.lastIndexOf(':');
                // A holder whose beats stopped keeps its lease until it runs out: flapping on a late beat (after a
                // Redis restart, every beat looks late) would close relays for nothing.
                setOwner(account, members.ownerAt(lease.substring(0, colon), Long.parseLong(lease.substring(colon
                        + 1))));
                continue;
            }
            setOwner(account, Owner.NOWHERE);
            long since = freeSince.computeIfAbsent(account, key -> now);
            if (now - since >= TimeUnit.MILLISECONDS.toNanos(members.rank(account) * RANK_DELAY_MS)) {
                acquire(account);
            }
        }
    }

    private void setOwner(String account, Owner owner) {
        Owner before = owners.put(account, owner);
        if (!owner.equals(before)) {
            movedFrom(account);
        }
    }

    /** Runs the watches of connections forwarded to an owner the account no longer has. */
    private void movedFrom(String account) {
        watches.moved(account, ownerOf(account));
    }

    private void acquire(String account) {
        long start = System.nanoTime();
        List<Object> reply;
        try {
            reply = redis.await(ACQUIRE.<List<Object>>run(redis, ScriptOutputType.MULTI,
                    new String[] {RedisJournal.prefix(account)}, node, Long.toString(leaseMs)));
        } catch (RedisLink.RedisUnavailable e) {
            return;
        }
        if (reply == null || reply.isEmpty()) {
            return;
        }
        long epoch = ((Number) reply.get(0)).longValue();
        String head = String.valueOf(reply.get(1));
        freeSince.remove(account);
        Held lease = new Held(account, epoch, start + TimeUnit.MILLISECONDS.toNanos(leaseMs - marginMs));
        held.put(account, lease);
        owners.remove(account);
        metrics.lease("acquired");
        long restoring = System.nanoTime();
        gate.acquire(account, (int) epoch, lease, journal.account(account, epoch, head.isEmpty() ? null : head, lease),
                () -> journal.load(account), () -> {
                    lease.ready = true;
                    log.info("cluster node {}: owner of account {} at epoch {} (restored in {} ms)", node, account,
                            epoch, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restoring));
                    thread.execute(() -> movedFrom(account));
                }, failure -> {
                    log.error("cluster node {}: account {} could not be restored; giving it up", node, account,
                            failure);
                    thread.execute(() -> stepDown(account, epoch, "failed", "it could not be restored"));
                });
        movedFrom(account);
    }

    /** Gives an account up (its lease is lost, expired or fenced): its desk goes, its clients come back elsewhere. */
    private void stepDown(String account, long epoch, String event, String why) {
        Held lease = held.get(account);
        if (lease == null || lease.epoch != epoch) {
            return;
        }
        lease.lost = true;
        held.remove(account, lease);
        metrics.lease(event);
        log.warn("cluster node {}: gave up account {} at epoch {}: {}", node, account, epoch, why);
        gate.release(account, () -> { });
        movedFrom(account);
    }

    /**
     * Leaves the cluster within {@code timeoutMs}: every desk goes (clients are told 1012 and come back on another
     * node), what they wrote is committed, then each lease is given up at once (not after it runs out), and the node
     * stops beating.
     */
    public void close(long timeoutMs) {
        if (gate == null) {
            thread.shutdownNow();
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        CountDownLatch left = new CountDownLatch(1);
        thread.execute(() -> {
            closing = true;
            left.countDown();
        });
        await(left, deadline);
        List<Held> leases = new ArrayList<>(held.values());
        CountDownLatch dropped = new CountDownLatch(leases.size());
        for (Held lease : leases) {
            gate.release(lease.account, dropped::countDown);
        }
        await(dropped, deadline);
        CountDownLatch stored = new CountDownLatch(1);
        journal.drained(stored::countDown);
        await(stored, deadline);
        List<CompletableFuture<Long>> released = new ArrayList<>();
        for (Held lease : leases) {
            lease.lost = true;
            released.add(RELEASE.run(redis, ScriptOutputType.INTEGER, new String[] {RedisJournal.prefix(lease.account)},
                    node, Long.toString(lease.epoch)));
        }
        for (CompletableFuture<Long> reply : released) {
            try {
                redis.await(reply);
            } catch (RedisLink.RedisUnavailable e) {
                log.warn("cluster node {}: a lease could not be given up ({}); it runs out by itself", node,
                        e.getMessage());
            }
        }
        held.clear();
        try {
            members.leave();
        } catch (RedisLink.RedisUnavailable e) {
            log.debug("cluster node {}: could not say it left: {}", node, e.getMessage());
        }
        thread.shutdownNow();
    }

    private static void await(CountDownLatch latch, long deadlineNanos) {
        try {
            latch.await(Math.max(1, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(10_000);
    }
}
