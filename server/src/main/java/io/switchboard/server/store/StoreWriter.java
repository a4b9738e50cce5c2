package io.switchboard.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.server.desk.Stored;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's writer thread: takes every turn that has arrived, writes it in one transaction and commits (group
 * commit), then tells {@link Commits} so that what waited for it leaves.
 *
 * <p>A commit that fails (a full disk, an I/O error, a busy or broken database) is retried with the same rows on a
 * fresh connection, after a pause that doubles from {@value #FIRST_RETRY_MS} ms up to {@code store_retry_max_ms}:
 * SQLite may already have rolled the transaction back by itself, so the old connection is not trusted again. Nothing
 * is reported durable before a commit returns. The first failure is logged with its cause, then at most one summary
 * every {@value Outage#SUMMARY_MS} ms, and the recovery once. While it fails, {@link #failing()} is true (the desk refuses
 * what would change anything, {@code /healthz} says 503).
 */
final class StoreWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(StoreWriter.class);
    static final int MAX_BATCHES_PER_COMMIT = 10_000;
    static final long FIRST_RETRY_MS = 50;

    record Batch(long seq, Stored.Changes changes) {
    }

    static final Batch STOP = new Batch(-1, null);

    /** Opens a connection to the database, configured for writing. */
    interface Opener {
        Connection open() throws SQLException;
    }

    private final Path dir;
    private final Opener opener;
    private final BlockingQueue<Batch> queue;
    private final Commits commits;
    private final SqliteStore.Metrics metrics;
    private final StoreFaults faults;
    private final long retryMaxMs;
    private final ObjectMapper json = new ObjectMapper();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final MessageLog messageLog;
    /** The shortest time from one commit's start to the next while they follow each other: more turns per commit. */
    private final long gapNanos;
    private long lastCommit;
    private final Outage outage;
    /** Turns taken from the queue and not committed yet (held across failed attempts). */
    private volatile int held;
    private Connection db;
    private Statements statements;

    StoreWriter(Path dir, Opener opener, Connection db, MessageLog messageLog, BlockingQueue<Batch> queue,
                Commits commits, SqliteStore.Metrics metrics, StoreFaults faults, long retryMaxMs, long gapUs)
            throws SQLException {
        this.dir = dir;
        this.messageLog = messageLog;
        this.gapNanos = TimeUnit.MICROSECONDS.toNanos(gapUs);
        this.opener = opener;
        this.db = db;
        this.statements = new Statements(db);
        this.queue = queue;
        this.commits = commits;
        this.metrics = metrics;
        this.faults = faults;
        this.retryMaxMs = retryMaxMs;
        this.outage = new Outage(log, dir.toString());
    }

    boolean failing() {
        return outage.failing();
    }

    /** Turns taken but not stored yet (besides those still in the queue). */
    int held() {
        return held;
    }

    /** Asks the thread to stop: it commits what it holds once more if it can, and ends. Any thread. */
    void requestStop() {
        stopRequested.countDown();
        queue.add(STOP);
    }

    @Override
    public void run() {
        List<Batch> batches = new ArrayList<>();
        long retryMs = FIRST_RETRY_MS;
        boolean stop = false;
        try {
            while (true) {
                if (batches.isEmpty() && !stop) {
                    batches.add(queue.take());
                    // Commits that follow each other start at least the gap apart, so each takes more turns: fewer
                    // syncs for the same traffic, and a turn after a quiet moment is written at once.
                    long wait = lastCommit + gapNanos - System.nanoTime();
                    if (wait > 0) {
                        LockSupport.parkNanos(wait);
                    }
                }
                lastCommit = System.nanoTime();
                queue.drainTo(batches, MAX_BATCHES_PER_COMMIT);
                stop |= batches.remove(STOP);
                held = batches.size();
                if (batches.isEmpty()) {
                    return;
                }
                try {
                    commit(batches);
                } catch (SQLException | JsonProcessingException | RuntimeException e) {
                    outage.failed(describe(e), batches.size());
                    if (stop) {
                        log.error("{}: stopping with {} turns not stored: none of them was acknowledged", dir,
                                batches.size());
                        return;
                    }
                    if (stopRequested.await(retryMs, TimeUnit.MILLISECONDS)) {
                        stop = true;
                    }
                    retryMs = Math.min(retryMaxMs, retryMs * 2);
                    reconnect();
                    continue;
                }
                // Working again before anything is released: whoever sees a reply also sees the store healthy.
                outage.recovered(batches.size());
                commits.durable(batches.get(batches.size() - 1).seq());
                retryMs = FIRST_RETRY_MS;
                batches.clear();
                held = 0;
                if (stop && queue.isEmpty()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            if (!batches.isEmpty()) {
                log.error("{}: stopped with {} turns not stored: none of them was acknowledged", dir, batches.size());
            }
        } finally {
            close();
        }
    }

    /** Writes the batches in one transaction and commits it; nothing is durable unless this returns. */
    private void commit(List<Batch> batches) throws SQLException, JsonProcessingException {
        if (statements == null) {
            throw new SQLException("no connection to the database (reopening failed)");
        }
        long start = System.nanoTime();
        int rows = 0;
        for (Batch batch : batches) {
            rows += statements.apply(batch.changes());
        }
        statements.flushMessages();
        statements.fold();
        faults.beforeCommit();
        db.commit();
        messageLog.committed();
        metrics.committed(System.nanoTime() - start, batches.size(), rows);
        metrics.logMessages(messageLog.pendingRows());
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Drops the connection (its transaction may be half rolled back by SQLite) and opens a fresh one. */
    private void reconnect() {
        close();
        try {
            db = opener.open();
            messageLog.rebuild(db);
            statements = new Statements(db);
        } catch (SQLException | RuntimeException e) {
            // The next attempt fails on the closed connection and is counted with the others.
            log.debug("{}: reopening failed: {}", dir, e.getMessage());
        }
    }

    private void close() {
        if (statements != null) {
            statements.close();
            statements = null;
        }
        if (db != null) {
            try {
                db.close();
            } catch (SQLException e) {
                log.debug("{}: closing the failed connection: {}", dir, e.getMessage());
            }
            db = null;
        }
    }

    /** The prepared statements of one connection, and turning rows into them. */
    private final class Statements {
        private final List<PreparedStatement> all = new ArrayList<>();
        private final PreparedStatement putReservation;
        private final PreparedStatement deleteReservation;
        private final PreparedStatement putRoom;
        private final PreparedStatement deleteRoom;
        private final PreparedStatement deleteRoomMessages;
        private final PreparedStatement putMessage;
        private final PreparedStatement moveMessage;
        private final PreparedStatement deleteLogRow;
        private final PreparedStatement truncateLog;
        private final PreparedStatement putAgent;
        private final PreparedStatement putSession;
        private final PreparedStatement deleteSession;
        private final PreparedStatement putGroup;
        private final PreparedStatement putMail;
        private final PreparedStatement deleteMail;
        private final PreparedStatement putReply;
        private final PreparedStatement deleteReply;
        private boolean pendingMessages;

        Statements(Connection db) throws SQLException {
            putReservation = prepare(db, "INSERT OR REPLACE INTO reservations VALUES (?, ?, ?)");
            deleteReservation = prepare(db, "DELETE FROM reservations WHERE sid = ?");
            putRoom = prepare(db, "INSERT OR REPLACE INTO rooms VALUES (?, ?, ?)");
            deleteRoom = prepare(db, "DELETE FROM rooms WHERE id = ?");
            deleteRoomMessages = prepare(db, "DELETE FROM messages WHERE room = ?");
            putMessage = prepare(db, MessageLog.INSERT);
            moveMessage = prepare(db, MessageLog.MOVE);
            deleteLogRow = prepare(db, MessageLog.DELETE_ROW);
            truncateLog = prepare(db, MessageLog.TRUNCATE);
            putAgent = prepare(db, "INSERT OR REPLACE INTO agents VALUES (?, ?, ?)");
            putSession = prepare(db, "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?)");
            deleteSession = prepare(db, "DELETE FROM sessions WHERE key = ?");
            putGroup = prepare(db, "INSERT OR REPLACE INTO groups VALUES (?, ?, ?)");
            putMail = prepare(db, "INSERT OR REPLACE INTO mails VALUES (?, ?, ?)");
            deleteMail = prepare(db, "DELETE FROM mails WHERE id = ?");
            putReply = prepare(db, "INSERT OR REPLACE INTO replies VALUES (?, ?, ?)");
            deleteReply = prepare(db, "DELETE FROM replies WHERE id = ?");
        }

        private PreparedStatement prepare(Connection db, String sql) throws SQLException {
            PreparedStatement statement = db.prepareStatement(sql);
            all.add(statement);
            return statement;
        }

        int apply(Stored.Changes changes) throws SQLException, JsonProcessingException {
            for (Stored.ReservationRow row : changes.reservations()) {
                put(putReservation, row.sid(), row.account(), row);
            }
            for (String sid : changes.forgottenReservations()) {
                delete(deleteReservation, sid);
            }
            for (Stored.RoomRow row : changes.rooms()) {
                put(putRoom, row.id(), row.account(), row);
                if (!row.open()) {
                    messageLog.ended(row.id());
                }
            }
            for (Stored.MessageRow row : changes.messages()) {
                putMessage.setLong(1, messageLog.append(row.room()));
                putMessage.setString(2, row.room());
                putMessage.setLong(3, row.seq());
                putMessage.setString(4, row.user());
                putMessage.setString(5, row.body());
                putMessage.setLong(6, row.sent());
                putMessage.setString(7, row.role().name());
                putMessage.setInt(8, row.privateNote() ? 1 : 0);
                putMessage.addBatch();
                pendingMessages = true;
            }
            if (!changes.forgottenRooms().isEmpty()) {
                flushMessages();
            }
            for (String id : changes.forgottenRooms()) {
                delete(deleteRoom, id);
                delete(deleteRoomMessages, id);
                messageLog.forget(id, deleteLogRow);
            }
            for (Stored.AgentRow row : changes.agents()) {
                put(putAgent, row.key(), row.account(), row);
            }
            for (Stored.SessionRow row : changes.sessions()) {
                put(putSession, row.key(), row.account(), row);
            }
            for (String key : changes.endedSessions()) {
                delete(deleteSession, key);
            }
            for (Stored.GroupRow row : changes.groups()) {
                put(putGroup, row.key(), row.account(), row);
            }
            for (Stored.MailRow row : changes.mails()) {
                put(putMail, row.id(), row.account(), row);
            }
            for (String id : changes.sentMails()) {
                delete(deleteMail, id);
            }
            for (Stored.ReplyRow row : changes.replies()) {
                put(putReply, row.id(), row.account(), row);
            }
            for (String id : changes.deletedReplies()) {
                delete(deleteReply, id);
            }
            return changes.size();
        }

        /**
         * Inserts the messages gathered so far: one native call for all the commit's messages costs half as much as a
         * call per row. Before a room is deleted, so its messages go with it.
         */
        void flushMessages() throws SQLException {
            if (pendingMessages) {
                pendingMessages = false;
                putMessage.executeBatch();
            }
        }

        /** Moves rooms' rows out of the log and deletes the log's range no room needs (after {@link #flushMessages}). */
        void fold() throws SQLException {
            messageLog.fold(moveMessage, truncateLog);
        }

        private void put(PreparedStatement statement, String key, String account, Object row)
                throws SQLException, JsonProcessingException {
            statement.setString(1, key);
            statement.setString(2, json.writeValueAsString(row));
            statement.setString(3, account);
            statement.executeUpdate();
        }

        private void delete(PreparedStatement statement, String key) throws SQLException {
            statement.setString(1, key);
            statement.executeUpdate();
        }

        void close() {
            for (PreparedStatement statement : all) {
                try {
                    statement.close();
                } catch (SQLException ignored) {
                    // The connection goes too.
                }
            }
        }
    }
}
