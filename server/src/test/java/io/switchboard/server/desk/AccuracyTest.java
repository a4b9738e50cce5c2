package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.server.desk.Harness.Client;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Learning from our own errors (issue 20): the correction is applied only where it has been helping on waits it did
 * not see, never to deep places; the last hour's error reaches the consoles; every estimate told is scored once.
 */
class AccuracyTest {
    @Test
    void aCorrectionThatHelpsIsAppliedAndOneThatDoesNotIsNot() {
        long seed = 7;
        Random random = new Random(seed);
        Accuracy accuracy = new Accuracy();
        // Place 0 estimates twice too long: the candidate learns about 0.5 and, scored on later waits, helps.
        for (int i = 0; i < 400; i++) {
            double wait = 20_000 + random.nextDouble() * 40_000;
            double raw = 2 * wait;
            accuracy.scored(i * 1_000L, 0, raw, raw * accuracy.candidate(0), raw * accuracy.factor(0), wait);
        }
        assertEquals(0.6, accuracy.candidate(0), 0.05, "seed " + seed + ": the bound of the correction");
        assertEquals(accuracy.candidate(0), accuracy.factor(0), "applied: it helps");
        // Place 1: estimates already right, noise around them: a candidate near 1 that does not help is not applied.
        for (int i = 0; i < 400; i++) {
            double raw = 30_000 + random.nextDouble() * 30_000;
            double wait = raw * (0.5 + random.nextDouble());
            accuracy.scored(i * 1_000L, 1, raw, raw * accuracy.candidate(1), raw * accuracy.factor(1), wait);
        }
        assertEquals(1.0, accuracy.factor(1), "seed " + seed + ": not applied without a gain");
        // Deep places are never corrected, however wrong.
        for (int i = 0; i < 400; i++) {
            accuracy.scored(i * 1_000L, 20, 100_000, 100_000 * accuracy.candidate(20), 100_000, 50_000);
        }
        assertEquals(1.0, accuracy.factor(20));
    }

    @Test
    void theLastHoursErrorReachesTheConsolesAndEachEstimateIsScoredOnce() {
        Harness harness = new Harness();
        Client sue = harness.console("sue");
        Client bob = harness.availableAgent("bob");
        bob.ok(new Request.Limit(1, null));
        Client first = harness.guest("first");
        harness.clock.advance(40_000);
        first.ok(new Request.End(first.last(ServerMessage.Joined.class).room()));
        Client second = harness.guest("second");
        Client third = harness.guest("third");
        harness.clock.advance(10_000);
        // second is served when first's room ended; third now gets a room too when second's ends.
        second.ok(new Request.End(second.last(ServerMessage.Joined.class).room()));
        Group billing = harness.desk("acme").account.groups.get("billing");
        assertTrue(billing.accuracy.hourScores(harness.clock.now()) >= 1);
        assertTrue(harness.reservation(third).told.isEmpty(), "scored and let go at the assignment");
        ServerMessage.GroupStats stats = sue.last(ServerMessage.GroupStats.class);
        assertEquals("billing", stats.group());
        assertEquals(billing.accuracy.hourScores(harness.clock.now()), stats.estimates());
        assertEquals(billing.accuracy.hourMaeSeconds(harness.clock.now()), stats.estimateMae());
    }
}
