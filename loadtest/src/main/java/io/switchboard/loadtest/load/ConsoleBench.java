package io.switchboard.loadtest.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code console-bench [--guests N] [--consoles N] [--changes N] [--seed S] [--out FILE.json]}: what one queue
 * change costs each agent console now that the server sends agents changes ({@code queue}, {@code team}, {@code
 * rooms}) instead of consoles asking for a snapshot after every {@code update} (issue 19). Starts the server (one
 * account, one group, N console agents who stay away, and the agent {@code worker} with limit 1), signs the consoles
 * in, queues the guests (their sockets stay open), then makes seeded random changes: a new guest queues at the back, a
 * waiting guest at a random place cancels, or the worker goes available, is given the head, goes away and ends that
 * room. After each change every console is sent a {@code ping} with a ref: its ack follows, on that connection,
 * whatever the change sent it, so what came before the ack (and after the previous one) is what the change cost that
 * console. Beside it, the size of the snapshot the old console asked for after every {@code update}, with {@code
 * queue_limit} 1000 and the default. Loopback only; every wait has a deadline.
 */
public final class ConsoleBench {
    private static final String USAGE = "usage: console-bench [--guests N] [--consoles N] [--changes N] [--seed S]"
            + " [--out FILE.json]";
    /** Sockets this process may hold (guests, consoles, the worker), below the 20 000 files a process may open. */
    private static final int MAX_SOCKETS = 18_000;
    private static final int OPEN_BATCH = 100;
    private static final long WAIT_S = 20;
    private static final long RUN_LIMIT_S = 600;
    private static final String WORKER = "worker";
    private static final String WORKER_TOKEN = "console-bench-worker-token";
    private static final String[] QUESTIONS = {
        "Where is my order? It was supposed to arrive on Monday.",
        "I was charged twice for the same invoice, can you refund one of them?",
        "How do I change the email address on my account?",
        "The app crashes when I open the settings page on my phone, what can I do?",
        "Can I return a jacket I bought three weeks ago if I have lost the receipt?",
    };

    /** What a change is. */
    enum Kind {
        QUEUED("a new guest queues at the back"),
        CANCELED("a waiting guest cancels (random place)"),
        ASSIGNED("the head is assigned to the worker, who goes away and ends the room");

        final String meaning;

        Kind(String meaning) {
            this.meaning = meaning;
        }
    }

    /** The command line: {@code out} null when no JSON report is asked for. */
    private record Settings(int guests, int consoles, int changes, long seed, Path out) {
    }

    private final Settings settings;
    private final Random random;
    private final ObjectMapper json = new ObjectMapper();
    private final long started = System.nanoTime();
    private final ConsoleBenchReport results = new ConsoleBenchReport();

    private final List<Peer> consoles = new ArrayList<>();
    private Peer worker;
    private Connections connections;
    /** The guests waiting, in the order they queued (about the queue's order). */
    private final List<Guest> waiting = new ArrayList<>();
    private final Map<String, Guest> byUser = new HashMap<>();
    private int guestsOpened;
    private int refs;
    /** What the run is doing, for a failure's message. */
    private String step = "starting the server";

    private ConsoleBench(Settings settings) {
        this.settings = settings;
        this.random = new Random(settings.seed());
    }

    public static int run(String[] args) {
        Settings settings;
        try {
            Map<String, String> given = new HashMap<>();
            for (String[] flag : Flags.pairs(args)) {
                if (!List.of("--guests", "--consoles", "--changes", "--seed", "--out").contains(flag[0])) {
                    throw new IllegalArgumentException("unknown option " + flag[0]);
                }
                given.put(flag[0], flag[1]);
            }
            String seed = given.getOrDefault("--seed", "1");
            if (!seed.matches("-?[0-9]{1,18}")) {
                throw new IllegalArgumentException("--seed: " + seed + " (expected a whole number)");
            }
            settings = new Settings(option(given, "--guests", 1_500, 15_000), option(given, "--consoles", 10, 100),
                    option(given, "--changes", 200, 2_000), Long.parseLong(seed),
                    given.containsKey("--out") ? Path.of(given.get("--out")) : null);
            if (settings.guests() + settings.changes() + settings.consoles() + 1 > MAX_SOCKETS) {
                throw new IllegalArgumentException("guests + changes + consoles must stay below " + MAX_SOCKETS
                        + " sockets");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("console-bench: " + e.getMessage() + "\n" + USAGE);
            return 2;
        }
        ConsoleBench bench = new ConsoleBench(settings);
        try {
            return bench.bench();
        } catch (Exception e) {
            System.err.println("console-bench: failed while " + bench.step + ": " + e.getMessage());
            return 1;
        }
    }

    /** A count given on the command line (1 to {@code max}), or its default. */
    private static int option(Map<String, String> given, String name, int byDefault, int max) {
        String value = given.get(name);
        return value == null ? byDefault : Flags.bounded(name, value, 1, max);
    }

    /** The server's configuration: one account, one group, the consoles, the worker, limits for one address. */
    private String config() {
        ObjectNode root = json.createObjectNode();
        ObjectNode account = root.putArray("accounts").addObject().put("id", "default");
        account.putArray("groups").addObject().put("name", "default");
        ArrayNode agents = account.putArray("agents");
        for (int i = 1; i <= settings.consoles(); i++) {
            agents.addObject().put("user", console(i)).put("token", LoadConfig.token(i));
        }
        agents.addObject().put("user", WORKER).put("token", WORKER_TOKEN).put("limit", 1);
        int clients = settings.guests() + settings.changes() + settings.consoles() + 1;
        root.putObject("limits").put("connections_per_address", clients + 10)
                .put("identifies_per_address_per_minute", settings.guests() + settings.changes() + 10)
                .put("max_queue_length", settings.guests() + settings.changes() + 10)
                .put("requests_per_second", 1_000).put("request_burst", 1_000);
        return root.toString();
    }

    private static String console(int i) {
        return "console-" + i;
    }

    private int bench() throws Exception {
        System.out.printf("console-bench: %d guests, %d consoles, %d changes, seed %d%n", settings.guests(),
                settings.consoles(), settings.changes(), settings.seed());
        try (Target server = Target.switchboard(config(), List.of());
             Connections guests = new Connections(server.ws, 1)) {
            connections = guests;
            try {
                for (int i = 1; i <= settings.consoles(); i++) {
                    step = "signing in " + console(i);
                    consoles.add(login(server, console(i), LoadConfig.token(i), true));
                }
                step = "signing in " + WORKER;
                worker = login(server, WORKER, WORKER_TOKEN, false);
                step = "queueing the guests";
                long fill = System.nanoTime();
                queueGuests();
                System.out.printf("queued %d guests in %.1f s%n", settings.guests(), (System.nanoTime() - fill) / 1e9);
                collectAll("the queue's filling", false);
                step = "asking for snapshots";
                ConsoleBenchReport.Snapshot full = snapshot(1_000);
                ConsoleBenchReport.Snapshot standard = snapshot(0);
                for (int c = 1; c <= settings.changes(); c++) {
                    if (System.nanoTime() - started > TimeUnit.SECONDS.toNanos(RUN_LIMIT_S)) {
                        throw new IllegalStateException("the run took more than " + RUN_LIMIT_S + " s");
                    }
                    change(c);
                }
                step = "asking for the last snapshot";
                ConsoleBenchReport.Snapshot after = snapshot(1_000);
                return results.print(settings.guests(), settings.consoles(), settings.changes(), settings.seed(),
                        settings.out(), full, standard, after);
            } catch (Exception e) {
                List<String> said = server.outputContaining(" ERROR ");
                if (!said.isEmpty() || !server.alive()) {
                    System.err.println("console-bench: the server " + (server.alive() ? "logged" : "exited; it logged")
                            + ":\n  " + String.join("\n  ", said.isEmpty() ? server.outputContaining("") : said));
                }
                throw e;
            } finally {
                consoles.forEach(Peer::close);
                if (worker != null) {
                    worker.close();
                }
            }
        }
    }

    /** An agent's connection, signed in; {@code console}: as the console signs in (it follows the board's changes). */
    private Peer login(Target server, String user, String token, boolean console) throws Exception {
        Peer peer = Peer.connect(server.http);
        String ref = ref("login");
        peer.send("{\"type\":\"login\",\"user\":\"" + user + "\",\"token\":\"" + token + "\""
                + (console ? ",\"console\":true" : "") + ",\"ref\":\"" + ref + "\"}");
        acked(peer.reply(ref), user + " login");
        return peer;
    }

    private String ref(String what) {
        return what + "-" + ++refs;
    }

    private static String acked(String reply, String what) {
        if (!Frames.isType(reply, "ack")) {
            throw new IllegalStateException(what + ": " + reply);
        }
        return reply;
    }

    // --- Guests -------------------------------------------------------------------------------------------------

    /** A guest's socket; the reply to its one request in flight completes {@code reply}. */
    private static final class Guest {
        final String user;
        Connections.Conn conn;
        volatile String ref;
        volatile CompletableFuture<String> reply = new CompletableFuture<>();

        Guest(String user) {
            this.user = user;
        }

        /** Sends a request with a ref; the future completes with its ack, or fails with its error. */
        CompletableFuture<String> request(String ref, String body) {
            CompletableFuture<String> future = new CompletableFuture<>();
            this.reply = future;
            this.ref = ref;
            conn.send("{" + body + ",\"ref\":\"" + ref + "\"}");
            return future;
        }

        void heard(String text) {
            String expected = ref;
            if (expected != null && expected.equals(Frames.field(text, "ref"))) {
                if (Frames.isType(text, "ack")) {
                    reply.complete(text);
                } else {
                    reply.completeExceptionally(new IllegalStateException(user + ": " + text));
                }
            }
        }
    }

    /** Opens a guest's socket (not yet identified). */
    private CompletableFuture<Guest> openGuest() {
        Guest guest = new Guest("guest-" + ++guestsOpened);
        return connections.open(guestsOpened, null, new Connections.Listener() {
            @Override
            public void onText(Connections.Conn connection, String text, long nanos) {
                guest.heard(text);
            }

            @Override
            public void onClosed(Connections.Conn connection) {
                guest.reply.completeExceptionally(new IllegalStateException(guest.user + ": the server closed"));
            }
        }).thenApply(conn -> {
            guest.conn = conn;
            return guest;
        });
    }

    private CompletableFuture<String> identify(Guest guest) {
        String question = QUESTIONS[random.nextInt(QUESTIONS.length)];
        return guest.request(ref("q"), "\"type\":\"identify\",\"user\":\"" + guest.user + "\",\"question\":\""
                + question + "\"");
    }

    /** Queues the guests, {@value #OPEN_BATCH} at a time. */
    private void queueGuests() throws Exception {
        for (int from = 0; from < settings.guests(); from += OPEN_BATCH) {
            int to = Math.min(settings.guests(), from + OPEN_BATCH);
            List<CompletableFuture<Guest>> opened = new ArrayList<>();
            for (int i = from; i < to; i++) {
                opened.add(openGuest());
            }
            List<Guest> batch = new ArrayList<>();
            List<CompletableFuture<String>> queued = new ArrayList<>();
            for (CompletableFuture<Guest> future : opened) {
                Guest guest = within(future, "a guest's connection");
                batch.add(guest);
                queued.add(identify(guest));
            }
            for (int i = 0; i < batch.size(); i++) {
                within(queued.get(i), batch.get(i).user + "'s identify");
                add(batch.get(i));
            }
        }
    }

    private void add(Guest guest) {
        waiting.add(guest);
        byUser.put(guest.user, guest);
    }

    private static <T> T within(CompletableFuture<T> future, String what) throws Exception {
        try {
            return future.get(WAIT_S, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer to " + what + " within " + WAIT_S + " s", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(what + ": " + e.getCause().getMessage(), e);
        }
    }

    // --- Changes ------------------------------------------------------------------------------------------------

    private void change(int number) throws Exception {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        if (waiting.isEmpty()) {
            kind = Kind.QUEUED;
        }
        step = "change " + number + " (" + kind.name().toLowerCase(Locale.ROOT) + ")";
        switch (kind) {
            case QUEUED -> {
                Guest guest = within(openGuest(), "a new guest's connection");
                within(identify(guest), guest.user + "'s identify");
                add(guest);
            }
            case CANCELED -> {
                Guest guest = waiting.remove(random.nextInt(waiting.size()));
                within(guest.request(ref("cancel"), "\"type\":\"cancel\""), guest.user + "'s cancel");
            }
            case ASSIGNED -> assign();
            default -> throw new IllegalStateException(kind.name());
        }
        List<List<String>> received = collectAll(step, true);
        for (int c = 0; c < received.size(); c++) {
            results.add(kind, c == 0, received.get(c));
        }
    }

    /** The worker takes the head: available (limit 1), the room opens, away again, then the room ends. */
    private void assign() throws Exception {
        String available = ref("available");
        worker.send("{\"type\":\"status\",\"of\":\"availability\",\"is\":\"available\",\"ref\":\"" + available + "\"}");
        JsonNode joined = null;
        boolean acked = false;
        while (joined == null || !acked) {
            String text = worker.next();
            if (available.equals(Frames.field(text, "ref"))) {
                acked(text, "worker available");
                acked = true;
            } else if (Frames.isType(text, "joined")) {
                joined = json.readTree(text);
            }
        }
        String room = joined.path("room").asText();
        Guest guest = byUser.get(joined.path("guest").path("user").asText());
        if (guest == null || !waiting.remove(guest)) {
            throw new IllegalStateException("the worker was given a guest who was not waiting: " + joined);
        }
        String away = ref("away");
        worker.send("{\"type\":\"status\",\"of\":\"availability\",\"is\":\"away\",\"ref\":\"" + away + "\"}");
        acked(worker.reply(away), "worker away");
        String end = ref("end");
        worker.send("{\"type\":\"end\",\"room\":\"" + room + "\",\"ref\":\"" + end + "\"}");
        acked(worker.reply(end), "worker end");
    }

    /**
     * What each console received since its last collection: a {@code ping} with a ref goes to every console, and its
     * ack follows, on that connection, everything sent to it before (the desk answers the ping in a later turn than
     * the change's). With {@code queueChange}, a console must also have received a {@code queue} message.
     */
    private List<List<String>> collectAll(String what, boolean queueChange) throws Exception {
        List<String> barriers = new ArrayList<>();
        for (Peer console : consoles) {
            String ref = ref("barrier");
            barriers.add(ref);
            console.send("{\"type\":\"ping\",\"ref\":\"" + ref + "\"}");
        }
        List<List<String>> received = new ArrayList<>();
        for (int c = 0; c < consoles.size(); c++) {
            received.add(collect(consoles.get(c), barriers.get(c), queueChange, console(c + 1) + ", " + what));
        }
        return received;
    }

    private static List<String> collect(Peer console, String barrier, boolean queueChange, String what)
            throws InterruptedException {
        List<String> frames = new ArrayList<>();
        boolean acked = false;
        boolean queue = !queueChange;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!acked || !queue) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": no " + (acked ? "queue message" : "answer to its ping")
                        + " within " + WAIT_S + " s");
            }
            String text;
            try {
                text = console.next();
            } catch (IllegalStateException e) {
                throw new IllegalStateException(what + ": " + (acked ? "no queue message" : "no answer to its ping")
                        + " (" + e.getMessage() + ")", e);
            }
            if (barrier.equals(Frames.field(text, "ref"))) {
                acked(text, what + " ping");
                acked = true;
            } else if (!Frames.isType(text, "pong")) {
                frames.add(text);
                queue |= Frames.isType(text, "queue");
            }
        }
        return frames;
    }

    // --- Snapshots ----------------------------------------------------------------------------------------------

    /** The first console's snapshot with {@code queue_limit} (0: the default). */
    private ConsoleBenchReport.Snapshot snapshot(int limit) throws Exception {
        Peer console = consoles.get(0);
        String ref = ref("snapshot");
        console.send("{\"type\":\"snapshot\"" + (limit > 0 ? ",\"queue_limit\":" + limit : "") + ",\"ref\":\"" + ref
                + "\"}");
        String text = console.until("\"type\":\"snapshot\"");
        acked(console.reply(ref), "snapshot");
        JsonNode snapshot = json.readTree(text);
        int total = 0;
        for (JsonNode group : snapshot.path("queue_totals")) {
            total += group.path("total").asInt();
        }
        return new ConsoleBenchReport.Snapshot(limit, ConsoleBenchReport.size(text), snapshot.path("queue").size(),
                total);
    }
}
