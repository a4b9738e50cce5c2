package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.UpdateDetails;
import io.switchboard.server.config.Routing;
import java.util.Comparator;
import java.util.List;

/**
 * Queues and assignment (contract §1): guests join, leave and return to queues; waiting guests go to free agents,
 * atomically (the desk is one thread), never past an agent's limit. Desk thread only.
 */
final class Assignment {
    /** Across groups: back-to-front guests first, then higher priority, then the longest waiting. */
    static final Comparator<Reservation> MOST_URGENT = Comparator
            .comparing((Reservation r) -> !r.front)
            .thenComparing(r -> -r.priority)
            .thenComparingLong(r -> r.enqueuedAt)
            .thenComparingLong(r -> r.ticket);

    private final Account account;
    private final DeskClock clock;
    private final Fanout fanout;
    private final QueuePositions positions;
    private final Rooms rooms;
    private final Retention retention;
    private final DeskMetrics metrics;
    private final Turn turn;
    private final Mailbox mailbox;
    private final Offers offers;
    private long tickets;

    Assignment(Account account, DeskClock clock, Fanout fanout, QueuePositions positions, Rooms rooms,
               Retention retention, DeskMetrics metrics, Turn turn, Mailbox mailbox, Offers offers) {
        this.offers = offers;
        this.mailbox = mailbox;
        this.account = account;
        this.clock = clock;
        this.fanout = fanout;
        this.positions = positions;
        this.rooms = rooms;
        this.retention = retention;
        this.metrics = metrics;
        this.turn = turn;
    }

    /** A new guest joins the back of their queue (within their priority) and is told their place. */
    void enqueueNew(Reservation reservation) {
        reservation.ticket = ++tickets;
        enqueue(reservation);
    }

    /**
     * A message left to be answered by email joins its group's messages (not the chat queue: no chat guest's place or
     * estimate counts it); agents see it, and it is assigned when an agent of the group is free and the group is open.
     */
    void enqueueMessage(Reservation reservation) {
        reservation.ticket = ++tickets;
        reservation.queue(turn);
        reservation.enqueuedAt = clock.now();
        reservation.group.messages.add(reservation);
        fanout.toAgents(account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.QUEUED));
        turn.queued(reservation.group);
    }

    /**
     * The guest of a finished conversation wrote again by email: the conversation goes back to its group's messages,
     * and its next room starts with the whole conversation so far, then what they wrote.
     */
    void reopenByEmail(Reservation reservation, String text) {
        if (reservation.room != null) {
            reservation.previousRoom = reservation.room;
        }
        reservation.room = null;
        reservation.matchedAgent = null;
        reservation.reservedUntil = 0;
        reservation.forgetAt = 0;
        reservation.byEmail = true;
        reservation.question = text;
        enqueueMessage(reservation);
    }

    /** A guest whose agent was gone goes back to the front of their queue. */
    void requeueAtFront(Reservation reservation) {
        if (reservation.room != null) {
            reservation.previousRoom = reservation.room;
        }
        reservation.room = null;
        reservation.matchedAgent = null;
        reservation.front = true;
        reservation.reservedUntil = 0;
        enqueue(reservation);
    }

    private void enqueue(Reservation reservation) {
        reservation.queue(turn);
        reservation.enqueuedAt = clock.now();
        reservation.group.queue.add(reservation);
        reservation.group.recordArrival(clock.now(), reservation);
        positions.sendNow(reservation);
        fanout.toAgents(account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.QUEUED));
        if (reservation != reservation.group.queue.last()) {
            // Someone is behind the newcomer (it had priority, or came back to the front): they moved.
            positions.changed(reservation.group);
        }
        turn.queued(reservation.group);
    }

    /** A waiting guest leaves the queue with an outcome (canceled, expired); those behind move up. */
    void leaveQueue(Reservation reservation, ReservationStatus outcome) {
        turn.dequeued(reservation.group);
        offers.over(reservation, null);
        if (reservation.byEmail) {
            reservation.group.messages.remove(reservation);
            reservation.finish(turn, outcome);
            retention.forgetUnserved(reservation);
            return;
        }
        reservation.group.queue.remove(reservation);
        reservation.group.recordAbandonment(clock.now(), clock.now() - reservation.enqueuedAt);
        reservation.finish(turn, outcome);
        reservation.pendingQueuePos = null;
        positions.changed(reservation.group);
        retention.forgetUnserved(reservation);
    }

    /**
     * Assigns waiting guests to free agents until no group has both: the most urgent head first, each to the free agent
     * of its group with the fewest guests, ties to the oldest last assignment. Run by the turn ({@link Turn#settle}).
     */
    void assignWhereFree() {
        // Which groups are open is read once: it does not change within a turn.
        long now = clock.now();
        List<Group> open = new java.util.ArrayList<>(account.groups.size());
        for (Group group : account.groups.values()) {
            if (group.routing != Routing.MANUAL && group.openAt(now)) {
                open.add(group);
            }
        }
        while (true) {
            Reservation next = null;
            Agent agent = null;
            for (Group group : open) {
                if (group.queue.isEmpty()) {
                    continue;
                }
                for (Reservation waiting : group.queue) {
                    if (next != null && MOST_URGENT.compare(waiting, next) >= 0) {
                        break;
                    }
                    if (waiting.offeredTo != null) {
                        continue;
                    }
                    Agent free = freeAgent(group, waiting);
                    if (free != null) {
                        next = waiting;
                        agent = free;
                        break;
                    }
                    if (waiting.passedBy.isEmpty()) {
                        // Nobody free for the first guest nobody passed: nobody is free for those behind either.
                        break;
                    }
                }
            }
            if (next == null) {
                // Messages left by email come after every guest waiting to chat (those are here now), oldest first.
                for (Group group : open) {
                    if (group.messages.isEmpty()) {
                        continue;
                    }
                    Reservation head = group.messages.first();
                    if (next != null && head.enqueuedAt >= next.enqueuedAt) {
                        continue;
                    }
                    Agent free = freeAgent(group, head);
                    if (free != null) {
                        next = head;
                        agent = free;
                    }
                }
            }
            if (next == null) {
                return;
            }
            if (Offers.offered(next)) {
                offers.offer(next, agent);
            } else {
                assign(next, agent);
            }
        }
    }

    /**
     * Wakes the desk at a group's next opening or closing: at an opening, what waited for it (guests, messages) is
     * assigned to the free agents of the group; guests and the widget see the change.
     */
    void armOpenings(Group group) {
        java.time.Instant next = group.hours.nextChange(java.time.Instant.ofEpochMilli(clock.now()));
        if (next == null) {
            return;
        }
        clock.schedule(Math.max(1, next.toEpochMilli() - clock.now()), () -> {
            turn.queued(group);
            positions.changed(group);
            armOpenings(group);
        });
    }

    /** The oldest message left in these groups, or null when none waits. */
    static Reservation oldestMessage(Iterable<Group> groups) {
        Reservation oldest = null;
        for (Group group : groups) {
            if (!group.messages.isEmpty() && (oldest == null || group.messages.first().enqueuedAt < oldest.enqueuedAt)) {
                oldest = group.messages.first();
            }
        }
        return oldest;
    }

    /** The free agent of the group who should take {@code head}: the least busy, not one who let them pass. */
    private static Agent freeAgent(Group group, Reservation head) {
        Agent best = null;
        for (Agent agent : group.agents) {
            if (!agent.isFree() || head.passedBy.contains(agent)) {
                continue;
            }
            if (best == null || agent.activeGuests() < best.activeGuests()
                    || agent.activeGuests() == best.activeGuests() && agent.lastAssignedAt < best.lastAssignedAt) {
                best = agent;
            }
        }
        return best;
    }

    /**
     * The most urgent waiting guest among the groups for this agent ({@code assist}), or null when none waits: the
     * head of each group, past guests this agent let pass or who are offered to someone else.
     */
    static Reservation mostUrgentFor(Agent agent, Iterable<Group> groups) {
        Reservation next = null;
        for (Group group : groups) {
            for (Reservation waiting : group.queue) {
                if (waiting.passedBy.contains(agent) || waiting.offeredTo != null && waiting.offeredTo != agent) {
                    continue;
                }
                if (next == null || MOST_URGENT.compare(waiting, next) < 0) {
                    next = waiting;
                }
                break;
            }
        }
        return next;
    }

    /** Matches a waiting guest to an agent below their limit: the room opens, or the agent is held for them. */
    void assign(Reservation reservation, Agent agent) {
        long now = clock.now();
        Group group = reservation.group;
        turn.dequeued(group);
        offers.over(reservation, agent);
        reservation.passedBy.clear();
        if (reservation.byEmail) {
            // A message waited for an answer, not for a chat: its wait teaches the chat estimates nothing.
            group.messages.remove(reservation);
        } else {
            group.queue.remove(reservation);
            group.recordAssignment(now, now - reservation.enqueuedAt);
            metrics.assigned(account.id, group.name, now - reservation.enqueuedAt);
            positions.changed(group);
            score(reservation, now);
        }
        reservation.waitedMs = now - reservation.enqueuedAt;
        reservation.pendingQueuePos = null;
        reservation.front = false;
        reservation.reservedUntil = now + reservation.reserveForSeconds * 1000L;
        reservation.matchedAgent = agent;
        reservation.match(turn);
        agent.lastAssignedAt = now;
        agent.recentGroups.addLast(group);
        if (agent.recentGroups.size() > Agent.RECENT_GROUPS) {
            agent.recentGroups.removeFirst();
        }
        fanout.toAgents(account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.DEQUEUED));
        fanout.toAgents(account, new ServerMessage.Update(List.of(reservation.user, agent.user),
                UpdateDetails.ASSIGNED));
        if (reservation.session != null || reservation.byEmail) {
            rooms.open(reservation, agent);
        } else {
            holdUntilReserved(reservation);
        }
        if (reservation.keepsPlace() && (reservation.session == null || reservation.session.connection == null)) {
            mailbox.agentReady(reservation, agent.user);
        }
        turn.capacityChanged(agent);
    }

    /** Every estimate the guest was told, against the wait that followed: the group learns, the metrics count. */
    private void score(Reservation reservation, long now) {
        Group group = reservation.group;
        for (double[] told : reservation.told) {
            double wait = now - told[0];
            group.accuracy.scored(now, (int) told[4], told[1], told[2], told[3], wait);
            metrics.estimateScored(account.id, group.name, told[3] - wait);
        }
        reservation.told.clear();
    }

    /** Tickets continue after a restart from the highest one stored. */
    void restoreTickets(long highest) {
        tickets = Math.max(tickets, highest);
    }

    /** Holds the agent for a matched REST reservation until its {@code reserved_until} (at once if that has passed). */
    void holdUntilReserved(Reservation reservation) {
        reservation.matchedAgent.held.add(reservation);
        reservation.holdTimer = clock.schedule(Math.max(0, reservation.reservedUntil - clock.now()),
                () -> onHoldOver(reservation));
    }

    /** A matched REST reservation whose guest did not attach within {@code reserve_for_seconds}. */
    private void onHoldOver(Reservation reservation) {
        if (reservation.status() != ReservationStatus.MATCHED || reservation.room != null) {
            return;
        }
        Agent agent = reservation.matchedAgent;
        release(reservation);
        reservation.finish(turn, ReservationStatus.EXPIRED);
        fanout.toAgents(account, new ServerMessage.Update(List.of(reservation.user), UpdateDetails.EXPIRED));
        retention.forgetUnserved(reservation);
        turn.capacityChanged(agent);
    }

    /** Lets go of a held REST reservation (its guest never attached); the caller records the agent's capacity. */
    void release(Reservation reservation) {
        Agent agent = reservation.matchedAgent;
        if (agent != null) {
            agent.held.remove(reservation);
        }
        if (reservation.holdTimer != null) {
            reservation.holdTimer.cancel();
            reservation.holdTimer = null;
        }
        reservation.matchedAgent = null;
    }
}
