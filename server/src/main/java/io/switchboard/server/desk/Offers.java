package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;

/**
 * Offers (a group's {@code offer_timeout_seconds} above 0): assignment first offers a waiting guest to the agent it
 * picked, who takes them ({@code accept}) or lets them pass ({@code pass}); when the time runs out they are offered to
 * the next agent, and an agent who let {@code offers_missed_before_away} run out in a row is set away and told why.
 * The guest keeps their place meanwhile; the offer counts toward the agent's limit. Agents who let a guest pass are
 * offered them again only when nobody else was free for one more offer time. Offers are not stored: after a restart
 * assignment offers again. Desk thread only.
 */
final class Offers {
    private final DeskClock clock;
    private final Fanout fanout;
    private final Turn turn;
    private final Workspace workspace;

    Offers(DeskClock clock, Fanout fanout, Turn turn, Workspace workspace) {
        this.clock = clock;
        this.fanout = fanout;
        this.turn = turn;
        this.workspace = workspace;
    }

    /** Whether guests of this group are offered before they are assigned (never a message left by email). */
    static boolean offered(Reservation reservation) {
        return !reservation.byEmail && reservation.group.workspace.offerTimeoutSeconds() > 0;
    }

    /** Offers the guest to the agent until the group's offer time runs out. */
    void offer(Reservation reservation, Agent agent) {
        long ms = reservation.group.workspace.offerTimeoutSeconds() * 1000L;
        reservation.offeredTo = agent;
        reservation.offerExpires = clock.now() + ms;
        agent.offers.add(reservation);
        reservation.offerTimer = clock.schedule(ms, () -> missed(reservation));
        fanout.send(agent.session, message(reservation));
        turn.capacityChanged(agent);
    }

    static ServerMessage.Offer message(Reservation reservation) {
        return new ServerMessage.Offer(reservation.entryId(), reservation.group.name, reservation.guestView(),
                reservation.offerExpires);
    }

    /** The agent takes the guest they were offered: the caller assigns them. */
    Reservation accept(Agent agent, String id) {
        Reservation reservation = find(agent, id);
        end(reservation, "accepted");
        agent.missedOffers = 0;
        return reservation;
    }

    /** The agent lets the guest pass: offered to the next agent. */
    void pass(Agent agent, String id) {
        Reservation reservation = find(agent, id);
        end(reservation, "passed");
        passedBy(reservation, agent);
    }

    /**
     * The guest left the queue, or was assigned another way ({@code assist}; {@code to}: the agent, or null): their
     * offer is over, {@code accepted} if it went to the agent it was offered to.
     */
    void over(Reservation reservation, Agent to) {
        if (reservation.offeredTo != null) {
            end(reservation, reservation.offeredTo == to ? "accepted" : "gone");
        }
    }

    /** The agent is away now: what they were offered goes to others (not counted as missed). */
    void withdraw(Agent agent) {
        for (Reservation reservation : java.util.List.copyOf(agent.offers)) {
            end(reservation, "passed");
            passedBy(reservation, agent);
        }
    }

    private void missed(Reservation reservation) {
        Agent agent = reservation.offeredTo;
        if (agent == null) {
            return;
        }
        reservation.offerTimer = null;
        end(reservation, "missed");
        passedBy(reservation, agent);
        agent.missedOffers++;
        int most = reservation.group.workspace.offersMissedBeforeAway();
        if (agent.missedOffers >= most && agent.availability == StatusIs.AVAILABLE) {
            int missed = agent.missedOffers;
            agent.missedOffers = 0;
            workspace.availability(agent, StatusIs.AWAY, "missed_offers", missed);
        }
    }

    private void passedBy(Reservation reservation, Agent agent) {
        reservation.passedBy.add(agent);
        turn.queued(reservation.group);
        clock.schedule(reservation.group.workspace.offerTimeoutSeconds() * 1000L, () -> {
            if (reservation.passedBy.remove(agent) && reservation.isWaiting()) {
                turn.queued(reservation.group);
            }
        });
    }

    private void end(Reservation reservation, String reason) {
        Agent agent = reservation.offeredTo;
        agent.offers.remove(reservation);
        reservation.offeredTo = null;
        if (reservation.offerTimer != null) {
            reservation.offerTimer.cancel();
            reservation.offerTimer = null;
        }
        fanout.send(agent.session, new ServerMessage.OfferEnd(reservation.entryId(), reason));
        turn.capacityChanged(agent);
    }

    private static Reservation find(Agent agent, String id) {
        for (Reservation reservation : agent.offers) {
            if (reservation.entryId().equals(id)) {
                return reservation;
            }
        }
        throw new DeskException(ErrorCode.CONFLICT, "offer: " + id + " is not offered to you now (its time ran out, "
                + "or the guest left)");
    }
}
