package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Rest;
import io.switchboard.protocol.Role;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.server.desk.Harness.Client;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Business hours, the widget's state, messages left by email, places kept by email, the waiting grace, and the mail
 * queue: on the real desks behind the gate, on virtual time (dates of 2026, across the change to summer time in
 * Berlin on 29 March and around a closed Christmas Day).
 */
class EmailDeskTest {
    /** Acme: billing (auto) open Mon-Fri 09:00-17:30 in Berlin, closed on 25 December; bob (limit 1) and ann. */
    static final String CONFIG = """
            {"accounts": [
              {"id": "acme",
               "groups": [{"name": "billing", "busy_after_seconds": 120, "reply_within_seconds": 7200,
                           "hours": {"time_zone": "Europe/Berlin",
                                     "weekly": [{"days": ["mon", "tue", "wed", "thu", "fri"], "from": "09:00",
                                                 "to": "17:30"}],
                                     "closed_dates": ["2026-12-25"]}},
                          {"name": "help"}],
               "agents": [
                 {"user": "bob", "token": "bob-token-for-tests", "groups": ["billing", "help"], "limit": 1},
                 {"user": "ann", "token": "ann-token-for-tests", "groups": ["billing"], "limit": 2}
               ]}
            ],
             "smtp": {"host": "127.0.0.1", "port": 2525, "security": "none", "from": "support@example.com",
                      "reply_to": "support+{token}@example.com", "link_url": "https://shop.example.com/help"},
             "timings": {"resume_grace_ms": 60000, "waiting_grace_ms": 600000, "reserve_for_seconds": 300}}""";

    private static long at(String instant) {
        return Instant.parse(instant).toEpochMilli();
    }

    private static Harness harnessAt(String instant) {
        return new Harness(CONFIG, Journal.NONE, account -> Stored.State.empty(), at(instant));
    }

    private static Rest.WidgetState widget(Harness harness, String group) {
        return harness.call("acme", desk -> desk.widget(group));
    }

    private static boolean arrived(Harness harness, String token, String messageId, String text) {
        Boolean taken = harness.call("acme", desk -> desk.mailArrived(token, messageId, text));
        return taken;
    }

    private static Rest.MessageLeft leave(Harness harness, String user, String body) {
        return harness.call("acme", desk -> desk.leaveMessage("billing", new Rest.LeaveMessage(user,
                user.toLowerCase() + "@example.com", body, null), "203.0.113.7"));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Hours and the widget's state

    @Test
    void closedOnAFridayEveningOpensOnMondayInSummerTime() {
        Harness harness = harnessAt("2026-03-27T16:45:00Z"); // 17:45 in Berlin (CET), after closing
        harness.availableAgent("bob");
        Rest.WidgetState closed = widget(harness, "billing");
        assertEquals("closed", closed.state());
        // The clocks went forward on Sunday: Monday 09:00 in Berlin is 07:00 UTC, not 08:00.
        assertEquals("2026-03-30T07:00:00Z", closed.nextOpen());
        assertNull(closed.estimatedWait());
        assertTrue(closed.email());
        // A group without hours is always open.
        assertEquals("open", widget(harness, "help").state());
        assertNull(widget(harness, "help").nextOpen());
    }

    @Test
    void aClosedDateAndTheWeekendAreSkipped() {
        Harness christmasEve = harnessAt("2026-12-24T17:00:00Z"); // Thursday 18:00; Friday the 25th is closed
        assertEquals("2026-12-28T08:00:00Z", widget(christmasEve, "billing").nextOpen());
        Harness saturday = harnessAt("2026-12-05T10:00:00Z");
        assertEquals("closed", widget(saturday, "billing").state());
        assertEquals("2026-12-07T08:00:00Z", widget(saturday, "billing").nextOpen());
        // In opening hours, with nobody available, it is offline; once an agent is, open.
        Harness monday = harnessAt("2026-12-07T08:00:00Z");
        assertEquals("offline", widget(monday, "billing").state());
        Client bob = monday.agent("bob");
        assertEquals("offline", widget(monday, "billing").state(), "signed in but away");
        bob.ok(new Request.Status(null, io.switchboard.protocol.StatusOf.AVAILABILITY,
                io.switchboard.protocol.StatusIs.AVAILABLE));
        assertEquals("open", widget(monday, "billing").state());
        assertThrows(DeskException.class, () -> widget(monday, "nope"));
    }

    @Test
    void busyWhenTheEstimatePassesTheGroupsThreshold() {
        Harness harness = harnessAt("2026-12-07T09:00:00Z");
        Client bob = harness.availableAgent("bob");
        // Bob's conversations take ten minutes each: the estimator learns his handle time.
        for (int i = 0; i < 4; i++) {
            Client guest = harness.guest("early" + i, "acme", "billing");
            String room = guest.last(ServerMessage.Joined.class).room();
            harness.clock.advance(600_000);
            bob.ok(new Request.End(room));
        }
        harness.guest("now", "acme", "billing");
        for (int i = 0; i < 3; i++) {
            harness.guest("waiting" + i, "acme", "billing");
        }
        Rest.WidgetState busy = widget(harness, "billing");
        assertNotNull(busy.estimatedWait(), "an estimate with this history");
        assertTrue(busy.estimatedWait() > 120, () -> "estimate " + busy.estimatedWait());
        assertEquals("busy", busy.state());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Leave a message

    @Test
    void aMessageLeftWhileClosedIsAssignedAtTheOpeningAndAnsweredByEmail() {
        MemoryJournal journal = new MemoryJournal();
        Harness harness = new Harness(CONFIG, journal, journal::state, at("2026-03-28T10:00:00Z"));
        Client bob = harness.availableAgent("bob");
        String sid = leave(harness, "Lena", "My parcel is late").conversation();

        // She is told by email that it arrived; agents see it as a message with its SLA clock, not as a chat guest.
        List<Stored.MailRow> first = harness.sendAll();
        assertEquals(1, first.size());
        assertEquals("lena@example.com", first.get(0).to());
        // Nothing she typed is in it: anyone may type anyone's address into the widget.
        assertFalse(first.get(0).text().contains("My parcel is late"), first.get(0).text());
        assertFalse(first.get(0).text().contains("Lena"), first.get(0).text());
        assertTrue(first.get(0).text().contains("within 2 hours"), first.get(0).text());
        String token = harness.reservationOf(sid).mailToken;
        assertEquals("support+" + token + "@example.com", first.get(0).replyTo());
        bob.ok(new Request.Snapshot());
        ServerMessage.QueueEntry entry = bob.last(ServerMessage.Snapshot.class).queue().get(0);
        assertEquals("message", entry.kind());
        assertEquals(at("2026-03-28T10:00:00Z") + 7_200_000, entry.replyBy());
        assertEquals("open", widget(harness, "help").state());
        assertTrue(bob.all(ServerMessage.Joined.class).isEmpty(), "not assigned while closed");

        // A restart over the weekend loses nothing: the message waits, and Monday's opening assigns it.
        Harness monday = new Harness(CONFIG, journal, journal::state, at("2026-03-30T06:59:00Z"), 43);
        Client bobAgain = monday.availableAgent("bob");
        monday.clock.advance(59_000);
        assertTrue(bobAgain.all(ServerMessage.Joined.class).isEmpty(), "06:59:59 UTC is 08:59:59 in Berlin");
        monday.clock.advance(1_000);
        ServerMessage.Joined joined = bobAgain.last(ServerMessage.Joined.class);
        assertEquals("Lena", joined.guest().user());
        bobAgain.ok(new Request.History(joined.room(), 0L));
        List<ServerMessage.Message> transcript = bobAgain.last(ServerMessage.History.class).messages();
        assertEquals(1, transcript.size());
        assertEquals(Role.GUEST, transcript.get(0).role());
        assertEquals("My parcel is late", transcript.get(0).body());

        // Bob's answer goes to her by email, with the same reply-to token; a private note does not.
        bobAgain.ok(new Request.Message(joined.room(), "Sorry! It leaves today."));
        bobAgain.ok(new Request.Message(joined.room(), "check the warehouse", true));
        List<Stored.MailRow> answers = monday.sendAll();
        assertEquals(1, answers.size(), () -> "mails: " + answers);
        assertTrue(answers.get(0).text().contains("Sorry! It leaves today."));
        assertTrue(answers.get(0).text().startsWith(Mailbox.ANSWER_ABOVE));
        assertEquals("support+" + token + "@example.com", answers.get(0).replyTo());

        // Her answer by email comes into the room, without the quoted mail; the same mail read twice counts once.
        String reply = "Thank you!\nCan you send the tracking number?\n\nOn Mon, 30 Mar 2026, bob wrote:\n> "
                + Mailbox.ANSWER_ABOVE + "\n> Sorry! It leaves today.";
        assertTrue(arrived(monday, token, "<a1@mail.example.com>", reply));
        assertTrue(arrived(monday, token, "<a1@mail.example.com>", reply));
        ServerMessage.Message answer = bobAgain.last(ServerMessage.Message.class);
        assertEquals(Role.GUEST, answer.role());
        assertEquals("Thank you!\nCan you send the tracking number?", answer.body());
        bobAgain.ok(new Request.History(joined.room(), 0L));
        assertEquals(4, bobAgain.last(ServerMessage.History.class).messages().size(), "one answer, not two");
        assertFalse(arrived(monday, "m" + "a".repeat(36), null, "lost"));

        // Bob ends it; a later answer opens the conversation again as a message, with everything so far.
        bobAgain.ok(new Request.End(joined.room()));
        Harness later = new Harness(CONFIG, journal, journal::state, monday.clock.now() + 3_600_000, 44);
        Client ann = later.availableAgent("ann");
        assertTrue(arrived(later, token, "<a2@mail.example.com>",
                "One more thing: the address changed."));
        ServerMessage.Joined again = ann.last(ServerMessage.Joined.class);
        assertEquals(sid, later.reservationOf(sid).sid);
        ann.ok(new Request.History(again.room(), 0L));
        List<ServerMessage.Message> whole = ann.last(ServerMessage.History.class).messages();
        assertEquals(List.of("My parcel is late", "Sorry! It leaves today.", "check the warehouse",
                "Thank you!\nCan you send the tracking number?", "One more thing: the address changed."),
                whole.stream().map(ServerMessage.Message::body).toList());
    }

    @Test
    void assistTakesAChatGuestBeforeAMessage() {
        Harness harness = harnessAt("2026-12-07T10:00:00Z");
        String sid = leave(harness, "Mona", "Invoice question").conversation();
        harness.clock.advance(1_000);
        Client guest = harness.guest("Nils", "acme", "billing");
        Client ann = harness.agent("ann");
        ann.ok(new Request.Assist("billing"));
        assertEquals("Nils", ann.last(ServerMessage.Joined.class).guest().user());
        ann.ok(new Request.Assist("billing"));
        assertEquals("Mona", ann.last(ServerMessage.Joined.class).guest().user());
        assertEquals(ReservationStatus.MATCHED, harness.reservationOf(sid).status());
        assertNotNull(guest.last(ServerMessage.Joined.class));
    }

    @Test
    void leavingAMessageIsRefusedWithoutEmailAndLimited() {
        Harness plain = new Harness(Harness.CONFIG);
        DeskException refused = assertThrows(DeskException.class, () -> plain.call("acme", desk ->
                desk.leaveMessage("billing", new Rest.LeaveMessage("Lena", "lena@example.com", "hi", null), "x")));
        assertEquals(ErrorCode.NOT_ALLOWED, refused.code());
        assertFalse(plain.call("acme", desk -> desk.widget("billing")).email());
        Harness harness = harnessAt("2026-12-07T10:00:00Z");
        for (int i = 0; i < 10; i++) {
            leave(harness, "guest" + i, "question " + i);
        }
        // One address leaves at most ten messages an hour: it cannot fill a group's messages by itself.
        DeskException limited = assertThrows(DeskException.class, () -> leave(harness, "one-more", "hi"));
        assertEquals(ErrorCode.RATE_LIMITED, limited.code());
        assertTrue(limited.getMessage().contains("10 messages an hour"), limited.getMessage());
        harness.clock.advance(3_600_000);
        leave(harness, "one-more", "an hour later");
        DeskException agentName = assertThrows(DeskException.class, () -> harness.call("acme", desk ->
                desk.leaveMessage("billing", new Rest.LeaveMessage("Bob", "b@example.com", "hi", null), "y")));
        assertEquals(ErrorCode.INVALID_FIELD, agentName.code());
    }

    @Test
    void oneAddressGetsAtMostAFewUnaskedMailsAnHour() {
        Harness harness = harnessAt("2026-12-07T10:00:00Z");
        String[] spellings = {"victim@gmail.com", "VICTIM@gmail.com", "vic.tim@gmail.com", "victim+1@gmail.com",
            "v.i.c.t.i.m+2@googlemail.com", "Victim+x@GMAIL.COM", "victim@gmail.com"};
        for (int i = 0; i < spellings.length; i++) {
            int n = i;
            harness.call("acme", desk -> desk.leaveMessage("billing", new Rest.LeaveMessage("Someone", spellings[n],
                    "message " + n, null), "198.51.100." + n));
        }
        assertEquals(5, harness.sendAll().size(), "five confirmations to one mailbox in an hour, however spelled");
        assertEquals(7, harness.desk().account.groups.get("billing").messages.size(), "every message is kept");
        harness.clock.advance(3_600_000);
        harness.call("acme", desk -> desk.leaveMessage("billing", new Rest.LeaveMessage("Someone", "victim@gmail.com",
                "later", null), "198.51.100.99"));
        assertEquals(1, harness.sendAll().size(), "an hour later, again");
        assertEquals("victim@example.com", Mailbox.mailbox("Victim+Tag@Example.com"));
        assertEquals("v.ictim@example.com", Mailbox.mailbox("v.ictim@example.com"), "dots count only at Gmail");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Keep my place

    @Test
    void aGuestWhoKeepsTheirPlaceIsEmailedWhenMatchedAndComesBackThroughTheLink() {
        MemoryJournal journal = new MemoryJournal();
        Harness harness = new Harness(CONFIG, journal, journal::state, at("2026-12-07T10:00:00Z"));
        Client bob = harness.availableAgent("bob");
        Client first = harness.guest("first", "acme", "billing");
        Client carla = harness.guest("carla", "acme", "billing");
        carla.ok(new Request.KeepPlace("carla@example.com"));
        ServerMessage.Kept kept = carla.last(ServerMessage.Kept.class);
        assertEquals(carla.reservation, kept.reservation());
        Stored.MailRow told = harness.sendAll().get(0);
        assertTrue(told.text().contains("number 1 in line"), told.text());
        assertTrue(told.text().contains("https://shop.example.com/help#sb-account=acme&sb-group=billing"
                + "&sb-conversation=" + carla.reservation + "&sb-key=" + kept.key()), told.text());
        // Her session has ended (the page may close); the reservation waits on, past every grace.
        carla.refused(new Request.Resume(carla.session), ErrorCode.AUTH_FAILED);
        carla.drop();
        harness.clock.advance(3_600_000);
        assertEquals(ReservationStatus.QUEUED, harness.reservation(carla).status());

        // A restart, then bob is free: she is matched while away, bob is held, and she is emailed.
        Harness restarted = new Harness(CONFIG, journal, journal::state, harness.clock.now(), 43);
        Client bobAgain = restarted.availableAgent("bob");
        Client firstAgain = first.resumeOn(restarted);
        String room = firstAgain.last(ServerMessage.Joined.class).room();
        bobAgain.ok(new Request.End(room));
        assertEquals(ReservationStatus.MATCHED, restarted.reservationOf(carla.reservation).status());
        List<Stored.MailRow> ready = restarted.sendAll();
        assertEquals(1, ready.size(), () -> "mails " + ready);
        assertEquals("bob is ready for you now", ready.get(0).subject());
        assertTrue(ready.get(0).text().contains("within 5 minutes"), ready.get(0).text());

        // The link: a wrong key is refused; the right one brings her into the room with bob.
        Client stranger = restarted.connect();
        stranger.refused(new Request.Identify(null, null, "acme", "billing", null, carla.reservation, "m" + "b"
                .repeat(36)), ErrorCode.UNKNOWN_RESERVATION);
        stranger.refused(new Request.Identify(null, null, "acme", "billing", null, carla.reservation),
                ErrorCode.UNKNOWN_RESERVATION);
        Client back = restarted.connect();
        back.ok(new Request.Identify(null, null, "acme", "billing", null, carla.reservation, kept.key()));
        ServerMessage.Joined joined = back.last(ServerMessage.Joined.class);
        assertEquals("bob", joined.agent());
        assertEquals(joined.room(), bobAgain.last(ServerMessage.Joined.class).room());
    }

    @Test
    void aKeptPlaceThatIsNotTakenInTimeExpiresAndFreesTheAgent() {
        Harness harness = harnessAt("2026-12-07T10:00:00Z");
        Client guest = harness.guest("dora", "acme", "billing");
        guest.ok(new Request.KeepPlace("dora@example.com"));
        Client bob = harness.availableAgent("bob");
        assertEquals(ReservationStatus.MATCHED, harness.reservation(guest).status());
        harness.clock.advance(300_000);
        assertEquals(ReservationStatus.EXPIRED, harness.reservation(guest).status());
        assertTrue(harness.agentNamed("acme", "bob").isFree());
        assertNotNull(bob);
    }

    @Test
    void aPushSubscriptionIsTakenOnlyForTheConfiguredPushServices() {
        java.security.KeyPair vapid = io.switchboard.server.push.PushCrypto.newKeyPair();
        String withPush = CONFIG.replace("\"timings\":", "\"push\": {\"public_key\": \""
                + io.switchboard.server.push.PushCrypto.encode(io.switchboard.server.push.PushCrypto.raw(
                        vapid.getPublic())) + "\", \"private_key\": \"" + io.switchboard.server.push.PushCrypto.encode(
                        io.switchboard.server.push.PushCrypto.raw(vapid.getPrivate())) + "\", \"subject\": "
                + "\"mailto:support@example.com\"}, \"timings\":");
        Harness harness = new Harness(withPush, Journal.NONE, account -> Stored.State.empty(),
                at("2026-12-07T10:00:00Z"));
        String key = io.switchboard.server.push.PushCrypto.encode(io.switchboard.server.push.PushCrypto.raw(
                io.switchboard.server.push.PushCrypto.newKeyPair().getPublic()));
        Request.PushSubscription.Keys keys = new Request.PushSubscription.Keys(key, "AAAAAAAAAAAAAAAAAAAAAA");
        Client guest = harness.guest("ivy", "acme", "billing");
        guest.refused(new Request.KeepPlace("ivy@example.com", new Request.PushSubscription(
                "https://attacker.example/collect", keys, null)), ErrorCode.INVALID_FIELD);
        guest.ok(new Request.KeepPlace("ivy@example.com", new Request.PushSubscription(
                "https://fcm.googleapis.com/fcm/send/abc", keys, null)));
        assertEquals("https://fcm.googleapis.com/fcm/send/abc", harness.reservation(guest).push.endpoint());
        // Without a push section, a subscription is refused (the guest keeps their place by email alone).
        Client other = harnessAt("2026-12-07T10:00:00Z").guest("jo", "acme", "billing");
        other.refused(new Request.KeepPlace("jo@example.com", new Request.PushSubscription(
                "https://fcm.googleapis.com/fcm/send/abc", keys, null)), ErrorCode.NOT_ALLOWED);
        // The push section's endpoints match by prefix, * within a host name.
        io.switchboard.server.config.ServerConfig.Push push = harness.config.push();
        assertTrue(push.allows("https://wns2-par02p.notify.windows.com/w/?token=x"));
        assertFalse(push.allows("https://notify.windows.com.attacker.example/"));
        assertFalse(push.allows("https://attacker.example/?https://fcm.googleapis.com/"));
    }

    @Test
    void keepingAPlaceNeedsEmailAndAWaitingGuest() {
        Harness plain = new Harness(Harness.CONFIG);
        Client guest = plain.guest("erin");
        guest.refused(new Request.KeepPlace("erin@example.com"), ErrorCode.NOT_ALLOWED);
        Harness harness = harnessAt("2026-12-07T10:00:00Z");
        harness.availableAgent("bob");
        Client chatting = harness.guest("finn", "acme", "billing");
        chatting.refused(new Request.KeepPlace("finn@example.com"), ErrorCode.NOT_ALLOWED);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Graces

    @Test
    void aWaitingGuestKeepsTheirPlaceForTheWaitingGraceAndARoomForTheResumeGrace() {
        Harness harness = harnessAt("2026-12-07T10:00:00Z");
        Client ann = harness.agent("ann");
        Client phone = harness.guest("gina", "acme", "billing");
        phone.drop();
        harness.clock.advance(180_000); // three minutes in the background: far past the room grace
        assertEquals(ReservationStatus.QUEUED, harness.reservation(phone).status());
        Client back = phone.resume();
        assertEquals(0, back.last(ServerMessage.QueuePos.class).position());
        back.drop();
        harness.clock.advance(599_000);
        assertEquals(ReservationStatus.QUEUED, harness.reservation(phone).status());
        // Matched while away: the room gives her the room's grace from now, not what is left of ten minutes.
        ann.ok(new Request.Status(null, io.switchboard.protocol.StatusOf.AVAILABILITY,
                io.switchboard.protocol.StatusIs.AVAILABLE));
        String room = ann.last(ServerMessage.Joined.class).room();
        harness.clock.advance(60_000);
        assertEquals(EndReason.GUEST_GONE, ann.last(ServerMessage.End.class).reason());
        assertEquals(room, ann.last(ServerMessage.End.class).room());

        Client later = harness.guest("hugo", "acme", "help");
        later.drop();
        harness.clock.advance(600_000);
        assertEquals(ReservationStatus.EXPIRED, harness.reservation(later).status());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The mail queue

    @Test
    void aFailedSendIsRetriedWithBackoffAndARefusedAddressIsDropped() {
        MemoryJournal journal = new MemoryJournal();
        Harness harness = new Harness(CONFIG, journal, journal::state, at("2026-12-07T10:00:00Z"));
        leave(harness, "Ines", "Hello?");
        assertEquals(1, journal.mails.size(), "stored before it is sent");
        Harness.Sent attempt = harness.outgoing.remove(0);
        attempt.result().failed(false, "connection refused");
        assertEquals(1, journal.mails.values().iterator().next().attempts());
        harness.clock.advance(4_999);
        assertTrue(harness.outgoing.isEmpty(), "not before 5 s");
        harness.clock.advance(1);
        Harness.Sent second = harness.outgoing.remove(0);
        assertEquals(attempt.mail().messageId(), second.mail().messageId(), "the same mail");
        second.result().failed(false, "timeout");
        harness.clock.advance(9_999);
        assertTrue(harness.outgoing.isEmpty(), "then 10 s");
        harness.clock.advance(1);
        assertEquals(1, harness.outgoing.size(), "the third attempt");
        // The server stops before the send is reported: a restart sends the mail again (the same Message-ID).
        Harness restarted = new Harness(CONFIG, journal, journal::state, harness.clock.now(), 43);
        restarted.clock.advance(1);
        assertEquals(1, restarted.outgoing.size());
        assertEquals(attempt.mail().messageId(), restarted.outgoing.get(0).mail().messageId());
        restarted.outgoing.remove(0).result().sent();
        assertTrue(journal.mails.isEmpty(), "sent: its row is gone");

        leave(restarted, "Jana", "Hi");
        restarted.outgoing.remove(0).result().failed(true, "550 no such user");
        assertTrue(journal.mails.isEmpty(), "a refused address is not tried again");
        restarted.clock.advance(600_000);
        assertTrue(restarted.outgoing.isEmpty());
    }

    @Test
    void answersAreCutAboveTheQuoteAndLongOnesSplit() {
        assertEquals("Yes, please.", Mailbox.answer("Yes, please.\r\n\r\nAm 30.03.2026 um 09:00 schrieb bob:\r\n"
                + "> old"));
        assertEquals("Fine", Mailbox.answer("Fine\n\n" + Mailbox.ANSWER_ABOVE + "\nbob wrote: ..."));
        assertEquals("", Mailbox.answer("> only a quote"));
        List<String> parts = Mailbox.chunks("a".repeat(3_000) + "\n" + "b".repeat(3_000), 4_000);
        assertEquals(List.of("a".repeat(3_000), "b".repeat(3_000)), parts);
        assertEquals(3, Mailbox.chunks("x".repeat(9_000), 4_000).size());
    }

    @Test
    void mailTokensCarryTheirAccountAndAreLowerCase() {
        String token = Ids.seeded(7).forAccount("acme", 0).nextMailToken();
        assertTrue(token.matches("m[a-z2-7]{36}"), token);
        assertEquals(Ids.tag("acme"), Ids.tagOfMailToken(token));
        assertEquals(Ids.tag("acme"), Ids.tagOfMailToken("m" + token.substring(1).toUpperCase()));
        assertNull(Ids.tagOfMailToken("m" + "1".repeat(36)));
        assertNull(Ids.tagOfMailToken("rsv_abc"));
    }
}
