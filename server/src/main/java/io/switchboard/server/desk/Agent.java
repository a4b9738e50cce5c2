package io.switchboard.server.desk;

import io.switchboard.protocol.StatusIs;
import java.util.LinkedHashSet;
import java.util.Set;

/** A configured agent (or supervisor), signed in or not. Desk thread only. */
final class Agent {
    final Account account;
    final String user;
    final boolean supervisor;
    /** SHA-256 of the agent's token: the token itself is not kept. */
    byte[] tokenDigest;
    final Set<Group> groups = new LinkedHashSet<>();
    int limit;
    /** What the agent set; starts away at every sign-in. */
    StatusIs availability = StatusIs.AWAY;
    Session session;
    /** Open rooms in which this agent is the assigned agent. */
    final Set<Room> rooms = new LinkedHashSet<>();
    /** Open rooms this supervisor joined as an extra member. */
    final Set<Room> joinedRooms = new LinkedHashSet<>();
    /** Reservations matched to this agent whose guest has not attached yet (REST reservations). */
    final Set<Reservation> held = new LinkedHashSet<>();
    long lastAssignedAt = Long.MIN_VALUE;
    /** The groups of this agent's recent assignments, oldest first (how the agent's time is shared). */
    static final int RECENT_GROUPS = 20;
    final java.util.ArrayDeque<Group> recentGroups = new java.util.ArrayDeque<>();
    /** Whether the account's agents were last told this agent is free ({@code update available}). */
    boolean announcedFree;
    /** What the account's agents were last shown of this agent ({@code team}); null before the first time. */
    io.switchboard.protocol.ServerMessage.AgentView shown;
    /** Whether the agent was present (connected and available) when last seen; since when away, unscheduled (0: not). */
    boolean wasPresent;
    long awaySince;
    /** When the agent is expected to work ({@code schedule}), or null: unknown (the estimate learns from history). */
    io.switchboard.server.config.BusinessHours schedule;
    /** Guests offered to this agent now (a group with offers): they count toward the limit while offered. */
    final Set<Reservation> offers = new LinkedHashSet<>();
    /** Offers this agent let run out in a row (an accepted one starts the count again). */
    int missedOffers;
    /** Whether the console's page is hidden (it says so with {@code activity}), and since when the agent was idle. */
    boolean hidden;
    long idleSince;
    Cancellable autoAway;

    Agent(Account account, String user, boolean supervisor, int limit) {
        this.account = account;
        this.user = user;
        this.supervisor = supervisor;
        this.limit = limit;
    }

    /** How the agent appears on the wire: agent or supervisor. */
    io.switchboard.protocol.Role role() {
        return supervisor ? io.switchboard.protocol.Role.SUPERVISOR : io.switchboard.protocol.Role.AGENT;
    }

    int activeGuests() {
        return rooms.size() + held.size() + offers.size();
    }

    boolean connected() {
        return session != null && session.connection != null;
    }

    /** Connected and available: counted on by the wait estimate. */
    boolean present() {
        return connected() && availability == StatusIs.AVAILABLE;
    }

    /**
     * Notes a change of presence: an agent without a schedule who went away starts an absence, and one who came back
     * ends it, remembered by each of their groups (when the absent come back is learned from these).
     */
    void presenceChanged(long now) {
        boolean present = present();
        if (present == wasPresent) {
            return;
        }
        wasPresent = present;
        if (!present) {
            awaySince = schedule == null ? now : 0;
            return;
        }
        long away = awaySince == 0 ? -1 : now - awaySince;
        awaySince = 0;
        if (away > 0 && away <= Group.ABSENCE_MAX_MS) {
            for (Group group : groups) {
                group.absences.addLast(away);
                if (group.absences.size() > Group.ABSENCE_HISTORY) {
                    group.absences.removeFirst();
                }
            }
        }
    }

    /** Available, connected, and below the limit. */
    boolean isFree() {
        return connected() && availability == StatusIs.AVAILABLE && activeGuests() < limit;
    }

    /** The availability others see: offline when not signed in, away while disconnected. */
    StatusIs visibleAvailability() {
        if (session == null) {
            return StatusIs.OFFLINE;
        }
        return session.connection == null ? StatusIs.AWAY : availability;
    }
}
