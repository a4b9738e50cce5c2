package io.switchboard.server.desk;

import static io.switchboard.server.desk.Harness.roomOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.NotificationDetails;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.desk.Harness.Client;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every rule of the desk, on virtual time. */
class DeskTest {
    private final Harness harness = new Harness();

    private static ServerMessage.Update update(UpdateDetails details, String... users) {
        return new ServerMessage.Update(List.of(users), details);
    }

    private static ServerMessage.Status availability(String user, StatusIs is) {
        return new ServerMessage.Status(null, user, user.equals("sue") ? Role.SUPERVISOR : Role.AGENT,
                StatusOf.AVAILABILITY, is);
    }

    /** Someone's presence in a room (contract §5.1: with the room's id). */
    private static ServerMessage.Status presence(String room, String user, Role role, StatusIs is) {
        return new ServerMessage.Status(room, user, role, StatusOf.AVAILABILITY, is);
    }

    private static ServerMessage.Notification notification(String room, String user, NotificationDetails details) {
        Role role = user.equals("sue") ? Role.SUPERVISOR : List.of("bob", "ann", "kim").contains(user) ? Role.AGENT
                : Role.GUEST;
        return new ServerMessage.Notification(room, user, role, details);
    }

    // --- Identify, queue, positions -------------------------------------------------------------------------------

    @Test
    void guestIsIdentifiedThenToldPlaceAndAgentsHearQueued() {
        Client bob = harness.agent("bob");
        bob.clear();
        Client guest = harness.connect();
        guest.ok(new Request.Identify("carla", "refund?", "acme", "billing", null, null));
        ServerMessage.Identified identified = assertInstanceOf(ServerMessage.Identified.class, guest.received.get(0));
        assertEquals(Role.GUEST, identified.role());
        assertEquals("carla", identified.user());
        assertTrue(identified.session().startsWith("ses_"));
        assertTrue(identified.reservation().startsWith("rsv_") && identified.reservation().length() >= 4 + 22);
        assertEquals(new ServerMessage.QueuePos(0, null, null), guest.received.get(1));
        assertEquals(3, guest.received.size(), "identified, queuepos, ack");
        assertEquals(List.of(update(UpdateDetails.QUEUED, "carla")), bob.received, "what the contract names, only");
    }

    @Test
    void guestsDefaultToDefaultAccountAndGroup() {
        Harness embedded = new Harness("""
                {"accounts": [{"id": "default", "groups": [{"name": "default"}],
                  "agents": [{"user": "admin", "token": "admin-token-for-tests", "supervisor": true}]}]}""");
        Client guest = embedded.connect();
        guest.ok(Request.Identify.guest("carla", "hi"));
        Reservation reservation = embedded.reservation(guestOf(guest));
        assertEquals("default", reservation.account.id);
        assertEquals("default", reservation.group.name);
    }

    private static Client guestOf(Client client) {
        client.reservation = client.first(ServerMessage.Identified.class).reservation();
        return client;
    }

    @Test
    void unknownAccountOrGroupIsInvalidField() {
        Client guest = harness.connect();
        guest.refused(new Request.Identify("a", "q", "nope", null, null, null), ErrorCode.INVALID_FIELD);
        guest.refused(new Request.Identify("a", "q", "acme", "nope", null, null), ErrorCode.INVALID_FIELD);
        // Nothing took effect: the connection can still identify.
        guest.ok(new Request.Identify("a", "q", "acme", "billing", null, null));
    }

    @Test
    void secondIdentifyIsAlreadyIdentified() {
        Client guest = harness.guest("carla");
        guest.refused(Request.Identify.guest("carla", "again"), ErrorCode.ALREADY_IDENTIFIED);
        guest.refused(new Request.Login("bob", "bob-token-for-tests"), ErrorCode.ALREADY_IDENTIFIED);
    }

    @Test
    void requestsBeforeIdentifyingAreNotIdentifiedButPingWorks() {
        Client client = harness.connect();
        client.refused(new Request.Message("rm_x", "hi"), ErrorCode.NOT_IDENTIFIED);
        client.refused(new Request.Snapshot(), ErrorCode.NOT_IDENTIFIED);
        client.refused(new Request.Cancel(), ErrorCode.NOT_IDENTIFIED);
        client.ok(new Request.Ping());
        assertEquals(new ServerMessage.Pong(), client.received.get(client.received.size() - 2));
    }

    @Test
    void fifoWithinPriorityAndHigherPriorityFirst() {
        Client first = harness.guest("first");
        Client second = harness.guest("second");
        harness.createReservation("acme", "billing", "vip", 5, null, Map.of());
        Client third = harness.guest("third");
        Group billing = harness.desk("acme").account.groups.get("billing");
        assertEquals(List.of("vip", "first", "second", "third"),
                billing.queue.stream().map(r -> r.user).toList());
        harness.clock.advance(1_000);
        assertEquals(1, first.last(ServerMessage.QueuePos.class).position());
        assertEquals(2, second.last(ServerMessage.QueuePos.class).position());
        assertEquals(3, third.last(ServerMessage.QueuePos.class).position());
        Client bob = harness.agent("bob");
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        // vip first (held for its guest to attach: no room yet), then first.
        assertEquals(List.of(update(UpdateDetails.ASSIGNED, "vip", "bob"), update(UpdateDetails.ASSIGNED, "first", "bob")),
                bob.updates().stream().filter(u -> u.details() == UpdateDetails.ASSIGNED).toList());
        assertEquals("first", bob.first(ServerMessage.Joined.class).guest().user());
    }

    @Test
    void cancelRenumbersTheQueueAndTellsAgents() {
        Client first = harness.guest("first");
        Client second = harness.guest("second");
        Client third = harness.guest("third");
        Client bob = harness.agent("bob");
        bob.clear();
        harness.clock.advance(5_000);
        third.clear();
        second.clear();
        first.ok(new Request.Cancel());
        assertEquals(ReservationStatus.CANCELED, harness.reservation(first).status());
        assertEquals(List.of(update(UpdateDetails.CANCELED, "first")), bob.received);
        assertEquals(0, second.last(ServerMessage.QueuePos.class).position());
        assertEquals(1, third.last(ServerMessage.QueuePos.class).position());
        first.refused(new Request.Cancel(), ErrorCode.NOT_ALLOWED);
        bob.refused(new Request.Cancel(), ErrorCode.NOT_ALLOWED);
    }

    @Test
    void queuePosIsCoalescedPerIntervalAndLastValueIsNeverDropped() {
        Client stay = harness.guest("stay");
        harness.clock.advance(10_000);
        Client a = harness.guest("a");
        Client b = harness.guest("b");
        Client watcher = harness.guest("watcher");
        harness.clock.advance(10_000);
        watcher.clear();
        stay.ok(new Request.Cancel());
        // The watcher moved from 3 to 2 at once: its last queuepos was long ago.
        assertEquals(List.of(2), watcher.all(ServerMessage.QueuePos.class).stream()
                .map(ServerMessage.QueuePos::position).toList());
        a.ok(new Request.Cancel());
        b.ok(new Request.Cancel());
        // Two more changes inside the interval: nothing yet.
        assertEquals(1, watcher.all(ServerMessage.QueuePos.class).size());
        harness.clock.advance(999);
        assertEquals(1, watcher.all(ServerMessage.QueuePos.class).size());
        harness.clock.advance(1);
        // At the end of the interval: the last values only.
        assertEquals(List.of(2, 0), watcher.all(ServerMessage.QueuePos.class).stream()
                .map(ServerMessage.QueuePos::position).toList());
        harness.clock.advance(10_000);
        assertEquals(2, watcher.all(ServerMessage.QueuePos.class).size(), "no repeats without change");
    }

    @Test
    void waitIsTheRecentAverageAndEstimateNeedsHistory() {
        harness.guest("first");
        harness.guest("second");
        Client third = harness.guest("third");
        Client fourth = harness.guest("fourth");
        assertNull(fourth.last(ServerMessage.QueuePos.class).averageWait());
        assertNull(fourth.last(ServerMessage.QueuePos.class).estimatedWait());
        harness.clock.advance(30_000);
        Client bob = harness.agent("bob");
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        // bob takes first and second at once (limit 2): waits 30 s each.
        assertEquals(2, bob.all(ServerMessage.Joined.class).size());
        harness.clock.advance(1_000);
        ServerMessage.QueuePos thirds = third.last(ServerMessage.QueuePos.class);
        assertEquals(0, thirds.position());
        assertEquals(30L, thirds.averageWait());
        // No room has ended yet: handle times follow the prior, exponential with a mean of 30 s. Bob's two busy
        // slots free a place every 15 s on average; the median time to the first is 15 s × ln 2 = 10.4 s.
        assertEquals(10L, thirds.estimatedWait());
        bob.ok(new Request.End(roomOf(bob)));
        // third is assigned when that room ends, after 31 s: the average of 30, 30 and 31.
        harness.clock.advance(10_000);
        ServerMessage.QueuePos fourths = fourth.last(ServerMessage.QueuePos.class);
        assertEquals(0, fourths.position());
        assertEquals(Math.round((30 + 30 + 31) / 3.0), fourths.averageWait());
        assertNotNull(fourths.estimatedWait());
    }

    // --- Assignment ------------------------------------------------------------------------------------------------

    @Test
    void assignmentSendsEverythingInTheContractsOrder() {
        Client bob = harness.availableAgent("bob");
        Client sue = harness.agent("sue");
        sue.clear();
        bob.clear();
        Client guest = harness.connect();
        guest.ok(new Request.Identify("carla", "refund?", "acme", "billing", Map.of("order", "7"), null));
        String room = roomOf(guest);
        assertTrue(room.startsWith("rm_"));
        ServerMessage.Joined joined = new ServerMessage.Joined(room,
                new ServerMessage.Guest("carla", "refund?", Map.of("order", "7")), "bob");
        assertEquals(List.of(
                update(UpdateDetails.QUEUED, "carla"),
                update(UpdateDetails.DEQUEUED, "carla"),
                update(UpdateDetails.ASSIGNED, "carla", "bob"),
                joined,
                notification(room, "carla", NotificationDetails.JOINED),
                notification(room, "bob", NotificationDetails.JOINED)), bob.received);
        assertEquals(List.of(
                update(UpdateDetails.QUEUED, "carla"),
                update(UpdateDetails.DEQUEUED, "carla"),
                update(UpdateDetails.ASSIGNED, "carla", "bob")), sue.received);
        assertEquals(ServerMessage.Identified.class, guest.received.get(0).getClass());
        assertEquals(new ServerMessage.QueuePos(0, null, null), guest.received.get(1));
        assertEquals(List.of(joined,
                notification(room, "carla", NotificationDetails.JOINED),
                notification(room, "bob", NotificationDetails.JOINED)),
                guest.received.subList(2, 5));
        assertEquals(ReservationStatus.MATCHED, harness.reservation(guestOf(guest)).status());
    }

    @Test
    void limitIsNeverExceededAndAtLimitSaysUnavailable() {
        Client bob = harness.availableAgent("bob");
        harness.guest("g1");
        harness.guest("g2");
        Client third = harness.guest("g3");
        assertEquals(2, harness.agentNamed("acme", "bob").activeGuests());
        assertTrue(bob.updates().contains(update(UpdateDetails.UNAVAILABLE, "bob")));
        assertTrue(harness.reservation(third).isWaiting());
        bob.refused(new Request.Assist(null), ErrorCode.AT_LIMIT);
    }

    @Test
    void fewestGuestsFirstThenOldestLastAssignment() {
        Client bob = harness.availableAgent("bob");
        harness.clock.advance(1);
        Client ann = harness.availableAgent("ann");
        harness.guest("g1");
        harness.clock.advance(1);
        harness.guest("g2");
        harness.clock.advance(1);
        harness.guest("g3");
        // Both free with 0: ties to the oldest last assignment (never), bob first by order; then ann has fewer.
        assertEquals(List.of("g1", "g3"), bob.all(ServerMessage.Joined.class).stream()
                .map(j -> j.guest().user()).toList());
        assertEquals(List.of("g2"), ann.all(ServerMessage.Joined.class).stream()
                .map(j -> j.guest().user()).toList());
    }

    @Test
    void agentWhoBecomesAvailableIsAssignedAndAnnounced() {
        Client sue = harness.agent("sue");
        harness.guest("carla");
        Client bob = harness.agent("bob");
        sue.clear();
        bob.clear();
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        assertEquals(availability("bob", StatusIs.AVAILABLE), sue.received.get(0));
        assertEquals(update(UpdateDetails.AVAILABLE, "bob"), sue.received.get(1));
        assertEquals(update(UpdateDetails.DEQUEUED, "carla"), sue.received.get(2));
        assertEquals(availability("bob", StatusIs.AVAILABLE), bob.received.get(0));
        assertEquals("carla", bob.first(ServerMessage.Joined.class).guest().user());
    }

    @Test
    void manualGroupWaitsForAssist() {
        Client kim = harness.availableAgent("kim");
        Client guest = harness.guest("carla", "acme", "tech");
        assertTrue(harness.reservation(guest).isWaiting());
        assertTrue(kim.all(ServerMessage.Joined.class).isEmpty());
        Client bob = harness.availableAgent("bob");
        bob.refused(new Request.Assist("tech"), ErrorCode.NOT_ALLOWED);
        bob.refused(new Request.Assist(null), ErrorCode.NO_GUESTS);
        bob.refused(new Request.Assist("nope"), ErrorCode.INVALID_FIELD);
        kim.ok(new Request.Assist(null));
        assertEquals("carla", kim.first(ServerMessage.Joined.class).guest().user());
        assertEquals(ReservationStatus.MATCHED, harness.reservation(guest).status());
        kim.refused(new Request.Assist("tech"), ErrorCode.AT_LIMIT);
    }

    @Test
    void assistTakesTheLongestWaitingHeadAcrossGroups() {
        Client sue = harness.agent("sue");
        harness.guest("tech-early", "acme", "tech");
        harness.clock.advance(1_000);
        harness.guest("billing-later");
        sue.ok(new Request.Assist(null));
        assertEquals("tech-early", sue.first(ServerMessage.Joined.class).guest().user());
    }

    @Test
    void raisingTheLimitAssignsMore() {
        Client bob = harness.availableAgent("bob");
        harness.guest("g1");
        harness.guest("g2");
        Client third = harness.guest("g3");
        assertTrue(harness.reservation(third).isWaiting());
        bob.ok(new Request.Limit(3, null));
        assertEquals(ReservationStatus.MATCHED, harness.reservation(third).status());
        assertEquals(3, harness.agentNamed("acme", "bob").limit);
    }

    @Test
    void onlySupervisorsSetOtherAgentsLimits() {
        Client bob = harness.agent("bob");
        Client sue = harness.agent("sue");
        bob.refused(new Request.Limit(5, "ann"), ErrorCode.NOT_ALLOWED);
        sue.refused(new Request.Limit(5, "nobody"), ErrorCode.UNKNOWN_AGENT);
        sue.refused(new Request.Limit(5, "zed"), ErrorCode.UNKNOWN_AGENT);
        sue.ok(new Request.Limit(5, "ann"));
        assertEquals(5, harness.agentNamed("acme", "ann").limit);
        bob.ok(new Request.Limit(1, "bob"));
        assertEquals(1, harness.agentNamed("acme", "bob").limit);
    }

    // --- Rooms ---------------------------------------------------------------------------------------------------

    @Test
    void messagesGoToEveryMemberWithSeqAndHistoryPages() {
        Client bob = harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        guest.clear();
        bob.clear();
        harness.clock.advance(5);
        guest.ok(new Request.Message(room, "hello"));
        bob.ok(new Request.Message(room, "hi, how can I help?"));
        ServerMessage.Message first = new ServerMessage.Message(room, "carla", Role.GUEST, "hello", Harness.START + 5, 1);
        ServerMessage.Message second = new ServerMessage.Message(room, "bob", Role.AGENT, "hi, how can I help?",
                Harness.START + 5, 2);
        assertEquals(List.of(first, second), guest.all(ServerMessage.Message.class));
        assertEquals(List.of(first, second), bob.all(ServerMessage.Message.class));
        guest.ok(new Request.History(room, 0L));
        assertEquals(new ServerMessage.History(room, List.of(first, second)), guest.last(ServerMessage.History.class));
        guest.ok(new Request.History(room, 1L));
        assertEquals(List.of(second), guest.last(ServerMessage.History.class).messages());
        guest.ok(new Request.History(room, 9L));
        assertEquals(List.of(), guest.last(ServerMessage.History.class).messages());
    }

    @Test
    void historyIsPagedAtFiveHundred() {
        harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        for (int i = 0; i < 501; i++) {
            guest.request(new Request.Message(room, "m" + i));
        }
        guest.ok(new Request.History(room, 0L));
        List<ServerMessage.Message> page = guest.last(ServerMessage.History.class).messages();
        assertEquals(500, page.size());
        assertEquals(500, page.get(499).seq());
        guest.ok(new Request.History(room, 500L));
        assertEquals(501, guest.last(ServerMessage.History.class).messages().get(0).seq());
    }

    /** With a journal, an ended room's messages leave memory once the end is durable, and history pages from it. */
    @Test
    void anEndedRoomsHistoryComesFromTheJournalInPages() {
        MemoryJournal journal = new MemoryJournal();
        Harness stored = new Harness(Harness.CONFIG, journal);
        Client bob = stored.availableAgent("bob");
        Client guest = stored.guest("carla");
        String room = roomOf(guest);
        for (int i = 1; i <= 1_200; i++) {
            guest.request(new Request.Message(room, "m" + i));
        }
        bob.ok(new Request.End(room));
        guest.ok(new Request.Ping());
        assertTrue(stored.desk("acme").account.rooms.get(room).messages.isEmpty(), "not in memory any more");
        for (long after : new long[] {0, 500, 1_000, 1_195, 1_200}) {
            guest.ok(new Request.History(room, after));
            List<ServerMessage.Message> page = guest.last(ServerMessage.History.class).messages();
            assertEquals(Math.min(500, 1_200 - after), page.size(), "after " + after);
            for (int i = 0; i < page.size(); i++) {
                assertEquals(after + i + 1, page.get(i).seq());
                assertEquals("m" + (after + i + 1), page.get(i).body());
            }
        }
    }

    @Test
    void typingReachesOnlyTheOtherMembers() {
        Client bob = harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        guest.clear();
        bob.clear();
        guest.ok(new Request.Status(room, StatusOf.TYPING, StatusIs.TRUE));
        assertEquals(List.of(new ServerMessage.Status(room, "carla", Role.GUEST, StatusOf.TYPING, StatusIs.TRUE)), bob.received);
        assertEquals(1, guest.received.size(), "only the ack");
    }

    @Test
    void outsidersCannotUseARoom() {
        harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        Client ann = harness.agent("ann");
        ann.refused(new Request.Message(room, "hi"), ErrorCode.NOT_ALLOWED);
        ann.refused(new Request.End(room), ErrorCode.NOT_ALLOWED);
        ann.refused(new Request.History(room, 0L), ErrorCode.NOT_ALLOWED);
        ann.refused(new Request.Message("rm_nope", "hi"), ErrorCode.UNKNOWN_ROOM);
        Client other = harness.guest("mallory");
        other.refused(new Request.Status(room, StatusOf.TYPING, StatusIs.TRUE), ErrorCode.NOT_ALLOWED);
    }

    @Test
    void endClosesTheRoomForEveryoneAndFreesTheAgent() {
        Client bob = harness.availableAgent("bob");
        Client sue = harness.agent("sue");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        harness.guest("dan");
        Client eve = harness.guest("eve");
        assertTrue(harness.reservation(eve).isWaiting(), "bob is at his limit of 2");
        sue.clear();
        guest.clear();
        bob.clear();
        guest.ok(new Request.End(room));
        ServerMessage.End end = new ServerMessage.End(room, "carla", EndReason.ENDED);
        assertEquals(end, guest.received.get(0));
        assertEquals(end, bob.received.get(0));
        assertEquals(update(UpdateDetails.UNASSIGNED, "carla", "bob"), sue.received.get(0));
        assertEquals(ReservationStatus.MATCHED, harness.reservation(guest).status(), "stays MATCHED after the end");
        guest.refused(new Request.Message(room, "still there?"), ErrorCode.NOT_ALLOWED);
        guest.ok(new Request.History(room, 0L));
        // The freed place went to the next waiting guest at once.
        assertEquals("bob", harness.reservation(eve).room.agent.user);
        assertEquals("eve", bob.last(ServerMessage.Joined.class).guest().user());
        assertEquals(2, harness.agentNamed("acme", "bob").activeGuests());
    }

    @Test
    void transferMovesTheRoom() {
        Client bob = harness.availableAgent("bob");
        Client ann = harness.agent("ann");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        guest.clear();
        bob.clear();
        ann.clear();
        ann.refused(new Request.Transfer(room, "ann"), ErrorCode.NOT_ALLOWED);
        bob.refused(new Request.Transfer(room, "nobody"), ErrorCode.UNKNOWN_AGENT);
        bob.refused(new Request.Transfer(room, "bob"), ErrorCode.CONFLICT);
        bob.clear();
        ann.clear();
        bob.ok(new Request.Transfer(room, "ann"));
        ServerMessage left = notification(room, "bob", NotificationDetails.LEFT);
        ServerMessage joinedAnn = notification(room, "ann", NotificationDetails.JOINED);
        assertEquals(List.of(left, joinedAnn), guest.received);
        assertEquals(left, bob.received.get(0));
        assertFalse(bob.received.contains(joinedAnn), "bob left the room");
        assertEquals(new ServerMessage.Joined(room, harness.reservation(guest).guestView(), "ann"),
                ann.first(ServerMessage.Joined.class));
        assertTrue(ann.received.contains(joinedAnn));
        bob.refused(new Request.Message(room, "hi"), ErrorCode.NOT_ALLOWED);
        ann.ok(new Request.Message(room, "ann here"));
        assertEquals("ann", guest.last(ServerMessage.Message.class).user());
    }

    @Test
    void transferToAnAgentAtTheLimitIsRefused() {
        Client kim = harness.availableAgent("kim");
        harness.guest("t1", "acme", "tech");
        kim.ok(new Request.Assist(null));
        Client bob = harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        bob.refused(new Request.Transfer(roomOf(guest), "kim"), ErrorCode.AT_LIMIT);
        bob.refused(new Request.Transfer(roomOf(guest), "ann"), ErrorCode.NOT_ALLOWED);
    }

    @Test
    void supervisorJoinsAndLeavesRooms() {
        Client bob = harness.availableAgent("bob");
        Client sue = harness.agent("sue");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        bob.refused(new Request.Join(room), ErrorCode.NOT_ALLOWED);
        guest.refused(new Request.Join(room), ErrorCode.NOT_ALLOWED);
        guest.clear();
        sue.clear();
        sue.ok(new Request.Join(room));
        ServerMessage joined = notification(room, "sue", NotificationDetails.JOINED);
        assertEquals(List.of(joined), guest.received);
        assertEquals(room, sue.first(ServerMessage.Joined.class).room());
        assertTrue(sue.received.contains(joined));
        sue.refused(new Request.Join(room), ErrorCode.CONFLICT);
        sue.ok(new Request.Message(room, "supervisor here"));
        assertEquals("supervisor here", bob.last(ServerMessage.Message.class).body());
        sue.ok(new Request.Leave(room));
        assertEquals(notification(room, "sue", NotificationDetails.LEFT), guest.received.get(2));
        sue.refused(new Request.Leave(room), ErrorCode.NOT_ALLOWED);
        sue.refused(new Request.Message(room, "gone"), ErrorCode.NOT_ALLOWED);
    }

    @Test
    void snapshotShowsAgentsQueueAndRooms() {
        Client bob = harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        harness.guest("dan");
        Client eve = harness.guest("eve");
        harness.clock.advance(7_000);
        bob.ok(new Request.Snapshot());
        ServerMessage.Snapshot snapshot = bob.last(ServerMessage.Snapshot.class);
        assertEquals(new ServerMessage.AgentView("bob", StatusIs.AVAILABLE, 2, 2), snapshot.agents().get(0));
        assertEquals(new ServerMessage.AgentView("ann", StatusIs.OFFLINE, 0, 2), snapshot.agents().get(1));
        assertEquals(List.of(new ServerMessage.QueueEntry("eve", "billing", 0, 7, "question of eve", null, null,
                harness.reservation(eve).entryId())), snapshot.queue());
        assertEquals(new ServerMessage.RoomView(roomOf(guest), "carla", "bob"), snapshot.rooms().get(0));
        guest.refused(new Request.Snapshot(), ErrorCode.NOT_ALLOWED);
    }

    // --- Accounts --------------------------------------------------------------------------------------------------

    @Test
    void nothingCrossesAccounts() {
        Client bob = harness.availableAgent("bob");
        Client zed = harness.availableAgent("zed");
        Client acmeGuest = harness.guest("carla");
        Client otherGuest = harness.guest("olga", "other", "default");
        String acmeRoom = roomOf(acmeGuest);
        String otherRoom = roomOf(otherGuest);
        assertEquals("zed", otherGuest.last(ServerMessage.Joined.class).agent());
        for (ServerMessage message : zed.received) {
            assertFalse(message.toString().contains("carla") || message.toString().contains("bob"), message::toString);
        }
        for (ServerMessage message : bob.received) {
            assertFalse(message.toString().contains("olga") || message.toString().contains("zed"), message::toString);
        }
        zed.refused(new Request.Message(acmeRoom, "hi"), ErrorCode.UNKNOWN_ROOM);
        zed.refused(new Request.History(acmeRoom, 0L), ErrorCode.UNKNOWN_ROOM);
        zed.refused(new Request.Transfer(acmeRoom, "zed"), ErrorCode.UNKNOWN_ROOM);
        bob.refused(new Request.Transfer(acmeRoom, "zed"), ErrorCode.UNKNOWN_AGENT);
        Client sue = harness.agent("sue");
        sue.refused(new Request.Join(otherRoom), ErrorCode.UNKNOWN_ROOM);
        sue.ok(new Request.Snapshot());
        assertFalse(sue.last(ServerMessage.Snapshot.class).toString().contains("olga"));
    }

    @Test
    void loginNeedsTheRightTokenForTheUser() {
        Client client = harness.connect();
        client.refused(new Request.Login("bob", "ann-token-for-tests"), ErrorCode.AUTH_FAILED);
        client.refused(new Request.Login("bob", "wrong"), ErrorCode.AUTH_FAILED);
        client.clear();
        client.ok(new Request.Login("sue", "sue-token-for-tests"));
        ServerMessage.Identified identified = client.first(ServerMessage.Identified.class);
        assertEquals(Role.SUPERVISOR, identified.role());
        assertNull(identified.reservation());
        assertInstanceOf(ServerMessage.Snapshot.class, client.received.get(1));
        assertEquals(StatusIs.AWAY, harness.agentNamed("acme", "sue").availability);
    }

    @Test
    void signingInAgainMovesTheAgentToTheNewConnection() {
        Client first = harness.agent("bob");
        Client second = harness.agent("bob");
        assertEquals(Desk.CLOSE_SESSION_MOVED, first.closeStatus);
        first.clear();
        first.request(new Request.Snapshot());
        first.assertNothing();
        second.ok(new Request.Snapshot());
        Client stale = harness.connect();
        stale.refused(new Request.Resume(first.session), ErrorCode.AUTH_FAILED);
    }

    // --- Disconnects and resume ------------------------------------------------------------------------------------

    @Test
    void waitingGuestKeepsPlaceWithinTheGrace() {
        Client first = harness.guest("first");
        harness.guest("second");
        first.drop();
        harness.clock.advance(59_000);
        assertTrue(harness.reservation(first).isWaiting());
        Client back = first.resume();
        assertEquals(ServerMessage.Identified.class, back.received.get(0).getClass());
        assertEquals(0, back.last(ServerMessage.QueuePos.class).position());
        harness.clock.advance(120_000);
        assertTrue(harness.reservation(first).isWaiting(), "a resumed session does not expire");
    }

    @Test
    void waitingGuestExpiresAfterTheGrace() {
        Client first = harness.guest("first");
        Client second = harness.guest("second");
        Client bob = harness.agent("bob");
        bob.clear();
        first.drop();
        // A waiting guest keeps their place for waiting_grace_ms (ten minutes), far longer than a room's grace.
        harness.clock.advance(599_999);
        assertEquals(ReservationStatus.QUEUED, harness.reservation(first).status());
        harness.clock.advance(1);
        assertEquals(ReservationStatus.EXPIRED, harness.reservation(first).status());
        assertEquals(List.of(update(UpdateDetails.EXPIRED, "first")), bob.updates());
        assertEquals(0, second.last(ServerMessage.QueuePos.class).position());
        Client late = harness.connect();
        late.refused(new Request.Resume(first.session), ErrorCode.AUTH_FAILED);
    }

    @Test
    void guestWhoDropsFromARoomIsAwayThenBack() {
        Client bob = harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        bob.clear();
        guest.drop();
        assertEquals(List.of(presence(room, "carla", Role.GUEST, StatusIs.AWAY)), bob.received);
        bob.ok(new Request.Message(room, "are you there?"));
        harness.clock.advance(30_000);
        Client back = guest.resume();
        assertEquals(room, back.first(ServerMessage.Joined.class).room());
        assertEquals(presence(room, "carla", Role.GUEST, StatusIs.AVAILABLE), bob.last(ServerMessage.Status.class));
        back.ok(new Request.History(room, 0L));
        assertEquals("are you there?", back.last(ServerMessage.History.class).messages().get(0).body());
    }

    @Test
    void roomEndsGuestGoneAfterTheGrace() {
        Client bob = harness.availableAgent("bob");
        Client sue = harness.agent("sue");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        bob.clear();
        sue.clear();
        guest.drop();
        harness.clock.advance(60_000);
        assertEquals(new ServerMessage.End(room, null, EndReason.GUEST_GONE), bob.last(ServerMessage.End.class));
        assertTrue(sue.updates().contains(update(UpdateDetails.UNASSIGNED, "carla", "bob")));
        assertEquals(0, harness.agentNamed("acme", "bob").activeGuests());
    }

    @Test
    void agentGoneSendsGuestsBackToTheFrontOfTheQueue() {
        Client bob = harness.availableAgent("bob");
        Client sue = harness.agent("sue");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        harness.guest("dan");
        harness.guest("eve");
        guest.clear();
        sue.clear();
        bob.drop();
        assertEquals(List.of(presence(room, "bob", Role.AGENT, StatusIs.AWAY)), guest.received);
        assertTrue(sue.received.contains(availability("bob", StatusIs.AWAY)));
        assertFalse(sue.received.contains(update(UpdateDetails.UNAVAILABLE, "bob")), "at the limit already");
        harness.clock.advance(60_000);
        assertEquals(new ServerMessage.End(room, null, EndReason.AGENT_GONE), guest.last(ServerMessage.End.class));
        assertEquals(0, guest.last(ServerMessage.QueuePos.class).position());
        Group billing = harness.desk("acme").account.groups.get("billing");
        assertEquals(List.of("carla", "dan", "eve"), billing.queue.stream().map(r -> r.user).toList());
        assertEquals(ReservationStatus.QUEUED, harness.reservation(guest).status());
        assertTrue(sue.received.contains(update(UpdateDetails.UNASSIGNED, "carla", "bob")));
        assertTrue(sue.received.contains(update(UpdateDetails.QUEUED, "carla")));
        assertTrue(sue.received.contains(availability("bob", StatusIs.OFFLINE)));
        // The next free agent takes carla first.
        harness.availableAgent("ann");
        harness.clock.advance(0);
        assertEquals(ReservationStatus.MATCHED, harness.reservation(guest).status());
        assertEquals("ann", harness.reservation(guest).room.agent.user);
    }

    @Test
    void agentWhoResumesKeepsTheirRooms() {
        Client bob = harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        bob.drop();
        harness.clock.advance(10_000);
        guest.clear();
        Client back = bob.resume();
        assertInstanceOf(ServerMessage.Identified.class, back.received.get(0));
        assertInstanceOf(ServerMessage.Snapshot.class, back.received.get(1));
        assertEquals(room, back.first(ServerMessage.Joined.class).room());
        assertEquals(List.of(presence(room, "bob", Role.AGENT, StatusIs.AVAILABLE)), guest.received);
        harness.clock.advance(120_000);
        assertTrue(harness.reservation(guest).room.open);
    }

    @Test
    void roomSeesAnAwayAgentDropAndComeBack() {
        Client bob = harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        guest.clear();
        bob.drop();
        assertEquals(List.of(presence(room, "bob", Role.AGENT, StatusIs.AWAY)), guest.received);
        bob.resume();
        assertEquals(List.of(presence(room, "bob", Role.AGENT, StatusIs.AWAY),
                presence(room, "bob", Role.AGENT, StatusIs.AVAILABLE)),
                guest.received, "presence in the room, not availability for new guests");
        assertEquals(StatusIs.AWAY, harness.agentNamed("acme", "bob").availability);
    }

    @Test
    void agentWhoSignsInAgainAfterADropIsBackInTheRoom() {
        Client bob = harness.availableAgent("bob");
        Client guest = harness.guest("carla");
        String room = roomOf(guest);
        bob.drop();
        guest.clear();
        Client again = harness.agent("bob");
        assertEquals(room, again.first(ServerMessage.Joined.class).room());
        assertEquals(List.of(presence(room, "bob", Role.AGENT, StatusIs.AVAILABLE)), guest.received);
        harness.clock.advance(120_000);
        assertTrue(harness.reservation(guest).room.open, "the old session's grace no longer runs");
    }

    @Test
    void resumeOnANewConnectionClosesTheOldOne() {
        Client guest = harness.guest("carla");
        Client second = guest.resume();
        assertEquals(Desk.CLOSE_SESSION_MOVED, guest.closeStatus);
        second.ok(new Request.Cancel());
    }

    // --- REST reservations -----------------------------------------------------------------------------------------

    @Test
    void reservationMatchedWhileAwayHoldsTheAgentUntilTheGuestAttaches() {
        Client bob = harness.availableAgent("bob");
        String sid = harness.createReservation("acme", "billing", "ext-1", 1, 30, Map.of()).reservationSid();
        Reservation reservation = harness.reservationOf(sid);
        assertEquals(ReservationStatus.MATCHED, reservation.status());
        assertNull(reservation.room);
        assertEquals(1, harness.agentNamed("acme", "bob").activeGuests());
        assertTrue(bob.updates().contains(update(UpdateDetails.ASSIGNED, "ext-1", "bob")));
        harness.clock.advance(20_000);
        Client guest = harness.connect();
        guest.ok(new Request.Identify("Carla", null, null, null, null, sid));
        assertEquals(sid, guest.first(ServerMessage.Identified.class).reservation());
        ServerMessage.Joined joined = guest.first(ServerMessage.Joined.class);
        assertEquals("bob", joined.agent());
        assertEquals("Carla", joined.guest().user());
        assertEquals(joined.room(), bob.last(ServerMessage.Joined.class).room());
        Client intruder = harness.connect();
        intruder.refused(new Request.Identify(null, null, null, null, null, sid), ErrorCode.CONFLICT);
        intruder.refused(new Request.Identify(null, null, null, null, null, "rsv_nope"),
                ErrorCode.UNKNOWN_RESERVATION);
        intruder.refused(new Request.Identify(null, null, "other", null, null, sid), ErrorCode.UNKNOWN_RESERVATION);
    }

    @Test
    void heldReservationExpiresAndTheNextGuestIsAssigned() {
        Client bob = harness.availableAgent("bob");
        Client ann = harness.availableAgent("ann");
        bob.ok(new Request.Limit(1, null));
        ann.ok(new Request.Limit(1, null));
        String sid = harness.createReservation("acme", "billing", "ext-1", 1, 30, Map.of()).reservationSid();
        harness.guest("second");
        Client third = harness.guest("third");
        assertTrue(harness.reservation(third).isWaiting());
        bob.clear();
        harness.clock.advance(30_000);
        assertEquals(ReservationStatus.EXPIRED, harness.reservationOf(sid).status());
        assertTrue(bob.updates().contains(update(UpdateDetails.EXPIRED, "ext-1")));
        assertEquals(ReservationStatus.MATCHED, harness.reservation(third).status());
        Client late = harness.connect();
        late.refused(new Request.Identify(null, null, null, null, null, sid), ErrorCode.NOT_ALLOWED);
    }

    @Test
    void oneActiveReservationPerExternalUser() {
        harness.createReservation("acme", "billing", "ext-1", 1, null, Map.of());
        DeskException conflict = org.junit.jupiter.api.Assertions.assertThrows(DeskException.class,
                () -> harness.createReservation("acme", "billing", "ext-1", 1, null, Map.of()));
        assertEquals(ErrorCode.CONFLICT, conflict.code());
        harness.createReservation("other", "default", "ext-1", 1, null, Map.of());
    }
}
