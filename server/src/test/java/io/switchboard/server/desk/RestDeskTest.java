package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.EndReason;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.Rest;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.desk.Harness.Client;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The desk's side of the HTTP API on virtual time: views, cancel, the call limit, and SSE watchers. */
class RestDeskTest {
    private final Harness harness = new Harness();

    /** Records what a stream would send. */
    private static final class Recorder implements ReservationWatcher {
        final List<Long> versions = new ArrayList<>();
        final List<Rest.GroupReservation> views = new ArrayList<>();
        boolean opened;
        boolean gone;

        @Override
        public void opened() {
            opened = true;
        }

        @Override
        public void current(ReservationEvent event) {
            changed(event);
        }

        @Override
        public void changed(ReservationEvent event) {
            versions.add(event.version());
            views.add(event.reservation());
        }

        @Override
        public void gone() {
            gone = true;
        }

        String lastStatus() {
            return views.get(views.size() - 1).reservationStatus();
        }
    }

    @Test
    void callLimiterCountsASlidingMinutePerKey() {
        CallLimiter limiter = new CallLimiter(harness.clock::now, 2, 60_000);
        assertEquals(0, limiter.acquire("a"));
        harness.clock.advance(10_000);
        assertEquals(0, limiter.acquire("a"));
        assertEquals(0, limiter.acquire("b"), "another key has its own count");
        assertEquals(50, limiter.acquire("a"), "the first call leaves the window in 50 s");
        harness.clock.advance(45_000);
        assertEquals(5, limiter.acquire("a"), "refused calls do not count");
        harness.clock.advance(5_000);
        assertEquals(0, limiter.acquire("a"));
        assertEquals(10, limiter.acquire("a"), "the second call leaves in 10 s");
        harness.clock.advance(400);
        assertEquals(10, limiter.acquire("a"), "whole seconds, rounded up");
    }

    @Test
    void callLimiterForgetsIdleKeys() {
        CallLimiter limiter = new CallLimiter(harness.clock::now, 2, 60_000);
        for (int i = 0; i < 10_000; i++) {
            limiter.acquire("conversation-" + i);
        }
        assertEquals(10_000, limiter.size());
        harness.clock.advance(30_000);
        limiter.acquire("conversation-7");
        assertEquals(10_000, limiter.size(), "nothing idle for a whole minute yet");
        harness.clock.advance(30_000);
        limiter.acquire("fresh");
        assertEquals(2, limiter.size(), "only the keys used within the last minute remain");
    }

    @Test
    void cancelingAReservationWithAnOpenRoomEndsTheRoom() {
        Client bob = harness.availableAgent("bob");
        String sid = harness.createReservation("acme", "billing", "ext-1", 1, 30, Map.of()).reservationSid();
        Client guest = harness.connect();
        guest.ok(new Request.Identify("Carla", null, null, null, null, sid));
        String room = guest.first(ServerMessage.Joined.class).room();
        Rest.GroupReservation canceled = harness.cancelReservation("acme", "billing", sid);
        assertEquals("GROUP_RESERVATION_STATUS_CANCELED", canceled.reservationStatus());
        assertEquals(room, canceled.roomSid());
        assertNull(canceled.reservedUser());
        assertEquals(new ServerMessage.End(room, null, EndReason.ENDED), guest.last(ServerMessage.End.class));
        assertEquals(new ServerMessage.End(room, null, EndReason.ENDED), bob.last(ServerMessage.End.class));
        assertTrue(bob.updates().contains(new ServerMessage.Update(List.of("Carla"), UpdateDetails.CANCELED)));
        DeskException again = assertThrows(DeskException.class,
                () -> harness.cancelReservation("acme", "billing", sid));
        assertEquals(ErrorCode.CONFLICT, again.code());
        assertFalse(again.missing());
        assertTrue(harness.createReservation("acme", "billing", "ext-1", 1, 30, Map.of()).reservationSid()
                .startsWith("rsv_"), "the external user may come back");
    }

    @Test
    void unknownGroupsAndReservationsAreMissing() {
        String sid = harness.createReservation("acme", "billing", "ext-1", 1, null, Map.of()).reservationSid();
        assertTrue(assertThrows(DeskException.class, () -> harness.createReservation("acme", "nope", "x", 1,
                null, Map.of())).missing());
        assertTrue(assertThrows(DeskException.class, () -> harness.reservation("acme", "tech", sid)).missing());
        assertTrue(assertThrows(DeskException.class, () -> harness.reservation("other", "default", sid))
                .missing());
        assertTrue(assertThrows(DeskException.class, () -> harness.queuePosition("other", sid)).missing());
        assertTrue(assertThrows(DeskException.class, () -> harness.watch("tech", sid, -1, new Recorder()))
                .missing());
    }

    @Test
    void watchersGetEachChangeOnceAndAreToldWhenTheReservationIsForgotten() {
        Harness short_ = new Harness(Harness.CONFIG.replace("{\"accounts\": [",
                "{\"timings\": {\"transcript_retention_ms\": 60000, \"unserved_retention_ms\": 60000}, "
                        + "\"accounts\": ["));
        String sid = short_.createReservation("acme", "billing", "ext-1", 1, 30, Map.of()).reservationSid();
        Recorder stream = new Recorder();
        short_.watch("billing", sid, -1, stream);
        assertTrue(stream.opened);
        assertEquals(List.of(short_.reservationOf(sid).version), stream.versions, "the current state at once");

        Recorder resumed = new Recorder();
        short_.watch("billing", sid, stream.versions.get(0), resumed);
        assertEquals(List.of(), resumed.versions, "nothing again for the version already seen");

        short_.availableAgent("bob");
        assertEquals("GROUP_RESERVATION_STATUS_MATCHED", stream.lastStatus());
        assertEquals("bob", stream.views.get(stream.views.size() - 1).reservedUser().name());
        assertEquals(stream.versions.get(stream.versions.size() - 1), resumed.versions.get(0));
        short_.unwatch(sid, resumed);
        int before = resumed.versions.size();

        short_.clock.advance(30_000);
        assertEquals("GROUP_RESERVATION_STATUS_EXPIRED", stream.lastStatus());
        assertEquals(before, resumed.versions.size(), "an unwatched stream hears nothing");
        for (int i = 1; i < stream.versions.size(); i++) {
            assertTrue(stream.versions.get(i) > stream.versions.get(i - 1), "one event per version: " + stream.versions);
        }
        assertFalse(stream.gone);
        short_.clock.advance(60_000);
        assertTrue(stream.gone, "told when its retention ran out");
        assertNull(short_.reservationOf(sid));
        assertTrue(short_.reservationOf(sid) == null && short_.desk("acme").account.byExternalUser
                .isEmpty(), "nothing of it is left");
    }

    @Test
    void queuePositionCountsOnlyAnsweredCalls() {
        String sid = harness.createReservation("acme", "billing", "ext-1", 1, null, Map.of()).reservationSid();
        assertEquals(new Rest.QueuePosition(1, null), harness.queuePosition("acme", sid));
        assertEquals(new Rest.QueuePosition(1, null), harness.queuePosition("acme", sid));
        DeskException limited = assertThrows(DeskException.class, () -> harness.queuePosition("acme", sid));
        assertEquals(ErrorCode.RATE_LIMITED, limited.code());
        assertEquals(60, limited.retryAfterSeconds());
        harness.clock.advance(60_000);
        harness.cancelReservation("acme", "billing", sid);
        assertEquals(new Rest.QueuePosition(0, 0L), harness.queuePosition("acme", sid));
    }
}
