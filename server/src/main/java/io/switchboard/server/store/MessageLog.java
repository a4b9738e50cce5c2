package io.switchboard.server.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where messages are written, so that a commit touches few pages: every commit appends its messages to {@code
 * message_log} in id order (the pages fill in sequence, one or two per commit, whatever the number of rooms), and
 * moves a room's rows into {@code messages} (keyed by room and seq, so a transcript is one range) only once it has
 * {@value #FOLD_ROWS} of them, when the room ends, or when its oldest row is {@value #MAX_LAG_ROWS} rows behind: then
 * a page of {@code messages} takes many rows at once instead of one per commit. Rows below the oldest one not moved are
 * deleted from the log in ranges. Each commit moves at most {@value #MAX_MOVE_ROWS} rows more than it appended and
 * deletes at most {@value #MAX_TRUNCATE_ROWS} more, so no commit grows long and the log stays small whatever the
 * traffic.
 *
 * <p>Everything here is the writer thread's, except {@link #unmoved}: the rooms that may have rows in the log only. A
 * room enters it when a row is written and leaves it only after the commit that moved it, so a reader that finds a room
 * absent before it starts reading finds all of its rows in {@code messages}. After a failed commit the state is read
 * back from the database ({@link #rebuild}); at start everything is moved ({@link #foldAll}).
 */
final class MessageLog {
    static final int FOLD_ROWS = 32;
    static final int MAX_LAG_ROWS = 16_384;
    static final int MAX_MOVE_ROWS = 512;
    static final int MAX_TRUNCATE_ROWS = 8_192;

    static final String CREATE = "CREATE TABLE message_log (id INTEGER PRIMARY KEY, room TEXT NOT NULL, "
            + "seq INTEGER NOT NULL, user TEXT NOT NULL, body TEXT NOT NULL, sent INTEGER NOT NULL, role TEXT, "
            + "private INTEGER NOT NULL DEFAULT 0)";
    static final String INSERT = "INSERT INTO message_log (id, room, seq, user, body, sent, role, private) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    static final String MOVE = "INSERT OR REPLACE INTO messages (room, seq, user, body, sent, role, private) "
            + "SELECT room, seq, user, body, sent, role, private FROM message_log WHERE id = ?";
    static final String DELETE_ROW = "DELETE FROM message_log WHERE id = ?";
    static final String TRUNCATE = "DELETE FROM message_log WHERE id >= ? AND id < ?";

    /** The rooms that may have rows in the log only; readers look there too for them. Any thread. */
    final Set<String> unmoved = ConcurrentHashMap.newKeySet();

    private long nextId = 1;
    /** Rows with a smaller id are gone from the log. */
    private long keptFrom = 1;
    /** Each room's rows not moved yet, by id in order. */
    private final Map<String, List<Long>> pending = new HashMap<>();
    /** Rooms by the id of their oldest row not moved. */
    private final TreeMap<Long, String> byOldest = new TreeMap<>();
    /** Rooms to move in the next commit: enough rows, or ended. */
    private final Set<String> ready = new LinkedHashSet<>();
    /** Rooms moved in the commit being written (leave {@link #unmoved} once it is durable). */
    private final List<String> movedNow = new ArrayList<>();
    /** Rows appended in the commit being written. */
    private int appendedNow;
    /** The sum of {@link #pending}'s sizes. */
    private int pendingRows;

    /** Moves every row of an existing room into {@code messages} and empties the log (at start, before anything). */
    static int foldAll(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            int moved = statement.executeUpdate("INSERT OR REPLACE INTO messages (room, seq, user, body, sent, role, "
                    + "private) SELECT room, seq, user, body, sent, role, private FROM message_log "
                    + "WHERE room IN (SELECT id FROM rooms) ORDER BY room, seq");
            statement.executeUpdate("DELETE FROM message_log");
            db.commit();
            return moved;
        }
    }

    /** The next message's id (it is appended in this commit). */
    long append(String room) {
        long id = nextId++;
        appendedNow++;
        List<Long> ids = pending.get(room);
        if (ids == null) {
            ids = new ArrayList<>(FOLD_ROWS);
            pending.put(room, ids);
            byOldest.put(id, room);
            unmoved.add(room);
        }
        ids.add(id);
        pendingRows++;
        if (ids.size() >= FOLD_ROWS) {
            ready.add(room);
        }
        return id;
    }

    /** A room that ended: its rows, this commit's too, move in this commit, so an ended transcript is one range. */
    void ended(String room) {
        ready.add(room);
    }

    /** A room forgotten (retention): its rows not moved yet are deleted (those moved go with the log's range). */
    void forget(String room, PreparedStatement deleteRow) throws SQLException {
        List<Long> ids = pending.remove(room);
        ready.remove(room);
        if (ids == null) {
            return;
        }
        byOldest.remove(ids.get(0));
        pendingRows -= ids.size();
        for (long id : ids) {
            deleteRow.setLong(1, id);
            deleteRow.addBatch();
        }
        deleteRow.executeBatch();
        movedNow.add(room);
    }

    /**
     * The commit's moves and deletions, after its messages are in the log: ready rooms and rooms fallen behind, up to
     * {@value #MAX_MOVE_ROWS} rows, then the range of the log that no room needs any more.
     */
    void fold(PreparedStatement move, PreparedStatement truncate) throws SQLException {
        int budget = MAX_MOVE_ROWS + appendedNow;
        int rows = 0;
        for (var it = ready.iterator(); it.hasNext() && rows < budget; ) {
            rows += move(it.next(), move);
            it.remove();
        }
        while (rows < budget && !byOldest.isEmpty() && byOldest.firstKey() < nextId - MAX_LAG_ROWS) {
            String room = byOldest.firstEntry().getValue();
            ready.remove(room);
            rows += move(room, move);
        }
        if (rows > 0) {
            move.executeBatch();
        }
        long keepFrom = Math.min(byOldest.isEmpty() ? nextId : byOldest.firstKey(),
                keptFrom + MAX_TRUNCATE_ROWS + appendedNow);
        appendedNow = 0;
        if (keepFrom > keptFrom) {
            truncate.setLong(1, keptFrom);
            truncate.setLong(2, keepFrom);
            truncate.executeUpdate();
            keptFrom = keepFrom;
        }
    }

    private int move(String room, PreparedStatement move) throws SQLException {
        List<Long> ids = pending.remove(room);
        if (ids == null) {
            return 0;
        }
        byOldest.remove(ids.get(0));
        pendingRows -= ids.size();
        for (long id : ids) {
            move.setLong(1, id);
            move.addBatch();
        }
        movedNow.add(room);
        return ids.size();
    }

    /** The commit that holds the moves is durable: readers find those rooms in {@code messages} alone. */
    void committed() {
        for (String room : movedNow) {
            if (!pending.containsKey(room)) {
                unmoved.remove(room);
            }
        }
        movedNow.clear();
    }

    /**
     * Reads the state back from the database after a failed commit (whose changes SQLite rolled back): the rows of
     * existing rooms not in {@code messages} yet are pending again; the rest of the log goes with its range.
     */
    void rebuild(Connection db) throws SQLException {
        pending.clear();
        byOldest.clear();
        ready.clear();
        movedNow.clear();
        appendedNow = 0;
        pendingRows = 0;
        try (Statement statement = db.createStatement()) {
            try (ResultSet bounds = statement.executeQuery("SELECT min(id), max(id) FROM message_log")) {
                long min = bounds.getLong(1);
                long max = bounds.getLong(2);
                keptFrom = bounds.wasNull() ? 1 : min;
                nextId = bounds.wasNull() ? 1 : max + 1;
            }
            try (ResultSet rows = statement.executeQuery("SELECT l.id, l.room FROM message_log l "
                    + "WHERE l.room IN (SELECT id FROM rooms) AND NOT EXISTS (SELECT 1 FROM messages m "
                    + "WHERE m.room = l.room AND m.seq = l.seq) ORDER BY l.id")) {
                while (rows.next()) {
                    String room = rows.getString(2);
                    long id = rows.getLong(1);
                    List<Long> ids = pending.computeIfAbsent(room, key -> new ArrayList<>(FOLD_ROWS));
                    if (ids.isEmpty()) {
                        byOldest.put(id, room);
                        unmoved.add(room);
                    }
                    ids.add(id);
                    pendingRows++;
                }
            }
        }
    }

    /** Rows of existing rooms waiting in the log to be moved (metrics, tests). */
    int pendingRows() {
        return pendingRows;
    }
}
