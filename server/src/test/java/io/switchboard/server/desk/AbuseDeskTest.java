package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.NotificationDetails;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.desk.Harness.Client;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13 on the desk, on virtual time: what one hostile visitor, a shared address or a failing disk could do, and
 * what the desk does instead.
 */
class AbuseDeskTest {
    private final Harness harness = new Harness();

    private static Harness with(String timings, String limits) {
        return new Harness(Harness.CONFIG.replace("{\"accounts\": [", "{\"timings\": {" + timings + "}, \"limits\": {"
                + limits + "}, \"accounts\": ["));
    }

    // --- 2. Unauthenticated state is bounded ------------------------------------------------------------------------

    @Test
    void aConnectionThatDoesNotIdentifyInTimeIsClosed() {
        Client silent = harness.connect();
        Client guest = harness.guest("carla");
        Client agent = harness.agent("bob");
        harness.clock.advance(29_999);
        assertEquals(0, silent.closeStatus);
        harness.clock.advance(1);
        assertEquals(Desk.CLOSE_NOT_IDENTIFIED, silent.closeStatus, "1008 after identify_deadline_ms");
        assertEquals(0, guest.closeStatus);
        assertEquals(0, agent.closeStatus);
        Client late = harness.connect();
        harness.clock.advance(10_000);
        late.ok(new Request.Ping());
        harness.clock.advance(20_000);
        assertEquals(Desk.CLOSE_NOT_IDENTIFIED, late.closeStatus, "pings do not count as identifying");
    }

    @Test
    void newConversationsPerAddressAreLimitedPerMinute() {
        Harness small = with("", "\"identifies_per_address_per_minute\": 3");
        for (int i = 0; i < 3; i++) {
            small.connectFrom("198.51.100.7").ok(new Request.Identify("g" + i, "q", "acme", "billing", null, null));
        }
        Client fourth = small.connectFrom("198.51.100.7");
        ServerMessage.ErrorReply refused = fourth.refused(new Request.Identify("g4", "q", "acme", "billing", null, null),
                ErrorCode.RATE_LIMITED);
        assertTrue(refused.message().contains("new conversations a minute from your address"), refused.message());
        assertEquals(3, small.desk().reservations.size(), "the refused one created nothing");
        small.connectFrom("203.0.113.9").ok(new Request.Identify("other", "q", "acme", "billing", null, null));
        small.clock.advance(60_000);
        small.connectFrom("198.51.100.7").ok(new Request.Identify("g4", "q", "acme", "billing", null, null));
    }

    @Test
    void aFullQueueTakesNoNewGuestOverWebSocketOrRest() {
        Harness small = new Harness(Harness.CONFIG.replace("{\"name\": \"billing\"}",
                "{\"name\": \"billing\", \"max_queue_length\": 2}"));
        small.guest("first");
        small.guest("second");
        Client third = small.connect();
        ServerMessage.ErrorReply full = third.refused(new Request.Identify("third", "q", "acme", "billing", null, null),
                ErrorCode.RATE_LIMITED);
        assertTrue(full.message().contains("the queue is full"), full.message());
        DeskException rest = assertThrows(DeskException.class,
                () -> small.createReservation("acme", "billing", "cust-1", 1, null, Map.of()));
        assertEquals(ErrorCode.RATE_LIMITED, rest.code());
        assertTrue(rest.unavailable(), "503 over REST");
        third.ok(new Request.Identify("third", "q", "acme", "tech", null, null));
    }

    @Test
    void eventStreamsPerReservationAreLimited() {
        String sid = harness.createReservation("acme", "billing", "cust-1", 1, null, Map.of()).reservationSid();
        for (int i = 0; i < 5; i++) {
            harness.watch("billing", sid, -1, new Watching());
        }
        DeskException refused = assertThrows(DeskException.class,
                () -> harness.watch("billing", sid, -1, new Watching()));
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
    }

    @Test
    void aWaitThatEndsUnservedDropsWhatTheGuestWroteAtOnceAndIsForgottenInMinutes() {
        Client guest = harness.guest("carla");
        Reservation reservation = harness.reservation(guest);
        assertEquals(Map.of("page", "/help"), reservation.details);
        guest.ok(new Request.Cancel());
        assertNull(reservation.question, "the question goes at once");
        assertEquals(Map.of(), reservation.details);
        guest.drop();
        harness.clock.advance(300_000);
        assertNull(harness.reservationOf(reservation.sid), "forgotten after unserved_retention_ms");
    }

    @Test
    void anUnservedReservationWhoseGuestStaysConnectedGoesWithTheSession() {
        Client guest = harness.guest("carla");
        String sid = guest.reservation;
        guest.ok(new Request.Cancel());
        harness.clock.advance(600_000);
        assertTrue(harness.desk().reservations.containsKey(sid), "kept while its guest is connected");
        guest.drop();
        harness.clock.advance(60_000);
        assertNull(harness.reservationOf(sid), "gone once the session is");
    }

    @Test
    void theSnapshotCutsLongQuestions() {
        Client guest = harness.connect();
        guest.ok(new Request.Identify("carla", "q".repeat(1_999) + "!", "acme", "tech", null, null));
        Client bob = harness.agent("bob");
        ServerMessage.QueueEntry entry = bob.first(ServerMessage.Snapshot.class).queue().get(0);
        assertEquals(200, entry.question().codePointCount(0, entry.question().length()));
        assertTrue(entry.question().endsWith("…"));
    }

    @Test
    void anOpenRoomKeepsOnlyItsTailInMemoryAndHistoryReadsTheRestFromTheStore() {
        MemoryJournal journal = new MemoryJournal();
        Harness stored = new Harness(Harness.CONFIG.replace("{\"accounts\": [",
                "{\"limits\": {\"transcript_tail_messages\": 10}, \"accounts\": ["), journal);
        Client bob = stored.availableAgent("bob");
        Client guest = stored.guest("carla");
        String room = guest.last(ServerMessage.Joined.class).room();
        for (int i = 1; i <= 1_234; i++) {
            (i % 2 == 0 ? bob : guest).request(new Request.Message(room, "line " + i));
        }
        Room open = stored.desk("acme").account.rooms.get(room);
        assertTrue(open.messages.size() <= 11, "the tail only: " + open.messages.size());
        assertEquals(1_234, open.lastSeq);
        long after = 0;
        int pages = 0;
        while (true) {
            guest.ok(new Request.History(room, after));
            var page = guest.last(ServerMessage.History.class).messages();
            if (page.isEmpty()) {
                break;
            }
            pages++;
            for (ServerMessage.Message message : page) {
                assertEquals(after + 1, message.seq(), "in order, without gap");
                assertEquals("line " + message.seq(), message.body());
                after = message.seq();
            }
        }
        assertEquals(1_234, after);
        assertEquals(3, pages, "pages of 500");
        bob.ok(new Request.History(room, 1_230L));
        assertEquals(4, bob.last(ServerMessage.History.class).messages().size());
        // A restart reads the tail only, and the room goes on at the next seq.
        Harness restarted = new Harness(Harness.CONFIG.replace("{\"accounts\": [",
                "{\"limits\": {\"transcript_tail_messages\": 10}, \"accounts\": ["), journal);
        Room back = restarted.desk().account.rooms.get(room);
        assertEquals(10, back.messages.size());
        assertEquals(1_234, back.lastSeq);
        assertEquals(1_234, restarted.desk().transcript(back).size());
    }

    // --- 3. Sign-in throttling never locks anybody out --------------------------------------------------------------

    @Test
    void garbageResumesFromAnAddressDoNotLockAgentsOut() {
        Client attacker = harness.connectFrom("192.0.2.1");
        for (int i = 0; i < 50; i++) {
            attacker.refused(new Request.Resume("ses_garbage" + i), ErrorCode.AUTH_FAILED);
        }
        Client sue = harness.connectFrom("192.0.2.1");
        sue.ok(new Request.Login("sue", "sue-token-for-tests"));
    }

    @Test
    void failedLoginsAreThrottledPerAddressAndUserAndACorrectTokenAlwaysPasses() {
        Client attacker = harness.connectFrom("192.0.2.1");
        for (int i = 0; i < 10; i++) {
            attacker.refused(new Request.Login("bob", "guess-" + i), ErrorCode.AUTH_FAILED);
        }
        ServerMessage.ErrorReply first = attacker.refused(new Request.Login("bob", "guess-10"), ErrorCode.AUTH_FAILED);
        assertTrue(first.message().contains("not recognised"), "the 11th is still a plain failure, and starts a wait");
        // Failing while told to wait doubles the wait (each answer names the wait it starts now).
        ServerMessage.ErrorReply waiting = attacker.refused(new Request.Login("bob", "guess-11"),
                ErrorCode.RATE_LIMITED);
        assertTrue(waiting.message().contains("try again in 2 s"), waiting.message());
        ServerMessage.ErrorReply longer = attacker.refused(new Request.Login("bob", "guess-12"),
                ErrorCode.RATE_LIMITED);
        assertTrue(longer.message().contains("try again in 4 s"), "the wait doubles: " + longer.message());
        harness.clock.advance(4_000);
        attacker.refused(new Request.Login("bob", "guess-13"), ErrorCode.AUTH_FAILED);
        ServerMessage.ErrorReply longest = attacker.refused(new Request.Login("bob", "guess-14"),
                ErrorCode.RATE_LIMITED);
        assertTrue(longest.message().contains("try again in 16 s"), longest.message());
        // Another user from the same address, and the same user from another address, are not affected.
        harness.connectFrom("192.0.2.1").refused(new Request.Login("ann", "wrong"), ErrorCode.AUTH_FAILED);
        harness.connectFrom("198.51.100.2").refused(new Request.Login("bob", "wrong"), ErrorCode.AUTH_FAILED);
        // And bob himself, behind the same address, signs in while the attacker waits.
        Client bob = harness.connectFrom("192.0.2.1");
        bob.ok(new Request.Login("bob", "bob-token-for-tests"));
    }

    // --- 5. A reservation sid is not a session credential -----------------------------------------------------------

    @Test
    void aReservationIsAttachedOnceAndItsGuestComesBackOnlyWithResume() {
        String sid = harness.createReservation("acme", "billing", "cust-1", 1, null, Map.of()).reservationSid();
        Client guest = harness.connect();
        guest.ok(new Request.Identify("Carla", null, null, null, null, sid));
        String session = guest.first(ServerMessage.Identified.class).session();
        guest.drop();
        Client thief = harness.connect();
        ServerMessage.ErrorReply refused = thief.refused(new Request.Identify(null, null, null, null, null, sid),
                ErrorCode.CONFLICT);
        assertTrue(refused.message().contains("resume"), refused.message());
        Client back = harness.connect();
        back.ok(new Request.Resume(session));
        assertEquals(sid, back.first(ServerMessage.Identified.class).reservation());
    }

    @Test
    void failedAttachesCountAsFailedSignInsButAValidOnePasses() {
        Client prober = harness.connectFrom("192.0.2.1");
        for (int i = 0; i < 11; i++) {
            prober.refused(new Request.Identify(null, null, null, null, null, "rsv_guess" + i),
                    ErrorCode.UNKNOWN_RESERVATION);
        }
        prober.refused(new Request.Identify(null, null, null, null, null, "rsv_guess"), ErrorCode.RATE_LIMITED);
        String sid = harness.createReservation("acme", "billing", "cust-1", 1, null, Map.of()).reservationSid();
        harness.connectFrom("192.0.2.1").ok(new Request.Identify("Carla", null, null, null, null, sid));
    }

    @Test
    void tokensChangeAtEveryTakeoverAndTheOldOneWorksUntilTheNewOneIsUsed() {
        MemoryJournal journal = new MemoryJournal();
        Harness stored = new Harness(Harness.CONFIG, journal);
        Client guest = stored.guest("carla");
        String first = guest.session;
        guest.drop();
        Client lost = stored.connect();
        lost.ok(new Request.Resume(first));
        String second = lost.first(ServerMessage.Identified.class).session();
        assertNotEquals(first, second, "a new token at the takeover");
        // The client never read its new token (the connection broke): the old one still brings it back.
        lost.drop();
        Client again = stored.connect();
        again.ok(new Request.Resume(first));
        String third = again.first(ServerMessage.Identified.class).session();
        again.ok(new Request.Ping());
        // Now the client has shown it holds the newest: every earlier token is dead.
        for (String old : new String[] {first, second}) {
            stored.connect().refused(new Request.Resume(old), ErrorCode.AUTH_FAILED);
        }
        Client last = stored.connect();
        last.ok(new Request.Resume(third));
        // The store holds digests only: no token appears in any row.
        for (Stored.SessionRow row : journal.sessions.values()) {
            for (String token : new String[] {first, second, third}) {
                assertFalse(row.toString().contains(token), "no token in " + row);
            }
        }
    }

    // --- 6. Impersonation by display name ---------------------------------------------------------------------------

    @Test
    void aGuestCannotTakeAnAgentsName() {
        for (String name : new String[] {"bob", "BOB", "Bob ", "ｂｏｂ", "ＳＵＥ"}) {
            ServerMessage.ErrorReply refused = harness.connect().refused(
                    new Request.Identify(name, "q", "acme", "billing", null, null), ErrorCode.INVALID_FIELD);
            assertTrue(refused.message().contains("the name of an agent"), refused.message());
        }
        harness.connect().ok(new Request.Identify("bobby", "q", "acme", "billing", null, null));
        harness.connect().ok(new Request.Identify("bob", "q", "other", "default", null, null));
        String sid = harness.createReservation("acme", "billing", "cust-1", 1, null, Map.of()).reservationSid();
        harness.connect().refused(new Request.Identify("Ann", null, null, null, null, sid), ErrorCode.INVALID_FIELD);
    }

    @Test
    void messagesNotificationsAndTypingCarryTheSendersRole() {
        Client bob = harness.availableAgent("bob");
        Client sue = harness.agent("sue");
        Client guest = harness.guest("carla");
        String room = guest.last(ServerMessage.Joined.class).room();
        assertEquals(Role.GUEST, guest.all(ServerMessage.Notification.class).get(0).role());
        assertEquals(Role.AGENT, guest.all(ServerMessage.Notification.class).get(1).role());
        sue.ok(new Request.Join(room));
        guest.ok(new Request.Message(room, "hi"));
        bob.ok(new Request.Message(room, "hello"));
        sue.ok(new Request.Message(room, "welcome"));
        guest.request(new Request.Status(room, StatusOf.TYPING, StatusIs.TRUE));
        var roles = guest.all(ServerMessage.Message.class).stream().map(ServerMessage.Message::role).toList();
        assertEquals(java.util.List.of(Role.GUEST, Role.AGENT, Role.SUPERVISOR), roles);
        assertEquals(new ServerMessage.Notification(room, "sue", Role.SUPERVISOR, NotificationDetails.JOINED),
                guest.last(ServerMessage.Notification.class));
        assertEquals(Role.GUEST, bob.last(ServerMessage.Status.class).role());
        bob.ok(new Request.History(room, 0L));
        assertEquals(roles, bob.last(ServerMessage.History.class).messages().stream()
                .map(ServerMessage.Message::role).toList());
    }

    // --- 1. A failing store takes no changes, and reads still answer ------------------------------------------------

    @Test
    void whileTheJournalTakesNothingChangesAreRefusedAndReadsAnswer() {
        FailingJournal journal = new FailingJournal();
        Harness failing = new Harness(Harness.CONFIG, journal);
        Client bob = failing.availableAgent("bob");
        Client carla = failing.guest("carla");
        String room = carla.last(ServerMessage.Joined.class).room();
        journal.accepting = false;
        Client dan = failing.connect();
        Request.Identify identify = new Request.Identify("dan", "q", "acme", "billing", null, null);
        ServerMessage.ErrorReply refused = dan.refused(identify, ErrorCode.INTERNAL);
        assertTrue(refused.message().startsWith("storage is unavailable"), refused.message());
        carla.refused(new Request.Message(room, "still there?"), ErrorCode.INTERNAL);
        failing.connect().refused(new Request.Login("ann", "ann-token-for-tests"), ErrorCode.INTERNAL);
        dan.ok(new Request.Ping());
        bob.ok(new Request.Snapshot());
        bob.ok(new Request.History(room, 0L));
        bob.ok(new Request.Status(room, StatusOf.TYPING, StatusIs.TRUE));
        DeskException rest = assertThrows(DeskException.class,
                () -> failing.createReservation("acme", "billing", "cust", 1, null, Map.of()));
        assertTrue(rest.unavailable());
        assertEquals(1, failing.desk().reservations.size(), "nothing new was taken");
        journal.accepting = true;
        dan.ok(identify);
        carla.ok(new Request.Message(room, "still there?"));
    }

    /** A journal that keeps nothing and says whether it takes changes. */
    private static final class FailingJournal implements Journal {
        boolean accepting = true;
        long batches;

        @Override
        public long write(Stored.Changes changes) {
            assertTrue(accepting, "nothing is written while the journal takes no changes: " + changes);
            return ++batches;
        }

        @Override
        public boolean accepting() {
            return accepting;
        }
    }

    private static final class Watching implements ReservationWatcher {
        @Override
        public void opened() {
        }

        @Override
        public void current(ReservationEvent event) {
        }

        @Override
        public void changed(ReservationEvent event) {
        }

        @Override
        public void gone() {
        }
    }
}
