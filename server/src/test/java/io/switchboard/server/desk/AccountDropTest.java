package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
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
import org.junit.jupiter.api.Test;

/**
 * One account's desk is dropped in the middle of seeded traffic on two accounts and restored from its rows (what a
 * cluster does when an account moves to another node): the restored desk equals the live one it replaced, its clients
 * come back by themselves, and the other account never noticed: every one of its clients received exactly what it
 * received in the same run without the drop.
 *
 * <p>Each account's traffic draws from its own seeded generator, and which account acts next (or whether time moves)
 * from a third, so the other account's inputs are the same in both runs whatever the dropped account's clients do. A
 * failure names the seed: {@code -Dswitchboard.drop.seed=N} replays it.
 */
class AccountDropTest {
    private static final int STEPS = 400;
    private static final int DROP_AT = 200;
    private static final int RUNS = Integer.getInteger("switchboard.drop.runs", 20);

    @Test
    void droppingAnAccountsDeskAndRestoringItLeavesTheOtherAccountUntouched() {
        Long only = Long.getLong("switchboard.drop.seed");
        long base = only != null ? only : new Random().nextLong();
        for (int i = 0; i < (only != null ? 1 : RUNS); i++) {
            long seed = base + i;
            try {
                check(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("account drop failed with seed " + seed + " (replay with "
                        + "-Dswitchboard.drop.seed=" + seed + "): " + e.getMessage(), e);
            }
        }
    }

    private static void check(long seed) {
        Traffic without = new Traffic(seed, -1);
        without.run();
        Traffic with = new Traffic(seed, DROP_AT);
        with.run();
        assertTrue(with.dropped, "the desk was dropped and restored");
        List<List<ServerMessage>> expected = without.received("other");
        List<List<ServerMessage>> actual = with.received("other");
        assertEquals(expected.size(), actual.size(), "the other account had the same clients");
        int total = 0;
        for (int client = 0; client < expected.size(); client++) {
            assertEquals(expected.get(client), actual.get(client), "client " + client + " of the other account");
            total += expected.get(client).size();
        }
        assertTrue(total > 50, "the other account's traffic did something: " + total + " messages");
    }

    /** Seeded traffic on acme (agents bob and ann, group billing) and other (agent zed), and a pair that talks. */
    private static final class Traffic {
        private final Random interleave;
        private final Map<String, Side> sides = new LinkedHashMap<>();
        private final int dropAt;
        private final MemoryJournal journal = new MemoryJournal();
        private final Harness harness = new Harness(Harness.CONFIG, journal);
        private Client ivy;
        private Client sue;
        boolean dropped;

        Traffic(long seed, int dropAt) {
            this.dropAt = dropAt;
            this.interleave = new Random(seed * 31 + 1);
            sides.put("acme", new Side(harness, "acme", "billing", List.of("bob", "ann"), new Random(seed * 31 + 2)));
            sides.put("other", new Side(harness, "other", "default", List.of("zed"), new Random(seed * 31 + 3)));
        }

        void run() {
            // A guest and an agent of acme who are in a room from the start, and talk again after the drop.
            sue = harness.availableAgent("sue");
            ivy = harness.guest("ivy");
            String room = ivy.first(ServerMessage.Joined.class).room();
            for (int step = 0; step < STEPS; step++) {
                if (step == dropAt) {
                    dropAndRestore(room);
                }
                int draw = interleave.nextInt(10);
                if (draw == 0) {
                    harness.clock.advance(interleave.nextInt(30_000));
                } else {
                    sides.get(draw <= 5 ? "acme" : "other").step();
                }
            }
        }

        List<List<ServerMessage>> received(String account) {
            List<List<ServerMessage>> all = new ArrayList<>();
            for (Client client : sides.get(account).everyone) {
                all.add(client.received);
            }
            return all;
        }

        private void dropAndRestore(String room) {
            Desk live = harness.desk("acme");
            List<String> before = Fingerprint.of(live);
            boolean[] done = new boolean[1];
            harness.gate.reload("acme", () -> done[0] = true);
            assertTrue(done[0], "the restore finished");
            Desk restored = harness.desk("acme");
            assertNotSame(live, restored, "a new desk");
            List<String> after = Fingerprint.of(restored);
            for (int i = 0; i < Math.max(before.size(), after.size()); i++) {
                assertEquals(i < before.size() ? before.get(i) : null, i < after.size() ? after.get(i) : null,
                        "restored desk differs at line " + i);
            }
            dropped = true;
            // Every connection of the account was told the desk moved, and comes back by itself.
            assertEquals(Desk.CLOSE_DESK_MOVED, ivy.closeStatus);
            assertEquals(Desk.CLOSE_DESK_MOVED, sue.closeStatus);
            ivy = ivy.resume();
            sue = sue.resume();
            assertInstanceOf(ServerMessage.Identified.class, ivy.received.get(0));
            ivy.ok(new Request.Message(room, "still there?"));
            ServerMessage.Message heard = sue.last(ServerMessage.Message.class);
            assertEquals("still there?", heard.body());
            assertEquals(room, heard.room());
            sides.get("acme").comeBack();
        }
    }

    /** One account's clients and what they do, drawn from the account's own generator. */
    private static final class Side {
        private final Harness harness;
        private final String account;
        private final String group;
        private final List<String> agentNames;
        private final Random random;
        /** Every connection the account's clients opened, in order. */
        final List<Client> everyone = new ArrayList<>();
        private final List<Client> guests = new ArrayList<>();
        private final Map<String, Client> agents = new LinkedHashMap<>();
        private final Map<Client, List<String>> rooms = new java.util.IdentityHashMap<>();
        private int names;

        Side(Harness harness, String account, String group, List<String> agentNames, Random random) {
            this.harness = harness;
            this.account = account;
            this.group = group;
            this.agentNames = agentNames;
            this.random = random;
        }

        void step() {
            switch (random.nextInt(7)) {
                case 0 -> arrive();
                case 1 -> agentAction();
                case 2 -> say(pick(guests));
                case 3 -> say(agents.isEmpty() ? null : pick(new ArrayList<>(agents.values())));
                case 4 -> end(pick(guests));
                case 5 -> reconnect();
                default -> cancel(pick(guests));
            }
        }

        private Client pick(List<Client> clients) {
            return clients.isEmpty() ? null : clients.get(random.nextInt(clients.size()));
        }

        private void arrive() {
            Client guest = harness.guest(account + "-g" + ++names, account, group);
            everyone.add(guest);
            guests.add(guest);
        }

        private void agentAction() {
            String user = agentNames.get(random.nextInt(agentNames.size()));
            Client agent = agents.get(user);
            if (agent == null) {
                agent = harness.agent(user);
                everyone.add(agent);
                agents.put(user, agent);
                return;
            }
            agent.request(new Request.Status(null, StatusOf.AVAILABILITY, random.nextBoolean() ? StatusIs.AVAILABLE
                    : StatusIs.AWAY));
        }

        private List<String> roomsOf(Client client) {
            List<String> known = rooms.computeIfAbsent(client, c -> new ArrayList<>());
            for (ServerMessage.Joined joined : client.all(ServerMessage.Joined.class)) {
                if (!known.contains(joined.room())) {
                    known.add(joined.room());
                }
            }
            return known;
        }

        private void say(Client client) {
            if (client == null || roomsOf(client).isEmpty()) {
                return;
            }
            List<String> known = roomsOf(client);
            client.request(new Request.Message(known.get(random.nextInt(known.size())), "line " + ++names));
        }

        private void end(Client guest) {
            if (guest == null || roomsOf(guest).isEmpty()) {
                return;
            }
            List<String> known = roomsOf(guest);
            guest.request(new Request.End(known.get(known.size() - 1)));
        }

        private void cancel(Client guest) {
            if (guest != null && roomsOf(guest).isEmpty()) {
                guest.request(new Request.Cancel());
            }
        }

        /** A client's connection drops, and it resumes its session on a new one at once. */
        private void reconnect() {
            List<Client> all = new ArrayList<>(guests);
            all.addAll(agents.values());
            Client client = pick(all);
            if (client != null && client.closeStatus == 0) {
                client.drop();
                replace(client, client.resume());
            }
        }

        /** After the desk moved: every client that was closed resumes on a new connection. */
        void comeBack() {
            List<Client> all = new ArrayList<>(guests);
            all.addAll(agents.values());
            for (Client client : all) {
                if (client.closeStatus == Desk.CLOSE_DESK_MOVED) {
                    replace(client, client.resume());
                }
            }
        }

        private void replace(Client old, Client next) {
            everyone.add(next);
            rooms.put(next, new ArrayList<>(roomsOf(old)));
            int guest = guests.indexOf(old);
            if (guest >= 0) {
                guests.set(guest, next);
            }
            agents.replaceAll((user, client) -> client == old ? next : client);
        }
    }
}
