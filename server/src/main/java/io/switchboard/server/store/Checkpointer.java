package io.switchboard.server.store;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds the write-ahead log into the database on a thread and a connection of its own, so that no commit of the
 * writer ever does it (SQLite's automatic checkpoint runs inside the commit that crosses its threshold, and then no
 * reply leaves until it has written and synced the pages). Every {@value #INTERVAL_MS} ms a {@code PASSIVE}
 * checkpoint copies what it can without waiting for anyone; once the log has passed {@value #RESTART_FRAMES} frames
 * a {@code RESTART} checkpoint copies the last few frames and lets the writer start the log again from its
 * beginning, which holds the writer only for those frames (the passive ones did the rest), between two commits.
 */
final class Checkpointer implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Checkpointer.class);
    static final long INTERVAL_MS = 100;
    static final int RESTART_FRAMES = 4_096;
    private static final long SUMMARY_MS = 30_000;

    private final Path file;
    private final SqliteStore.Metrics metrics;
    private final CountDownLatch stop = new CountDownLatch(1);
    private Connection db;
    private long failedAt;

    Checkpointer(Path file, SqliteStore.Metrics metrics) {
        this.file = file;
        this.metrics = metrics;
    }

    void requestStop() {
        stop.countDown();
    }

    @Override
    public void run() {
        try {
            while (!stop.await(INTERVAL_MS, TimeUnit.MILLISECONDS)) {
                try {
                    int frames = checkpoint("PASSIVE");
                    metrics.checkpointed("passive", frames);
                    if (frames >= RESTART_FRAMES) {
                        metrics.checkpointed("restart", checkpoint("RESTART"));
                    }
                } catch (SQLException e) {
                    failed(e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
    }

    /** Runs one checkpoint; returns the frames in the log before it. */
    private int checkpoint(String mode) throws SQLException {
        if (db == null) {
            db = DriverManager.getConnection("jdbc:sqlite:" + file);
            try (Statement statement = db.createStatement()) {
                // RESTART waits this long for the writer's commit in progress and for readers to finish, then gives up.
                statement.execute("PRAGMA busy_timeout=200");
            }
        }
        try (Statement statement = db.createStatement();
             ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(" + mode + ")")) {
            return result.next() ? result.getInt(2) : 0;
        }
    }

    /** A failed checkpoint is tried again on a fresh connection (the log only grows meanwhile); logged rarely. */
    private void failed(SQLException e) {
        close();
        long now = System.nanoTime();
        if (failedAt == 0 || now - failedAt > TimeUnit.MILLISECONDS.toNanos(SUMMARY_MS)) {
            failedAt = now;
            log.warn("{}: folding the write-ahead log into the database failed ({}); trying again", file,
                    e.getMessage());
        }
    }

    private void close() {
        if (db != null) {
            try {
                db.close();
            } catch (SQLException ignored) {
                // Dropped either way.
            }
            db = null;
        }
    }
}
