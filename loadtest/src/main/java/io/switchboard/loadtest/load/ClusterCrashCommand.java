package io.switchboard.loadtest.load;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The cluster crash test: {@code cluster-crash [--rounds N] [--seed S] [--guests N] [--agents N] [--lease-ms N]
 * [--logs DIR]} (each node's whole output into DIR).
 * Starts {@code redis-server} and three Switchboard nodes as child processes on loopback, with three accounts; every
 * client (guests and agents of each account, REST calls) talks to a node chosen at random. Each round drives chat and
 * REST traffic, then hits the owner of one account: {@code kill -9} (restarted once the account answers elsewhere),
 * {@code SIGSTOP} past its lease (resumed once another node holds the account: it must then send nothing, and its
 * clients must be closed), or a restart of Redis itself ({@code kill -9} and start on the same append-only file).
 * After every round: every acknowledged message is back at its seq with no gap or duplicate, every acknowledged
 * reservation has its status and the queue its order, every session resumes (on a random node); at the end, the
 * commit audit shows at most one node per account and epoch, and epochs that never go back. Failover time is from
 * the fault to the account answering again (a REST call through a random live node). Bounded: at most 50 rounds, 60
 * guests per round, 6 agents per account; loopback only; exit status 1 on any loss.
 */
public final class ClusterCrashCommand {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int NODES = 3;
    private static final int ACCOUNTS = 3;

    private enum Fault { KILL, STOP, REDIS }

    private final int rounds;
    private final long seed;
    private final int guestsPerRound;
    private final int agentsPerAccount;
    private final long leaseMs;
    /** Every round's fault ({@code --only kill|stop|redis}), or null for the mix. */
    private final Fault only;
    /** Where each node's whole output goes ({@code --logs DIR}), or null. */
    private final Path logs;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<CrashAccount> accounts = new ArrayList<>();
    /** The mail sink the nodes send to (loopback). */
    private SmtpSink mail;
    long checkedMails;
    private final Map<String, TreeMap<Long, String>> acked = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<Fault, List<Long>> failovers = new LinkedHashMap<>();
    private LocalCluster cluster;
    /** The epoch of each account's lease when its owner was paused (the zombie check). */
    private final Map<String, String> heldEpochs = new HashMap<>();
    private long checkedMessages;
    private long checkedReservations;
    private final FencingChecks fencing = new FencingChecks(failures);

    ClusterCrashCommand(int rounds, long seed, int guestsPerRound, int agentsPerAccount, long leaseMs, Path logs,
                        Fault only) {
        this.logs = logs;
        this.only = only;
        this.rounds = rounds;
        this.seed = seed;
        this.guestsPerRound = guestsPerRound;
        this.agentsPerAccount = agentsPerAccount;
        this.leaseMs = leaseMs;
        this.random = new Random(seed);
        for (int a = 0; a < ACCOUNTS; a++) {
            accounts.add(new CrashAccount(a, ACCOUNTS));
        }
        for (Fault fault : Fault.values()) {
            failovers.put(fault, new ArrayList<>());
        }
    }

    public static int run(String[] args) {
        int rounds = 20;
        long seed = new Random().nextLong();
        int guests = 4;
        int agents = 2;
        long leaseMs = 5_000;
        Path logs = null;
        Fault only = null;
        try {
            for (String[] flag : Flags.pairs(args)) {
                String value = flag[1];
                switch (flag[0]) {
                    case "--rounds" -> rounds = Flags.bounded("--rounds", value, 1, 50);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--guests" -> guests = Flags.bounded("--guests", value, 1, 20);
                    case "--agents" -> agents = Flags.bounded("--agents", value, 1, 6);
                    case "--lease-ms" -> leaseMs = Flags.bounded("--lease-ms", value, 1_000, 60_000);
                    case "--logs" -> logs = Path.of(value);
                    case "--only" -> only = Fault.valueOf(value.toUpperCase(java.util.Locale.ROOT));
                    default -> throw new IllegalArgumentException("unknown option " + flag[0]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("cluster-crash: " + e.getMessage() + "\nusage: cluster-crash [--rounds N] [--seed S] "
                    + "[--guests N per account and round] [--agents N per account] [--lease-ms N] [--logs DIR] "
                    + "[--only kill|stop|redis]");
            return 2;
        }
        ClusterCrashCommand command = new ClusterCrashCommand(rounds, seed, guests, agents, leaseMs, logs,
                only);
        try {
            return command.run();
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(ClusterCrashCommand.class).error("cluster-crash: failed (seed {})", seed,
                    e);
            command.printNodes();
            return 1;
        } finally {
            command.stopAll();
        }
    }

    int run() throws Exception {
        System.out.printf("cluster-crash: %d rounds, seed %d, %d nodes, %d accounts, lease %d ms%n", rounds, seed,
                NODES, ACCOUNTS, leaseMs);
        mail = new SmtpSink();
        cluster = LocalCluster.start(LoadConfig.json(agentsPerAccount * ACCOUNTS, "fsync", ACCOUNTS, 1, mail.port()),
                NODES, ACCOUNTS, Map.of("lease_ms", leaseMs, "audit", true), List.of("-Xmx256m"), logs);
        for (int round = 0; round <= rounds; round++) {
            connectAll(round);
            verify(round);
            if (round == rounds || !failures.isEmpty()) {
                break;
            }
            Fault fault = only != null ? only : round % 5 == 3 ? Fault.STOP : round % 5 == 4 ? Fault.REDIS : Fault.KILL;
            CrashAccount victim = accounts.get(round % ACCOUNTS);
            int owner = cluster.ownerOf(victim.id);
            List<CrashAccount> moving = new ArrayList<>();
            for (CrashAccount account : accounts) {
                if (fault == Fault.REDIS || cluster.ownerOf(account.id) == owner) {
                    moving.add(account);
                }
            }
            long traffic = 300 + random.nextInt(1_200);
            int before = ackedCount();
            AtomicBoolean stop = new AtomicBoolean();
            Thread rest = restTraffic(round, stop);
            chat(traffic);
            long start = System.nanoTime();
            List<CrashPeer> direct = new ArrayList<>();
            switch (fault) {
                case KILL -> cluster.node(owner).kill();
                case STOP -> {
                    for (CrashAccount account : moving) {
                        account.peers().stream().filter(peer -> peer.node == owner).forEach(direct::add);
                    }
                    // Its own clients first hear everything it said before the pause (a busy client reads late), so
                    // that whatever they get after it wakes up was said after.
                    stop.set(true);
                    rest.join(WAIT.toMillis());
                    FencingChecks.awaitQuiet(direct);
                    heldEpochs.clear();
                    for (CrashAccount account : moving) {
                        heldEpochs.put(account.id, cluster.epochOf(account.id));
                    }
                    start = System.nanoTime();
                    cluster.node(owner).signal("STOP");
                    // While it sleeps, its own clients send: it wakes up to requests it must no longer answer.
                    for (CrashPeer peer : direct) {
                        String room = peer.room != null ? peer.room : peer.anyRoom(random);
                        if (room != null) {
                            peer.sendMessage(room);
                        }
                    }
                    cluster.awaitOwnerOtherThan(ids(moving), owner, leaseMs + WAIT.toMillis());
                    direct.forEach(CrashPeer::mark);
                    cluster.node(owner).signal("CONT");
                }
                case REDIS -> {
                    cluster.redis().kill();
                    cluster.redis().restart();
                }
            }
            for (CrashAccount account : moving) {
                failovers.get(fault).add(cluster.awaitAnswer(account.id, account.apiKey, start,
                        fault == Fault.KILL ? owner : -1, random));
            }
            stop.set(true);
            rest.join(WAIT.toMillis());
            if (fault == Fault.STOP) {
                fencing.checkZombie(direct, round);
                fencing.checkGaveUp(cluster.node(owner), heldEpochs, round);
            }
            if (fault == Fault.KILL) {
                cluster.restart(owner);
            }
            disconnectAll();
            System.out.printf("round %d: %s (owner of %s), %d ms of traffic, %d messages acknowledged, "
                            + "failover %s ms%n", round, fault == Fault.REDIS ? "Redis restarted" : fault + " of n"
                            + (owner + 1),
                    moving.stream().map(account -> account.id).toList(), traffic, ackedCount() - before,
                    failovers.get(fault).subList(failovers.get(fault).size() - moving.size(),
                            failovers.get(fault).size()));
        }
        fencing.audit(cluster.redis(), ids(accounts));
        if (!failures.isEmpty()) {
            System.out.println("LOST (seed " + seed + "):");
            synchronized (failures) {
                failures.stream().limit(20).forEach(failure -> System.out.println("  " + failure));
            }
            return 1;
        }
        List<Long> all = new ArrayList<>();
        failovers.values().forEach(all::addAll);
        all.sort(null);
        System.out.printf("nothing lost: %d acknowledged messages and %d reservations checked after every round, every "
                        + "session resumed on a random node; %d zombie clients got nothing after their owner was "
                        + "fenced, and the paused owners gave up %d accounts once awake; %d audited commits, one node "
                        + "per account and epoch; %d messages left by email, each still there and its mail sent "
                        + "(%d checks)%n", checkedMessages, checkedReservations, fencing.zombies,
                fencing.gaveUp, fencing.auditEntries, accounts.stream().mapToInt(account -> account.left.size()).sum(),
                checkedMails);
        for (Map.Entry<Fault, List<Long>> entry : failovers.entrySet()) {
            List<Long> times = new ArrayList<>(entry.getValue());
            times.sort(null);
            if (!times.isEmpty()) {
                System.out.printf("failover after %s: p50 %d ms, max %d ms (%d accounts)%n", entry.getKey(),
                        times.get(times.size() / 2), times.get(times.size() - 1), times.size());
            }
        }
        System.out.printf("failover, all: p50 %d ms, max %d ms (seed %d)%n",
                all.isEmpty() ? 0 : all.get(all.size() / 2), all.isEmpty() ? 0 : all.get(all.size() - 1), seed);
        return 0;
    }

    /** Each node's last lines of output, and with {@code --logs} its threads (what went wrong, for a failed run). */
    private void printNodes() {
        for (int i = 0; cluster != null && i < cluster.size(); i++) {
            System.out.println("--- n" + (i + 1) + ", last lines:");
            cluster.node(i).outputContaining("").forEach(line -> System.out.println("  " + line));
            if (logs != null) {
                try {
                    Files.writeString(logs.resolve("n" + (i + 1) + ".threads.txt"), cluster.node(i).threadDump());
                } catch (java.io.IOException e) {
                    System.out.println("  (no thread dump: " + e.getMessage() + ")");
                }
            }
        }
        for (CrashAccount account : accounts) {
            for (CrashPeer peer : account.peers()) {
                if (peer.inFlight.get() > 0 || peer.closeStatus != 0) {
                    System.out.println("  " + peer.name + " on n" + (peer.node + 1) + ": " + peer.inFlight.get()
                            + " in flight; last frames " + peer.lastFrames());
                }
            }
        }
    }

    private void stopAll() {
        disconnectAll();
        if (cluster != null) {
            try {
                cluster.close();
            } catch (Exception e) {
                System.out.println("cluster-crash: stopping the cluster: " + e);
            }
        }
        if (mail != null) {
            try {
                mail.close();
            } catch (java.io.IOException e) {
                System.out.println("cluster-crash: stopping the mail sink: " + e);
            }
        }
    }

    private static List<String> ids(List<CrashAccount> accounts) {
        return accounts.stream().map(account -> account.id).toList();
    }

    private int ackedCount() {
        return acked.values().stream().mapToInt(Map::size).sum();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Clients

    private CrashPeer peer(String name) {
        return new CrashPeer(name, http, WAIT, acked, failures);
    }

    /** Every client connects to a random node: agents sign in or resume, guests resume, new guests join. */
    private void connectAll(int round) throws Exception {
        for (int a = 0; a < ACCOUNTS; a++) {
            CrashAccount account = accounts.get(a);
            while (account.agents.size() < agentsPerAccount) {
                // Agent agent-i belongs to account (i - 1) % ACCOUNTS (LoadConfig).
                account.agents.add(peer("agent-" + (a + 1 + ACCOUNTS * account.agents.size())));
            }
            for (CrashPeer agent : account.agents) {
                attach(agent, account, null, round);
            }
            for (CrashPeer guest : account.guests) {
                attach(guest, account, null, round);
            }
            for (int i = 0; i < guestsPerRound; i++) {
                CrashPeer guest = peer("guest-" + account.id + "-" + round + "-" + i);
                attach(guest, account, "round " + round, round);
                account.guests.add(guest);
            }
            for (CrashPeer agent : account.agents) {
                for (int attempt = 1; attempt <= 20; attempt++) {
                    if (agent.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE))
                            instanceof ServerMessage.Ack) {
                        break;
                    }
                    // Closed meanwhile (its account moved), or refused for a moment: like a console, it comes back
                    // and says it again.
                    Thread.sleep(Math.min(1_000, 50L * attempt));
                    if (agent.closeStatus != 0) {
                        agent.abort();
                        attach(agent, account, null, round);
                    }
                }
            }
        }
    }

    /**
     * Connects a client to a random node and signs it in (a first time: login or identify; after: resume). Like the
     * console and the widget, it tries again while the server says it cannot take changes yet (storage unavailable
     * for a moment after Redis came back: reads answer before the first commit went through).
     */
    private void attach(CrashPeer peer, CrashAccount account, String question, int round) throws Exception {
        for (int attempt = 1; ; attempt++) {
            peer.node = random.nextInt(NODES);
            peer.connect(URI.create(cluster.node(peer.node).ws.toString()));
            ServerMessage reply;
            if (peer.session != null) {
                reply = peer.call(new Request.Resume(peer.session));
            } else if (peer.name.startsWith("agent-")) {
                reply = peer.call(new Request.Login(peer.name, LoadConfig.token(Integer.parseInt(
                        peer.name.substring("agent-".length())))));
            } else {
                reply = peer.call(new Request.Identify(peer.name, question, account.id, null, null, null));
            }
            if (reply instanceof ServerMessage.Ack) {
                return;
            }
            peer.abort();
            if (attempt == 20) {
                failures.add("round " + round + ": " + peer.name + " could not sign in or resume on any node: "
                        + reply);
                return;
            }
            Thread.sleep(Math.min(1_000, 50L * attempt));
        }
    }

    private void disconnectAll() {
        for (CrashAccount account : accounts) {
            account.peers().forEach(CrashPeer::abort);
        }
    }

    private void verify(int round) throws Exception {
        List<CrashPeer> guests = new ArrayList<>();
        accounts.forEach(account -> guests.addAll(account.guests));
        checkedMessages += CrashChecks.messages(acked, guests, round, failures);
        for (CrashAccount account : accounts) {
            checkedReservations += CrashChecks.reservations(path -> get(account, path), account.id, account.created,
                    account.canceled, account.cancelTried, round, failures);
            checkedMails += CrashChecks.mails(path -> get(account, path), account.id, account.left, mail, WAIT, round,
                    failures);
        }
    }

    private String get(CrashAccount account, String path) throws Exception {
        return account.get(http, cluster.node(random.nextInt(NODES)), path, WAIT);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Traffic

    private void chat(long millis) {
        List<CrashPeer> senders = new ArrayList<>();
        accounts.forEach(account -> senders.addAll(account.peers()));
        CrashPeer.chat(senders, random, millis);
    }

    /** REST reservations and cancels, each through a random node, until {@code stop} (or the call fails). */
    private Thread restTraffic(int round, AtomicBoolean stop) {
        Thread thread = new Thread(() -> {
            Random own = new Random(seed * 31 + round);
            int n = 0;
            while (!stop.get()) {
                CrashAccount account = accounts.get(own.nextInt(ACCOUNTS));
                Target node = cluster.node(own.nextInt(NODES));
                try {
                    account.call(http, node, own, "cc-" + round + "-" + n++);
                } catch (Exception e) {
                    // A node going away: what was acknowledged before is what counts.
                    java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
                }
            }
        }, "cluster-crash-rest");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
