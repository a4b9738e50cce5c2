package io.switchboard.server.desk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.Routing;
import io.switchboard.server.desk.Harness.Client;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The three baselines against small examples computed by hand, and Switchboard's estimator in its edge cases. */
class WaitEstimatorTest {
    private static final long S = 1_000;

    private static Group group() {
        return new Group(new Account("a"), "g", Routing.AUTO, 1_000);
    }

    // --- Baselines -------------------------------------------------------------------------------------------------

    @Test
    void meanGapOfTheLastFiveAssignments() {
        Group group = group();
        assertNull(WaitEstimator.MEAN_GAP_LAST5.prepare(group, 0).seconds(0), "no assignment: null");
        group.recordAssignment(0, 0);
        assertNull(WaitEstimator.MEAN_GAP_LAST5.prepare(group, 0).seconds(0), "one assignment has no gap");
        group.recordAssignment(10 * S, 0);
        group.recordAssignment(40 * S, 0);
        assertEquals(20L, WaitEstimator.MEAN_GAP_LAST5.prepare(group, 50 * S).seconds(0), "(40 - 0) / 2");
        for (long t : new long[] {60, 100, 150}) {
            group.recordAssignment(t * S, 0);
        }
        // The last five: 10, 40, 60, 100, 150 → (150 − 10) / 4 = 35, the same at every place.
        WaitEstimator.Estimates estimates = WaitEstimator.MEAN_GAP_LAST5.prepare(group, 200 * S);
        assertEquals(35L, estimates.seconds(0));
        assertEquals(35L, estimates.seconds(9));
    }

    @Test
    void meanOfPastWaitsOfCompletedConversations() {
        Group group = group();
        group.recordAssignment(0, 10 * S);
        assertNull(WaitEstimator.MEAN_PAST_WAITS.prepare(group, 0).seconds(0), "null until a conversation completed");
        group.recordCompletion(100 * S, 10 * S);
        group.recordCompletion(100 * S, 20 * S);
        group.recordCompletion(100 * S, 60 * S);
        WaitEstimator.Estimates estimates = WaitEstimator.MEAN_PAST_WAITS.prepare(group, 0);
        assertEquals(30L, estimates.seconds(0), "(10 + 20 + 60) / 3");
        assertEquals(30L, estimates.seconds(5));
    }

    @Test
    void velocityFromTheQueuesMovementOnAFiveMinuteGrid() {
        Group group = group();
        long t2 = 3_000 * S;
        assertNull(WaitEstimator.VELOCITY.prepare(group, t2 + 100 * S).seconds(0), "no movement: null");
        group.recordAssignment(t2 - 250 * S, 0);
        group.recordAbandonment(t2 - 200 * S, 0);
        group.recordAssignment(t2 - 100 * S, 0);
        group.recordAssignment(t2 + 50 * S, 0);
        // Between T1 = T2 − 300 s and T2 the queue moved 3 places: A = 300 s / 3 = 100 s per place; EWT = A × QP.
        WaitEstimator.Estimates estimates = WaitEstimator.VELOCITY.prepare(group, t2 + 100 * S);
        assertEquals(100L, estimates.seconds(0));
        assertEquals(500L, estimates.seconds(4));
        // Five minutes later the last interval moved once (at T2 + 50 s): 300 s per place.
        assertEquals(300L, WaitEstimator.VELOCITY.prepare(group, t2 + 400 * S).seconds(0));
        // Ten minutes after T2 + 300 s the queue has not moved in either interval looked at: the interval before is
        // used when the last did not move, and beyond that there is no basis.
        assertEquals(300L, WaitEstimator.VELOCITY.prepare(group, t2 + 700 * S).seconds(0));
        assertNull(WaitEstimator.VELOCITY.prepare(group, t2 + 1_000 * S).seconds(0));
    }

    // --- Switchboard's estimator -------------------------------------------------------------------------------

    private final Harness harness = new Harness();

    private Long estimate(Client guest) {
        return harness.desk().probe().estimate(guest.reservation, EstimateMethod.SWITCHBOARD);
    }

    /** bob (billing, limit 2) at limit 1, one room of 40 s completed, one in progress for 10 s. */
    private Client bobWithHistory() {
        return bobWithHistory(harness);
    }

    private static Client bobWithHistory(Harness on) {
        Client bob = on.availableAgent("bob");
        bob.ok(new Request.Limit(1, null));
        Client first = on.guest("first");
        on.clock.advance(40 * S);
        first.ok(new Request.End(first.last(ServerMessage.Joined.class).room()));
        on.guest("second");
        on.clock.advance(10 * S);
        return bob;
    }

    @Test
    void nullWithoutHistory() {
        Client guest = harness.guest("first");
        assertNull(estimate(guest));
        assertNull(guest.last(ServerMessage.QueuePos.class).estimatedWait());
    }

    @Test
    void aBusySlotFreesAfterTheRemainingHandleTimeThenByTheRenewalFunction() {
        bobWithHistory();
        Client third = harness.guest("third");
        Client fourth = harness.guest("fourth");
        // The room has run 10 s; the only handle time seen is 40 s: 30 s to go.
        assertEquals(30L, estimate(third));
        assertEquals(30L, third.last(ServerMessage.QueuePos.class).estimatedWait());
        // Then the slot's next guest takes 40 s (the only handle time seen), nobody is done before: the renewal
        // function is 0 for 30 s, then its chord rises to 1 at 40 s, reaching ln 2 at 30 + 30 + 10 × ln 2 = 66.9 s (a
        // line of one guest per 40 s from the freeing said 30 + 40 × ln 2 = 57.7 s).
        assertEquals(67L, estimate(fourth));
    }

    @Test
    void nobodyPresentWithoutAScheduleOrAHistoryOfAbsencesIsNoNumber() {
        Client bob = bobWithHistory();
        Client third = harness.guest("third");
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        // Issue 20: not the recent pace, which would assume bob is back now.
        assertNull(estimate(third));
        bob.drop();
        assertNull(estimate(third), "disconnected is not present either");
    }

    @Test
    void anAbsentAgentComesBackWhenTheGroupsAbsencesSayTheyDo() {
        Client bob = bobWithHistory();
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        harness.clock.advance(300 * S);
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        Group billing = harness.desk("acme").account.groups.get("billing");
        assertEquals(List.of(300 * S), List.copyOf(billing.absences), "one break of 300 s");
        // second is served now; bob goes away again, and 100 s later the guest behind is told he is back in 200 s.
        Client third = harness.guest("third");
        Client fourth = harness.guest("fourth");
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        harness.clock.advance(100 * S);
        long back = estimate(fourth);
        assertTrue(back >= 200, "not before his return: " + back);
        assertNotNull(estimate(third));
    }

    @Test
    void aShiftThatStartsLaterIsCapacityThatWillArrive() {
        Client bob = bobWithHistory();
        // Now is Tuesday 22:14:10 UTC; bob's shift is 22:30 to 23:30.
        harness.agentNamed("acme", "bob").schedule = io.switchboard.server.config.BusinessHours.of(
                new io.switchboard.server.config.ServerConfig.Hours("UTC", List.of(
                        new io.switchboard.server.config.ServerConfig.Hours.Span(List.of("tue"), "22:30", "23:30")),
                        List.of()));
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        Client third = harness.guest("third");
        assertEquals(950L, estimate(third), "his slots are free when his shift starts, 950 s from now");
    }

    @Test
    void aClosedGroupServesAtItsOpening() {
        Harness closing = new Harness(Harness.CONFIG.replace("{\"name\": \"billing\"}", "{\"name\": \"billing\", "
                + "\"hours\": {\"time_zone\": \"UTC\", \"weekly\": [{\"days\": [\"mon\", \"wed\", \"thu\", "
                + "\"fri\", \"sat\", \"sun\"], \"from\": \"00:00\", \"to\": \"24:00\"}, {\"days\": [\"tue\"], "
                + "\"from\": \"00:00\", \"to\": \"22:20\"}, {\"days\": [\"tue\"], \"from\": \"22:40\", "
                + "\"to\": \"24:00\"}]}}"));
        bobWithHistory(closing);
        // 22:25 (it was 22:14): closed since 22:20 until 22:40. bob's room (660 s old, longer than every handle time
        // seen: as long again) frees at 22:36, but nobody is assigned before 22:40.
        closing.clock.advance(650 * S);
        Client third = closing.guest("third");
        assertEquals(900L, closing.desk().probe().estimate(third.reservation, EstimateMethod.SWITCHBOARD),
                "the 15 minutes until the opening: a known delay");
    }

    @Test
    void aHeavyTailServesMoreGuestsEarlyAndRegularHandleTimesFewer() {
        long[] alike = {300, 300, 300, 300};
        HandleTimes.Renewal regular = HandleTimes.renewal(alike, 300);
        assertEquals(0, HandleTimes.served(regular, 300, 150), 1e-9, "all alike: nobody is done before 300 ms");
        assertEquals(1, HandleTimes.served(regular, 300, 300), 1e-9, "one at 300 ms");
        assertEquals(2, HandleTimes.served(regular, 300, 600), 1e-9, "two at 600 ms");
        assertEquals(5, HandleTimes.served(regular, 300, 1_500), 1e-9, "then one per mean handle time");
        long[] exponential = new long[1_000];
        for (int i = 0; i < exponential.length; i++) {
            exponential[i] = Math.round(-60_000 * Math.log(1 - (i + 0.5) / exponential.length));
        }
        double mean = HandleTimes.mean(exponential);
        HandleTimes.Renewal memoryless = HandleTimes.renewal(exponential, mean);
        for (double u : new double[] {15_000, 30_000, 60_000, 240_000, 600_000}) {
            assertEquals(u / mean, HandleTimes.served(memoryless, mean, u), 0.03 + 0.01 * u / mean,
                    "an exponential's: one per mean handle time from the start, at " + u);
        }
        long[] heavy = new long[100];
        java.util.Arrays.fill(heavy, 30_000);
        heavy[99] = 5_000_000;
        double heavyMean = HandleTimes.mean(heavy);
        double early = HandleTimes.served(HandleTimes.renewal(heavy, heavyMean), heavyMean, heavyMean);
        assertTrue(early > 1.8 && early < 2.7, "a heavy tail: two or more guests of 30 s within the first mean handle "
                + "time (79.7 s), not one: " + early);
    }

    /**
     * The renewal function against a seeded Monte Carlo of a freshly freed slot: handle times of 300 ± 150 s (a
     * lognormal), 200 of them seen; within 0.1 guest at every horizon (the straight line from the freeing was 0.5 too
     * many at 300 s).
     */
    @Test
    void theRenewalFunctionCountsTheGuestsAFreedSlotServes() {
        long seed = new java.util.Random().nextLong();
        java.util.Random random = new java.util.Random(seed);
        double sigma = Math.sqrt(Math.log(1 + 0.25));
        double mu = Math.log(300_000) - sigma * sigma / 2;
        java.util.function.DoubleSupplier draw = () -> Math.exp(mu + sigma * random.nextGaussian());
        long[] seen = new long[200];
        for (int i = 0; i < seen.length; i++) {
            seen[i] = Math.round(draw.getAsDouble());
        }
        java.util.Arrays.sort(seen);
        double mean = HandleTimes.mean(seen);
        HandleTimes.Renewal renewal = HandleTimes.renewal(seen, mean);
        double[] horizons = {150_000, 300_000, 450_000, 600_000, 1_200_000};
        double[] served = new double[horizons.length];
        int runs = 20_000;
        for (int run = 0; run < runs; run++) {
            // Each run draws from the handle times seen, as the estimate knows them.
            double done = seen[random.nextInt(seen.length)];
            while (done <= horizons[horizons.length - 1]) {
                for (int k = 0; k < horizons.length; k++) {
                    served[k] += done <= horizons[k] ? 1 : 0;
                }
                done += seen[random.nextInt(seen.length)];
            }
        }
        for (int k = 0; k < horizons.length; k++) {
            double expected = served[k] / runs;
            assertEquals(expected, HandleTimes.served(renewal, mean, horizons[k]), 0.1,
                    "at " + horizons[k] / 1000 + " s (seed " + seed + ")");
        }
        assertTrue(HandleTimes.served(renewal, mean, 150_000) < 0.2, "hardly anyone is done in 150 s (seed " + seed
                + "), where a line from the freeing says 0.5");
    }

    /**
     * sue serves billing and tech (three of her last five guests were billing's); assignment takes the longest-waiting
     * head, so a billing guest waits for a tech guest only if the tech guest came first. Three billing guests wait for
     * her one busy slot; a tech guest who came after them changes nothing (the estimate is the same as with nobody
     * waiting in tech, where all of her slot is billing's), one who came before them comes first.
     */
    @Test
    void aSharedAgentsOtherGroupCountsOnlyWithItsGuestsWhoCameFirst() {
        long[] after = billingEstimates(false, true);
        long[] alone = billingEstimates(false, false);
        long[] before = billingEstimates(true, true);
        assertEquals(java.util.Arrays.toString(alone), java.util.Arrays.toString(after),
                "a tech guest behind every billing guest");
        for (int place = 0; place < 3; place++) {
            assertTrue(before[place] > after[place], "a tech guest first: place " + place + " waits longer ("
                    + java.util.Arrays.toString(before) + " against " + java.util.Arrays.toString(after) + ")");
        }
    }

    /** The estimates of three billing guests waiting for sue, with a tech guest who came before them, after, or none. */
    private long[] billingEstimates(boolean techFirst, boolean tech) {
        Harness both = new Harness(Harness.CONFIG.replace("{\"name\": \"tech\", \"routing\": \"manual\"}",
                "{\"name\": \"tech\"}"));
        Client sue = both.availableAgent("sue");
        sue.ok(new Request.Limit(1, null));
        int n = 0;
        for (String group : new String[] {"billing", "tech", "billing", "tech", "billing"}) {
            Client guest = both.guest("history-" + n++, "acme", group);
            both.clock.advance(60 * S);
            guest.ok(new Request.End(guest.last(ServerMessage.Joined.class).room()));
        }
        both.guest("in-progress");
        both.clock.advance(20 * S);
        if (tech && techFirst) {
            both.guest("tech-guest", "acme", "tech");
            both.clock.advance(S);
        }
        List<Client> waiting = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(both.guest("waiting-" + i));
            both.clock.advance(S);
        }
        if (tech && !techFirst) {
            both.guest("tech-guest", "acme", "tech");
        }
        long[] estimates = new long[waiting.size()];
        for (int i = 0; i < estimates.length; i++) {
            estimates[i] = both.desk().probe().estimate(waiting.get(i).reservation, EstimateMethod.SWITCHBOARD);
        }
        return estimates;
    }

    @Test
    void guestsWhoMayGiveUpAheadCountLess() {
        bobWithHistory();
        Client third = harness.guest("third");
        Client fourth = harness.guest("fourth");
        assertEquals(30L, estimate(third));
        assertEquals(67L, estimate(fourth));
        // Two guests gave up after 20 s each; first and second waited 0 s, third and fourth just came: the rate of
        // giving up is 2 / 40 s of waiting = 0.05 per second.
        Group billing = harness.desk("acme").account.groups.get("billing");
        billing.recordAbandonment(harness.clock.now(), 20 * S);
        billing.recordAbandonment(harness.clock.now(), 20 * S);
        assertEquals(30L, estimate(third), "nobody ahead of third");
        // third is still there at their turn (30 s) with probability exp(−0.05 × 30) = 0.22: fourth needs
        // ln 2 + 0.22 = 0.92 places, reached when bob's slot frees at 30 s (67 s without giving up).
        assertEquals(30L, estimate(fourth));
    }

    @Test
    void higherPriorityArrivalsPushTheEstimateUp() {
        bobWithHistory();
        Client third = harness.guest("third");
        assertEquals(30L, estimate(third));
        Group billing = harness.desk("acme").account.groups.get("billing");
        // Over the last 120 s, three priority-9 guests arrived (and are gone): one per 40 s goes ahead of third.
        long now = harness.clock.now();
        billing.arrivals.clear();
        for (long ago : new long[] {120, 80, 40}) {
            billing.arrivals.addLast(new long[] {now - ago * S, 9});
        }
        assertEquals(3 / (120.0 * S), billing.jumpRatePerMs(1, now), 1e-12);
        assertEquals(0.0, billing.jumpRatePerMs(9, now), "nobody outranks priority 9");
        // The slot frees at 30 s, by when 0.75 jumpers went ahead (G = 1 − 0.75 = 0.25 < ln 2); then it serves one
        // per 40 s while jumpers come one per 40 s: G never grows past 0.25 and third would never be reached, so after
        // the renewal function's last knot (80 s after the slot frees: 110 s) the estimate takes a tenth of the agents'
        // pace: 110 s + (ln 2 − 0.25) × 400 s = 287 s.
        assertEquals(287L, estimate(third));
    }

    @Test
    void aChangeThatMovesTheEstimateIsToldWithinTheInterval() {
        Client bob = bobWithHistory();
        Client third = harness.guest("third");
        assertEquals(30L, third.last(ServerMessage.QueuePos.class).estimatedWait());
        int told = third.all(ServerMessage.QueuePos.class).size();
        // Time passing only runs the countdown down: nothing new to tell.
        harness.clock.advance(5 * S);
        harness.guest("fourth");
        assertEquals(told, third.all(ServerMessage.QueuePos.class).size(), "a countdown is not news");
        assertEquals(25L, estimate(third));
        // bob goes away: no slot will free, and nothing says when he is back: no number any more, which is news, so
        // third is told at once (their last queuepos is older than the interval).
        bob.ok(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
        ServerMessage.QueuePos now = third.last(ServerMessage.QueuePos.class);
        assertEquals(told + 1, third.all(ServerMessage.QueuePos.class).size());
        assertNull(now.estimatedWait());
    }
}
