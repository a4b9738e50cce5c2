package io.switchboard.server.desk;

import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.protocol.UpdateDetails;
import java.util.List;

/** Who hears what: every message of the desk leaves through here, to exactly the recipients the contract names. */
final class Fanout {
    private final Outbox outbox;

    Fanout(Outbox outbox) {
        this.outbox = outbox;
    }

    /** To a connection that may have no session yet. Desk thread only. */
    void send(Connection connection, ServerMessage message) {
        outbox.send(connection, message);
    }

    /** To a session's connection, if it has one now. Desk thread only. */
    void send(Session session, ServerMessage message) {
        if (session != null && session.connection != null) {
            outbox.send(session.connection, message);
        }
    }

    void close(Connection connection, int status, String reason) {
        outbox.close(connection, status, reason);
    }

    /** To every signed-in agent of the account. Desk thread only. */
    void toAgents(Account account, ServerMessage message) {
        for (Agent agent : account.agents.values()) {
            send(agent.session, message);
        }
    }

    /** To every agent's console of the account (sessions that signed in as a console). Desk thread only. */
    void toConsoles(Account account, ServerMessage message) {
        for (Agent agent : account.agents.values()) {
            if (agent.session != null && agent.session.console) {
                send(agent.session, message);
            }
        }
    }

    /** To an agent's console, if they have one now. Desk thread only. */
    void toConsole(Agent agent, ServerMessage message) {
        if (agent.session != null && agent.session.console) {
            send(agent.session, message);
        }
    }

    /** To every member of the room. Desk thread only. */
    void toRoom(Room room, ServerMessage message) {
        toRoomExcept(room, null, message);
    }

    /** To the room's agent and the supervisors in it, never its guest (a note). Desk thread only. */
    void toRoomAgents(Room room, ServerMessage message) {
        toRoomAgentsExcept(room, null, message);
    }

    /** The same but to one of them (what that one did). Desk thread only. */
    void toRoomAgentsExcept(Room room, Session except, ServerMessage message) {
        if (room.agent.session != except) {
            send(room.agent.session, message);
        }
        for (Agent supervisor : room.supervisors) {
            if (supervisor.session != except) {
                send(supervisor.session, message);
            }
        }
    }

    /** What a supervisor does in a room: to every member, or only the agents while the supervisor is silent there. */
    void toRoomFrom(Room room, Agent from, ServerMessage message) {
        if (room.silent.contains(from)) {
            toRoomAgents(room, message);
        } else {
            toRoom(room, message);
        }
    }

    /** To every member of the room but one. Desk thread only. */
    void toRoomExcept(Room room, Session except, ServerMessage message) {
        Session guest = room.reservation.session;
        if (guest != except) {
            send(guest, message);
        }
        if (room.agent.session != except) {
            send(room.agent.session, message);
        }
        for (Agent supervisor : room.supervisors) {
            if (supervisor.session != except) {
                send(supervisor.session, message);
            }
        }
    }

    /** An agent's availability for new guests ({@code room} null). */
    static ServerMessage.Status availability(Agent agent, StatusIs is) {
        return new ServerMessage.Status(null, agent.user, agent.role(), StatusOf.AVAILABILITY, is);
    }

    /** Someone's presence in a room (contract §5.1: with that room's id): dropped out ({@code away}) or back. */
    static ServerMessage.Status presence(Room room, Session session, StatusIs is) {
        return new ServerMessage.Status(room.id, session.user(), session.role, StatusOf.AVAILABILITY, is);
    }

    /** An agent's visible availability: to the account's agents and the guests of the agent's rooms. */
    void announceAvailability(Agent agent) {
        ServerMessage status = availability(agent, agent.visibleAvailability());
        toAgents(agent.account, status);
        for (Room room : agent.rooms) {
            send(room.reservation.session, status);
        }
    }

    /** Tells the account's agents an agent's visible availability, if it is not what it was. */
    void announceToAgentsIfChanged(Agent agent, StatusIs before) {
        if (agent.visibleAvailability() != before) {
            toAgents(agent.account, availability(agent, agent.visibleAvailability()));
        }
    }

    /**
     * Tells the other members of an agent's rooms that the agent dropped out ({@code away}) or is back ({@code
     * available}): presence in a room, with the room's id, whatever the agent's availability for new guests.
     */
    void roomPresence(Agent agent, StatusIs is) {
        for (Room room : agent.rooms) {
            toRoomExcept(room, agent.session, presence(room, agent.session, is));
        }
    }

    /** Tells the account's agents when an agent becomes free or stops being free. Desk thread only. */
    void announceFree(Agent agent) {
        boolean free = agent.isFree();
        if (free != agent.announcedFree) {
            agent.announcedFree = free;
            toAgents(agent.account, new ServerMessage.Update(List.of(agent.user),
                    free ? UpdateDetails.AVAILABLE : UpdateDetails.UNAVAILABLE));
        }
    }
}
