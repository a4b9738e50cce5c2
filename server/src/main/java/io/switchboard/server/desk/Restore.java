package io.switchboard.server.desk;

import io.switchboard.protocol.Role;
import io.switchboard.protocol.StatusIs;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds one account's desk state again from what was stored ({@link Desk#restore}): groups and agents come from the
 * configuration; everything else from the account's rows (rows of other accounts are not its business and are
 * skipped). Desk thread only, before the desk serves anything.
 */
final class Restore {
    private static final Logger log = LoggerFactory.getLogger(Restore.class);

    private final Account account;
    private final Sessions owner;
    private final Map<String, Session> sessions;
    private final Map<String, Reservation> reservations;
    private final Assignment assignment;
    private final Retention retention;
    private final Rooms rooms;
    private final DeskClock clock;

    Restore(Account account, Sessions owner, Map<String, Reservation> reservations, Assignment assignment,
            Retention retention, Rooms rooms, DeskClock clock) {
        this.account = account;
        this.owner = owner;
        this.sessions = owner.byDigest;
        this.reservations = reservations;
        this.assignment = assignment;
        this.retention = retention;
        this.rooms = rooms;
        this.clock = clock;
    }

    void apply(Stored.State state) {
        long started = System.nanoTime();
        long now = clock.now();
        for (Stored.GroupRow row : state.groups()) {
            Group group = storedGroup(row.account(), row.name(), "group history");
            if (group != null) {
                group.restore(row);
            }
        }
        Map<String, Stored.SessionRow> sessionRows = new HashMap<>();
        state.sessions().forEach(row -> sessionRows.put(row.key(), row));
        for (Stored.AgentRow row : state.agents()) {
            if (!row.account().equals(account.id)) {
                continue;
            }
            Agent agent = account.agents.get(row.user());
            if (agent == null) {
                log.warn("restore: agent {}/{} is no longer configured; skipped", row.account(), row.user());
                continue;
            }
            agent.availability = StatusIs.valueOf(row.availability());
            agent.limit = row.limit();
            agent.lastAssignedAt = row.lastAssignedAt();
            for (String name : row.recentGroups()) {
                Group group = account.groups.get(name);
                if (group != null) {
                    agent.recentGroups.addLast(group);
                }
            }
            Stored.SessionRow sessionRow = row.session() == null ? null : sessionRows.get(row.session());
            if (sessionRow != null) {
                Session session = new Session(Role.valueOf(sessionRow.role()), account, agent, null,
                        sessionRow.digest());
                agent.session = session;
                resumable(session, sessionRow);
            }
        }
        long highestTicket = 0;
        Map<String, Stored.ReservationRow> reservationRows = new HashMap<>();
        for (Stored.ReservationRow row : state.reservations()) {
            Group group = storedGroup(row.account(), row.group(), "reservation " + row.sid());
            if (group == null) {
                continue;
            }
            Reservation reservation = new Reservation(row.sid(), group, row.user(), row.question(), row.details(),
                    row.externalUserId(), row.priority(), row.reserveForSeconds(), row.byEmail());
            reservation.email = row.email();
            reservation.mailToken = row.mailToken();
            reservation.push = row.push();
            reservation.inbound.addAll(row.inbound());
            if (reservation.mailToken != null) {
                account.byMailToken.put(reservation.mailToken, reservation);
            }
            reservation.ticket = row.ticket();
            reservation.front = row.front();
            reservation.enqueuedAt = row.enqueuedAt();
            reservation.waitedMs = row.waitedMs();
            reservation.restoreStatus(row.status());
            reservation.version = Math.max(row.version() + 1, now);
            reservation.reservedUntil = row.reservedUntil();
            reservation.forgetAt = row.forgetAt();
            reservation.storedRow = row;
            if (row.session() != null) {
                Stored.SessionRow sessionRow = sessionRows.get(row.session());
                Session session = new Session(Role.GUEST, group.account, null, reservation,
                        sessionRow == null ? null : sessionRow.digest());
                reservation.session = session;
                if (sessionRow != null) {
                    resumable(session, sessionRow);
                } else {
                    session.ended = true;
                }
            }
            if (row.matchedAgent() != null) {
                reservation.matchedAgent = group.account.agents.get(row.matchedAgent());
            }
            reservations.put(reservation.sid, reservation);
            reservationRows.put(reservation.sid, row);
            if (reservation.externalUserId != null) {
                Reservation newest = group.account.byExternalUser.get(reservation.externalUserId);
                if (newest == null || newest.ticket < reservation.ticket) {
                    group.account.byExternalUser.put(reservation.externalUserId, reservation);
                }
            }
            if (reservation.isWaiting()) {
                (reservation.byEmail ? group.messages : group.queue).add(reservation);
            }
            highestTicket = Math.max(highestTicket, reservation.ticket);
        }
        assignment.restoreTickets(highestTicket);
        Map<String, Room> roomsById = new HashMap<>();
        long messages = 0;
        List<Stored.RoomRow> roomRows = new ArrayList<>(state.rooms());
        roomRows.sort(java.util.Comparator.comparingLong(Stored.RoomRow::openedAt));
        for (Stored.RoomRow row : roomRows) {
            if (!row.account().equals(account.id)) {
                continue;
            }
            Reservation reservation = reservations.get(row.reservation());
            Agent agent = reservation == null ? null : reservation.account.agents.get(row.agent());
            if (agent == null) {
                log.warn("restore: room {} names a reservation or agent that is gone; skipped", row.id());
                continue;
            }
            Room room = new Room(row.id(), reservation, agent, row.openedAt());
            room.open = row.open();
            room.forgetAt = row.forgetAt();
            room.timeline.addAll(row.timeline());
            room.unansweredSince = row.unansweredSince();
            for (String user : row.pastMembers()) {
                Agent member = reservation.account.agents.get(user);
                if (member != null) {
                    room.pastMembers.add(member);
                }
            }
            account.rooms.put(room.id, room);
            account.indexRoom(room);
            roomsById.put(room.id, room);
            if (room.id.equals(reservationRows.get(reservation.sid).room())) {
                reservation.room = room;
            }
            if (room.id.equals(reservationRows.get(reservation.sid).previousRoom())) {
                reservation.previousRoom = room;
            }
            if (room.open) {
                account.openRooms.put(room.id, room);
                agent.rooms.add(room);
                for (String user : row.supervisors()) {
                    Agent supervisor = account.agents.get(user);
                    if (supervisor != null) {
                        room.supervisors.add(supervisor);
                        supervisor.joinedRooms.add(room);
                        if (row.silent().contains(user)) {
                            room.silent.add(supervisor);
                        }
                    }
                }
                rooms.load(room);
                messages += room.lastSeq;
            } else {
                room.transcriptStored = true;
                if (room.forgetAt > 0) {
                    retention.armRoom(room);
                }
            }
        }
        List<Reservation> byMatch = new ArrayList<>(reservations.values());
        byMatch.sort(java.util.Comparator.comparingLong(r -> r.reservedUntil - r.reserveForSeconds * 1000L));
        for (Reservation reservation : byMatch) {
            if (reservation.status() == ReservationStatus.MATCHED && reservation.room == null
                    && reservation.matchedAgent != null) {
                assignment.holdUntilReserved(reservation);
            }
            if (reservation.forgetAt > 0) {
                retention.armReservation(reservation);
            }
        }
        java.util.Set<Session> resumable = new java.util.LinkedHashSet<>(sessions.values());
        for (Session session : resumable) {
            session.graceTimer = clock.schedule(owner.graceOf(session), () -> owner.graceOver(session));
        }
        log.info("{}: restored {} reservations ({} waiting), {} rooms ({} open, with {} messages; ended rooms' "
                        + "transcripts are read when asked for), {} resumable sessions in {} ms", account.id,
                reservations.size(),
                reservations.values().stream().filter(Reservation::isWaiting).count(), roomsById.size(),
                roomsById.values().stream().filter(room -> room.open).count(), messages, resumable.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    /** A stored session can be resumed with its token, or with the one before it if that still worked. */
    private void resumable(Session session, Stored.SessionRow row) {
        session.previousDigest = row.previous();
        sessions.put(session.digest, session);
        if (row.previous() != null) {
            sessions.put(row.previous(), session);
        }
    }

    private Group storedGroup(String accountId, String name, String what) {
        if (!accountId.equals(account.id)) {
            return null;
        }
        Group group = account.groups.get(name);
        if (group == null) {
            log.warn("restore: {} is in group {}/{}, which is no longer configured; skipped", what, accountId, name);
        }
        return group;
    }
}
