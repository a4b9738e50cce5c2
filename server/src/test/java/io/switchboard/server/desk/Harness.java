package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A desk on virtual time with clients that record what they receive: no sockets, no sleeping. */
final class Harness implements Outbox {
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

    final ManualClock clock = new ManualClock(START);
    /** Every message and close, in the order the desk sent them, with the client it went to. */
    final List<String> transcript = new ArrayList<>();
    private final Map<Client, Integer> numbers = new java.util.IdentityHashMap<>();
    final Desk desk;
    final ServerConfig config;

    Harness() {
        this(CONFIG);
    }

    Harness(String json) {
        this(json, Journal.NONE);
    }

    /** A harness whose desk hands its changes to {@code journal}. */
    Harness(String json, Journal journal) {
        this.config = ConfigLoader.parse(json, "test");
        this.desk = new Desk(config, clock, this, Ids.seeded(42), DeskMetrics.NONE, EstimateMethod.SWITCHBOARD,
                journal);
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
        desk.onDisconnect(client);
    }

    Client connect() {
        Client client = new Client(this);
        desk.onConnect(client);
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

    /** A signed-in agent who set themselves available; their inbox is cleared. */
    Client availableAgent(String user) {
        Client client = agent(user);
        client.request(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        client.clear();
        return client;
    }

    Reservation reservation(Client guest) {
        return desk.reservations.get(guest.reservation);
    }

    Agent agentNamed(String account, String user) {
        return desk.accounts.get(account).agents.get(user);
    }

    /** A connection from a client address (the per-address rules key on it). */
    Client connectFrom(String source) {
        Client client = new Client(this);
        client.source = source;
        desk.onConnect(client);
        assertInstanceOf(ServerMessage.Welcome.class, client.received.remove(0));
        return client;
    }

    /** A client connection that records every message the desk sends it. */
    static final class Client implements Connection {
        final Harness harness;
        final List<ServerMessage> received = new ArrayList<>();
        int closeStatus;
        String session;
        String reservation;
        String source;
        private int refs;

        Client(Harness harness) {
            this.harness = harness;
        }

        @Override
        public String source() {
            return source;
        }

        void request(Request request) {
            harness.desk.onRequest(this, null, request);
        }

        /** Sends with a ref and checks it was acked last. */
        void ok(Request request) {
            String ref = "r" + ++refs;
            harness.desk.onRequest(this, ref, request);
            ServerMessage last = received.get(received.size() - 1);
            assertEquals(new ServerMessage.Ack(ref), last, () -> "expected an ack for " + request + ", got " + received);
        }

        /** Sends with a ref and checks it was refused with the code, and nothing else was sent to this client. */
        ServerMessage.ErrorReply refused(Request request, ErrorCode code) {
            String ref = "r" + ++refs;
            int before = received.size();
            harness.desk.onRequest(this, ref, request);
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

        List<ServerMessage.Update> updates() {
            return all(ServerMessage.Update.class);
        }

        void assertNothing() {
            assertTrue(received.isEmpty(), () -> "expected nothing, got " + received);
        }

        /** Drops the connection as a network failure would. */
        void drop() {
            harness.desk.onDisconnect(this);
        }

        /** A new connection that resumes this client's session, and keeps the new token it is given. */
        Client resume() {
            Client next = harness.connect();
            next.session = session;
            next.reservation = reservation;
            next.request(new Request.Resume(session));
            for (ServerMessage message : next.received) {
                if (message instanceof ServerMessage.Identified identified) {
                    next.session = identified.session();
                }
            }
            return next;
        }
    }
}
