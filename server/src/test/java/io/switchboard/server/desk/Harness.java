package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Rest;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.gate.DeskGate;
import io.switchboard.server.gate.Link;
import io.switchboard.server.gate.ManualDeskThread;
import io.switchboard.server.gate.Release;
import io.switchboard.server.gate.TurnOutbox;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The desks of a configuration behind the real {@link DeskGate}, on one manual desk thread and virtual time, with
 * clients that record what they receive: no sockets, no sleeping, every step deterministic.
 */
final class Harness implements TurnOutbox {
    static final long START = 1_700_000_000_000L;

    /**
     * Account {@code acme}: group {@code billing} (auto) and {@code tech} (manual); agents {@code bob} (billing, limit
     * 2), {@code ann} (billing, limit 2), {@code kim} (tech, limit 1) and supervisor {@code sue} (both, limit 3).
     * Account {@code other}: group {@code default}, agent {@code zed}. Default timings.
     */
    static final String CONFIG = """
            {"accounts": [
              {"id": "acme",
               "api_keys": [{"id": "ops", "secret": "acme-secret-for-tests"}],
               "groups": [{"name": "billing"}, {"name": "tech", "routing": "manual"}],
               "agents": [
                 {"user": "bob", "token": "bob-token-for-tests", "groups": ["billing"], "limit": 2},
                 {"user": "ann", "token": "ann-token-for-tests", "groups": ["billing"], "limit": 2},
                 {"user": "kim", "token": "kim-token-for-tests", "groups": ["tech"], "limit": 1},
                 {"user": "sue", "token": "sue-token-for-tests", "groups": ["billing", "tech"], "limit": 3, "supervisor": true}
               ]},
              {"id": "other",
               "groups": [{"name": "default"}],
               "agents": [{"user": "zed", "token": "zed-token-for-tests"}]}
            ]}""";

    final ManualClock clock;
    /** Every message and close, in the order the desks sent them, with the client it went to. */
    final List<String> transcript = new ArrayList<>();
    private final Map<Client, Integer> numbers = new java.util.IdentityHashMap<>();
    final DeskGate gate;
    final ServerConfig config;

    Harness() {
        this(CONFIG);
    }

    Harness(String json) {
        this(json, Journal.NONE);
    }

    /** A harness whose desks hand their changes to {@code journal}, and start from what it holds. */
    Harness(String json, Journal journal) {
        this(json, journal, account -> journal instanceof MemoryJournal memory ? memory.state(account)
                : Stored.State.empty(), START);
    }

    /** A harness whose desks start at {@code start} from the rows {@code stored} gives each account. */
    Harness(String json, Journal journal, Function<String, Stored.State> stored, long start) {
        this(json, journal, stored, start, 42);
    }

    /** The same with ids of another seed (a restarted harness must not draw the ids it drew before). */
    Harness(String json, Journal journal, Function<String, Stored.State> stored, long start, long seed) {
        this.config = ConfigLoader.parse(json, "test");
        this.clock = new ManualClock(start);
        ManualDeskThread thread = new ManualDeskThread(clock);
        this.gate = DeskGate.start(new DeskGate.Settings(config, List.of(thread), index -> this, Ids.seeded(seed),
                DeskMetrics.NONE, EstimateMethod.SWITCHBOARD, journal, stored, Release.NOW,
                (mail, result) -> outgoing.add(new Sent(mail, result)), null));
    }

    /** A mail the desks handed to the sender, with the outcome the test gives it. */
    record Sent(Stored.MailRow mail, io.switchboard.server.gate.MailSender.Result result) {
    }

    /** Every mail handed to the sender, in order (the test reports each one's outcome, or not). */
    final List<Sent> outgoing = new ArrayList<>();

    /** The mails handed over so far, each reported sent; returns them and forgets them. */
    List<Stored.MailRow> sendAll() {
        List<Stored.MailRow> mails = new ArrayList<>();
        for (Sent sent : List.copyOf(outgoing)) {
            mails.add(sent.mail());
            sent.result().sent();
        }
        outgoing.clear();
        return mails;
    }

    @Override
    public void send(Connection connection, ServerMessage message) {
        Client client = (Client) connection;
        transcript.add(numbers.computeIfAbsent(client, c -> numbers.size()) + " " + message);
        client.received.add(message);
    }

    @Override
    public void close(Connection connection, int status, String reason) {
        Client client = (Client) connection;
        transcript.add(numbers.computeIfAbsent(client, c -> numbers.size()) + " close " + status);
        client.closeStatus = status;
        gate.closed(client);
    }

    @Override
    public void flush(boolean changed) {
        // Clients record at once.
    }

    /** The desk of an account (its state may be read; it runs on this thread). */
    Desk desk(String account) {
        Desk[] desk = new Desk[1];
        gate.onDesk(account, found -> desk[0] = found);
        return desk[0];
    }

    /** Acme's desk. */
    Desk desk() {
        return desk("acme");
    }

    /** A reservation of any account, by sid, or null. */
    Reservation reservationOf(String sid) {
        for (String account : gate.accounts()) {
            Reservation reservation = desk(account).reservations.get(sid);
            if (reservation != null) {
                return reservation;
            }
        }
        return null;
    }

    /** Makes a call of an account's desk as the transport would (one turn), returning its value or throwing. */
    <T> T call(String account, Function<Desk, T> call) {
        List<DeskGate.Outcome<T>> outcome = new ArrayList<>(1);
        gate.ask(account, call, new Release.Line(), outcome::add);
        if (outcome.get(0).refused() != null) {
            throw outcome.get(0).refused();
        }
        return outcome.get(0).value();
    }

    Rest.GroupReservation createReservation(String account, String group, String externalUserId, int priority,
                                            Integer reserveForSeconds, Map<String, String> details) {
        return call(account, desk -> desk.createReservation(group, externalUserId, priority, reserveForSeconds,
                details));
    }

    Rest.GroupReservation cancelReservation(String account, String group, String sid) {
        return call(account, desk -> desk.cancelReservation(group, sid));
    }

    Rest.GroupReservation reservation(String account, String group, String sid) {
        return call(account, desk -> desk.reservation(group, sid));
    }

    Rest.QueuePosition queuePosition(String account, String conversation) {
        return call(account, desk -> desk.queuePosition(conversation));
    }

    /** Follows a reservation of acme's (or, by its sid, another account's). */
    void watch(String group, String sid, long lastSeen, ReservationWatcher watcher) {
        String account = gate.accountOfReservation(sid);
        call(account == null ? "acme" : account, desk -> {
            desk.watch(group, sid, lastSeen, watcher);
            return null;
        });
    }

    void unwatch(String sid, ReservationWatcher watcher) {
        String account = gate.accountOfReservation(sid);
        call(account == null ? "acme" : account, desk -> {
            desk.unwatch(sid, watcher);
            return null;
        });
    }

    Client connect() {
        return connectFrom(null);
    }

    /** A connection from a client address (the per-address rules key on it). */
    Client connectFrom(String source) {
        Client client = new Client(this, source);
        gate.open(client);
        assertInstanceOf(ServerMessage.Welcome.class, client.received.remove(0));
        return client;
    }

    /** A guest of acme/billing who identified (and was told identified and queuepos). */
    Client guest(String user) {
        return guest(user, "acme", "billing");
    }

    Client guest(String user, String account, String group) {
        Client client = connect();
        client.request(new Request.Identify(user, "question of " + user, account, group, Map.of("page", "/help"),
                null));
        ServerMessage.Identified identified = client.first(ServerMessage.Identified.class);
        client.session = identified.session();
        client.reservation = identified.reservation();
        return client;
    }

    /** A signed-in agent, still away. */
    Client agent(String user) {
        Client client = connect();
        client.request(new Request.Login(user, user + "-token-for-tests"));
        client.session = client.first(ServerMessage.Identified.class).session();
        return client;
    }

    /** An agent's console (signed in with {@code "console": true}: the board's changes, alerts, replies), away. */
    Client console(String user) {
        Client client = connect();
        client.request(new Request.Login(user, user + "-token-for-tests", true));
        client.session = client.first(ServerMessage.Identified.class).session();
        client.console = true;
        return client;
    }

    /** The same, available; its inbox is cleared. */
    Client availableConsole(String user) {
        Client client = console(user);
        client.request(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        client.clear();
        return client;
    }

    /** A signed-in agent who set themselves available; their inbox is cleared. */
    Client availableAgent(String user) {
        Client client = agent(user);
        client.request(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        client.clear();
        return client;
    }

    /** The room of the newest {@code joined} a client received. */
    static String roomOf(Client client) {
        return client.last(ServerMessage.Joined.class).room();
    }

    static List<String> bodies(List<ServerMessage.Message> messages) {
        return messages.stream().map(ServerMessage.Message::body).toList();
    }

    /** A room's whole history as this client may read it (its inbox is cleared first). */
    static List<ServerMessage.Message> history(Client client, String room) {
        client.clear();
        client.ok(new Request.History(room, 0L));
        return client.first(ServerMessage.History.class).messages();
    }

    Reservation reservation(Client guest) {
        return reservationOf(guest.reservation);
    }

    Agent agentNamed(String account, String user) {
        return desk(account).account.agents.get(user);
    }

    /** A client connection that records every message the desks send it. */
    static final class Client extends Link {
        final Harness harness;
        final List<ServerMessage> received = new ArrayList<>();
        int closeStatus;
        String session;
        String reservation;
        /** Signed in as a console: resumes as one. */
        boolean console;
        private int refs;

        Client(Harness harness, String source) {
            super(source);
            this.harness = harness;
        }

        void request(Request request) {
            harness.gate.request(this, null, request);
        }

        /** Sends with a ref and checks it was acked last. */
        void ok(Request request) {
            String ref = "r" + ++refs;
            harness.gate.request(this, ref, request);
            ServerMessage last = received.get(received.size() - 1);
            assertEquals(new ServerMessage.Ack(ref), last, () -> "expected an ack for " + request + ", got " + received);
        }

        /** Sends with a ref and checks it was refused with the code, and nothing else was sent to this client. */
        ServerMessage.ErrorReply refused(Request request, ErrorCode code) {
            String ref = "r" + ++refs;
            int before = received.size();
            harness.gate.request(this, ref, request);
            assertEquals(before + 1, received.size(), () -> "one reply only, got " + received.subList(before,
                    received.size()));
            ServerMessage.ErrorReply error = assertInstanceOf(ServerMessage.ErrorReply.class, received.get(before));
            assertEquals(ref, error.ref());
            assertEquals(code, error.code(), error::message);
            return error;
        }

        void clear() {
            received.clear();
        }

        <T extends ServerMessage> List<T> all(Class<T> type) {
            List<T> matching = new ArrayList<>();
            for (ServerMessage message : received) {
                if (type.isInstance(message)) {
                    matching.add(type.cast(message));
                }
            }
            return matching;
        }

        <T extends ServerMessage> T first(Class<T> type) {
            List<T> matching = all(type);
            if (matching.isEmpty()) {
                fail("no " + type.getSimpleName() + " in " + received);
            }
            return matching.get(0);
        }

        <T extends ServerMessage> T last(Class<T> type) {
            List<T> matching = all(type);
            if (matching.isEmpty()) {
                fail("no " + type.getSimpleName() + " in " + received);
            }
            return matching.get(matching.size() - 1);
        }

        /** What was received but the board's changes ({@code queue}, {@code team}, {@code rooms}). */
        List<ServerMessage> withoutBoard() {
            return received.stream().filter(message -> !isBoard(message)).toList();
        }

        /** Only the board's changes. */
        List<ServerMessage> board() {
            return received.stream().filter(Client::isBoard).toList();
        }

        private static boolean isBoard(ServerMessage message) {
            return message instanceof ServerMessage.QueueChange || message instanceof ServerMessage.Team
                    || message instanceof ServerMessage.RoomChange;
        }

        List<ServerMessage.Update> updates() {
            return all(ServerMessage.Update.class);
        }

        void assertNothing() {
            assertTrue(received.isEmpty(), () -> "expected nothing, got " + received);
        }

        /** Drops the connection as a network failure would. */
        void drop() {
            harness.gate.closed(this);
        }

        /** A new connection that resumes this client's session, and keeps the new token it is given. */
        Client resume() {
            return resumeOn(harness);
        }

        /** The same, on another harness (a restarted server on the same journal). */
        Client resumeOn(Harness other) {
            Client next = other.connect();
            next.session = session;
            next.reservation = reservation;
            next.console = console;
            next.request(new Request.Resume(session, console ? Boolean.TRUE : null));
            for (ServerMessage message : next.received) {
                if (message instanceof ServerMessage.Identified identified) {
                    next.session = identified.session();
                }
            }
            return next;
        }
    }
}
