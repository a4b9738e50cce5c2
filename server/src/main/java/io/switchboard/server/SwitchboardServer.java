package io.switchboard.server;

import io.switchboard.protocol.Codec;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.DeskClock;
import io.switchboard.server.desk.EstimateMethod;
import io.switchboard.server.desk.Ids;
import io.switchboard.server.gate.DeskGate;
import io.switchboard.server.gate.DeskThread;
import io.switchboard.server.gate.ExecutorDeskThread;
import io.switchboard.server.metrics.ServerMetrics;
import io.switchboard.server.cluster.Ownership;
import io.switchboard.server.store.Commits;
import io.switchboard.server.store.RedisJournal;
import io.switchboard.server.store.RedisLink;
import io.switchboard.server.store.SqliteStore;
import io.switchboard.server.store.StoreFaults;
import io.switchboard.server.transport.ChannelOutbox;
import io.switchboard.server.transport.ConnectionRules;
import io.switchboard.server.transport.NettyServer;
import io.switchboard.server.transport.Transport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One running server, wired: the store, the desks behind their gate, and the transport on one port. Nothing here
 * speaks Netty; {@link NettyServer} does.
 */
public final class SwitchboardServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SwitchboardServer.class);

    private final ServerConfig config;
    private final ServerMetrics metrics = new ServerMetrics();
    private final Commits commits = new Commits();
    private volatile boolean draining;
    private SqliteStore store;
    private DeskGate gate;
    private NettyServer netty;
    /** Cluster mode: the Redis connections (the journal's, the leases'), the journal, and this node's leases. */
    private RedisLink journalRedis;
    private RedisLink leaseRedis;
    private RedisJournal journal;
    private Ownership ownership;
    /** Email, when configured: the sender of the desks' mails, and the reader of guests' answers. */
    private final io.switchboard.server.mail.SmtpMailer mailer;
    private io.switchboard.server.mail.ImapInbox inbox;
    /** Web Push, when configured. */
    private final io.switchboard.server.push.PushSender pusher;

    private SwitchboardServer(ServerConfig config) {
        this.config = config;
        this.mailer = config.smtp() == null ? null : new io.switchboard.server.mail.SmtpMailer(config.smtp(), metrics);
        this.pusher = config.push() == null ? null : new io.switchboard.server.push.PushSender(config.push(), metrics);
    }

    /** Starts reading guests' answers, once the desks can take them. */
    private void startInbox() {
        if (config.imap() != null) {
            inbox = new io.switchboard.server.mail.ImapInbox(config.imap(), config.smtp(), gate, metrics);
            inbox.start();
        }
    }

    /** Starts a server and returns once it listens. */
    public static SwitchboardServer start(ServerConfig config) throws InterruptedException {
        return start(config, null, StoreFaults.NONE);
    }

    /**
     * Starts a server whose desks keep time with {@code clock} (tests: a {@code ManualClock} that only moves when the
     * test advances it through {@link #onDesk}); null for the real clock.
     */
    static SwitchboardServer start(ServerConfig config, DeskClock clock) throws InterruptedException {
        return start(config, clock, StoreFaults.NONE);
    }

    /** Starts a server whose store fails its commits as {@code faults} says (tests of a failing disk). */
    static SwitchboardServer start(ServerConfig config, DeskClock clock, StoreFaults faults)
            throws InterruptedException {
        SwitchboardServer server = new SwitchboardServer(config);
        try {
            server.bind(clock, faults);
        } catch (RuntimeException | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    private List<DeskThread> deskThreads(DeskClock clock) {
        List<DeskThread> threads = new ArrayList<>();
        for (int i = 0; i < config.deskThreads(); i++) {
            threads.add(clock == null ? new ExecutorDeskThread("switchboard-desk-" + i)
                    : new ClockedDeskThread("switchboard-desk-" + i, clock));
        }
        return threads;
    }

    /**
     * One node of a cluster: no SQLite; Redis holds every account (the journal), its lease and its epoch; this node
     * owns the accounts whose leases it takes, and forwards everything else to their owners.
     */
    private void bindCluster(DeskClock clock) throws InterruptedException {
        ServerConfig.Cluster cluster = config.cluster();
        if (cluster.advertise() == null && (config.host().equals("0.0.0.0") || config.host().equals("::"))) {
            throw new io.switchboard.server.config.ConfigException("cluster.advertise: needed when host is "
                    + config.host() + " (expected: the HOST:PORT the other nodes reach this one at)");
        }
        Codec codec = new Codec();
        long started = System.nanoTime();
        leaseRedis = RedisLink.connect(cluster.redis(), cluster.redisTimeoutMs());
        journalRedis = RedisLink.connect(cluster.redis(), cluster.redisTimeoutMs());
        List<String> accounts = config.accounts().stream().map(ServerConfig.AccountConfig::id).toList();
        ownership = Ownership.connect(cluster, accounts, leaseRedis, metrics);
        journal = new RedisJournal(journalRedis, commits, ownership::fenced, metrics::redisCommitted,
                cluster.audit() ? cluster.node() : null,
                config.limits().storeQueueTurns(), config.timings().storeRetryMaxMs());
        ConnectionRules rules = ConnectionRules.of(config);
        gate = DeskGate.startEmpty(new DeskGate.Settings(config, deskThreads(clock),
                index -> new ChannelOutbox(codec, rules.slowReaderBytes(), commits), Ids.secure(), metrics,
                EstimateMethod.SWITCHBOARD, io.switchboard.server.desk.Journal.NONE,
                account -> io.switchboard.server.desk.Stored.State.empty(), commits, mailer, pusher));
        Transport transport = new Transport(config, codec, gate, this::health, metrics, commits, rules, ownership);
        netty = NettyServer.bind(transport, config.host(), config.port());
        String advertise = cluster.advertise() != null ? cluster.advertise() : config.host() + ":" + netty.port();
        ownership.start(gate, journal, advertise);
        startInbox();
        log.debug("cluster node {}: started in {} ms", cluster.node(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private void bind(DeskClock clock, StoreFaults faults) throws InterruptedException {
        if (config.clustered()) {
            bindCluster(clock);
            return;
        }
        Codec codec = new Codec();
        long started = System.nanoTime();
        store = SqliteStore.open(Path.of(config.dataDir()), new SqliteStore.Options(config.durability(),
                config.timings().storeRetryMaxMs(), config.limits().storeQueueTurns(),
                config.timings().storeCommitGapUs(), faults), commits, new SqliteStore.Metrics() {
                    @Override
                    public void committed(long nanos, int batches, int rows) {
                        metrics.committed(nanos, batches, rows);
                    }

                    @Override
                    public void logMessages(int rows) {
                        metrics.logMessages(rows);
                    }

                    @Override
                    public void checkpointed(String mode, int frames) {
                        metrics.checkpointed(mode, frames);
                    }
                });
        ConnectionRules rules = ConnectionRules.of(config);
        List<DeskThread> threads = deskThreads(clock);
        // What a turn says leaves only once the changes it made are durable (see Commits).
        gate = DeskGate.start(new DeskGate.Settings(config, threads,
                index -> new ChannelOutbox(codec, rules.slowReaderBytes(), commits), Ids.secure(), metrics,
                EstimateMethod.SWITCHBOARD, store, store::load, commits, mailer, pusher));
        store.start();
        startInbox();
        log.info("data in {} ({} durability), ready in {} ms", store.dir().toAbsolutePath(),
                config.durability().wire(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        Transport transport = new Transport(config, codec, gate, this::health, metrics, commits, rules);
        netty = NettyServer.bind(transport, config.host(), config.port());
    }

    /** What {@code /healthz} says now. */
    Transport.Health health() {
        if (draining) {
            return Transport.Health.DRAINING;
        }
        if (ownership != null && !ownership.reachable()) {
            return Transport.Health.REDIS_UNREACHABLE;
        }
        boolean failing = store != null ? store.failing() : journal != null && journal.failing();
        return failing ? Transport.Health.STORAGE_FAILING : Transport.Health.OK;
    }

    /** The port it listens on (the real one when configured with port 0). */
    public int port() {
        return netty.port();
    }

    /** The host it listens on. */
    public String host() {
        return config.host();
    }

    /** Where each account is: here on one server; in a cluster, as this node's leases say (tests). */
    io.switchboard.server.gate.Placement placement() {
        return ownership != null ? ownership : io.switchboard.server.gate.Placement.SINGLE;
    }

    /** The gate to its desks (tests: look at a desk's state, move its clock). */
    DeskGate gate() {
        return gate;
    }

    /**
     * Runs a task on the desk thread and returns its result (tests: advance a manual clock there, so its timers fire
     * on the desks' thread).
     */
    <T> T onDesk(java.util.concurrent.Callable<T> task) {
        java.util.concurrent.CompletableFuture<T> result = new java.util.concurrent.CompletableFuture<>();
        gate.onDesk(gate.accounts().get(0), desk -> {
            try {
                result.complete(task.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        try {
            return result.get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the desk did not answer", e);
        }
    }

    /** Drops every WebSocket without a close frame (tests: clients must come back by themselves). */
    void dropWebSockets() {
        netty.dropWebSockets();
    }

    /**
     * Stops: no new connections, health says 503, every WebSocket is told 1001 (going away), and everything is down
     * within {@code shutdown_grace_ms}.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(config.timings().shutdownGraceMs());
        draining = true;
        if (ownership != null) {
            // The accounts go first, and their leases are given up at once: clients find the new owners right away.
            ownership.close(remainingMs(deadline) / 2);
        }
        if (netty != null) {
            netty.close(remainingMs(deadline));
        }
        if (inbox != null) {
            inbox.close();
        }
        if (gate != null) {
            gate.close(remainingMs(deadline));
        }
        if (mailer != null) {
            mailer.close();
        }
        if (store != null) {
            store.close(remainingMs(deadline));
        }
        if (journal != null) {
            journal.close(remainingMs(deadline));
        }
        if (journalRedis != null) {
            journalRedis.close();
        }
        if (leaseRedis != null) {
            leaseRedis.close();
        }
        log.info("stopped");
    }

    private static long remainingMs(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    /**
     * A desk thread on a test's clock: a real thread (the transport calls in from its event loops), whose timers are
     * the test's manual clock ones, fired on the thread when the test moves the clock ({@link #onDesk}).
     */
    private static final class ClockedDeskThread implements DeskThread {
        private final ExecutorDeskThread thread;
        private final DeskClock clock;

        ClockedDeskThread(String name, DeskClock clock) {
            this.thread = new ExecutorDeskThread(name);
            this.clock = clock;
        }

        @Override
        public void execute(Runnable task) {
            thread.execute(task);
        }

        @Override
        public long now() {
            return clock.now();
        }

        @Override
        public io.switchboard.server.desk.Cancellable schedule(long delayMs, Runnable task) {
            return clock.schedule(delayMs, task);
        }

        @Override
        public void shutdown(long timeoutMs) {
            thread.shutdown(timeoutMs);
        }
    }
}
