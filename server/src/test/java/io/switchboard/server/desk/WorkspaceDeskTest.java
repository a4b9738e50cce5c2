package io.switchboard.server.desk;

import static io.switchboard.server.desk.Harness.bodies;
import static io.switchboard.server.desk.Harness.history;
import static io.switchboard.server.desk.Harness.roomOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.NotificationDetails;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.desk.Harness.Client;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent's workspace (issue 19), in the desk on virtual time: unanswered alerts, canned replies, notes and silent
 * joins, context, offers and presence hygiene. Queue and team changes instead of snapshots are {@link
 * BoardDeskTest}'s.
 */
class WorkspaceDeskTest {
    /**
     * {@code billing}: unanswered alert after 60 s, auto-away after 300 s hidden; {@code sales}: offers of 30 s, away
     * after 2 missed in a row. Supervisor {@code sue} (billing) stays away, so she is never assigned.
     */
    static final String CONFIG = """
            {"accounts": [
              {"id": "acme",
               "api_keys": [{"id": "ops", "secret": "acme-secret-for-tests"}],
               "groups": [{"name": "billing", "unanswered_alert_seconds": 60, "auto_away_seconds": 300},
                          {"name": "sales", "offer_timeout_seconds": 30, "offers_missed_before_away": 2}],
               "agents": [
                 {"user": "bob", "token": "bob-token-for-tests", "groups": ["billing"], "limit": 2},
                 {"user": "ann", "token": "ann-token-for-tests", "groups": ["billing"], "limit": 2},
                 {"user": "amy", "token": "amy-token-for-tests", "groups": ["sales"], "limit": 2},
                 {"user": "ben", "token": "ben-token-for-tests", "groups": ["sales"], "limit": 2},
                 {"user": "sue", "token": "sue-token-for-tests", "groups": ["billing"], "limit": 3, "supervisor": true}
               ]}
            ]}""";

    private final MemoryJournal journal = new MemoryJournal();
    private final Harness harness = new Harness(CONFIG, journal);

    private Harness restarted() {
        return new Harness(CONFIG, journal, journal::state, harness.clock.now(), 7);
    }

    // --- Alerts ------------------------------------------------------------------------------------------------------

    @Test
    void aMessageUnansweredForTheGroupsTimeAlertsItsAgentAndTheSupervisorsAgainUntilAnswered() {
        Client sue = harness.console("sue");
        Client bob = harness.availableConsole("bob");
        Client ann = harness.availableConsole("ann");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        long wrote = harness.clock.now();
        carla.ok(new Request.Message(room, "hello?"));
        harness.clock.advance(30_000);
        carla.ok(new Request.Message(room, "anyone?"));
        sue.clear();
        bob.clear();
        ann.clear();
        harness.clock.advance(29_999);
        assertTrue(bob.all(ServerMessage.Alert.class).isEmpty(), "not before 60 s since the first unanswered one");
        harness.clock.advance(1);
        ServerMessage.Alert alert = new ServerMessage.Alert("unanswered", "bob", room, wrote, null);
        assertEquals(List.of(alert), bob.all(ServerMessage.Alert.class));
        assertEquals(List.of(alert), sue.all(ServerMessage.Alert.class), "the supervisors are told");
        assertTrue(ann.all(ServerMessage.Alert.class).isEmpty(), "only the agent concerned");
        assertTrue(carla.all(ServerMessage.Alert.class).isEmpty());
        harness.clock.advance(60_000);
        assertEquals(2, bob.all(ServerMessage.Alert.class).size(), "it repeats");
        // A note does not answer the guest; a message does, and the alerts stop.
        bob.ok(new Request.Message(room, "she is upset", true));
        harness.clock.advance(60_000);
        assertEquals(3, bob.all(ServerMessage.Alert.class).size());
        bob.ok(new Request.Message(room, "Hello Carla!"));
        harness.clock.advance(600_000);
        assertEquals(3, bob.all(ServerMessage.Alert.class).size());
        // The next message starts the clock again.
        carla.ok(new Request.Message(room, "thanks, one more thing"));
        harness.clock.advance(60_000);
        assertEquals(new ServerMessage.Alert("unanswered", "bob", room, harness.clock.now() - 60_000, null),
                bob.last(ServerMessage.Alert.class));
    }

    @Test
    void aGuestNobodyGreetedAlertsFromTheOpeningAndAfterARestart() {
        Client sue = harness.console("sue");
        Client bob = harness.availableConsole("bob");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        long opened = harness.clock.now();
        harness.clock.advance(60_000);
        assertEquals(new ServerMessage.Alert("unanswered", "bob", room, opened, null),
                bob.last(ServerMessage.Alert.class), "her question waits for a first answer");
        // The clock is stored with the room: after a restart the alert still comes.
        Harness after = restarted();
        Client bobAfter = bob.resumeOn(after);
        Client sueAfter = sue.resumeOn(after);
        after.clock.advance(60_000);
        assertEquals(new ServerMessage.Alert("unanswered", "bob", room, opened, null),
                bobAfter.last(ServerMessage.Alert.class));
        assertEquals(room, sueAfter.last(ServerMessage.Alert.class).room());
    }

    @Test
    void alertsGoToConsolesOnly() {
        Client bob = harness.availableAgent("bob");
        Client carla = harness.guest("carla");
        harness.clock.advance(120_000);
        assertTrue(bob.all(ServerMessage.Alert.class).isEmpty(), "an agent that is no console: the contract only");
        assertTrue(carla.all(ServerMessage.Alert.class).isEmpty());
    }

    @Test
    void aGroupWithoutTheSettingNeverAlerts() {
        Client amy = harness.availableConsole("amy");
        Client guest = harness.guest("carla", "acme", "sales");
        amy.ok(new Request.Accept(amy.last(ServerMessage.Offer.class).offer()));
        String room = roomOf(guest);
        guest.ok(new Request.Message(room, "hello?"));
        harness.clock.advance(3_600_000);
        assertTrue(amy.all(ServerMessage.Alert.class).isEmpty());
    }

    // --- Canned replies ----------------------------------------------------------------------------------------------

    @Test
    void cannedRepliesAreTheAccountsAndEachAgentsOwnAndSurviveARestart() {
        Client sue = harness.console("sue");
        Client bob = harness.console("bob");
        Client ann = harness.console("ann");
        Client amy = harness.agent("amy");
        assertEquals(new ServerMessage.Replies(List.of()), bob.last(ServerMessage.Replies.class));
        assertTrue(amy.all(ServerMessage.Replies.class).isEmpty(), "an agent that is no console is not sent them");
        bob.refused(new Request.ReplySave(null, "Refunds", "Refunds take 5 days.", true), ErrorCode.NOT_ALLOWED);
        sue.ok(new Request.ReplySave(null, "Welcome", "Hello {guest}, I am {agent} from {group}.", true));
        ServerMessage.Reply welcome = ann.last(ServerMessage.ReplyChange.class).reply();
        assertEquals(new ServerMessage.Reply(welcome.id(), "Welcome", "Hello {guest}, I am {agent} from {group}.",
                true, null), welcome, "the account's reply reaches every console");
        assertEquals(welcome, bob.last(ServerMessage.ReplyChange.class).reply());
        ann.clear();
        bob.ok(new Request.ReplySave(null, "bye", "Have a nice day, {guest}!", null));
        String bye = bob.last(ServerMessage.ReplyChange.class).reply().id();
        assertTrue(ann.all(ServerMessage.ReplyChange.class).isEmpty(), "bob's own is his");
        ann.refused(new Request.ReplyDelete(bye), ErrorCode.CONFLICT);
        ann.refused(new Request.ReplySave(welcome.id(), "Hi", "Hi", null), ErrorCode.NOT_ALLOWED);
        bob.ok(new Request.ReplySave(bye, "Bye", "Bye {guest}!", null));
        assertEquals(ServerMessage.ReplyChange.saved(new ServerMessage.Reply(bye, "Bye", "Bye {guest}!", false,
                "bob")), bob.last(ServerMessage.ReplyChange.class), "one reply, not the whole list");
        // The account's reply becomes sue's own: the others lose it.
        sue.ok(new Request.ReplySave(welcome.id(), "Welcome", "Hello!", null));
        assertEquals(ServerMessage.ReplyChange.deleted(welcome.id()), ann.last(ServerMessage.ReplyChange.class));
        assertEquals("Hello!", sue.last(ServerMessage.ReplyChange.class).reply().body());
        sue.ok(new Request.ReplyDelete(welcome.id()));
        assertEquals(ServerMessage.ReplyChange.deleted(welcome.id()), sue.last(ServerMessage.ReplyChange.class));
        sue.ok(new Request.ReplySave(null, "Hours", "We are open 9-17.", true));
        // A restart keeps them: a console that signs in again gets them, by title.
        Harness after = restarted();
        Client bobAgain = after.console("bob");
        assertEquals(List.of("Bye", "Hours"), bobAgain.last(ServerMessage.Replies.class).replies().stream()
                .map(ServerMessage.Reply::title).toList());
    }

    @Test
    void cannedRepliesHaveALimit() {
        Harness small = new Harness(CONFIG.replace("\"accounts\"", "\"limits\": {\"canned_replies_per_agent\": 2},"
                + " \"accounts\""), journal);
        Client bob = small.console("bob");
        bob.ok(new Request.ReplySave(null, "one", "1", null));
        bob.ok(new Request.ReplySave(null, "two", "2", null));
        ServerMessage.ErrorReply refused = bob.refused(new Request.ReplySave(null, "three", "3", null),
                ErrorCode.TOO_LARGE);
        assertTrue(refused.message().contains("at most 2"), refused.message());
    }

    // --- Notes, silent join, whisper, takeover -----------------------------------------------------------------------

    @Test
    void aNoteNeverReachesTheGuestLiveInHistoryAfterResumeOrAfterARestart() {
        Client bob = harness.availableConsole("bob");
        Client sue = harness.console("sue");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        sue.ok(new Request.Join(room));
        carla.ok(new Request.Message(room, "my parcel"));
        bob.ok(new Request.Message(room, "VIP customer, be nice", true));
        sue.ok(new Request.Message(room, "agreed", true));
        bob.ok(new Request.Message(room, "Let me check"));
        List<String> agentsSee = List.of("my parcel", "VIP customer, be nice", "agreed", "Let me check");
        List<String> guestSees = List.of("my parcel", "Let me check");
        assertEquals(guestSees, bodies(carla.all(ServerMessage.Message.class)), "live");
        assertEquals(agentsSee, bodies(sue.all(ServerMessage.Message.class)));
        assertEquals(guestSees, bodies(history(carla, room)), "history");
        assertEquals(agentsSee, bodies(history(bob, room)));
        List<ServerMessage.Message> withSeqs = history(bob, room);
        assertEquals(List.of(1L, 2L, 3L, 4L), withSeqs.stream().map(ServerMessage.Message::seq).toList(),
                "notes keep their place in seq order");
        carla.drop();
        Client back = carla.resume();
        assertEquals(guestSees, bodies(history(back, room)), "after resume");
        Harness after = restarted();
        Client later = back.resumeOn(after);
        assertEquals(guestSees, bodies(history(later, room)), "after a restart");
        later.ok(new Request.History(room, 1L));
        assertEquals(List.of("Let me check"), bodies(later.last(ServerMessage.History.class).messages()));
        Client bobAfter = bob.resumeOn(after);
        assertEquals(agentsSee, bodies(history(bobAfter, room)));
    }

    @Test
    void aSilentSupervisorWhispersToTheAgentAndTakesOverByWritingToTheGuest() {
        Client bob = harness.availableConsole("bob");
        Client sue = harness.console("sue");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        carla.clear();
        bob.clear();
        sue.ok(new Request.Join(room, true));
        assertEquals(room, sue.last(ServerMessage.Joined.class).room());
        ServerMessage.Notification sueJoined = new ServerMessage.Notification(room, "sue",
                io.switchboard.protocol.Role.SUPERVISOR, NotificationDetails.JOINED);
        assertEquals(List.of(sueJoined), bob.all(ServerMessage.Notification.class), "the agent knows");
        assertTrue(carla.received.isEmpty(), () -> "the guest is told nothing: " + carla.received);
        sue.ok(new Request.Status(room, StatusOf.TYPING, StatusIs.TRUE));
        sue.ok(new Request.Message(room, "offer her the voucher", true));
        assertTrue(carla.received.isEmpty(), () -> "no typing, no whisper: " + carla.received);
        assertEquals("offer her the voucher", bob.last(ServerMessage.Message.class).body());
        assertEquals(StatusOf.TYPING, bob.last(ServerMessage.Status.class).of());
        // Still silent after a restart.
        Harness after = restarted();
        Client carlaAfter = carla.resumeOn(after);
        Client sueAfter = sue.resumeOn(after);
        Client bobAfter = bob.resumeOn(after);
        carlaAfter.clear();
        sueAfter.ok(new Request.Status(room, StatusOf.TYPING, StatusIs.TRUE));
        assertTrue(carlaAfter.all(ServerMessage.Status.class).isEmpty(), () -> "typing: " + carlaAfter.received);
        // Taking over: her first message to the guest tells the guest she joined, then says it.
        sueAfter.ok(new Request.Message(room, "Hello Carla, I am Sue, the team lead."));
        assertEquals(List.of(sueJoined, new ServerMessage.Message(room, "sue", io.switchboard.protocol.Role.SUPERVISOR,
                "Hello Carla, I am Sue, the team lead.", after.clock.now(), 2)), carlaAfter.received.stream()
                .filter(m -> !(m instanceof ServerMessage.Status)).toList());
        carlaAfter.clear();
        sueAfter.ok(new Request.Status(room, StatusOf.TYPING, StatusIs.TRUE));
        assertEquals(1, carlaAfter.all(ServerMessage.Status.class).size(), "now the guest sees her typing");
        assertNotNull(bobAfter);
    }

    @Test
    void aSilentSupervisorWhoLeavesIsNeverAnnouncedToTheGuest() {
        harness.availableConsole("bob");
        Client sue = harness.console("sue");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        carla.clear();
        sue.ok(new Request.Join(room, true));
        sue.ok(new Request.Leave(room));
        assertTrue(carla.all(ServerMessage.Notification.class).isEmpty(), () -> "" + carla.received);
    }

    @Test
    void aSilentSupervisorWhoEndsTheRoomIsNotNamedToTheGuest() {
        Client bob = harness.availableConsole("bob");
        Client sue = harness.console("sue");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        sue.ok(new Request.Join(room, true));
        assertEquals(Boolean.TRUE, sue.last(ServerMessage.Joined.class).silent(), "her console knows it is silent");
        sue.ok(new Request.End(room));
        assertEquals(new ServerMessage.End(room, null, io.switchboard.protocol.EndReason.ENDED),
                carla.last(ServerMessage.End.class));
        assertEquals("sue", bob.last(ServerMessage.End.class).user(), "the agent knows who");
    }

    @Test
    void aSilentSupervisorsConsoleIsToldSoWhenItComesBack() {
        harness.availableConsole("bob");
        Client sue = harness.console("sue");
        Client carla = harness.guest("carla");
        String room = roomOf(carla);
        sue.ok(new Request.Join(room, true));
        sue.drop();
        Client back = sue.resume();
        assertEquals(new ServerMessage.Joined(room, harness.reservation(carla).guestView(), "bob", true),
                back.last(ServerMessage.Joined.class));
    }

    // --- Context -----------------------------------------------------------------------------------------------------

    @Test
    void theContextHasTheGuestsDetailsWaitEarlierConversationsAndTheRoomsTimeline() {
        Client bob = harness.availableConsole("bob");
        Client ann = harness.availableConsole("ann");
        Client sue = harness.console("sue");
        String first = harness.createReservation("acme", "billing", "customer-17", 0, null,
                Map.of("page", "https://shop.example/cart")).reservationSid();
        Client guest = harness.connect();
        guest.ok(new Request.Identify(null, null, "acme", "billing", null, first));
        String firstRoom = roomOf(guest);
        bob.ok(new Request.End(firstRoom));
        harness.clock.advance(60_000);
        // Bob is busy with another guest, so the next one waits 45 s for ann.
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        ann.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        String second = harness.createReservation("acme", "billing", "customer-17", 0, null,
                Map.of("page", "https://shop.example/returns", "referrer", "https://search.example/?q=returns"))
                .reservationSid();
        Client again = harness.connect();
        again.ok(new Request.Identify(null, null, "acme", "billing", null, second));
        harness.clock.advance(45_000);
        ann.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        String room = roomOf(again);
        long assigned = harness.clock.now();
        harness.clock.advance(10_000);
        ann.ok(new Request.Transfer(room, "sue"));
        harness.clock.advance(5_000);
        bob.refused(new Request.Context(room), ErrorCode.NOT_ALLOWED);
        ann.ok(new Request.Context(room));
        ServerMessage.Context context = ann.last(ServerMessage.Context.class);
        assertEquals(Map.of("page", "https://shop.example/returns", "referrer", "https://search.example/?q=returns"),
                context.guest().details());
        assertEquals(45, context.waited());
        assertEquals(1, context.earlier().size());
        assertEquals(firstRoom, context.earlier().get(0).room());
        assertEquals("bob", context.earlier().get(0).agent());
        assertEquals(List.of(new ServerMessage.TimelineEntry(assigned - 45_000, "queued", null),
                new ServerMessage.TimelineEntry(assigned, "assigned", "ann"),
                new ServerMessage.TimelineEntry(assigned + 10_000, "transferred", "sue")), context.timeline());
        sue.ok(new Request.Context(room));
        assertEquals(context, sue.last(ServerMessage.Context.class));
        // The timeline is stored with the room.
        Client sueAfter = sue.resumeOn(restarted());
        sueAfter.ok(new Request.Context(room));
        assertEquals(context.timeline(), sueAfter.last(ServerMessage.Context.class).timeline());
    }

    // --- Offers ------------------------------------------------------------------------------------------------------

    @Test
    void anOfferThatRunsOutGoesToTheNextAgentAndTwoMissedInARowSetTheAgentAway() {
        Client sue = harness.console("sue");
        Client amy = harness.availableConsole("amy");
        Client guest = harness.guest("carla", "acme", "sales");
        ServerMessage.Offer offer = amy.last(ServerMessage.Offer.class);
        assertEquals("sales", offer.group());
        assertEquals("carla", offer.guest().user());
        assertEquals(harness.clock.now() + 30_000, offer.expires());
        assertTrue(guest.all(ServerMessage.Joined.class).isEmpty(), "offered, not assigned");
        assertEquals(0, guest.last(ServerMessage.QueuePos.class).position(), "she keeps her place");
        Client ben = harness.availableConsole("ben");
        assertTrue(ben.all(ServerMessage.Offer.class).isEmpty(), "offered to one agent at a time");
        harness.clock.advance(30_000);
        assertEquals(new ServerMessage.OfferEnd(offer.offer(), "missed"), amy.last(ServerMessage.OfferEnd.class));
        ServerMessage.Offer toBen = ben.last(ServerMessage.Offer.class);
        assertEquals(offer.offer(), toBen.offer(), "the next agent");
        ben.ok(new Request.Accept(toBen.offer()));
        assertEquals(roomOf(guest), roomOf(ben));
        amy.refused(new Request.Accept(offer.offer()), ErrorCode.CONFLICT);
        // A second miss in a row: amy is set away and told why; the supervisor sees it.
        ben.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        Client dan = harness.guest("dan", "acme", "sales");
        assertEquals("dan", amy.last(ServerMessage.Offer.class).guest().user());
        harness.clock.advance(30_000);
        ServerMessage.Alert away = new ServerMessage.Alert("missed_offers", "amy", null, null, 2);
        assertEquals(away, amy.last(ServerMessage.Alert.class));
        assertEquals(away, sue.last(ServerMessage.Alert.class));
        assertEquals(StatusIs.AWAY, harness.agentNamed("acme", "amy").availability);
        assertTrue(dan.all(ServerMessage.Joined.class).isEmpty(), "nobody free: he waits");
    }

    @Test
    void anAgentWhoLetsAGuestPassIsOfferedThemAgainOnlyWhenNobodyElseTookThem() {
        Client amy = harness.availableConsole("amy");
        Client guest = harness.guest("carla", "acme", "sales");
        String id = amy.last(ServerMessage.Offer.class).offer();
        amy.ok(new Request.Pass(id));
        assertEquals(new ServerMessage.OfferEnd(id, "passed"), amy.last(ServerMessage.OfferEnd.class));
        assertEquals(1, amy.all(ServerMessage.Offer.class).size(), "not offered again at once");
        harness.clock.advance(30_000);
        assertEquals(2, amy.all(ServerMessage.Offer.class).size(), "nobody else came: offered to her again");
        assertEquals(StatusIs.AVAILABLE, harness.agentNamed("acme", "amy").availability, "a pass is not a miss");
        guest.ok(new Request.Cancel());
        assertEquals(new ServerMessage.OfferEnd(id, "gone"), amy.last(ServerMessage.OfferEnd.class));
        assertEquals(0, harness.agentNamed("acme", "amy").activeGuests());
    }

    @Test
    void aGuestLetPassDoesNotHoldUpThoseBehindThem() {
        Client amy = harness.availableConsole("amy");
        amy.ok(new Request.Limit(1, null));
        harness.guest("carla", "acme", "sales");
        Client dan = harness.guest("dan", "acme", "sales");
        String carla = amy.last(ServerMessage.Offer.class).offer();
        assertEquals(1, amy.all(ServerMessage.Offer.class).size(), "one at a time: her limit is 1");
        amy.ok(new Request.Pass(carla));
        assertEquals("dan", amy.last(ServerMessage.Offer.class).guest().user(), "the next guest, at once");
        amy.ok(new Request.Accept(amy.last(ServerMessage.Offer.class).offer()));
        assertEquals(roomOf(dan), roomOf(amy));
        // assist does not give her the guest she let pass either, while someone else may take them.
        amy.ok(new Request.Limit(2, null));
        amy.refused(new Request.Assist("sales"), ErrorCode.NO_GUESTS);
    }

    @Test
    void anAgentWhoSignsOutWhileOfferedAGuestPassesThemOnAtOnce() {
        Client amy = harness.availableConsole("amy");
        Client ben = harness.availableConsole("ben");
        ben.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        harness.guest("carla", "acme", "sales");
        String id = amy.last(ServerMessage.Offer.class).offer();
        ben.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        assertTrue(ben.all(ServerMessage.Offer.class).isEmpty(), "offered to amy");
        amy.ok(new Request.Logout());
        assertEquals(id, ben.last(ServerMessage.Offer.class).offer(), "no wait for amy's offer time");
        Agent gone = harness.agentNamed("acme", "amy");
        assertEquals(0, gone.offers.size());
        assertEquals(0, gone.missedOffers, "signing out is no miss");
    }

    @Test
    void anOfferIsShownAgainToAConsoleThatResumes() {
        Client amy = harness.availableConsole("amy");
        harness.guest("carla", "acme", "sales");
        String id = amy.last(ServerMessage.Offer.class).offer();
        amy.drop();
        Client back = amy.resume();
        assertEquals(id, back.last(ServerMessage.Offer.class).offer());
        back.ok(new Request.Accept(id));
        assertEquals("carla", back.last(ServerMessage.Joined.class).guest().user());
    }

    // --- Presence hygiene --------------------------------------------------------------------------------------------

    @Test
    void aConsoleHiddenAndIdleForTheGroupsTimeIsSetAwayAndAwayWithRoomsIsReminded() {
        Client sue = harness.console("sue");
        Client bob = harness.availableConsole("bob");
        Client carla = harness.guest("carla");
        bob.ok(new Request.Activity(true));
        harness.clock.advance(200_000);
        bob.ok(new Request.Activity(false));
        harness.clock.advance(200_000);
        assertEquals(StatusIs.AVAILABLE, harness.agentNamed("acme", "bob").availability, "came back in time");
        bob.ok(new Request.Activity(true));
        harness.clock.advance(150_000);
        bob.ok(new Request.Message(roomOf(carla), "still here"));
        harness.clock.advance(150_000);
        assertEquals(StatusIs.AVAILABLE, harness.agentNamed("acme", "bob").availability, "writing is not idle");
        sue.clear();
        harness.clock.advance(150_000);
        assertEquals(StatusIs.AWAY, harness.agentNamed("acme", "bob").availability);
        ServerMessage.Alert auto = new ServerMessage.Alert("auto_away", "bob", null, null, null);
        ServerMessage.Alert rooms = new ServerMessage.Alert("away_with_rooms", "bob", null, null, 1);
        assertEquals(List.of(auto, rooms), presence(bob));
        assertEquals(List.of(auto, rooms), presence(sue));
        assertEquals(new ServerMessage.Team(new ServerMessage.AgentView("bob", StatusIs.AWAY, 1, 2)),
                sue.last(ServerMessage.Team.class));
    }

    @Test
    void aConsoleThatComesBackInViewIsNotSetAwayForHavingBeenHidden() {
        Client bob = harness.availableConsole("bob");
        bob.ok(new Request.Activity(true));
        harness.clock.advance(100_000);
        bob.drop();
        Client back = bob.resume();
        harness.clock.advance(600_000);
        assertEquals(StatusIs.AVAILABLE, harness.agentNamed("acme", "bob").availability);
        assertTrue(back.all(ServerMessage.Alert.class).isEmpty());
    }

    /** The alerts about presence (the room's unanswered ones aside). */
    private static List<ServerMessage.Alert> presence(Client client) {
        return client.all(ServerMessage.Alert.class).stream().filter(alert -> !alert.kind().equals("unanswered"))
                .toList();
    }

    @Test
    void goingAwayWithoutRoomsRemindsNobody() {
        Client sue = harness.console("sue");
        Client ann = harness.availableConsole("ann");
        ann.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        assertTrue(ann.all(ServerMessage.Alert.class).isEmpty());
        assertFalse(sue.received.stream().anyMatch(m -> m instanceof ServerMessage.Alert));
    }
}
