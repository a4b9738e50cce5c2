package io.switchboard.server.store;

import io.switchboard.protocol.Role;
import io.switchboard.server.desk.DeskException;
import io.switchboard.server.desk.Stored;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads rooms' messages for the desk, on the desk's thread and its own connection (SQLite lets it read beside the
 * writer; it reads what was committed). A room's rows are in {@code messages} (one range) and, for a room in {@link
 * MessageLog#unmoved}, its newest ones may still be in the log only: then the log is read too, in the same read
 * transaction, and the two are merged by seq. A read that fails drops the connection, so the next one starts afresh,
 * and is refused as {@link DeskException#storageUnavailable storage unavailable}. Desk thread only.
 */
final class TranscriptReader implements AutoCloseable {
    private static final String COLUMNS = "SELECT seq, user, role, body, sent, private FROM ";
    private final Path file;
    private final Set<String> unmoved;
    private Connection connection;
    private PreparedStatement after;
    private PreparedStatement last;
    private PreparedStatement logged;

    TranscriptReader(Path file, Set<String> unmoved) {
        this.file = file;
        this.unmoved = unmoved;
    }

    /** At most {@code limit} messages of a room with seq greater than {@code afterSeq}, in order. */
    List<Stored.MessageRow> after(String room, long afterSeq, int limit) {
        boolean inLog = unmoved.contains(room);
        try {
            open();
            after.setString(1, room);
            after.setLong(2, afterSeq);
            after.setInt(3, limit);
            List<Stored.MessageRow> rows = rows(room, after);
            if (inLog && rows.size() < limit) {
                rows = withLog(room, afterSeq, rows);
                rows = rows.subList(0, Math.min(limit, rows.size()));
            }
            connection.commit();
            return rows;
        } catch (SQLException e) {
            throw failed(room, e);
        }
    }

    /** The last {@code limit} messages of a room, in seq order. */
    List<Stored.MessageRow> tail(String room, int limit) {
        boolean inLog = unmoved.contains(room);
        try {
            open();
            last.setString(1, room);
            last.setInt(2, limit);
            List<Stored.MessageRow> rows = rows(room, last);
            Collections.reverse(rows);
            if (inLog) {
                rows = withLog(room, 0, rows);
                rows = rows.subList(Math.max(0, rows.size() - limit), rows.size());
            }
            connection.commit();
            return rows;
        } catch (SQLException e) {
            throw failed(room, e);
        }
    }

    /**
     * {@code rows} with the room's rows in the log after a seq, in seq order, each seq once (a row being moved is in
     * both). The log holds the newest few seconds and has no index by room.
     */
    private List<Stored.MessageRow> withLog(String room, long afterSeq, List<Stored.MessageRow> rows)
            throws SQLException {
        logged.setString(1, room);
        logged.setLong(2, afterSeq);
        TreeMap<Long, Stored.MessageRow> merged = new TreeMap<>();
        for (Stored.MessageRow row : rows(room, logged)) {
            merged.put(row.seq(), row);
        }
        rows.forEach(row -> merged.put(row.seq(), row));
        return new ArrayList<>(merged.values());
    }

    private void open() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            // One read transaction per read, so the messages table and the log are seen at one moment.
            connection.setAutoCommit(false);
            after = connection.prepareStatement(COLUMNS + "messages WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?");
            last = connection.prepareStatement(COLUMNS + "messages WHERE room = ? ORDER BY seq DESC LIMIT ?");
            logged = connection.prepareStatement(COLUMNS + "message_log WHERE room = ? AND seq > ?");
        }
    }

    private static List<Stored.MessageRow> rows(String room, PreparedStatement query) throws SQLException {
        List<Stored.MessageRow> rows = new ArrayList<>();
        try (ResultSet result = query.executeQuery()) {
            while (result.next()) {
                String role = result.getString(3);
                rows.add(new Stored.MessageRow(room, result.getLong(1), result.getString(2),
                        role == null ? Role.AGENT : Role.valueOf(role), result.getString(4), result.getLong(5),
                        result.getInt(6) != 0));
            }
        }
        return rows;
    }

    private DeskException failed(String room, SQLException e) {
        close();
        return DeskException.storageUnavailable("storage is unavailable: the messages of room " + room
                + " cannot be read now (" + e.getMessage() + "); try again shortly");
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // Dropped either way.
            }
            connection = null;
        }
    }
}
