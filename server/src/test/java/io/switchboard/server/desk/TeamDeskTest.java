package io.switchboard.server.desk;

import static io.switchboard.server.desk.Harness.bodies;
import static io.switchboard.server.desk.Harness.history;
import static io.switchboard.server.desk.Harness.roomOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.desk.Harness.Client;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What a team needs when agents come and go (issue 15): a conversation survives its agent (the next room starts with
 * the transcript), {@code logout} hands rooms back at once, notes for agents only, a waiting guest adds to their
 * question, and a limit shows in every console at once. Virtual time.
 */
class TeamDeskTest {
    private final MemoryJournal journal = new MemoryJournal();
    private final Harness harness = new Harness(Harness.CONFIG, journal);

    /** An agent who signs in and sets themselves available, keeping what they are sent (a room may follow). */
    private static Client available(Harness harness, String user) {
        Client agent = harness.agent(user);
        agent.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        return agent;
    }

    @Test
    void theNextAgentOfAGuestWhoseAgentWasGoneReadsTheWholeConversation() {
        Client bob = harness.availableAgent("bob");
        Client carla = harness.guest("carla");
        String first = roomOf(carla);
        carla.ok(new Request.Message(first, "my parcel is late"));
        bob.ok(new Request.Message(first, "let me look"));
        bob.ok(new Request.Message(first, "she asked twice already", true));
        bob.drop();
        harness.clock.advance(60_000);
        // The contract's rule: the room ends agent_gone and the guest is first in line again, with her session.
        assertEquals(new ServerMessage.End(first, null, EndReason.AGENT_GONE), carla.last(ServerMessage.End.class));
        assertEquals(0, carla.last(ServerMessage.QueuePos.class).position());
        Client ann = available(harness, "ann");
        String second = roomOf(ann);
        assertNotEquals(first, second, "a new room");
        assertEquals(second, roomOf(carla), "the guest is in it");
        // The new room starts with the old transcript at the same seqs; the note stays for agents.
        List<ServerMessage.Message> agentView = history(ann, second);
        assertEquals(List.of("my parcel is late", "let me look", "she asked twice already"), bodies(agentView));
        assertEquals(List.of(1L, 2L, 3L), agentView.stream().map(ServerMessage.Message::seq).toList());
        assertTrue(agentView.get(2).forAgentsOnly());
        assertEquals(List.of("my parcel is late", "let me look"), bodies(history(carla, second)));
        carla.ok(new Request.Message(second, "thanks"));
        assertEquals(4, carla.last(ServerMessage.Message.class).seq(), "the conversation goes on");
        // And a restart keeps it so.
        Harness restarted = new Harness(Harness.CONFIG, journal, journal::state, harness.clock.now());
        assertEquals(Fingerprint.of(harness), Fingerprint.of(restarted));
    }

    @Test
    void aReservationWaitingAfterItsAgentWasGoneIsRestoredWithItsPreviousRoom() {
        Client bob = harness.availableAgent("bob");
        Client carla = harness.guest("carla");
        carla.ok(new Request.Message(roomOf(carla), "hello"));
        bob.drop();
        harness.clock.advance(60_000);
        Harness restarted = new Harness(Harness.CONFIG, journal, journal::state, harness.clock.now());
        assertEquals(Fingerprint.of(harness), Fingerprint.of(restarted));
        Client back = carla.resumeOn(restarted);
        Client ann = available(restarted, "ann");
        String room = roomOf(ann);
        assertEquals(room, roomOf(back));
        assertEquals(List.of("hello"), bodies(history(ann, room)));
    }

    @Test
    void logoutHandsTheRoomsBackAtOnce() {
        Client bob = harness.availableAgent("bob");
        Client sue = harness.agent("sue");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        carla.ok(new Request.Message(room, "are you there?"));
        sue.clear();
        bob.ok(new Request.Logout());
        assertEquals(new ServerMessage.End(room, null, EndReason.AGENT_GONE), carla.last(ServerMessage.End.class));
        assertEquals(0, carla.last(ServerMessage.QueuePos.class).position());
        assertEquals(ReservationStatus.QUEUED, harness.reservation(carla).status());
        assertTrue(sue.received.contains(new ServerMessage.Status(null, "bob", io.switchboard.protocol.Role.AGENT,
                StatusOf.AVAILABILITY, StatusIs.OFFLINE)), "bob is offline to the team at once: " + sue.received);
        assertEquals(0, bob.closeStatus, "the connection stays, signed in as nobody");
        bob.refused(new Request.Snapshot(), ErrorCode.NOT_IDENTIFIED);
        harness.clock.advance(120_000);
        assertEquals(Desk.CLOSE_NOT_IDENTIFIED, bob.closeStatus, "and is held to the identify deadline again");
        assertEquals(ReservationStatus.QUEUED, harness.reservation(carla).status(), "the guest keeps her place");
        // Bob signs in again and takes the guest with her conversation.
        Client back = available(harness, "bob");
        assertEquals(List.of("are you there?"), bodies(history(back, roomOf(back))));
    }

    @Test
    void notesReachAgentsAndSupervisorsButNeverTheGuest() {
        Client bob = harness.availableAgent("bob");
        Client sue = harness.agent("sue");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        sue.ok(new Request.Join(room));
        carla.clear();
        bob.ok(new Request.Message(room, "VIP customer", true));
        ServerMessage.Message note = sue.last(ServerMessage.Message.class);
        assertEquals("VIP customer", note.body());
        assertTrue(note.forAgentsOnly());
        assertTrue(carla.all(ServerMessage.Message.class).isEmpty(), "the guest got nothing: " + carla.received);
        carla.refused(new Request.Message(room, "me too", true), ErrorCode.NOT_ALLOWED);
        carla.ok(new Request.Message(room, "hello?"));
        assertEquals(List.of("hello?"), bodies(history(carla, room)), "nor in history");
        assertEquals(List.of("VIP customer", "hello?"), bodies(history(bob, room)));
        // After a restart, the same.
        Harness restarted = new Harness(Harness.CONFIG, journal, journal::state, harness.clock.now());
        Client back = carla.resumeOn(restarted);
        assertEquals(List.of("hello?"), bodies(history(back, room)));
    }

    @Test
    void aWaitingGuestAddsToTheQuestionAndTheAgentReadsIt() {
        Client carla = harness.guest("carla");
        carla.ok(new Request.Question("order 42, blue box"));
        assertEquals("question of carla\norder 42, blue box", harness.reservation(carla).question);
        carla.refused(new Request.Question("x".repeat(1_990)), ErrorCode.TOO_LARGE);
        Client bob = available(harness, "bob");
        assertEquals("question of carla\norder 42, blue box", bob.last(ServerMessage.Joined.class).guest().question());
        carla.refused(new Request.Question("more"), ErrorCode.NOT_ALLOWED);
        bob.refused(new Request.Question("more"), ErrorCode.NOT_ALLOWED);
    }

    @Test
    void aNewLimitReachesEveryConsoleAtOnce() {
        Client sue = harness.agent("sue");
        Client bob = harness.agent("bob");
        Client ann = harness.console("ann");
        bob.clear();
        ann.clear();
        sue.ok(new Request.Limit(7, "bob"));
        // An agent that is no console gets a snapshot; a console, the change of that agent (issue 19).
        for (Client other : List.of(bob, sue)) {
            ServerMessage.Snapshot snapshot = other.last(ServerMessage.Snapshot.class);
            assertEquals(7, snapshot.agents().stream().filter(agent -> agent.user().equals("bob")).findFirst()
                    .orElseThrow().limit());
        }
        assertEquals(new ServerMessage.Team(new ServerMessage.AgentView("bob", StatusIs.AWAY, 0, 7)),
                ann.last(ServerMessage.Team.class));
        assertTrue(ann.all(ServerMessage.Snapshot.class).isEmpty(), () -> "" + ann.received);
    }
}
