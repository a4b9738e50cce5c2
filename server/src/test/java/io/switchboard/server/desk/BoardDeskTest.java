package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.desk.Harness.Client;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Queue and team changes instead of snapshots (issue 19): a console that applies the changes after one snapshot sees
 * what a fresh snapshot shows, after any sequence of what happens at a desk (seeded; the seed is printed on failure);
 * one arrival or departure is one small message; the snapshot pages its queue.
 */
class BoardDeskTest {

    /** A console's view: one snapshot, then the changes, applied as console-state.js applies them. */
    static final class Console {
        /** Entries by group and kind ("billing" or "billing/message"), in order. */
        final Map<String, List<ServerMessage.QueueEntry>> queue = new TreeMap<>();
        final Map<String, Integer> totals = new TreeMap<>();
        final Map<String, ServerMessage.AgentView> agents = new LinkedHashMap<>();
        final Map<String, ServerMessage.RoomView> rooms = new TreeMap<>();

        static String key(String group, String kind) {
            return kind == null ? group : group + "/" + kind;
        }

        void apply(ServerMessage message) {
            if (message instanceof ServerMessage.Snapshot snapshot) {
                queue.clear();
                totals.clear();
                agents.clear();
                rooms.clear();
                for (ServerMessage.QueueTotal total : snapshot.queueTotals()) {
                    totals.put(key(total.group(), total.kind()), total.total());
                }
                for (ServerMessage.QueueEntry entry : snapshot.queue()) {
                    queue.computeIfAbsent(key(entry.group(), entry.kind()), k -> new ArrayList<>()).add(entry);
                }
                snapshot.agents().forEach(agent -> agents.put(agent.user(), agent));
                snapshot.rooms().forEach(room -> rooms.put(room.room(), room));
            } else if (message instanceof ServerMessage.QueueChange change) {
                String key = change.entry() == null ? key(change.group(), change.kind())
                        : key(change.entry().group(), change.entry().kind());
                List<ServerMessage.QueueEntry> list = queue.computeIfAbsent(key, k -> new ArrayList<>());
                String id = change.entry() == null ? change.id() : change.entry().id();
                boolean known = list.removeIf(entry -> entry.id().equals(id));
                if (!change.change().equals("moved")) {
                    totals.merge(key, change.change().equals("queued") ? 1 : -1, Integer::sum);
                } else if (!known) {
                    assertTrue(list.size() < totals.getOrDefault(key, 0), "a move of an entry beyond the list");
                }
                if (change.entry() != null && change.entry().position() <= list.size()) {
                    list.add(change.entry().position(), change.entry());
                }
            } else if (message instanceof ServerMessage.Team team) {
                agents.put(team.agent().user(), team.agent());
            } else if (message instanceof ServerMessage.RoomChange change) {
                if (change.change().equals("closed")) {
                    rooms.remove(change.room().room());
                } else {
                    rooms.put(change.room().room(), change.room());
                }
            }
        }

        /** What is comparable with a fresh snapshot (waits count up on their own): ids, users, order, positions. */
        Map<String, List<String>> entries() {
            Map<String, List<String>> shown = new TreeMap<>();
            queue.forEach((key, list) -> {
                List<String> lines = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    ServerMessage.QueueEntry entry = list.get(i);
                    lines.add(i + " " + entry.id() + " " + entry.user() + " " + entry.question());
                }
                if (!lines.isEmpty()) {
                    shown.put(key, lines);
                }
            });
            return shown;
        }
    }

    private static Console fresh(Client agent, int limit) {
        agent.clear();
        agent.ok(new Request.Snapshot(limit));
        Console console = new Console();
        console.apply(agent.last(ServerMessage.Snapshot.class));
        return console;
    }

    @Test
    void aConsoleThatAppliesTheChangesSeesWhatAFreshSnapshotShows() {
        for (long seed = 1; seed <= 12; seed++) {
            run(seed, seed % 3 == 0 ? 2 : 100);
        }
    }

    /** {@code limit}: the console's snapshot lists that many per group (2: most entries are beyond its list). */
    private void run(long seed, int limit) {
        Random random = new Random(seed);
        Harness harness = new Harness();
        Client sue = harness.console("sue");
        Client kim = harness.console("kim");
        Map<String, Client> agents = new LinkedHashMap<>();
        Console console = fresh(sue, limit);
        List<Client> guests = new ArrayList<>();
        String step = "start";
        try {
            for (int i = 0; i < 250; i++) {
                int what = random.nextInt(12);
                step = i + ": op " + what;
                switch (what) {
                    case 0, 1, 2 -> guests.add(harness.guest("g" + i, "acme", random.nextBoolean() ? "billing" : "tech"));
                    case 3 -> pick(random, guests).request(new Request.Cancel());
                    case 4 -> pick(random, guests).request(new Request.Question("more " + i));
                    case 5 -> {
                        String user = random.nextBoolean() ? "bob" : "ann";
                        Client agent = agents.computeIfAbsent(user, harness::console);
                        agent.request(new Request.Status(null, StatusOf.AVAILABILITY, random.nextBoolean()
                                ? StatusIs.AVAILABLE : StatusIs.AWAY));
                    }
                    case 6 -> kim.request(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
                    case 7 -> kim.request(new Request.Assist("tech"));
                    case 8 -> {
                        List<String> open = new ArrayList<>(harness.desk("acme").account.openRooms.keySet());
                        if (!open.isEmpty()) {
                            sue.request(new Request.End(open.get(random.nextInt(open.size()))));
                        }
                    }
                    case 9 -> sue.request(new Request.Limit(1 + random.nextInt(3), random.nextBoolean() ? "bob"
                            : "ann"));
                    case 10 -> {
                        // An agent drops out: past the grace their guests go back to the front.
                        Client agent = agents.remove(random.nextBoolean() ? "bob" : "ann");
                        if (agent != null) {
                            agent.drop();
                            harness.clock.advance(61_000);
                        }
                    }
                    default -> harness.clock.advance(random.nextInt(5_000));
                }
                for (ServerMessage message : sue.received) {
                    console.apply(message);
                }
                sue.clear();
                Console expected = fresh(sue, 1_000);
                Map<String, List<String>> shown = console.entries();
                if (limit >= 100) {
                    assertEquals(expected.entries(), shown);
                } else {
                    // A console that listed the first few of each group holds a prefix of each list.
                    shown.forEach((key, lines) -> assertEquals(expected.entries().get(key).subList(0, lines.size()),
                            lines, key));
                }
                assertEquals(expected.totals, console.totals);
                assertEquals(expected.agents, console.agents);
                assertEquals(expected.rooms, console.rooms);
                if (random.nextInt(10) == 0) {
                    console = fresh(sue, limit);
                }
            }
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ", limit " + limit + ", step " + step + ": " + e.getMessage(),
                    e);
        }
    }

    private static Client pick(Random random, List<Client> guests) {
        if (guests.isEmpty()) {
            return new Harness().connect();
        }
        return guests.get(random.nextInt(guests.size()));
    }

    @Test
    void withManyWaitingAnArrivalOrADepartureIsOneSmallMessageToEachConsole() {
        Harness harness = new Harness(Harness.CONFIG.replace("{\"accounts\"",
                "{\"limits\": {\"max_queue_length\": 2000}, \"accounts\""));
        List<Client> guests = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            guests.add(harness.guest("guest" + i));
        }
        Client bob = harness.console("bob");
        Client sue = harness.console("sue");
        bob.clear();
        sue.clear();
        Client late = harness.guest("late");
        assertEquals(List.of(ServerMessage.QueueChange.of("queued", new ServerMessage.QueueEntry("late", "billing",
                1_500, 0, "question of late", null, null, harness.reservation(late).entryId()))), bob.board());
        assertEquals(bob.board(), sue.board());
        bob.clear();
        guests.get(0).request(new Request.Cancel());
        assertEquals(List.of(ServerMessage.QueueChange.left(harness.reservation(guests.get(0)).entryId(), "billing",
                null)), bob.board());
        bob.clear();
        // Assigned: the first one leaves the queue, and bob's load changes.
        bob.request(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        assertEquals(List.of("left", "left"), bob.all(ServerMessage.QueueChange.class).stream()
                .map(ServerMessage.QueueChange::change).toList(), "two guests to bob (limit 2)");
        assertTrue(bob.all(ServerMessage.Snapshot.class).isEmpty());
    }

    @Test
    void theSnapshotListsTheFirstEntriesOfEachGroupAndCountsThemAll() {
        Harness harness = new Harness();
        for (int i = 0; i < 150; i++) {
            harness.guest("b" + i);
        }
        for (int i = 0; i < 3; i++) {
            harness.guest("t" + i, "acme", "tech");
        }
        Client bob = harness.console("bob");
        ServerMessage.Snapshot first = bob.last(ServerMessage.Snapshot.class);
        assertEquals(103, first.queue().size(), "100 of billing (a console's default), the 3 of tech");
        Client ann = harness.agent("ann");
        assertEquals(153, ann.last(ServerMessage.Snapshot.class).queue().size(), "the contract's whole queue");
        assertTrue(ann.board().isEmpty(), "an agent that is no console gets none of the changes");
        assertEquals(List.of(new ServerMessage.QueueTotal("billing", null, 150),
                new ServerMessage.QueueTotal("tech", null, 3)), first.queueTotals());
        bob.ok(new Request.Snapshot(1000));
        assertEquals(153, bob.last(ServerMessage.Snapshot.class).queue().size());
        bob.ok(new Request.Snapshot(10));
        ServerMessage.Snapshot small = bob.last(ServerMessage.Snapshot.class);
        assertEquals(13, small.queue().size());
        assertEquals("b9", small.queue().get(9).user());
        assertEquals(9, small.queue().get(9).position());
    }

    @Test
    void aQuestionThatGrowsPastWhatAgentsSeeIsNoNews() {
        Harness harness = new Harness();
        Client guest = harness.guest("carla");
        guest.ok(new Request.Question("x".repeat(300)));
        Client bob = harness.console("bob");
        bob.clear();
        guest.ok(new Request.Question("more"));
        assertTrue(bob.board().isEmpty(), () -> "its first 200 characters did not change: " + bob.received);
    }

    @Test
    void aQuestionLongerThan200CharactersIsCutInTheSnapshotAndInChanges() {
        Harness harness = new Harness();
        Client bob = harness.console("bob");
        Client guest = harness.connect();
        String question = "x".repeat(1_500);
        guest.ok(new Request.Identify("carla", question, "acme", "billing", null, null));
        ServerMessage.QueueChange queued = bob.last(ServerMessage.QueueChange.class);
        assertEquals(200, queued.entry().question().codePointCount(0, queued.entry().question().length()));
        assertTrue(queued.entry().question().endsWith("…"));
        bob.ok(new Request.Snapshot());
        assertEquals(queued.entry().question(), bob.last(ServerMessage.Snapshot.class).queue().get(0).question());
    }
}
