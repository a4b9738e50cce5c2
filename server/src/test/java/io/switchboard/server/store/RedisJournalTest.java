package io.switchboard.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.api.sync.RedisCommands;
import io.switchboard.server.RedisProcess;
import io.switchboard.server.desk.Journal;
import io.switchboard.server.desk.MemoryJournal;
import io.switchboard.server.desk.ReservationStatus;
import io.switchboard.server.desk.Stored;
import io.switchboard.server.gate.Fence;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode's journal on a real {@code redis-server}: what it reads back is what was written (the same seeded turns
 * as {@link SqliteStoreTest}, against the same model), and a commit that finds a newer epoch or a log it did not
 * restore from writes nothing and says so.
 */
class RedisJournalTest {
    private static final String ACCOUNT = "acme";
    private static final String PREFIX = RedisJournal.prefix(ACCOUNT);

    @TempDir
    Path dir;

    private RedisProcess redis;
    private RedisLink link;
    private RedisCommands<String, String> raw;
    private final List<String> fenced = java.util.Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void start() {
        redis = RedisProcess.start(dir.resolve("redis"));
        link = RedisLink.connect(redis.url(), 2_000);
        raw = io.lettuce.core.RedisClient.create(redis.url()).connect().sync();
        raw.set(PREFIX + "epoch", "1");
    }

    @AfterEach
    void stop() {
        if (link != null) {
            link.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private RedisJournal journal(Commits commits) {
        return new RedisJournal(link, commits, (account, epoch, why) -> fenced.add(account + " " + epoch + " " + why),
                RedisJournal.Metrics.NONE, "test", 20_000, 1_000);
    }

    @Test
    void readsBackWhatWasWritten() throws Exception {
        long seed = new Random().nextLong();
        MemoryJournal model = new MemoryJournal();
        Commits commits = new Commits();
        RedisJournal journal = journal(commits);
        try {
            Journal log = journal.account(ACCOUNT, 1, null, Fence.OPEN);
            for (Stored.Changes turn : SqliteStoreTest.turns(seed, 600)) {
                log.write(turn);
                model.write(turn);
            }
            SqliteStoreTest.awaitDurable(commits);
            SqliteStoreTest.assertHolds(model, journal.load(ACCOUNT), log);
            for (String room : model.messages.keySet()) {
                List<Stored.MessageRow> all = new ArrayList<>(model.messages.get(room).values());
                assertEquals(all.subList(Math.max(0, all.size() - 3), all.size()), log.tail(room, 3), "tail of "
                        + room);
                assertEquals(all.subList(Math.min(2, all.size()), Math.min(4, all.size())), log.transcript(room, 2, 2),
                        "a page of " + room);
            }
            assertEquals(List.of(), fenced);
            assertTrue(raw.llen(PREFIX + "audit") > 0, "every commit is audited");
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        } finally {
            journal.close();
        }
    }

    private static Stored.Changes reservation(String sid) {
        Stored.ReservationRow row = new Stored.ReservationRow(sid, ACCOUNT, "billing", "guest", "question",
                Map.of(), null, 0, 180, 1, false, 1_000, 0, ReservationStatus.QUEUED, 1, null, null, null, 0, 0);
        return new Stored.Changes(List.of(row), List.of(), List.of(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of());
    }

    private boolean stored(RedisJournal journal, String sid) {
        return journal.load(ACCOUNT).reservations().stream().anyMatch(row -> row.sid().equals(sid));
    }

    @Test
    void aNewerEpochFencesTheOldOwnerAndItsCommitWritesNothing() throws Exception {
        Commits commits = new Commits();
        RedisJournal journal = journal(commits);
        try {
            Journal log = journal.account(ACCOUNT, 1, null, Fence.OPEN);
            log.write(reservation("rsv_before"));
            SqliteStoreTest.awaitDurable(commits);
            // Another node took the account (its acquisition incremented the epoch).
            raw.incr(PREFIX + "epoch");
            log.write(reservation("rsv_fenced"));
            SqliteStoreTest.awaitDurable(commits);
            assertEquals(List.of(ACCOUNT + " 1 FENCED"), fenced);
            assertTrue(stored(journal, "rsv_before"));
            assertFalse(stored(journal, "rsv_fenced"), "a fenced commit writes nothing");
            // The new owner goes on from the head it read when it took the account.
            Journal next = journal.account(ACCOUNT, 2, raw.get(PREFIX + "head"), Fence.OPEN);
            next.write(reservation("rsv_after"));
            SqliteStoreTest.awaitDurable(commits);
            assertTrue(stored(journal, "rsv_after"));
            assertEquals(1, fenced.size(), "the new owner is not fenced");
            List<String> audit = raw.lrange(PREFIX + "audit", 0, -1);
            assertEquals(List.of("1 test 1:1", "2 test 2:1"), audit, "one commit per epoch, in order");
        } finally {
            journal.close();
        }
    }

    @Test
    void aLogThatIsNotTheOneItRestoredFromDivergesAndWritesNothing() throws Exception {
        Commits commits = new Commits();
        RedisJournal journal = journal(commits);
        try {
            Journal log = journal.account(ACCOUNT, 1, null, Fence.OPEN);
            log.write(reservation("rsv_one"));
            SqliteStoreTest.awaitDurable(commits);
            // A promoted replica that missed the last commit: the head this owner wrote is gone.
            raw.set(PREFIX + "head", "1:0");
            log.write(reservation("rsv_two"));
            SqliteStoreTest.awaitDurable(commits);
            assertEquals(List.of(ACCOUNT + " 1 DIVERGED"), fenced);
            assertFalse(stored(journal, "rsv_two"));
        } finally {
            journal.close();
        }
    }

    /**
     * Lettuce cancels a command it will not send again after a reconnect; waiting for it must fail like any reply that
     * did not come (the writer retries), not throw past the writer and end it with turns others wait for.
     */
    @Test
    void aCancelledReplyIsAFailedOneNotTheWritersEnd() {
        java.util.concurrent.CompletableFuture<String> cancelled = new java.util.concurrent.CompletableFuture<>();
        cancelled.cancel(false);
        org.junit.jupiter.api.Assertions.assertThrows(RedisLink.RedisUnavailable.class, () -> link.await(cancelled));
        java.util.concurrent.CompletableFuture<String> failed = new java.util.concurrent.CompletableFuture<>();
        failed.completeExceptionally(new java.util.concurrent.CancellationException("dropped on reconnect"));
        org.junit.jupiter.api.Assertions.assertThrows(RedisLink.RedisUnavailable.class, () -> link.await(failed));
    }
}
