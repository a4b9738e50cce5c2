package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.config.Secrets;
import io.switchboard.server.config.ServerConfig;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A tenant: its groups, agents and rooms. Nothing of one account reaches another. Desk thread only. */
final class Account {
    final String id;
    final Map<String, Group> groups = new LinkedHashMap<>();
    final Map<String, Agent> agents = new LinkedHashMap<>();
    /** Open rooms in the order they opened; the snapshot lists them in that order. */
    final Map<String, Room> openRooms = new LinkedHashMap<>();
    /** Open and ended rooms (ended ones until their transcript retention runs out). */
    final Map<String, Room> rooms = new HashMap<>();
    /** REST reservations by their caller's {@code external_user_id}: the newest of each. */
    final Map<String, Reservation> byExternalUser = new HashMap<>();
    /** Conversations by the token of their emails (reply-to addresses, links). */
    final Map<String, Reservation> byMailToken = new HashMap<>();
    /** The agents' names as they look ({@link Names#fold}): no guest may take one of them. */
    final Set<String> agentNames = new java.util.HashSet<>();
    /** Rooms the desk still keeps by their guest's identity ({@link Workspace#identity}): earlier conversations. */
    final Map<String, java.util.Set<Room>> roomsByGuest = new HashMap<>();
    /** Canned replies by id: the account's ({@code owner} null) and each agent's own. */
    final Map<String, Stored.ReplyRow> replies = new LinkedHashMap<>();

    Account(String id) {
        this.id = id;
    }

    /** The account as configured: its groups (with their queue limits), its agents with their groups and limits. */
    static Account configured(ServerConfig config, ServerConfig.AccountConfig accountConfig) {
        Account account = new Account(accountConfig.id());
        for (ServerConfig.GroupConfig groupConfig : accountConfig.groups()) {
            Group group = new Group(account, groupConfig.name(), groupConfig.routing(),
                    config.maxQueueLength(groupConfig), io.switchboard.server.config.BusinessHours.of(
                            groupConfig.hours()), groupConfig.busyAfterSeconds(), groupConfig.replyWithinSeconds());
            group.workspace = groupConfig;
            account.groups.put(groupConfig.name(), group);
        }
        for (ServerConfig.AgentConfig agentConfig : accountConfig.agents()) {
            Agent agent = new Agent(account, agentConfig.user(), agentConfig.supervisor(), agentConfig.limit());
            agent.schedule = agentConfig.schedule() == null ? null
                    : io.switchboard.server.config.BusinessHours.of(agentConfig.schedule());
            agent.tokenDigest = Secrets.digest(agentConfig.token());
            account.agents.put(agent.user, agent);
            account.agentNames.add(Names.fold(agent.user));
            List<String> groupNames = agentConfig.groups() == null
                    ? List.copyOf(account.groups.keySet()) : agentConfig.groups();
            for (String groupName : groupNames) {
                Group group = account.groups.get(groupName);
                agent.groups.add(group);
                group.agents.add(agent);
            }
        }
        return account;
    }

    /** Keeps a room under its guest's identity, if they have one (a room opened or restored). */
    void indexRoom(Room room) {
        room.identity = Workspace.identity(room.reservation);
        if (room.identity != null) {
            roomsByGuest.computeIfAbsent(room.identity, key -> new java.util.LinkedHashSet<>()).add(room);
        }
    }

    /** The room is forgotten: out of the index. */
    void unindexRoom(Room room) {
        java.util.Set<Room> rooms = room.identity == null ? null : roomsByGuest.get(room.identity);
        if (rooms != null && rooms.remove(room) && rooms.isEmpty()) {
            roomsByGuest.remove(room.identity);
        }
    }

    /** The group a request names (the default one when it names none), or {@code invalid_field}. */
    Group group(String name) {
        String groupName = name == null ? Desk.DEFAULT_GROUP : name;
        Group group = groups.get(groupName);
        if (group == null) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "group: " + groupName + " (expected: one of "
                    + groups.keySet() + ")");
        }
        return group;
    }

    /** The agent a request names, or {@code unknown_agent}. */
    Agent agent(String user) {
        Agent agent = agents.get(user);
        if (agent == null) {
            throw new DeskException(ErrorCode.UNKNOWN_AGENT, "agent: " + user + " (expected: an agent of this account)");
        }
        return agent;
    }

    /** The group of a REST path, or 404. */
    Group restGroup(String groupName) {
        Group group = groups.get(groupName);
        if (group == null) {
            throw DeskException.missing("group: " + groupName + " (expected: a group of account " + id + ")");
        }
        return group;
    }
}
