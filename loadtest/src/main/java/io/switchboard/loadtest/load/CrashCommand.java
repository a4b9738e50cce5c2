package io.switchboard.loadtest.load;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The crash test: {@code crash [--rounds N] [--seed S] [--durability fsync|process] [--guests N] [--agents N]
 * [--data-dir DIR]}. Starts the real server as a child process on one data directory, drives guests, agents, chat and
 * REST reservations, kills it with SIGKILL at a random moment (seeded), starts it again, and checks that nothing it had
 * acknowledged is lost: every acknowledged message is in its room's history at its {@code seq}, seqs run 1..n with no
 * gap or duplicate, every acknowledged reservation has its status, the queue keeps its order, every client resumes
 * its session, and every message left by email (a 201) is still there and its guest got the mail it was owed: the
 * server sends to a mail sink of the test on loopback, and a mail that was queued but not yet sent at the kill must
 * arrive after the restart. The last round stops the server with SIGTERM (a graceful restart) instead. Bounded: at most 50 rounds,
 * 200 guests, 20 agents, loopback only. Exit status 1 on any loss.
 */
public final class CrashCommand {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern READY = Pattern.compile("ready in (\\d+) ms");

    private final int rounds;
    private final long seed;
    private final String durability;
    private final int guestsPerRound;
    private final int agentCount;
    private final Path dataDir;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final List<CrashPeer> agents = new ArrayList<>();
    private final List<CrashPeer> guests = new ArrayList<>();
    /** Acknowledged messages: room, then seq, then body. */
    private final Map<String, TreeMap<Long, String>> acked = new ConcurrentHashMap<>();
    /** The account's REST reservations and messages left by email whose answers arrived (its REST calls). */
    private final CrashAccount account = new CrashAccount(0, 1);
    final List<String> failures = new ArrayList<>();
    private SmtpSink mail;
    long checkedMails;
    long checkedMessages;
    long checkedReservations;
    /** Runs between a kill and the next start (tests: damage the data directory to see the check catch it). */
    java.util.function.Consumer<Path> afterKill = dir -> { };

    CrashCommand(int rounds, long seed, String durability, int guestsPerRound, int agentCount, Path dataDir) {
        this.rounds = rounds;
        this.seed = seed;
        this.durability = durability;
        this.guestsPerRound = guestsPerRound;
        this.agentCount = agentCount;
        this.dataDir = dataDir;
        this.random = new Random(seed);
    }

    public static int run(String[] args) {
        int rounds = 10;
        long seed = new Random().nextLong();
        String durability = "fsync";
        int guests = 20;
        int agents = 4;
        Path dataDir = null;
        try {
            for (String[] flag : Flags.pairs(args)) {
                String value = flag[1];
                switch (flag[0]) {
                    case "--rounds" -> rounds = Flags.bounded("--rounds", value, 1, 50);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--durability" -> {
                        if (!List.of("fsync", "process").contains(value)) {
                            throw new IllegalArgumentException("--durability: " + value + " (fsync or process)");
                        }
                        durability = value;
                    }
                    case "--guests" -> guests = Flags.bounded("--guests", value, 1, 200);
                    case "--agents" -> agents = Flags.bounded("--agents", value, 1, 20);
                    case "--data-dir" -> dataDir = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + flag[0]);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("crash: " + e.getMessage() + "\nusage: crash [--rounds N] [--seed S] [--durability "
                    + "fsync|process] [--guests N per round] [--agents N] [--data-dir DIR]");
            return 2;
        }
        boolean temporary = dataDir == null;
        try {
            Path dir = temporary ? Files.createTempDirectory("switchboard-crash") : dataDir;
            try {
                return new CrashCommand(rounds, seed, durability, guests, agents, dir).run();
            } finally {
                if (temporary) {
                    Target.deleteTree(dir);
                }
            }
        } catch (Exception e) {
            org.slf4j.LoggerFactory.getLogger(CrashCommand.class).error("crash: failed (seed {})", seed, e);
            return 1;
        }
    }

    int run() throws Exception {
        try (SmtpSink sink = new SmtpSink()) {
            mail = sink;
            return runRounds();
        }
    }

    private int runRounds() throws Exception {
        System.out.printf("crash: %d rounds, seed %d, durability %s, data in %s%n", rounds, seed, durability,
                dataDir);
        for (int round = 0; round <= rounds; round++) {
            Target target = Target.switchboard(agentCount, durability, dataDir, mail.port());
            try {
                String ready = target.outputContaining("ready in").stream().findFirst().orElse("");
                Matcher readyMs = READY.matcher(ready);
                connectAll(target, round);
                verify(target, round);
                if (round == rounds) {
                    System.out.printf("round %d: %s ms to ready; checked%n", round, readyMs.find()
                            ? readyMs.group(1) : "?");
                    break;
                }
                long traffic = 200 + random.nextInt(1_300);
                int sentBefore = ackedCount();
                Thread rest = drive(target, round, traffic);
                boolean graceful = round == rounds - 1;
                if (graceful) {
                    target.close();
                } else {
                    target.kill();
                }
                rest.join(TimeUnit.SECONDS.toMillis(60));
                afterKill.accept(dataDir);
                System.out.printf("round %d: %s ms to ready; %d ms of traffic, %d messages acknowledged, %d "
                                + "reservations; %s%n", round, readyMs.find(0) ? readyMs.group(1) : "?", traffic,
                        ackedCount() - sentBefore, account.created.size(), graceful ? "SIGTERM" : "SIGKILL");
            } finally {
                disconnectAll();
                target.kill();
            }
            if (!failures.isEmpty()) {
                break;
            }
        }
        if (!failures.isEmpty()) {
            System.out.println("LOST (seed " + seed + "):");
            failures.stream().limit(20).forEach(failure -> System.out.println("  " + failure));
            return 1;
        }
        System.out.printf("nothing lost: %d acknowledged messages and %d reservations checked after every restart, "
                + "%d sessions resumed each time, %d messages left by email and every mail they were owed "
                + "(%d checks) (seed %d)%n", checkedMessages, checkedReservations, agents.size() + guests.size(),
                account.left.size(), checkedMails, seed);
        return 0;
    }

    /** The messages acknowledged so far: room, then seq, then body (tests: pick one to take out). */
    Map<String, TreeMap<Long, String>> acknowledged() {
        return acked;
    }

    private CrashPeer peer(String name) {
        return new CrashPeer(name, http, WAIT, acked, failures);
    }

    private int ackedCount() {
        return acked.values().stream().mapToInt(Map::size).sum();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Clients

    /** Agents and guests from earlier rounds resume their sessions; new guests join; agents say they are available. */
    private void connectAll(Target target, int round) throws Exception {
        for (int i = agents.size(); i < agentCount; i++) {
            agents.add(peer("agent-" + (i + 1)));
        }
        List<CrashPeer> fresh = new ArrayList<>();
        for (int i = 0; i < guestsPerRound; i++) {
            fresh.add(peer("guest-" + round + "-" + i));
        }
        for (CrashPeer peer : agents) {
            peer.connect(target.ws);
            if (peer.session == null) {
                peer.call(new Request.Login(peer.name, LoadConfig.token(Integer.parseInt(peer.name.substring("agent-".length())))));
            } else {
                resume(peer);
            }
        }
        for (CrashPeer peer : guests) {
            peer.connect(target.ws);
            resume(peer);
        }
        for (CrashPeer peer : fresh) {
            peer.connect(target.ws);
            peer.call(Request.Identify.guest(peer.name, "crash round " + round));
            guests.add(peer);
        }
        for (CrashPeer peer : agents) {
            peer.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        }
    }

    private void resume(CrashPeer peer) throws Exception {
        String session = peer.session;
        ServerMessage reply = peer.call(new Request.Resume(session));
        if (!(reply instanceof ServerMessage.Ack)) {
            failures.add(peer.name + " could not resume session " + session + ": " + reply);
        }
    }

    private void disconnectAll() {
        for (CrashPeer peer : agents) {
            peer.abort();
        }
        for (CrashPeer peer : guests) {
            peer.abort();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Checks after a restart

    private void verify(Target target, int round) throws Exception {
        checkedMessages += CrashChecks.messages(acked, guests, round, failures);
        checkedReservations += CrashChecks.reservations(path -> get(target, path), account.id, account.created,
                account.canceled, account.cancelTried, round, failures);
        verifyMail(target, round);
    }

    private void verifyMail(Target target, int round) throws Exception {
        checkedMails += CrashChecks.mails(path -> get(target, path), account.id, account.left, mail, WAIT, round,
                failures);
    }

    private String get(Target target, String path) throws Exception {
        return account.get(http, target, path, WAIT);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Traffic until the kill

    /** Chat and REST traffic for {@code millis}; returns the REST thread, which ends when the server is gone. */
    private Thread drive(Target target, int round, long millis) {
        AtomicBoolean stop = new AtomicBoolean();
        Thread rest = new Thread(() -> restTraffic(target, round, stop), "crash-rest");
        rest.setDaemon(true);
        rest.start();
        List<CrashPeer> senders = new ArrayList<>();
        senders.addAll(guests);
        senders.addAll(agents);
        CrashPeer.chat(senders, random, millis);
        stop.set(true);
        return rest;
    }

    /** REST reservations, cancels and messages left by email ({@link CrashAccount#call}) until the server is gone. */
    private void restTraffic(Target target, int round, AtomicBoolean stop) {
        Random own = new Random(seed * 31 + round);
        int n = 0;
        while (!stop.get()) {
            try {
                account.call(http, target, own, "crash-" + round + "-" + n++);
            } catch (Exception e) {
                return; // The server is gone: what was acknowledged before is what counts.
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
}
