package io.switchboard.loadtest.simulate;

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
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code estimate-bench [--guests N] [--agents N] [--shared N] [--rounds N]}: the cost of recomputing every waiting
 * guest's estimate in one queue, as the desk does after a change. Builds a desk with N agents (limit 3, all busy, rooms
 * of different ages, a handle-time history) and N guests waiting, then times {@link Desk#estimateQueue} for each method
 * over many rounds after a warm-up, and prints the median, 99th percentile and maximum. {@code --shared N}: the first N
 * agents also serve a second group, which had every fourth guest of the history and has a tenth as many waiting, all
 * of whom came first (the costliest case: the estimate also bounds the wait by them). A micro-benchmark: run it on a
 * quiet machine, several times.
 */
public final class EstimateBench {
    private EstimateBench() {
    }

    public static int run(String[] args) {
        int guests = 10_000;
        int agents = 50;
        int rounds = 500;
        int shared = 0;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--guests" -> guests = Integer.parseInt(args[i + 1]);
                case "--agents" -> agents = Integer.parseInt(args[i + 1]);
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--shared" -> shared = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("estimate-bench: unknown option " + args[i]);
                    return 2;
                }
            }
        }
        StringBuilder config = new StringBuilder("{\"accounts\": [{\"id\": \"b\", \"groups\": [{\"name\": \"q\"}, "
                + "{\"name\": \"r\"}], \"agents\": [");
        for (int a = 0; a < agents; a++) {
            config.append(a == 0 ? "" : ",").append("{\"user\": \"a").append(a).append("\", \"token\": \"bench-agent-token-")
                    .append(a).append("\", \"limit\": 3, \"groups\": ").append(a < shared ? "[\"q\", \"r\"]" : "[\"q\"]")
                    .append("}");
        }
        config.append("]}], \"limits\": {\"max_queue_length\": 1000000}}");
        ManualClock clock = new ManualClock(1_700_000_000_000L);
        List<String> rooms = new ArrayList<>();
        Outbox outbox = new Outbox() {
            @Override
            public void send(Connection connection, ServerMessage message) {
                if (message instanceof ServerMessage.Joined joined && connection instanceof Guest) {
                    rooms.add(joined.room());
                }
            }

            @Override
            public void close(Connection connection, int status, String reason) {
            }
        };
        ServerConfig parsed = ConfigLoader.parse(config.toString(), "bench");
        Desk desk = Desk.builder(parsed, parsed.accounts().get(0), clock, outbox).ids(Ids.seeded(1), 0).build();
        for (int a = 0; a < agents; a++) {
            Connection agent = new Connection() { };
            desk.turn(() -> desk.onConnect(agent));
            request(desk, agent, new Request.Login("a" + a, "bench-agent-token-" + a));
            request(desk, agent, new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        }
        List<Guest> served = new ArrayList<>();
        for (int i = 0; i < agents * 3 * 2; i++) {
            Guest guest = new Guest();
            desk.turn(() -> desk.onConnect(guest));
            String group = shared > 0 && i % 4 == 0 ? "r" : "q";
            request(desk, guest, new Request.Identify("h" + i, "q", "b", group, null, null));
            served.add(guest);
            clock.advance(7_000);
            if (i >= agents * 3) {
                // A handle-time history: the oldest rooms end as new guests come.
                request(desk, served.get(i - agents * 3), new Request.End(rooms.get(i - agents * 3)));
            }
        }
        // The second group's guests come first: the estimate's costliest case (they are ahead of everyone in q).
        for (int i = 0; shared > 0 && i < guests / 10; i++) {
            Guest guest = new Guest();
            desk.turn(() -> desk.onConnect(guest));
            request(desk, guest, new Request.Identify("r" + i, "q", "b", "r", null, null));
        }
        for (int i = 0; i < guests; i++) {
            Guest guest = new Guest();
            desk.turn(() -> desk.onConnect(guest));
            request(desk, guest, new Request.Identify("w" + i, "q", "b", "q", null, null));
        }
        // With a second group, some of the history's guests may still wait too.
        int waiting = desk.probe().estimateQueue("q", EstimateMethod.SWITCHBOARD).length;
        System.out.printf(Locale.ROOT, "%d guests waiting, %d agents at their limit of 3 (%d of them also serve a "
                + "second group, with %d waiting)%n", waiting, agents, shared, shared > 0 ? guests / 10 : 0);
        System.out.println("| method | median (ms) | p99 (ms) | max (ms) |");
        System.out.println("|---|---:|---:|---:|");
        for (EstimateMethod method : EstimateMethod.values()) {
            Long[] sink = null;
            for (int i = 0; i < rounds; i++) {
                sink = desk.probe().estimateQueue("q", method);
            }
            double[] millis = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                long started = System.nanoTime();
                sink = desk.probe().estimateQueue("q", method);
                millis[i] = (System.nanoTime() - started) / 1e6;
            }
            Arrays.sort(millis);
            System.out.printf(Locale.ROOT, "| %s | %.3f | %.3f | %.3f |%n", method.id(), millis[rounds / 2],
                    millis[(int) Math.ceil(rounds * 0.99) - 1], millis[rounds - 1]);
            if (sink.length != waiting) {
                throw new IllegalStateException("expected " + waiting + " estimates, got " + sink.length);
            }
        }
        return 0;
    }

    /** One request as one turn of the desk, as the gate would run it. */
    private static void request(Desk desk, Connection connection, Request request) {
        desk.turn(() -> desk.onRequest(connection, null, request));
    }

    private static final class Guest implements Connection {
    }
}
