package io.switchboard.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final Pattern SID = Pattern.compile("\"reservation_sid\"\\s*:\\s*\"([^\"]+)\"");

    private enum Fault { KILL, STOP, REDIS }

    /** One account's clients and reservations. */
    private final class Account {
        final String id;
        final String apiKey;
        final List<CrashPeer> agents = new ArrayList<>();
        final List<CrashPeer> guests = new ArrayList<>();
        final List<String> created = new ArrayList<>();
        final Set<String> cancelTried = ConcurrentHashMap.newKeySet();
        final Set<String> canceled = ConcurrentHashMap.newKeySet();

        Account(int index) {
            this.id = LoadConfig.accountOf(index, ACCOUNTS);
            this.apiKey = index == 0 ? Target.API_KEY : Target.API_KEY + "-" + id;
        }

        List<CrashPeer> peers() {
            List<CrashPeer> all = new ArrayList<>(agents);
            all.addAll(guests);
            return all;
        }
    }

    private final int rounds;
    private final long seed;
    private final int guestsPerRound;
    private final int agentsPerAccount;
    private final long leaseMs;
    /** Every round's fault ({@code --only kill|stop|redis}), or null for the mix. */
    private Fault only;
    /** Where each node's whole output goes ({@code --logs DIR}), or null. */
    private final Path logs;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Account> accounts = new ArrayList<>();
    private final Map<String, TreeMap<Long, String>> acked = new ConcurrentHashMap<>();
    private final List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Map<Fault, List<Long>> failovers = new LinkedHashMap<>();
    private final Target[] nodes = new Target[NODES];
    /** The epoch of each account's lease when its owner was paused (the zombie check). */
    private final Map<String, String> heldEpochs = new HashMap<>();
    private RedisChild redis;
    private Path config;
    private long checkedMessages;
    private long checkedReservations;
    private int zombies;
    private int gaveUp;
    private int auditEntries;

    ClusterCrashCommand(int rounds, long seed, int guestsPerRound, int agentsPerAccount, long leaseMs, Path logs) {
        this.logs = logs;
        this.rounds = rounds;
        this.seed = seed;
        this.guestsPerRound = guestsPerRound;
        this.agentsPerAccount = agentsPerAccount;
        this.leaseMs = leaseMs;
        this.random = new Random(seed);
        for (int a = 0; a < ACCOUNTS; a++) {
            accounts.add(new Account(a));
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
        Path dir = null;
        ClusterCrashCommand command = new ClusterCrashCommand(rounds, seed, guests, agents, leaseMs, logs);
        command.only = only;
        try {
            dir = Files.createTempDirectory("switchboard-cluster-crash");
            return command.run(dir);
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(ClusterCrashCommand.class).error("cluster-crash: failed (seed {})", seed,
                    e);
            command.printNodes();
            return 1;
        } finally {
            command.stopAll();
            if (dir != null) {
                Target.deleteTree(dir);
            }
        }
    }

    int run(Path dir) throws Exception {
        System.out.printf("cluster-crash: %d rounds, seed %d, %d nodes, %d accounts, lease %d ms%n", rounds, seed,
                NODES, ACCOUNTS, leaseMs);
        redis = RedisChild.start(dir.resolve("redis"));
        config = dir.resolve("cluster.json");
        Files.writeString(config, configJson());
        for (int i = 0; i < NODES; i++) {
            nodes[i] = node(i);
        }
        for (Account account : accounts) {
            awaitAnswer(account, System.nanoTime(), -1);
        }
        for (int round = 0; round <= rounds; round++) {
            connectAll(round);
            verify(round);
            if (round == rounds || !failures.isEmpty()) {
                break;
            }
            Fault fault = only != null ? only : round % 5 == 3 ? Fault.STOP : round % 5 == 4 ? Fault.REDIS : Fault.KILL;
            Account victim = accounts.get(round % ACCOUNTS);
            int owner = ownerOf(victim);
            List<Account> moving = new ArrayList<>();
            for (Account account : accounts) {
                if (fault == Fault.REDIS || ownerOf(account) == owner) {
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
                case KILL -> nodes[owner].kill();
                case STOP -> {
                    for (Account account : moving) {
                        account.peers().stream().filter(peer -> peer.node == owner).forEach(direct::add);
                    }
                    // Its own clients first hear everything it said before the pause (a busy client reads late), so
                    // that whatever they get after it wakes up was said after.
                    stop.set(true);
                    rest.join(WAIT.toMillis());
                    awaitQuiet(direct);
                    for (Account account : moving) {
                        String lease = redis.commands().get("{a:" + account.id + "}:lease");
                        heldEpochs.put(account.id, lease == null ? "?" : lease.substring(lease.lastIndexOf(':') + 1));
                    }
                    start = System.nanoTime();
                    nodes[owner].signal("STOP");
                    // While it sleeps, its own clients send: it wakes up to requests it must no longer answer.
                    for (CrashPeer peer : direct) {
                        String room = peer.room != null ? peer.room : peer.anyRoom(random);
                        if (room != null) {
                            peer.sendMessage(room);
                        }
                    }
                    awaitOwnerOtherThan(moving, owner);
                    direct.forEach(CrashPeer::mark);
                    nodes[owner].signal("CONT");
                }
                case REDIS -> {
                    redis.kill();
                    redis.restart();
                }
            }
            for (Account account : moving) {
                failovers.get(fault).add(awaitAnswer(account, start, fault == Fault.KILL ? owner : -1));
            }
            stop.set(true);
            rest.join(WAIT.toMillis());
            if (fault == Fault.STOP) {
                checkZombie(direct, round);
                checkGaveUp(nodes[owner], moving, round);
            }
            if (fault == Fault.KILL) {
                nodes[owner] = node(owner);
            }
            disconnectAll();
            System.out.printf("round %d: %s (owner of %s), %d ms of traffic, %d messages acknowledged, "
                            + "failover %s ms%n", round, fault == Fault.REDIS ? "Redis restarted" : fault + " of n"
                            + (owner + 1),
                    moving.stream().map(account -> account.id).toList(), traffic, ackedCount() - before,
                    failovers.get(fault).subList(failovers.get(fault).size() - moving.size(),
                            failovers.get(fault).size()));
        }
        audit();
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
                        + "per account and epoch%n", checkedMessages, checkedReservations, zombies, gaveUp,
                auditEntries);
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

    private String configJson() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = (ObjectNode) mapper.readTree(LoadConfig.json(agentsPerAccount * ACCOUNTS, "fsync",
                ACCOUNTS, 1));
        root.putObject("cluster").put("redis", redis.url()).put("node", "n1").put("lease_ms", leaseMs)
                .put("audit", true);
        return mapper.writeValueAsString(root);
    }

    private Target node(int index) throws Exception {
        Path log = logs == null ? null : logs.resolve("n" + (index + 1) + ".log");
        return Target.clusterNode(config, "n" + (index + 1), List.of("-Xmx256m"), log);
    }

    /** Each node's last lines of output, and with {@code --logs} its threads (what went wrong, for a failed run). */
    private void printNodes() {
        for (int i = 0; i < NODES; i++) {
            if (nodes[i] != null) {
                System.out.println("--- n" + (i + 1) + ", last lines:");
                nodes[i].outputContaining("").forEach(line -> System.out.println("  " + line));
                if (logs != null) {
                    try {
                        Files.writeString(logs.resolve("n" + (i + 1) + ".threads.txt"), nodes[i].threadDump());
                    } catch (java.io.IOException e) {
                        System.out.println("  (no thread dump: " + e.getMessage() + ")");
                    }
                }
            }
        }
        for (Account account : accounts) {
            for (CrashPeer peer : account.peers()) {
                if (peer.name.equals("agent-1")) {
                    System.out.println("  agent-1's last frames: " + peer.lastFrames());
                }
                if (peer.inFlight.get() > 0 || peer.closeStatus != 0) {
                    System.out.println("  " + peer.name + " on n" + (peer.node + 1) + ": " + peer.inFlight.get()
                            + " in flight, close " + peer.closeStatus);
                }
            }
        }
    }

    private void stopAll() {
        disconnectAll();
        for (Target node : nodes) {
            if (node != null) {
                try {
                    node.kill();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (redis != null) {
            try {
                redis.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private int ackedCount() {
        return acked.values().stream().mapToInt(Map::size).sum();
    }

    /** The index of the node that holds the account's lease now, or -1. */
    private int ownerOf(Account account) {
        String lease = redis.commands().get("{a:" + account.id + "}:lease");
        if (lease == null) {
            return -1;
        }
        return Integer.parseInt(lease.substring(1, lease.lastIndexOf(':'))) - 1;
    }

    private void awaitOwnerOtherThan(List<Account> moving, int owner) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(leaseMs + WAIT.toMillis());
        for (Account account : moving) {
            while (true) {
                int now = ownerOf(account);
                if (now >= 0 && now != owner) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("no other node took account " + account.id);
                }
                java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
            }
        }
    }

    /** Waits until the account answers a REST call through a live node; returns the ms since {@code start}. */
    private long awaitAnswer(Account account, long start, int dead) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos() * 2;
        while (System.nanoTime() < deadline) {
            int at = liveNode(dead);
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(nodes[at].http.resolve(
                        "/v1/companies/" + account.id + "/groups/queue/reservations/rsv_probe"))
                        .timeout(WAIT).header("Authorization", "Bearer " + account.apiKey).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 404) {
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                }
            } catch (java.io.IOException e) {
                // A node going or coming: ask another.
            }
            java.util.concurrent.locks.LockSupport.parkNanos(50_000_000);
        }
        throw new IllegalStateException("account " + account.id + " did not answer within " + WAIT.multipliedBy(2));
    }

    private int liveNode(int dead) {
        while (true) {
            int at = random.nextInt(NODES);
            if (at != dead) {
                return at;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Clients

    private CrashPeer peer(String name) {
        return new CrashPeer(name, http, WAIT, acked, failures);
    }

    /** Every client connects to a random node: agents sign in or resume, guests resume, new guests join. */
    private void connectAll(int round) throws Exception {
        for (int a = 0; a < ACCOUNTS; a++) {
            Account account = accounts.get(a);
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
    private void attach(CrashPeer peer, Account account, String question, int round) throws Exception {
        for (int attempt = 1; ; attempt++) {
            peer.node = random.nextInt(NODES);
            peer.connect(URI.create(nodes[peer.node].ws.toString()));
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
        for (Account account : accounts) {
            account.peers().forEach(CrashPeer::abort);
        }
    }

    private void verify(int round) throws Exception {
        List<CrashPeer> guests = new ArrayList<>();
        accounts.forEach(account -> guests.addAll(account.guests));
        checkedMessages += CrashChecks.messages(acked, guests, round, failures);
        for (Account account : accounts) {
            checkedReservations += CrashChecks.reservations(path -> get(account, path), account.id, account.created,
                    account.canceled, account.cancelTried, round, failures);
        }
    }

    private String get(Account account, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(nodes[random.nextInt(NODES)].http
                        .resolve(path)).timeout(WAIT).header("Authorization", "Bearer " + account.apiKey).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : null;
    }

    /** Waits until none of the clients has a message in flight or heard anything for 300 ms (at most 15 s). */
    private static void awaitQuiet(List<CrashPeer> peers) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long quiet = TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (peers.stream().allMatch(peer -> peer.inFlight.get() == 0 && now - peer.lastFrameNanos > quiet)) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }

    /**
     * The paused owner, once awake, gave up every account it held (its renewal or its next commit was refused: a newer
     * epoch holds them) within 10 s, as its log says.
     */
    private void checkGaveUp(Target zombie, List<Account> moving, int round) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Account account : moving) {
            String line = "gave up account " + account.id + " at epoch " + heldEpochs.get(account.id) + ":";
            while (zombie.outputContaining(line).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (zombie.outputContaining(line).isEmpty()) {
                failures.add("round " + round + ": the paused owner did not give up account " + account.id
                        + " after it woke up");
            } else {
                gaveUp++;
            }
        }
    }

    /** A client of a fenced owner got no frame after it woke up (only its close). */
    private void checkZombie(List<CrashPeer> direct, int round) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (CrashPeer peer : direct) {
            while (peer.closeStatus == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (peer.sinceMark.get() != 0) {
                failures.add("round " + round + ": " + peer.name + " got " + peer.sinceMark.get() + " frames from its "
                        + "owner after the owner was fenced: " + peer.seenSinceMark);
            }
            if (peer.closeStatus == 0) {
                failures.add("round " + round + ": " + peer.name + " was not closed by its fenced owner");
            }
            zombies++;
        }
    }

    /** The commit audit: per account, epochs never go back in commit order, and each epoch has one node. */
    private void audit() {
        for (Account account : accounts) {
            List<String> entries = redis.commands().lrange("{a:" + account.id + "}:audit", 0, -1);
            Map<Long, String> nodeOfEpoch = new HashMap<>();
            long last = 0;
            for (String entry : entries) {
                String[] parts = entry.split(" ");
                long epoch = Long.parseLong(parts[0]);
                String previous = nodeOfEpoch.putIfAbsent(epoch, parts[1]);
                if (previous != null && !previous.equals(parts[1])) {
                    failures.add("account " + account.id + ": epoch " + epoch + " committed by " + previous + " and "
                            + parts[1]);
                }
                if (epoch < last) {
                    failures.add("account " + account.id + ": a commit of epoch " + epoch + " after one of epoch "
                            + last);
                }
                last = Math.max(last, epoch);
                auditEntries++;
            }
        }
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
                Account account = accounts.get(own.nextInt(ACCOUNTS));
                Target node = nodes[own.nextInt(NODES)];
                try {
                    String sid = null;
                    synchronized (account.created) {
                        if (!account.created.isEmpty() && own.nextInt(4) == 0) {
                            sid = account.created.get(own.nextInt(account.created.size()));
                        }
                    }
                    if (sid != null) {
                        if (account.cancelTried.add(sid) && post(node, account, "/v1/companies/" + account.id
                                + "/groups/queue/reservations/" + sid + "/cancel", null).statusCode() == 200) {
                            account.canceled.add(sid);
                        }
                        continue;
                    }
                    HttpResponse<String> response = post(node, account, "/v1/companies/" + account.id
                            + "/groups/queue/reservations", "{\"external_user_id\":\"cc-" + round + "-" + n++ + "\"}");
                    Matcher created = SID.matcher(response.body());
                    if (response.statusCode() == 201 && created.find()) {
                        synchronized (account.created) {
                            account.created.add(created.group(1));
                        }
                    }
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

    private HttpResponse<String> post(Target node, Account account, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(node.http.resolve(path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + account.apiKey).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
