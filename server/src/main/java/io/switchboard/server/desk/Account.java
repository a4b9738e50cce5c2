package io.switchboard.server.desk;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

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
    /** The agents' names as they look ({@link Names#fold}): no guest may take one of them. */
    final java.util.Set<String> agentNames = new java.util.HashSet<>();

    Account(String id) {
        this.id = id;
    }
}
