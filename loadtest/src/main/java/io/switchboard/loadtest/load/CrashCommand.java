package io.switchboard.loadtest.load;

import io.switchboard.protocol.Codec;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The crash test: {@code crash [--rounds N] [--seed S] [--durability fsync|process] [--guests N] [--agents N]
 * [--data-dir DIR]}. Starts the real server as a child process on one data directory, drives guests, agents, chat and
 * REST reservations, kills it with SIGKILL at a random moment (seeded), starts it again, and checks that nothing it had
 * acknowledged is lost: every acknowledged message is in its room's history at its {@code seq}, seqs run 1..n with no
 * gap or duplicate, every acknowledged reservation has its status, the queue keeps its order, and every client resumes
 * its session. The last round stops the server with SIGTERM (a graceful restart) instead. Bounded: at most 50 rounds,
 * 200 guests, 20 agents, loopback only. Exit status 1 on any loss.
 */
public final class CrashCommand {
    private static final Codec CODEC = new Codec();
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern READY = Pattern.compile("ready in (\\d+) ms");
    private static final Pattern SID = Pattern.compile("\"reservation_sid\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern STATUS = Pattern.compile("\"reservation_status\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern POSITION = Pattern.compile("\"queuePosition\"\\s*:\\s*(\\d+)");

    private final int rounds;
    private final long seed;
    private final String durability;
    private final int guestsPerRound;
    private final int agentCount;
    private final Path dataDir;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final List<Peer> agents = new ArrayList<>();
    private final List<Peer> guests = new ArrayList<>();
    /** Acknowledged messages: room, then seq, then body. */
    private final Map<String, TreeMap<Long, String>> acked = new ConcurrentHashMap<>();
    /** REST reservations whose 201 arrived, in the order they were created. */
    private final List<String> created = new ArrayList<>();
    private final Set<String> cancelTried = ConcurrentHashMap.newKeySet();
    private final Set<String> canceled = ConcurrentHashMap.newKeySet();
    final List<String> failures = new ArrayList<>();
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
            for (int i = 0; i < args.length; i += 2) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                if (value == null) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                switch (args[i]) {
                    case "--rounds" -> rounds = bounded("--rounds", value, 1, 50);
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--durability" -> {
                        if (!List.of("fsync", "process").contains(value)) {
                            throw new IllegalArgumentException("--durability: " + value + " (fsync or process)");
                        }
                        durability = value;
                    }
                    case "--guests" -> guests = bounded("--guests", value, 1, 200);
                    case "--agents" -> agents = bounded("--agents", value, 1, 20);
                    case "--data-dir" -> dataDir = Path.of(value);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
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

    private static int bounded(String name, String value, int min, int max) {
        int number = Integer.parseInt(value);
        if (number < min || number > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected " + min + ".." + max + ")");
        }
        return number;
    }

    int run() throws Exception {
        System.out.printf("crash: %d rounds, seed %d, durability %s, data in %s%n", rounds, seed, durability,
                dataDir);
        for (int round = 0; round <= rounds; round++) {
            Target target = Target.switchboard(agentCount, durability, dataDir);
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
                        ackedCount() - sentBefore, created.size(), graceful ? "SIGTERM" : "SIGKILL");
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
                + "%d sessions resumed each time (seed %d)%n", checkedMessages, checkedReservations,
                agents.size() + guests.size(), seed);
        return 0;
    }

    private int ackedCount() {
        return acked.values().stream().mapToInt(Map::size).sum();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Clients

    /** Agents and guests from earlier rounds resume their sessions; new guests join; agents say they are available. */
    private void connectAll(Target target, int round) throws Exception {
        for (int i = agents.size(); i < agentCount; i++) {
            agents.add(new Peer("agent-" + (i + 1)));
        }
        List<Peer> fresh = new ArrayList<>();
        for (int i = 0; i < guestsPerRound; i++) {
            fresh.add(new Peer("guest-" + round + "-" + i));
        }
        for (Peer peer : agents) {
            peer.connect(target.ws);
            if (peer.session == null) {
                peer.call(new Request.Login(peer.name, LoadConfig.token(Integer.parseInt(peer.name.substring("agent-".length())))));
            } else {
                resume(peer);
            }
        }
        for (Peer peer : guests) {
            peer.connect(target.ws);
            resume(peer);
        }
        for (Peer peer : fresh) {
            peer.connect(target.ws);
            peer.call(Request.Identify.guest(peer.name, "crash round " + round));
            guests.add(peer);
        }
        for (Peer peer : agents) {
            peer.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        }
    }

    private void resume(Peer peer) throws Exception {
        String session = peer.session;
        ServerMessage reply = peer.call(new Request.Resume(session));
        if (!(reply instanceof ServerMessage.Ack)) {
            failures.add(peer.name + " could not resume session " + session + ": " + reply);
        }
    }

    private void disconnectAll() {
        for (Peer peer : agents) {
            peer.abort();
        }
        for (Peer peer : guests) {
            peer.abort();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Checks after a restart

    private void verify(Target target, int round) throws Exception {
        for (Map.Entry<String, TreeMap<Long, String>> entry : acked.entrySet()) {
            String room = entry.getKey();
            Peer reader = guests.stream().filter(guest -> room.equals(guest.room)).findFirst().orElse(null);
            if (reader == null) {
                failures.add("round " + round + ": no guest of room " + room + " to read it");
                continue;
            }
            List<ServerMessage.Message> history = new ArrayList<>();
            while (true) {
                ServerMessage reply = reader.call(new Request.History(room, (long) history.size()));
                ServerMessage.History page = reader.lastHistory;
                if (!(reply instanceof ServerMessage.Ack) || page == null) {
                    failures.add("round " + round + ": history of " + room + " refused: " + reply);
                    break;
                }
                history.addAll(page.messages());
                if (page.messages().size() < 500) {
                    break;
                }
            }
            for (int i = 0; i < history.size(); i++) {
                if (history.get(i).seq() != i + 1) {
                    failures.add("round " + round + ": room " + room + " seq " + history.get(i).seq() + " at place "
                            + (i + 1) + " (a gap or a duplicate)");
                    break;
                }
            }
            for (Map.Entry<Long, String> message : entry.getValue().entrySet()) {
                long seq = message.getKey();
                if (seq > history.size() || !history.get((int) seq - 1).body().equals(message.getValue())) {
                    failures.add("round " + round + ": room " + room + " lost acknowledged message seq " + seq + " ("
                            + message.getValue() + "); history has " + history.size());
                }
                checkedMessages++;
            }
        }
        int lastPosition = 0;
        for (String sid : created) {
            String body = get(target, "/v1/companies/default/groups/queue/reservations/" + sid);
            Matcher status = body == null ? null : STATUS.matcher(body);
            String found = status != null && status.find() ? status.group(1) : "missing (" + body + ")";
            boolean wasCanceled = canceled.contains(sid);
            String queued = "GROUP_RESERVATION_STATUS_QUEUED";
            String expected = wasCanceled ? "GROUP_RESERVATION_STATUS_CANCELED" : queued;
            boolean allowed = found.equals(expected)
                    || cancelTried.contains(sid) && found.equals("GROUP_RESERVATION_STATUS_CANCELED");
            if (!allowed) {
                failures.add("round " + round + ": reservation " + sid + " is " + found + " (acknowledged: "
                        + expected + ")");
            }
            if (found.equals(queued)) {
                String position = get(target, "/v1/queuePosition/account/default/conversations/" + sid);
                Matcher place = position == null ? null : POSITION.matcher(position);
                int at = place != null && place.find() ? Integer.parseInt(place.group(1)) : -1;
                if (at <= lastPosition) {
                    failures.add("round " + round + ": reservation " + sid + " at place " + at + " after place "
                            + lastPosition + " (queue order changed)");
                }
                lastPosition = at;
            }
            checkedReservations++;
        }
    }

    private String get(Target target, String path) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(target.http.resolve(path))
                .timeout(WAIT).header("Authorization", "Bearer " + Target.API_KEY).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Traffic until the kill

    /** Chat and REST traffic for {@code millis}; returns the REST thread, which ends when the server is gone. */
    private Thread drive(Target target, int round, long millis) {
        AtomicBoolean stop = new AtomicBoolean();
        Thread rest = new Thread(() -> restTraffic(target, round, stop), "crash-rest");
        rest.setDaemon(true);
        rest.start();
        List<Peer> senders = new ArrayList<>();
        senders.addAll(guests);
        senders.addAll(agents);
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            boolean sent = false;
            for (Peer peer : senders) {
                String room = peer.room != null ? peer.room : peer.anyRoom(random);
                if (room != null && peer.inFlight.get() < 4) {
                    peer.sendMessage(room);
                    sent = true;
                }
            }
            if (!sent) {
                Thread.onSpinWait();
            }
        }
        stop.set(true);
        return rest;
    }

    private void restTraffic(Target target, int round, AtomicBoolean stop) {
        Random own = new Random(seed * 31 + round);
        int n = 0;
        while (!stop.get()) {
            try {
                if (!created.isEmpty() && own.nextInt(4) == 0) {
                    String sid;
                    synchronized (created) {
                        sid = created.get(own.nextInt(created.size()));
                    }
                    if (cancelTried.add(sid)) {
                        HttpResponse<String> response = post(target, "/v1/companies/default/groups/queue/"
                                + "reservations/" + sid + "/cancel", null);
                        if (response.statusCode() == 200) {
                            canceled.add(sid);
                        }
                    }
                    continue;
                }
                HttpResponse<String> response = post(target, "/v1/companies/default/groups/queue/reservations",
                        "{\"external_user_id\":\"crash-" + round + "-" + n++ + "\"}");
                Matcher sid = SID.matcher(response.body());
                if (response.statusCode() == 201 && sid.find()) {
                    synchronized (created) {
                        created.add(sid.group(1));
                    }
                }
            } catch (Exception e) {
                return; // The server is gone: what was acknowledged before is what counts.
            }
        }
    }

    private HttpResponse<String> post(Target target, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(target.http.resolve(path)).timeout(WAIT)
                .header("Authorization", "Bearer " + Target.API_KEY).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** One WebSocket client: a guest or an agent, kept across rounds by its session. */
    private final class Peer implements WebSocket.Listener {
        final String name;
        volatile String session;
        /** A guest's room. */
        volatile String room;
        /** An agent's open rooms. */
        final Set<String> rooms = ConcurrentHashMap.newKeySet();
        final AtomicInteger inFlight = new AtomicInteger();
        private WebSocket socket;
        private final StringBuilder partial = new StringBuilder();
        private final Map<String, String> bodyByRef = new ConcurrentHashMap<>();
        private final Map<String, String> roomByRef = new ConcurrentHashMap<>();
        private final Map<String, Long> seqByBody = new ConcurrentHashMap<>();
        private final Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
        private final Map<String, ServerMessage> replies = new ConcurrentHashMap<>();
        volatile ServerMessage.History lastHistory;
        private int refs;

        Peer(String name) {
            this.name = name;
        }

        void connect(URI ws) throws Exception {
            socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(ws, this)
                    .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        void abort() {
            if (socket != null) {
                socket.abort();
                socket = null;
            }
            inFlight.set(0);
            bodyByRef.clear();
            roomByRef.clear();
            waiting.values().forEach(CountDownLatch::countDown);
        }

        String anyRoom(Random random) {
            List<String> open = new ArrayList<>(rooms);
            return open.isEmpty() ? null : open.get(random.nextInt(open.size()));
        }

        /** Sends a request and waits for its ack or error. */
        ServerMessage call(Request request) throws Exception {
            String ref = name + "-c" + ++refs;
            CountDownLatch done = new CountDownLatch(1);
            waiting.put(ref, done);
            send(ref, request);
            if (!done.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException(name + ": no answer to " + request + " within " + WAIT);
            }
            return replies.remove(ref);
        }

        void sendMessage(String toRoom) {
            String ref = name + "-m" + ++refs;
            String body = name + " #" + refs;
            bodyByRef.put(ref, body);
            roomByRef.put(ref, toRoom);
            inFlight.incrementAndGet();
            send(ref, new Request.Message(toRoom, body));
        }

        private synchronized void send(String ref, Request request) {
            if (socket != null) {
                socket.sendText(CODEC.encodeRequest(ref, request), true).join();
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                handle(CODEC.decodeServerMessage(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void handle(ServerMessage message) {
            if (message instanceof ServerMessage.Identified identified) {
                session = identified.session();
            } else if (message instanceof ServerMessage.Joined joined) {
                if (name.startsWith("guest")) {
                    room = joined.room();
                } else {
                    rooms.add(joined.room());
                }
            } else if (message instanceof ServerMessage.End end) {
                rooms.remove(end.room());
            } else if (message instanceof ServerMessage.History history) {
                lastHistory = history;
            } else if (message instanceof ServerMessage.Message chat && chat.user().equals(name)) {
                seqByBody.put(chat.body(), chat.seq());
            } else if (message instanceof ServerMessage.Ack ack) {
                String body = bodyByRef.remove(ack.ref());
                if (body != null) {
                    String toRoom = roomByRef.remove(ack.ref());
                    Long seq = seqByBody.remove(body);
                    inFlight.decrementAndGet();
                    if (seq == null) {
                        synchronized (failures) {
                            failures.add(name + ": ack of " + body + " before its echo");
                        }
                    } else {
                        TreeMap<Long, String> roomMessages = acked.computeIfAbsent(toRoom, id -> new TreeMap<>());
                        synchronized (roomMessages) {
                            roomMessages.put(seq, body);
                        }
                    }
                }
                reply(ack.ref(), ack);
            } else if (message instanceof ServerMessage.ErrorReply error && error.ref() != null) {
                if (bodyByRef.remove(error.ref()) != null) {
                    inFlight.decrementAndGet();
                }
                reply(error.ref(), error);
            }
        }

        private void reply(String ref, ServerMessage message) {
            CountDownLatch done = waiting.remove(ref);
            if (done != null) {
                replies.put(ref, message);
                done.countDown();
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            // The server was killed: expected.
        }
    }
}
