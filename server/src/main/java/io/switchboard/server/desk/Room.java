package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A conversation between a guest and an agent, and any supervisors who joined. Desk thread only. */
final class Room {
    final String id;
    final Account account;
    final Reservation reservation;
    Agent agent;
    final Set<Agent> supervisors = new LinkedHashSet<>();
    /** Supervisors who joined silently and have not spoken to the guest yet: the guest is not told of them. */
    final Set<Agent> silent = new HashSet<>();
    /** What happened to the room (assigned, transferred, joined, left, ended), oldest first; stored with the room. */
    final List<ServerMessage.TimelineEntry> timeline = new ArrayList<>();
    /** Who the guest is known to be when the room opened ({@link Workspace#identity}), or null. */
    String identity;
    /** Since when the guest's newest messages wait for an answer (epoch ms); 0 when answered. */
    long unansweredSince;
    /** The next {@code unanswered} alert while the guest waits for an answer, or null. */
    Cancellable unansweredAlert;
    /** Every agent who was ever a member: they may still read the transcript. */
    final Set<Agent> pastMembers = new HashSet<>();
    /**
     * The newest messages, in seq order: all of them until the older ones are durable and there are more than {@code
     * transcript_tail_messages}; then the older ones are read from the journal.
     */
    final ArrayList<ServerMessage.Message> messages = new ArrayList<>();
    /** The seq of the newest message; 0 before the first. */
    long lastSeq;
    /** Every message up to this seq is known durable. */
    long durableSeq;
    /** For messages not known durable yet: (the newest seq of a turn, that turn's batch), oldest first. */
    final java.util.ArrayDeque<long[]> unsynced = new java.util.ArrayDeque<>();
    boolean open = true;
    /** When retention lets it and its transcript go (epoch ms); 0 while open. */
    long forgetAt;
    /** Its messages are only in the store (it ended, and its end is durable): history reads them from there. */
    boolean transcriptStored;
    /** The journal batch that holds its end; 0 until written. */
    long endBatch;
    /** When the room opened (epoch ms): its handle time so far is now minus this. */
    final long openedAt;

    Room(String id, Reservation reservation, Agent agent, long openedAt) {
        this.id = id;
        this.openedAt = openedAt;
        this.account = reservation.account;
        this.reservation = reservation;
        this.agent = agent;
        pastMembers.add(agent);
        reservation.roomsKept++;
    }

    /** The most timeline entries a room keeps: the first one and the newest others. */
    static final int TIMELINE_MAX = 50;

    /** Adds a step to the room's timeline. */
    void record(long at, String event, String user) {
        if (timeline.size() >= TIMELINE_MAX) {
            timeline.remove(1);
        }
        timeline.add(new ServerMessage.TimelineEntry(at, event, user));
    }

    long nextSeq() {
        return lastSeq + 1;
    }

    /** The seq of the oldest message in memory ({@link #nextSeq} when there is none). */
    long firstInMemory() {
        return messages.isEmpty() ? nextSeq() : messages.get(0).seq();
    }

    boolean isMember(Session session) {
        if (session.isGuest()) {
            return session.reservation == reservation;
        }
        return session.agent == agent || supervisors.contains(session.agent);
    }
}
