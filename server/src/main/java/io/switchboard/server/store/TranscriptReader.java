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

/**
 * Reads rooms' messages for the desk, on the desk's thread and its own connection (SQLite lets it read beside the
 * writer; it reads what was committed). A read that fails drops the connection, so the next one starts afresh, and
 * is refused as {@link DeskException#storageUnavailable storage unavailable}. Desk thread only.
 */
final class TranscriptReader implements AutoCloseable {
    private final Path file;
    private Connection connection;
    private PreparedStatement after;
    private PreparedStatement last;

    TranscriptReader(Path file) {
        this.file = file;
    }

    /** At most {@code limit} messages of a room with seq greater than {@code afterSeq}, in order. */
    List<Stored.MessageRow> after(String room, long afterSeq, int limit) {
        try {
            open();
            after.setString(1, room);
            after.setLong(2, afterSeq);
            after.setInt(3, limit);
            return rows(room, after);
        } catch (SQLException e) {
            throw failed(room, e);
        }
    }

    /** The last {@code limit} messages of a room, in seq order. */
    List<Stored.MessageRow> tail(String room, int limit) {
        try {
            open();
            last.setString(1, room);
            last.setInt(2, limit);
            List<Stored.MessageRow> rows = rows(room, last);
            Collections.reverse(rows);
            return rows;
        } catch (SQLException e) {
            throw failed(room, e);
        }
    }

    private void open() throws SQLException {
        if (connection == null) {
            connection = DriverManager.getConnection("jdbc:sqlite:" + file);
            after = connection.prepareStatement("SELECT seq, user, role, body, sent, private FROM messages "
                    + "WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?");
            last = connection.prepareStatement("SELECT seq, user, role, body, sent, private FROM messages "
                    + "WHERE room = ? ORDER BY seq DESC LIMIT ?");
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
