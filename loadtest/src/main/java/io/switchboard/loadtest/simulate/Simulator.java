package io.switchboard.loadtest.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.Connection;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.EstimateMethod;
import io.switchboard.server.desk.Ids;
import io.switchboard.server.desk.ManualClock;
import io.switchboard.server.desk.Outbox;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Drives the real desk on virtual time with simulated guests and agents, no sockets: Poisson arrivals, handle times,
 * shifts, limits, guests who give up and some who come back at a higher priority, several groups. Every {@code
 * queuepos} a guest receives (the first one is sent at enqueue) is a sample: what Switchboard told the guest, and what
 * each baseline would have said at that moment, against the wait the guest then actually had until assignment.
 *
 * <p>Deterministic: one thread, a {@link ManualClock}, seeded ids, and a separate seeded random stream for each kind
 * of draw (arrivals, handle times, patience, rejoins), so the same scenario and seed give the same report byte for
 * byte.
 */
public final class Simulator implements Outbox {
    /** Tuesday 14 November 2023, 08:00 UTC: shifts and closures, in seconds from it, become whole-minute hours. */
    static final long START = 1_699_948_800_000L;
    static final String ACCOUNT = "sim";
    private static final EstimateMethod[] METHODS = EstimateMethod.values();

    private final Scenario scenario;
    private final long seed;
    private final ManualClock clock = new ManualClock(START);
    private final Desk desk;
    private final PriorityQueue<Event> events = new PriorityQueue<>();
    private final Random arrivalDraws;
    private final Random handleDraws;
    private final Random patienceDraws;
    private final Random rejoinDraws;
    private final Map<Connection, Guest> guestsByConnection = new HashMap<>();
    private final List<Guest> guests = new ArrayList<>();
    private final Map<String, Connection> agentConnections = new LinkedHashMap<>();
    private final Map<String, Scenario.Distribution> handleByGroup = new HashMap<>();
    private long sequence;
    private int names;

    private record Event(long at, long sequence, Runnable action) implements Comparable<Event> {
        @Override
        public int compareTo(Event other) {
            int byTime = Long.compare(at, other.at);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }

    /** A simulated connection; compared by identity. */
    private static final class Client implements Connection {
    }

    /** One guest's visit: when they came, what they were told, and how it ended. */
    static final class Guest {
        final String user;
        final String group;
        final Client connection = new Client();
        String sid;
        long assignedAt = -1;
        long abandonedAt = -1;
        final List<Sample> samples = new ArrayList<>();

        Guest(String user, String group) {
            this.user = user;
            this.group = group;
        }

        boolean waiting() {
            return assignedAt < 0 && abandonedAt < 0;
        }
    }

    /**
     * What each method estimated (seconds, or null), by {@link EstimateMethod} ordinal, at a moment; for the floor, the
     * desk's state then (null when this sample is not one the floor is computed for) and the floor's estimate.
     */
    record Sample(long at, int position, Long[] estimates, io.switchboard.server.desk.DeskProbe.State state,
                  double[] floor) {
        Sample(long at, int position, Long[] estimates) {
            this(at, position, estimates, null, new double[] {Double.NaN});
        }
    }

    /** Every how many samples the floor is computed for (0: never). */
    private int floorStride;
    private int samples;

    public Simulator(Scenario scenario, long seed) {
        this.scenario = scenario;
        this.seed = seed;
        this.arrivalDraws = new Random(seed * 31 + 1);
        this.handleDraws = new Random(seed * 31 + 2);
        this.patienceDraws = new Random(seed * 31 + 3);
        this.rejoinDraws = new Random(seed * 31 + 4);
        for (Scenario.GroupSpec group : scenario.groups()) {
            handleByGroup.put(group.name(), group.handleTimeS() != null ? group.handleTimeS() : scenario.handleTimeS());
        }
        ServerConfig config = config(scenario);
        this.desk = Desk.builder(config, config.accounts().get(0), clock, this).ids(Ids.seeded(seed), 0).build();
    }

    /** The desk's configuration: one account with the scenario's groups and agents; no guest ever drops. */
    private static ServerConfig config(Scenario scenario) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        ObjectNode account = root.putArray("accounts").addObject();
        account.put("id", ACCOUNT);
        ArrayNode groups = account.putArray("groups");
        for (Scenario.GroupSpec group : scenario.groups()) {
            ObjectNode node = groups.addObject().put("name", group.name());
            if (group.routing() != null) {
                node.put("routing", group.routing());
            }
            if (!group.closed().isEmpty()) {
                node.set("hours", Hours.open(mapper, Hours.complement(group.closed(), scenario.durationS())));
            }
        }
        ArrayNode agents = account.putArray("agents");
        for (Scenario.AgentSpec agent : scenario.agents()) {
            ObjectNode node = agents.addObject().put("user", agent.user()).put("token", token(agent.user()))
                    .put("limit", agent.limit());
            if (agent.groups() != null) {
                ArrayNode names = node.putArray("groups");
                agent.groups().forEach(names::add);
            }
            boolean known = agent.scheduleKnown() != null ? agent.scheduleKnown() : scenario.schedulesKnown();
            if (known && !agent.shifts().isEmpty()) {
                node.set("schedule", Hours.open(mapper, agent.shifts()));
            }
        }
        root.putObject("timings").put("queuepos_interval_ms", scenario.queueposIntervalMs())
                .put("resume_grace_ms", 86_400_000L);
        // A simulated queue may be as long as the scenario makes it: the queue limit is not what is measured.
        root.putObject("limits").put("max_queue_length", 1_000_000);
        return ConfigLoader.parse(root.toString(), "scenario " + scenario.name());
    }

    /** A simulated agent's token (the server takes none shorter than 16 characters). */
    private static String token(String user) {
        return user + "-simulated-agent-token";
    }

    /** Runs the scenario to its end and reports. */
    public SimulationReport run() {
        for (Scenario.AgentSpec agent : scenario.agents()) {
            List<Scenario.Shift> shifts = agent.shifts().isEmpty()
                    ? List.of(new Scenario.Shift(0, scenario.durationS())) : agent.shifts();
            for (Scenario.Shift shift : shifts) {
                at(shift.fromS(), () -> startShift(agent.user()));
                at(shift.toS(), () -> endShift(agent.user()));
            }
        }
        for (Scenario.Arrival arrival : scenario.arrivals()) {
            nextArrival(arrival, arrival.fromS());
        }
        long end = START + Math.round(scenario.durationS() * 1000);
        while (!events.isEmpty() && events.peek().at() <= end) {
            Event event = events.poll();
            clock.advanceTo(event.at());
            event.action().run();
        }
        clock.advanceTo(end);
        return SimulationReport.of(scenario.name(), seed, 1, guests, START);
    }

    /** Every guest of the run, with their samples (after {@link #run}). */
    List<Guest> guests() {
        return guests;
    }

    /**
     * Runs the scenario with {@code count} consecutive seeds from {@code firstSeed} and scores all their samples
     * together: short runs of a random process vary a lot, pooled ones much less.
     */
    public static SimulationReport runSeeds(Scenario scenario, long firstSeed, int count) {
        return runSeeds(scenario, firstSeed, count, 0);
    }

    /** The same, with the floor ({@link Oracle}) computed for every {@code floorStride}-th sample (0: none). */
    public static SimulationReport runSeeds(Scenario scenario, long firstSeed, int count, int floorStride) {
        List<Guest> pooled = new ArrayList<>();
        Oracle oracle = new Oracle(scenario);
        for (int i = 0; i < count; i++) {
            Simulator simulator = new Simulator(scenario, firstSeed + i);
            simulator.floorStride = floorStride;
            simulator.run();
            simulator.floors(oracle);
            pooled.addAll(simulator.guests());
        }
        return SimulationReport.of(scenario.name(), firstSeed, count, pooled, START);
    }

    /** The floor's estimate of each sample that kept the desk's state, for the guests who were served. */
    private void floors(Oracle oracle) {
        long index = 0;
        for (Guest guest : guests) {
            for (Sample sample : guest.samples) {
                if (sample.state() != null && guest.assignedAt >= 0) {
                    sample.floor()[0] = oracle.median(sample.state(), guest.sid, START, seed * 1_000_003L + index);
                }
                index++;
            }
        }
    }

    private void at(double seconds, Runnable action) {
        events.add(new Event(START + Math.round(seconds * 1000), sequence++, action));
    }

    private void nextArrival(Scenario.Arrival arrival, double fromS) {
        if (arrival.perMinute() <= 0) {
            return;
        }
        double gap = -Math.log(1 - arrivalDraws.nextDouble()) * 60 / arrival.perMinute();
        double time = fromS + gap;
        if (time >= arrival.toS()) {
            return;
        }
        at(time, () -> {
            arrive(arrival.group());
            nextArrival(arrival, time);
        });
    }

    private void arrive(String group) {
        Guest guest = newGuest(group);
        request(guest.connection, new Request.Identify(guest.user, "a question", ACCOUNT, group, null, null));
        losePatienceLater(guest);
    }

    private Guest newGuest(String group) {
        Guest guest = new Guest("g" + ++names, group);
        guests.add(guest);
        guestsByConnection.put(guest.connection, guest);
        desk.turn(() -> desk.onConnect(guest.connection));
        return guest;
    }

    private void losePatienceLater(Guest guest) {
        if (scenario.patienceS() == null) {
            return;
        }
        double patience = scenario.patienceS().sample(patienceDraws);
        long at = clock.now() + Math.round(patience * 1000);
        events.add(new Event(at, sequence++, () -> giveUp(guest)));
    }

    /** A guest whose patience ran out leaves the queue, and may come back at once at a higher priority. */
    private void giveUp(Guest guest) {
        if (!guest.waiting()) {
            return;
        }
        request(guest.connection, new Request.Cancel());
        guest.abandonedAt = clock.now();
        Scenario.Rejoin rejoin = scenario.rejoin();
        if (rejoin != null && rejoinDraws.nextDouble() < rejoin.probability()) {
            Guest again = newGuest(guest.group);
            String[] sid = new String[1];
            desk.turn(() -> sid[0] = desk.createReservation(guest.group, "ext-" + again.user, rejoin.priority(),
                    null, Map.of()).reservationSid());
            request(again.connection, new Request.Identify(again.user, null, null, null, null, sid[0]));
            losePatienceLater(again);
        }
    }

    private void startShift(String user) {
        Connection connection = agentConnections.get(user);
        if (connection == null) {
            connection = new Client();
            agentConnections.put(user, connection);
            Connection agent = connection;
            desk.turn(() -> desk.onConnect(agent));
            request(agent, new Request.Login(user, token(user)));
        }
        request(connection, new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
    }

    private void endShift(String user) {
        request(agentConnections.get(user), new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
    }

    /** One request as one turn of the desk, as the gate would run it. */
    private void request(Connection connection, Request request) {
        desk.turn(() -> desk.onRequest(connection, null, request));
    }

    @Override
    public void send(Connection connection, ServerMessage message) {
        Guest guest = guestsByConnection.get(connection);
        if (guest == null) {
            return;
        }
        if (message instanceof ServerMessage.Identified identified) {
            guest.sid = identified.reservation();
        } else if (message instanceof ServerMessage.QueuePos queuePos && guest.waiting()) {
            Long[] estimates = new Long[METHODS.length];
            for (EstimateMethod method : METHODS) {
                estimates[method.ordinal()] = method == EstimateMethod.SWITCHBOARD ? queuePos.estimatedWait()
                        : desk.probe().estimate(guest.sid, method);
            }
            boolean floor = floorStride > 0 && samples++ % floorStride == 0;
            guest.samples.add(new Sample(clock.now(), queuePos.position(), estimates,
                    floor ? desk.probe().state() : null, new double[] {Double.NaN}));
        } else if (message instanceof ServerMessage.Joined joined && guest.waiting()) {
            guest.assignedAt = clock.now();
            double handle = handleByGroup.get(guest.group).sample(handleDraws);
            String room = joined.room();
            events.add(new Event(clock.now() + Math.round(handle * 1000), sequence++,
                    () -> request(guest.connection, new Request.End(room))));
        }
    }

    @Override
    public void close(Connection connection, int status, String reason) {
        // Nobody's session moves in a simulation.
    }
}
