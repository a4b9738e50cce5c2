package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Rest;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.server.config.ServerConfig;
import java.util.Map;

/**
 * Conversations by email (contract §5.2, docs/protocol.md#email): a message left for a group when nobody can answer
 * now, a waiting guest who leaves to be told by email when an agent is ready (their place kept), and guests' answers
 * that come back by email into their conversation. Desk thread only.
 */
final class ByEmail {
    private final Account account;
    private final ServerConfig.Timings timings;
    private final Ids ids;
    private final Fanout fanout;
    private final Assignment assignment;
    private final Rooms rooms;
    private final Sessions sessions;
    private final Mailbox mailbox;
    private final Turn turn;
    private final DeskMetrics metrics;
    private final AddressLimits limits;
    private final Map<String, Reservation> reservations;
    /** Messages each client address left within the hour: at most {@code messages_per_address_per_hour}. */
    private final CallLimiter leftBy;

    ByEmail(Account account, ServerConfig.Timings timings, Ids ids, Fanout fanout, Assignment assignment, Rooms rooms,
            Sessions sessions, Mailbox mailbox, Turn turn, DeskMetrics metrics, AddressLimits limits,
            Map<String, Reservation> reservations, DeskClock clock, int messagesPerHour) {
        this.account = account;
        this.timings = timings;
        this.ids = ids;
        this.fanout = fanout;
        this.assignment = assignment;
        this.rooms = rooms;
        this.sessions = sessions;
        this.mailbox = mailbox;
        this.turn = turn;
        this.metrics = metrics;
        this.limits = limits;
        this.reservations = reservations;
        this.leftBy = new CallLimiter(clock::now, messagesPerHour, 3_600_000);
    }

    /**
     * A guest leaves a message for a group (the widget, no key): it waits among the group's messages for an agent, and
     * the guest is told by email that it arrived. Limited like a new guest: per client address, and by the group's
     * {@code max_queue_length} (messages counted apart from the chat queue).
     */
    Rest.MessageLeft leave(String groupName, Rest.LeaveMessage body, String source) {
        mailbox.requireEmail();
        Group group = account.restGroup(groupName);
        if (body.user() != null && account.agentNames.contains(Names.fold(body.user()))) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "user: " + body.user() + " is the name of an agent here "
                    + "(expected: your own name)");
        }
        if (group.messages.size() >= group.maxQueueLength) {
            metrics.rateLimited("queue_full");
            throw DeskException.queueFull("group " + group.name + ": too many messages wait for an answer ("
                    + group.messages.size() + "); try again later");
        }
        long retryAfter = limits.newGuest(source);
        if (retryAfter > 0) {
            metrics.rateLimited("identify");
            throw DeskException.rateLimited("messages: more than " + limits.newGuestsPerMinute() + " new "
                    + "conversations a minute from your address; try again in " + retryAfter + " s", retryAfter);
        }
        // One address fills no group's messages by itself.
        long later = leftBy.acquire(String.valueOf(source));
        if (later > 0) {
            metrics.rateLimited("messages");
            throw DeskException.rateLimited("messages: more than " + leftBy.limit() + " messages an hour from your "
                    + "address; try again in " + later + " s", later);
        }
        Reservation reservation = new Reservation(ids.next("rsv_"), group, body.user(), body.body(), body.details(),
                null, Desk.WEBSOCKET_PRIORITY, timings.reserveForSeconds(), true);
        reservation.email = body.email();
        reservations.put(reservation.sid, reservation);
        mailbox.token(reservation);
        assignment.enqueueMessage(reservation);
        mailbox.messageReceived(reservation);
        return new Rest.MessageLeft(reservation.sid);
    }

    /**
     * {@code keep_place}: a waiting guest leaves with an email address. They get {@code kept}; their session ends (the
     * connection stays, signed in as nobody), the reservation stays QUEUED, and they are emailed a link that brings
     * them back; once matched, the agent is held for {@code reserve_for_seconds} and they are emailed again.
     */
    void keepPlace(Session session, String email, io.switchboard.protocol.Request.PushSubscription push) {
        mailbox.requireEmail();
        Reservation reservation = session.reservation;
        if (!reservation.isWaiting()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "keep_place: you are not waiting (expected: QUEUED, not "
                    + reservation.status().wire() + ")");
        }
        if (push != null) {
            reservation.push = mailbox.pushSubscription(push);
        }
        reservation.email = email;
        turn.stored(reservation);
        fanout.send(session, new ServerMessage.Kept(reservation.sid, email, mailbox.token(reservation)));
        sessions.detachGuest(session, false);
        mailbox.placeKept(reservation, reservation.group.positionOf(reservation));
    }

    /**
     * A guest's email arrived for the conversation of {@code token}: what they wrote above the quoted mail goes into
     * the open room, or into the message still waiting, or (the conversation ended) opens it again as a message with
     * the whole conversation so far. An email seen before (its Message-ID) is not taken twice. Returns false when the
     * token names no conversation of this desk.
     */
    boolean arrived(String token, String messageId, String text) {
        Reservation reservation = account.byMailToken.get(token);
        if (reservation == null || reservations.get(reservation.sid) != reservation) {
            return false;
        }
        if (messageId != null) {
            if (reservation.inbound.contains(messageId)) {
                return true;
            }
            reservation.inbound.addLast(messageId);
            if (reservation.inbound.size() > Reservation.INBOUND_IDS) {
                reservation.inbound.removeFirst();
            }
            turn.stored(reservation);
        }
        String answer = Mailbox.answer(text);
        if (answer.isEmpty()) {
            return true;
        }
        Room room = reservation.room;
        if (room != null && room.open) {
            rooms.guestWrote(room, answer);
        } else if (reservation.isWaiting()) {
            reservation.question = reservation.question == null ? answer : reservation.question + "\n\n" + answer;
            turn.stored(reservation);
        } else if (!reservation.status().isFinal()) {
            assignment.reopenByEmail(reservation, answer);
        } else {
            // Canceled or expired: a new conversation by email in the same group, reached by the same token.
            Reservation again = new Reservation(ids.next("rsv_"), reservation.group, reservation.user, answer,
                    reservation.details, null, Desk.WEBSOCKET_PRIORITY, timings.reserveForSeconds(), true);
            again.email = reservation.email;
            again.mailToken = reservation.mailToken;
            again.inbound.addAll(reservation.inbound);
            reservation.mailToken = null;
            turn.stored(reservation);
            account.byMailToken.put(again.mailToken, again);
            reservations.put(again.sid, again);
            assignment.enqueueMessage(again);
        }
        return true;
    }
}
