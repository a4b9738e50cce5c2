package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** One guest's place in a group's queue and its outcome. Desk thread only. */
final class Reservation {
    final String sid;
    final Account account;
    final Group group;
    String user;
    /** What the guest asked, and what the site passed: dropped at once when it ends without being served. */
    String question;
    Map<String, String> details;
    /**
     * A message left to be answered by email (its guest is not here; agents see it as a queue item of kind {@code
     * message}, and the room's messages from agents go to {@link #email}), rather than a guest waiting to chat.
     */
    boolean byEmail;
    /**
     * The guest's email address: of a message left, or of a waiting guest who left to be told by email when an agent
     * is ready (their place is kept); null otherwise.
     */
    String email;
    /**
     * The unguessable token that links emails to this conversation (in the reply-to address, and in the link that opens
     * the widget into it); null without email. It is kept as it is, since every email of the conversation carries it.
     */
    String mailToken;
    /** The guest's browser's Web Push subscription, when they kept their place and allowed notifications; or null. */
    Stored.Push push;
    /** Message-IDs of the guest's emails taken into the conversation most recently: one read twice is taken once. */
    final ArrayDeque<String> inbound = new ArrayDeque<>(0);
    /** How many inbound Message-IDs are remembered. */
    static final int INBOUND_IDS = 20;
    /** The caller's id of a REST reservation; null for guests who identified over WebSocket. */
    final String externalUserId;
    final int reserveForSeconds;

    int priority;
    long ticket;
    /** Back at the front of the queue because the agent who had them was gone. */
    boolean front;
    long enqueuedAt;
    /** How long the guest waited until their last assignment (ms). */
    long waitedMs;
    /** Changed only by the transitions below (and a restart): each checks where it comes from and records itself. */
    private ReservationStatus status = ReservationStatus.QUEUED;
    /** Grows by one with every change a REST caller can see (the SSE event id); see {@link ReservationFeed}. */
    long version = 1;
    /** The status of the last event its streams were sent (null: none yet). */
    ReservationStatus streamedStatus;
    /** The SSE streams following this reservation. */
    final List<ReservationWatcher> watchers = new ArrayList<>(0);

    /** The guest's session; null for a REST reservation until its guest attaches. */
    Session session;
    Room room;
    /**
     * The room that ended because its agent was gone (the guest went back to the front of the queue): the next room
     * of this reservation starts with its transcript, so the next agent reads the whole conversation.
     */
    Room previousRoom;
    Agent matchedAgent;
    /** When a matched agent stops being held for this guest (epoch ms); 0 until matched. */
    long reservedUntil;
    Cancellable holdTimer;
    /** When retention lets it go once it is finished (epoch ms); 0 while not scheduled. */
    long forgetAt;
    /**
     * Rooms of this reservation the desk still keeps (open, or ended and within their retention): the reservation is
     * not forgotten before the last of them, so a room never outlives its reservation (a restart could not rebuild it).
     */
    int roomsKept;
    /** The row last handed to the journal (its place in the queue moving alone does not write it again). */
    Stored.ReservationRow storedRow;

    /** The last {@code queuepos} sent, when it was sent, and the newest one not sent yet (coalescing). */
    ServerMessage.QueuePos lastQueuePos;
    long lastQueuePosAt = Long.MIN_VALUE;
    ServerMessage.QueuePos pendingQueuePos;
    /**
     * The estimates this guest was told while waiting: when, the estimate before any correction, the candidate
     * correction's, what was told (ms), at which place.
     */
    final List<double[]> told = new ArrayList<>(0);
    /** The most estimates kept per guest (the first, and the newest others). */
    static final int TOLD_MAX = 32;
    /** The id agents know its queue entry by (a digest of the sid, never the sid); made when first asked for. */
    private String entryId;
    /** The agent this waiting guest is offered to now (a group with offers), its timer; null when not offered. */
    Agent offeredTo;
    Cancellable offerTimer;
    long offerExpires;
    /** Agents who let this guest pass (or let the offer run out) recently: it is offered to others first. */
    final java.util.Set<Agent> passedBy = new java.util.HashSet<>(0);

    /** The id of its queue entry as agents see it (queue changes, offers). */
    String entryId() {
        if (entryId == null) {
            try {
                byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(
                        sid.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                entryId = "q_" + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        java.util.Arrays.copyOf(digest, 12));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException("SHA-256 is part of every JDK", e);
            }
        }
        return entryId;
    }

    Reservation(String sid, Group group, String user, String question, Map<String, String> details,
                String externalUserId, int priority, int reserveForSeconds) {
        this(sid, group, user, question, details, externalUserId, priority, reserveForSeconds, false);
    }

    Reservation(String sid, Group group, String user, String question, Map<String, String> details,
                String externalUserId, int priority, int reserveForSeconds, boolean byEmail) {
        this.byEmail = byEmail;
        this.sid = sid;
        this.account = group.account;
        this.group = group;
        this.user = user;
        this.question = question;
        this.details = details;
        this.externalUserId = externalUserId;
        this.priority = priority;
        this.reserveForSeconds = reserveForSeconds;
    }

    ReservationStatus status() {
        return status;
    }

    /** Takes the status it had before a restart (restore only). */
    void restoreStatus(ReservationStatus stored) {
        status = stored;
    }

    /** Joins (or goes back to) its queue: new, or matched and sent back because its agent was gone. */
    void queue(Turn turn) {
        require(status == ReservationStatus.QUEUED || status == ReservationStatus.MATCHED, "queue");
        status = ReservationStatus.QUEUED;
        turn.changed(this);
    }

    /** Matched to an agent, from the queue. */
    void match(Turn turn) {
        require(status == ReservationStatus.QUEUED, "match");
        status = ReservationStatus.MATCHED;
        turn.changed(this);
    }

    /** An outcome: canceled or expired, from the queue or from a match. */
    void finish(Turn turn, ReservationStatus outcome) {
        require(outcome.isFinal() && !status.isFinal(), "finish as " + outcome);
        status = outcome;
        turn.changed(this);
    }

    private void require(boolean allowed, String transition) {
        if (!allowed) {
            throw new IllegalStateException("reservation " + sid + ": cannot " + transition + " from " + status);
        }
    }

    boolean isWaiting() {
        return status == ReservationStatus.QUEUED;
    }

    /** A waiting guest who left with an email address: their place is kept until an agent is ready. */
    boolean keepsPlace() {
        return !byEmail && email != null;
    }

    /** Done with: it has an outcome (expired, canceled), or it was matched and its room has ended. */
    boolean isFinished() {
        return switch (status) {
            case QUEUED -> false;
            case MATCHED -> room != null && !room.open;
            case EXPIRED, CANCELED -> true;
        };
    }

    ServerMessage.Guest guestView() {
        return new ServerMessage.Guest(user, question, details, byEmail ? email : null);
    }
}
