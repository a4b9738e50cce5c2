package io.switchboard.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.server.config.Durability;
import io.switchboard.server.desk.Journal;
import io.switchboard.server.desk.Stored;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desk's state on disk: one SQLite database in WAL mode under {@code data_dir}. The desk hands over each turn's
 * changes ({@link #write}, which never blocks); one writer thread commits everything that has arrived in one
 * transaction (group commit) and then releases what waited for it ({@link Commits}). {@code fsync} durability syncs
 * every commit ({@code synchronous=FULL}); {@code process} lets the operating system write it ({@code
 * synchronous=NORMAL}: a commit survives the process, and the database stays whole on power loss, losing the last
 * commits).
 *
 * <p>Rows are JSON in a key-value table per kind, but messages, which are most of the data and only appended, have
 * their own columns, keyed by room and seq so a room's transcript is one range.
 */
public final class SqliteStore implements Journal, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    /** The format this server reads and writes ({@code PRAGMA user_version}). */
    public static final int FORMAT_VERSION = 1;
    static final String FILE = "switchboard.db";
    static final String LOCK = "switchboard.lock";
    private static final int MAX_BATCHES_PER_COMMIT = 10_000;
    private static final long RETRY_MS = 1_000;

    private static final String[] SCHEMA = {
        "CREATE TABLE reservations (sid TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE rooms (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE messages (room TEXT NOT NULL, seq INTEGER NOT NULL, user TEXT NOT NULL, body TEXT NOT NULL, "
                + "sent INTEGER NOT NULL, PRIMARY KEY (room, seq)) WITHOUT ROWID",
        "CREATE TABLE agents (key TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE sessions (token TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID",
        "CREATE TABLE groups (key TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID",
    };

    private record Batch(long seq, Stored.Changes changes) {
    }

    private static final Batch STOP = new Batch(-1, null);

    /** What the server's metrics learn from the store. */
    public interface Metrics {
        Metrics NONE = (nanos, batches, rows) -> { };

        void committed(long nanos, int batches, int rows);
    }

    private final Path dir;
    /** Held for the store's life: one server per data directory. */
    private final FileChannel lock;
    private final Connection db;
    private final ObjectMapper json = new ObjectMapper();
    private final Commits commits;
    private final Metrics metrics;
    private final BlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final Thread writer;
    private volatile boolean failing;
    private final PreparedStatement putReservation;
    private final PreparedStatement deleteReservation;
    private final PreparedStatement putRoom;
    private final PreparedStatement deleteRoom;
    private final PreparedStatement deleteRoomMessages;
    private final PreparedStatement putMessage;
    private final PreparedStatement putAgent;
    private final PreparedStatement putSession;
    private final PreparedStatement deleteSession;
    private final PreparedStatement putGroup;
    /** The desk thread's connection for reading transcripts, opened at the first read. */
    private Connection reader;
    private boolean pendingMessages;
    private PreparedStatement readTranscript;

    private SqliteStore(Path dir, FileChannel lock, Connection db, Commits commits, Metrics metrics)
            throws SQLException {
        this.dir = dir;
        this.lock = lock;
        this.db = db;
        this.commits = commits;
        this.metrics = metrics;
        putReservation = db.prepareStatement("INSERT OR REPLACE INTO reservations VALUES (?, ?)");
        deleteReservation = db.prepareStatement("DELETE FROM reservations WHERE sid = ?");
        putRoom = db.prepareStatement("INSERT OR REPLACE INTO rooms VALUES (?, ?)");
        deleteRoom = db.prepareStatement("DELETE FROM rooms WHERE id = ?");
        deleteRoomMessages = db.prepareStatement("DELETE FROM messages WHERE room = ?");
        putMessage = db.prepareStatement("INSERT OR REPLACE INTO messages VALUES (?, ?, ?, ?, ?)");
        putAgent = db.prepareStatement("INSERT OR REPLACE INTO agents VALUES (?, ?)");
        putSession = db.prepareStatement("INSERT OR REPLACE INTO sessions VALUES (?, ?)");
        deleteSession = db.prepareStatement("DELETE FROM sessions WHERE token = ?");
        putGroup = db.prepareStatement("INSERT OR REPLACE INTO groups VALUES (?, ?)");
        writer = new Thread(this::writeLoop, "switchboard-store");
        writer.setDaemon(true);
    }

    /**
     * Opens (or creates) the store in {@code dir}. A log cut short by a crash is reported (SQLite keeps every whole
     * commit and drops the rest).
     *
     * @throws StoreException when the directory holds another format version, or cannot be opened
     */
    public static SqliteStore open(Path dir, Durability durability, Commits commits, Metrics metrics) {
        FileChannel lock = null;
        try {
            Files.createDirectories(dir);
            lock = lock(dir);
            Path file = dir.resolve(FILE);
            WalTail.Report wal = WalTail.read(dir.resolve(FILE + "-wal"));
            if (wal != null && wal.cut()) {
                log.warn("{}: the last write before the stop was not whole: cut {} bytes ({} frames) after the last "
                        + "good commit; {} committed frames are kept", dir, wal.cutBytes(), wal.cutFrames(),
                        wal.committedFrames());
            } else if (wal != null) {
                log.info("{}: recovering {} committed frames from the write-ahead log (the server did not stop "
                        + "cleanly)", dir, wal.committedFrames());
            }
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement statement = db.createStatement()) {
                statement.execute("PRAGMA journal_mode=WAL");
                statement.execute("PRAGMA synchronous=" + (durability == Durability.FSYNC ? "FULL" : "NORMAL"));
                int version;
                try (ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
                    version = rows.getInt(1);
                }
                boolean empty;
                try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM sqlite_master")) {
                    empty = rows.getInt(1) == 0;
                }
                if (version == 0 && empty) {
                    db.setAutoCommit(false);
                    for (String table : SCHEMA) {
                        statement.execute(table);
                    }
                    statement.execute("PRAGMA user_version=" + FORMAT_VERSION);
                    db.commit();
                } else if (version != FORMAT_VERSION) {
                    db.close();
                    throw new StoreException(dir + " holds data of format version " + version + "; this server "
                            + "reads version " + FORMAT_VERSION + " (use the server version that wrote it, or another "
                            + "--data-dir)");
                }
                db.setAutoCommit(false);
            }
            return new SqliteStore(dir, lock, db, commits, metrics);
        } catch (SQLException | IOException | StoreException e) {
            release(lock);
            if (e instanceof StoreException refused) {
                throw refused;
            }
            throw new StoreException("cannot open the data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Takes the directory's lock file, or refuses: two servers writing one database would fail each other. */
    private static FileChannel lock(Path dir) throws IOException {
        FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() != null) {
                return channel;
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // Held by another store in this process.
        }
        channel.close();
        throw new StoreException(dir + " is in use by another running server (its " + LOCK + " is locked); stop it, "
                + "or give this one another --data-dir");
    }

    private static void release(FileChannel lock) {
        if (lock != null) {
            try {
                lock.close();
            } catch (IOException ignored) {
                // Closing releases the lock; nothing else to do.
            }
        }
    }

    /** The directory it keeps its data in. */
    public Path dir() {
        return dir;
    }

    /** Reads everything but messages back (before {@link #start}); {@link #transcript} reads a room's messages. */
    public Stored.State load() {
        try {
            return new Stored.State(
                    read("SELECT data FROM reservations", Stored.ReservationRow.class),
                    read("SELECT data FROM rooms", Stored.RoomRow.class),
                    read("SELECT data FROM agents", Stored.AgentRow.class),
                    read("SELECT data FROM sessions", Stored.SessionRow.class),
                    read("SELECT data FROM groups", Stored.GroupRow.class));
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private <T> List<T> read(String query, Class<T> type) throws SQLException, IOException {
        List<T> rows = new ArrayList<>();
        try (Statement statement = db.createStatement(); ResultSet result = statement.executeQuery(query)) {
            while (result.next()) {
                rows.add(json.readValue(result.getString(1), type));
            }
        }
        return rows;
    }

    /**
     * A page of a room's messages in seq order, read on the desk's own connection (SQLite lets it read beside the writer; what it
     * reads is what was committed). Desk thread only.
     */
    @Override
    public List<Stored.MessageRow> transcript(String room, long after, int limit) {
        try {
            if (readTranscript == null) {
                reader = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(FILE));
                readTranscript = reader.prepareStatement("SELECT seq, user, body, sent FROM messages WHERE room = ? "
                        + "AND seq > ? ORDER BY seq LIMIT ?");
            }
            readTranscript.setString(1, room);
            readTranscript.setLong(2, after);
            readTranscript.setInt(3, limit);
            List<Stored.MessageRow> rows = new ArrayList<>();
            try (ResultSet result = readTranscript.executeQuery()) {
                while (result.next()) {
                    rows.add(new Stored.MessageRow(room, result.getLong(1), result.getString(2), result.getString(3),
                            result.getLong(4)));
                }
            }
            return rows;
        } catch (SQLException e) {
            throw new StoreException("cannot read the messages of room " + room + ": " + e.getMessage(), e);
        }
    }

    /** Starts the writer (after {@link #load}). */
    public void start() {
        try {
            db.commit();
        } catch (SQLException e) {
            throw new StoreException("cannot start writing " + dir + ": " + e.getMessage(), e);
        }
        writer.start();
    }

    /** Takes a turn's changes for the next commit. Desk thread only; never blocks. */
    @Override
    public long write(Stored.Changes changes) {
        long seq = commits.next();
        queue.add(new Batch(seq, changes));
        return seq;
    }

    @Override
    public long durable() {
        return commits.durable();
    }

    /** Whether the last commit failed (it is being retried; replies wait). */
    public boolean failing() {
        return failing;
    }

    private void writeLoop() {
        List<Batch> batches = new ArrayList<>();
        while (true) {
            try {
                batches.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batches, MAX_BATCHES_PER_COMMIT);
            boolean stop = batches.remove(STOP);
            if (!batches.isEmpty()) {
                commit(batches);
                commits.durable(batches.get(batches.size() - 1).seq);
            }
            batches.clear();
            if (stop) {
                return;
            }
        }
    }

    /** Commits the batches in one transaction, retrying until it works: nothing is released before it does. */
    private void commit(List<Batch> batches) {
        while (true) {
            long start = System.nanoTime();
            try {
                int rows = 0;
                for (Batch batch : batches) {
                    rows += apply(batch.changes);
                }
                flushMessages();
                db.commit();
                metrics.committed(System.nanoTime() - start, batches.size(), rows);
                if (failing) {
                    log.info("{}: writing works again", dir);
                    failing = false;
                }
                return;
            } catch (SQLException | JsonProcessingException e) {
                failing = true;
                log.error("{}: cannot commit {} changes ({}); replies wait, retrying in {} ms", dir, batches.size(),
                        e.getMessage(), RETRY_MS);
                try {
                    pendingMessages = false;
                    putMessage.clearBatch();
                    db.rollback();
                    Thread.sleep(RETRY_MS);
                } catch (SQLException ignored) {
                    // The next attempt reports it.
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private int apply(Stored.Changes changes) throws SQLException, JsonProcessingException {
        for (Stored.ReservationRow row : changes.reservations()) {
            put(putReservation, row.sid(), row);
        }
        for (String sid : changes.forgottenReservations()) {
            delete(deleteReservation, sid);
        }
        for (Stored.RoomRow row : changes.rooms()) {
            put(putRoom, row.id(), row);
        }
        for (Stored.MessageRow row : changes.messages()) {
            putMessage.setString(1, row.room());
            putMessage.setLong(2, row.seq());
            putMessage.setString(3, row.user());
            putMessage.setString(4, row.body());
            putMessage.setLong(5, row.sent());
            putMessage.addBatch();
            pendingMessages = true;
        }
        if (!changes.forgottenRooms().isEmpty()) {
            flushMessages();
        }
        for (String id : changes.forgottenRooms()) {
            delete(deleteRoom, id);
            delete(deleteRoomMessages, id);
        }
        for (Stored.AgentRow row : changes.agents()) {
            put(putAgent, row.key(), row);
        }
        for (Stored.SessionRow row : changes.sessions()) {
            put(putSession, row.token(), row);
        }
        for (String token : changes.endedSessions()) {
            delete(deleteSession, token);
        }
        for (Stored.GroupRow row : changes.groups()) {
            put(putGroup, row.key(), row);
        }
        return changes.size();
    }

    /**
     * Inserts the messages gathered so far: one native call for all the commit's messages costs half as much as a call
     * per row. Before a room is deleted, so its messages go with it.
     */
    private void flushMessages() throws SQLException {
        if (pendingMessages) {
            pendingMessages = false;
            putMessage.executeBatch();
        }
    }

    private void put(PreparedStatement statement, String key, Object row) throws SQLException, JsonProcessingException {
        statement.setString(1, key);
        statement.setString(2, json.writeValueAsString(row));
        statement.executeUpdate();
    }

    private static void delete(PreparedStatement statement, String key) throws SQLException {
        statement.setString(1, key);
        statement.executeUpdate();
    }

    /** Commits what is left and closes the database (SQLite folds the log into it). */
    @Override
    public void close() {
        if (writer.isAlive()) {
            queue.add(STOP);
            try {
                writer.join(TimeUnit.SECONDS.toMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            if (reader != null) {
                reader.close();
            }
            db.close();
        } catch (SQLException e) {
            log.warn("{}: close failed: {}", dir, e.getMessage());
        }
        release(lock);
    }
}
