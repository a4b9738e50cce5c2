package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What keeps an agent from missing a guest: the {@code unanswered} alert when a guest's message waits too long for an
 * answer (to the room's agent and the supervisors, again every period until answered), availability changes with
 * their reason (missed offers, a console hidden and idle: {@code auto_away}; going away with conversations open:
 * {@code away_with_rooms}), and a room's {@code context} (earlier conversations are those the desk still keeps, within
 * {@code transcript_retention_ms}, found through {@link Account#roomsByGuest}). Desk thread only.
 */
final class Workspace {
    /** The most earlier conversations a context lists. */
    static final int EARLIER_MAX = 10;

    private final Account account;
    private final DeskClock clock;
    private final Fanout fanout;
    private final Turn turn;
    /** What else follows when an agent goes away (their offers pass to others). */
    java.util.function.Consumer<Agent> wentAway = agent -> { };

    Workspace(Account account, DeskClock clock, Fanout fanout, Turn turn) {
        this.account = account;
        this.clock = clock;
        this.fanout = fanout;
        this.turn = turn;
    }

    // --- Unanswered messages ---------------------------------------------------------------------------------------

    /**
     * The guest wrote (or the room opened with their question or message): if nothing of theirs waited for an answer
     * yet, the clock starts. Only in a group with {@code unanswered_alert_seconds}; stored with the room.
     */
    void guestWrote(Room room) {
        if (room.unansweredSince == 0 && alertMs(room) > 0) {
            room.unansweredSince = clock.now();
            turn.stored(room);
            armUnanswered(room, alertMs(room));
        }
    }

    /** An agent or supervisor answered (a message the guest reads): nothing waits any more. */
    void answered(Room room) {
        if (room.unansweredSince != 0) {
            room.unansweredSince = 0;
            turn.stored(room);
        }
        if (room.unansweredAlert != null) {
            room.unansweredAlert.cancel();
            room.unansweredAlert = null;
        }
    }

    /** After a restart: an open room whose guest waited for an answer alerts when its time comes. */
    void restored(Room room) {
        if (room.open && room.unansweredSince > 0 && alertMs(room) > 0) {
            armUnanswered(room, Math.max(0, room.unansweredSince + alertMs(room) - clock.now()));
        }
    }

    private static long alertMs(Room room) {
        return room.reservation.group.workspace.unansweredAlertSeconds() * 1000L;
    }

    private void armUnanswered(Room room, long delayMs) {
        room.unansweredAlert = clock.schedule(delayMs, () -> {
            room.unansweredAlert = null;
            if (!room.open || room.unansweredSince == 0) {
                return;
            }
            alert(room.agent, new ServerMessage.Alert("unanswered", room.agent.user, room.id, room.unansweredSince,
                    null));
            armUnanswered(room, alertMs(room));
        });
    }

    /** To the agent concerned and every supervisor of the account (each once), on their consoles. */
    void alert(Agent concerned, ServerMessage.Alert alert) {
        fanout.toConsole(concerned, alert);
        for (Agent agent : account.agents.values()) {
            if (agent.supervisor && agent != concerned) {
                fanout.toConsole(agent, alert);
            }
        }
    }

    // --- Availability ------------------------------------------------------------------------------------------------

    /**
     * Sets an agent's availability: everyone is told, assignment may follow; set away by the server ({@code reason}:
     * {@code missed_offers}, {@code auto_away}), the agent and the supervisors are told why; away with conversations
     * open, they are reminded (and the supervisors see it).
     */
    void availability(Agent agent, StatusIs is, String reason, Integer count) {
        boolean wasAvailable = agent.availability == StatusIs.AVAILABLE;
        agent.availability = is;
        fanout.announceAvailability(agent);
        turn.capacityChanged(agent);
        if (is != StatusIs.AVAILABLE) {
            wentAway.accept(agent);
        } else if (agent.hidden && agent.autoAway == null) {
            // Back to available with the page still hidden: the idle clock starts again.
            agent.idleSince = clock.now();
            armAutoAway(agent, autoAwayMs(agent));
        }
        if (reason != null) {
            alert(agent, new ServerMessage.Alert(reason, agent.user, null, null, count));
        }
        if (wasAvailable && is == StatusIs.AWAY && !agent.rooms.isEmpty()) {
            alert(agent, new ServerMessage.Alert("away_with_rooms", agent.user, null, null, agent.rooms.size()));
        }
    }

    /**
     * The console says whether its page is hidden. Hidden and idle (no request but pings since) for the shortest
     * {@code auto_away_seconds} of the agent's groups, an available agent is set away.
     */
    void activity(Agent agent, boolean hidden) {
        agent.hidden = hidden;
        agent.idleSince = clock.now();
        if (agent.autoAway != null) {
            agent.autoAway.cancel();
            agent.autoAway = null;
        }
        if (hidden) {
            armAutoAway(agent, autoAwayMs(agent));
        }
    }

    /** An agent signed in or came back: their page is in view until the console says otherwise. */
    void back(Agent agent) {
        activity(agent, false);
    }

    /** An agent is gone for good (signed out, or their grace ran out): nothing of their day is kept. */
    void gone(Agent agent) {
        activity(agent, false);
        agent.missedOffers = 0;
    }

    /** The agent did something (a request other than a ping): not idle. */
    void active(Agent agent) {
        agent.idleSince = clock.now();
    }

    private void armAutoAway(Agent agent, long ms) {
        if (ms <= 0) {
            return;
        }
        agent.autoAway = clock.schedule(ms, () -> {
            agent.autoAway = null;
            if (!agent.hidden || agent.availability != StatusIs.AVAILABLE) {
                return;
            }
            long idle = clock.now() - agent.idleSince;
            if (idle < ms) {
                armAutoAway(agent, ms - idle);
                return;
            }
            availability(agent, StatusIs.AWAY, "auto_away", null);
        });
    }

    private static long autoAwayMs(Agent agent) {
        long shortest = 0;
        for (Group group : agent.groups) {
            long seconds = group.workspace.autoAwaySeconds();
            if (seconds > 0 && (shortest == 0 || seconds < shortest)) {
                shortest = seconds;
            }
        }
        return shortest * 1000;
    }

    // --- Context -----------------------------------------------------------------------------------------------------

    /** What an agent of the room (or a supervisor) should know of its guest. */
    ServerMessage.Context context(Agent agent, Room room) {
        if (!room.pastMembers.contains(agent) && !agent.supervisor) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "room: " + room.id + " (expected: a room you are or were "
                    + "in)");
        }
        Reservation reservation = room.reservation;
        List<ServerMessage.TimelineEntry> timeline = new ArrayList<>(room.timeline.size() + 1);
        timeline.add(new ServerMessage.TimelineEntry(room.openedAt - reservation.waitedMs, "queued", null));
        timeline.addAll(room.timeline);
        return new ServerMessage.Context(room.id, reservation.group.name, reservation.guestView(), reservation.waitedMs / 1000,
                earlier(reservation), timeline);
    }

    /** The guest's earlier conversations: same {@code external_user_id}, or the email address they answered from. */
    private List<ServerMessage.EarlierConversation> earlier(Reservation current) {
        String identity = identity(current);
        if (identity == null) {
            return List.of();
        }
        List<Room> found = new ArrayList<>();
        for (Room room : account.roomsByGuest.getOrDefault(identity, java.util.Set.of())) {
            if (room.reservation != current) {
                found.add(room);
            }
        }
        found.sort(Comparator.comparingLong((Room room) -> room.openedAt).reversed());
        List<ServerMessage.EarlierConversation> earlier = new ArrayList<>();
        for (Room room : found.subList(0, Math.min(EARLIER_MAX, found.size()))) {
            earlier.add(new ServerMessage.EarlierConversation(room.id, room.openedAt, room.agent.user,
                    Names.cut(room.reservation.question, Names.SNAPSHOT_QUESTION_MAX)));
        }
        return earlier;
    }

    /** Who the guest is known to be: their {@code external_user_id}, or an email address they answered from. */
    static String identity(Reservation reservation) {
        if (reservation.externalUserId != null) {
            return "user:" + reservation.externalUserId;
        }
        if (reservation.email != null && !reservation.inbound.isEmpty()) {
            return "email:" + reservation.email.toLowerCase(java.util.Locale.ROOT);
        }
        return null;
    }
}
