package io.switchboard.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Role;
import io.switchboard.server.config.Durability;
import io.switchboard.server.desk.MemoryJournal;
import io.switchboard.server.desk.ReservationStatus;
import io.switchboard.server.desk.Stored;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store on its own: what it reads back is what was written, replies wait for commits, damage is found. */
class SqliteStoreTest {
    @TempDir
    Path dir;

    /** Seeded random turns: new and changed reservations, rooms with messages, sessions, deletions. */
    private static List<Stored.Changes> turns(long seed, int count) {
        Random random = new Random(seed);
        List<Stored.Changes> turns = new ArrayList<>();
        List<String> rooms = new ArrayList<>();
        Map<String, Long> seqs = new TreeMap<>();
        for (int turn = 0; turn < count; turn++) {
            List<Stored.ReservationRow> reservations = new ArrayList<>();
            List<String> forgotten = new ArrayList<>();
            List<Stored.RoomRow> roomRows = new ArrayList<>();
            List<String> forgottenRooms = new ArrayList<>();
            List<Stored.MessageRow> messages = new ArrayList<>();
            List<Stored.SessionRow> sessions = new ArrayList<>();
            List<String> ended = new ArrayList<>();
            int kind = random.nextInt(6);
            String sid = "rsv_" + random.nextInt(40);
            if (kind == 0) {
                reservations.add(new Stored.ReservationRow(sid, "acme", "billing", "guest \"" + turn + "\"",
                        random.nextBoolean() ? null : "question é " + turn, Map.of("plan", "gold"), null,
                        random.nextInt(3), 180, turn, random.nextBoolean(), 1_000L * turn, 0,
                        ReservationStatus.values()[random.nextInt(4)], turn, "ses_" + turn, null, null, 0, 0));
                sessions.add(new Stored.SessionRow(sid, "GUEST", "acme", null, sid, "digest-" + turn,
                        random.nextBoolean() ? null : "before-" + turn));
            } else if (kind == 1) {
                forgotten.add(sid);
                ended.add("rsv_" + random.nextInt(40));
            } else if (kind == 2 || rooms.isEmpty()) {
                String id = "rm_" + turn;
                rooms.add(id);
                roomRows.add(new Stored.RoomRow(id, "acme", sid, "bob", List.of(), List.of("bob"), true, turn, 0));
            } else if (kind == 3 && random.nextInt(4) == 0) {
                String id = rooms.remove(random.nextInt(rooms.size()));
                forgottenRooms.add(id);
                seqs.remove(id);
            } else {
                String id = rooms.get(random.nextInt(rooms.size()));
                for (int i = random.nextInt(5); i >= 0; i--) {
                    long seq = seqs.merge(id, 1L, Long::sum);
                    messages.add(new Stored.MessageRow(id, seq, "bob", Role.values()[random.nextInt(3)],
                            "line " + seq + " <b>\n", 1_000L * turn));
                }
            }
            List<Stored.AgentRow> agents = List.of(new Stored.AgentRow("acme", "bob", "AVAILABLE", 1 + turn % 5,
                    null, turn, List.of("billing")));
            turns.add(new Stored.Changes(reservations, forgotten, roomRows, forgottenRooms, messages, agents, sessions,
                    ended, List.of()));
        }
        return turns;
    }

    /** The store holds what the same changes left in a {@link MemoryJournal}. */
    private static void assertHolds(MemoryJournal model, SqliteStore store) {
        Stored.State state = store.load();
        TreeMap<String, Stored.ReservationRow> reservations = new TreeMap<>();
        state.reservations().forEach(row -> reservations.put(row.sid(), row));
        assertEquals(model.reservations, reservations);
        TreeMap<String, Stored.RoomRow> rooms = new TreeMap<>();
        state.rooms().forEach(row -> rooms.put(row.id(), row));
        assertEquals(model.rooms, rooms);
        List<Stored.MessageRow> expected = new ArrayList<>();
        model.messages.values().forEach(room -> expected.addAll(room.values()));
        List<Stored.MessageRow> messages = new ArrayList<>();
        model.messages.keySet().forEach(room -> messages.addAll(store.transcript(room)));
        assertEquals(expected, messages, "messages in room and seq order");
        TreeMap<String, Stored.SessionRow> sessions = new TreeMap<>();
        state.sessions().forEach(row -> sessions.put(row.key(), row));
        assertEquals(model.sessions, sessions);
        TreeMap<String, Stored.AgentRow> agents = new TreeMap<>();
        state.agents().forEach(row -> agents.put(row.key(), row));
        assertEquals(model.agents, agents);
    }

    private static void awaitDurable(Commits commits) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        commits.after(new Release.Line(), true, done::countDown);
        assertTrue(done.await(10, TimeUnit.SECONDS), "the store committed within 10 s");
    }

    @Test
    void readsBackWhatWasWritten() throws Exception {
        long seed = new Random().nextLong();
        MemoryJournal model = new MemoryJournal();
        Commits commits = new Commits();
        try (SqliteStore store = SqliteStore.open(dir, Durability.FSYNC, commits, SqliteStore.Metrics.NONE)) {
            store.load();
            store.start();
            for (Stored.Changes turn : turns(seed, 600)) {
                store.write(turn);
                model.write(turn);
            }
            awaitDurable(commits);
        }
        try (SqliteStore store = SqliteStore.open(dir, Durability.PROCESS, new Commits(), SqliteStore.Metrics.NONE)) {
            assertHolds(model, store);
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
    }

    @Test
    void repliesWaitForTheirCommit() throws Exception {
        Commits commits = new Commits();
        try (SqliteStore store = SqliteStore.open(dir, Durability.FSYNC, commits, SqliteStore.Metrics.NONE)) {
            CountDownLatch nothingWritten = new CountDownLatch(1);
            Release.Line line = new Release.Line();
            commits.after(line, true, nothingWritten::countDown);
            assertEquals(0, nothingWritten.getCount(), "with nothing submitted, a reply leaves at once");
            store.write(turns(1, 1).get(0));
            CountDownLatch first = new CountDownLatch(1);
            CountDownLatch second = new CountDownLatch(1);
            CountDownLatch pong = new CountDownLatch(1);
            CountDownLatch elsewhere = new CountDownLatch(1);
            commits.after(line, true, first::countDown);
            commits.after(line, false, second::countDown);
            commits.after(new Release.Line(), false, elsewhere::countDown);
            assertEquals(2, commits.waiting(), "the writer has not started: both replies of the line wait");
            assertEquals(1, first.getCount());
            assertEquals(1, second.getCount(), "what reveals nothing still waits behind its line");
            assertEquals(0, elsewhere.getCount(), "what reveals nothing on another line leaves at once");
            store.start();
            assertTrue(second.await(10, TimeUnit.SECONDS));
            assertEquals(0, first.getCount(), "in order");
            assertEquals(0, commits.waiting());
            commits.after(line, false, pong::countDown);
            assertEquals(0, pong.getCount(), "once the line is clear, what reveals nothing leaves at once");
        }
    }

    @Test
    void aTornTailIsFoundAndEveryCommitBeforeItKept() throws Exception {
        MemoryJournal model = new MemoryJournal();
        Commits commits = new Commits();
        Path crashed = dir.resolve("crashed");
        Files.createDirectories(crashed);
        try (SqliteStore store = SqliteStore.open(dir.resolve("live"), Durability.FSYNC, commits,
                SqliteStore.Metrics.NONE)) {
            store.load();
            store.start();
            for (Stored.Changes turn : turns(7, 200)) {
                store.write(turn);
                model.write(turn);
            }
            awaitDurable(commits);
            // What a kill -9 leaves: the database and its log as they are now, the log not folded in.
            Files.copy(dir.resolve("live").resolve(SqliteStore.FILE), crashed.resolve(SqliteStore.FILE));
            Files.copy(dir.resolve("live").resolve(SqliteStore.FILE + "-wal"),
                    crashed.resolve(SqliteStore.FILE + "-wal"));
        }
        Path wal = crashed.resolve(SqliteStore.FILE + "-wal");
        WalTail.Report whole = WalTail.read(wal);
        assertNotNull(whole);
        assertFalse(whole.cut(), "a log that ends on a commit has nothing to cut: " + whole);
        assertTrue(whole.committedFrames() > 0);
        // A crash in the middle of the next write: half of a frame of the current log, with a wrong checksum.
        byte[] log = Files.readAllBytes(wal);
        int pageSize = java.nio.ByteBuffer.wrap(log, 8, 4).getInt();
        byte[] torn = java.util.Arrays.copyOfRange(log, log.length - (24 + pageSize), log.length - pageSize / 2);
        torn[4] = 0;
        torn[5] = 0;
        torn[6] = 0;
        torn[7] = 0;
        torn[30] ^= 0x5a;
        Files.write(wal, torn, StandardOpenOption.APPEND);
        WalTail.Report report = WalTail.read(wal);
        assertTrue(report.cut(), "the torn frame is found: " + report);
        assertEquals(whole.committedFrames(), report.committedFrames());
        assertEquals(torn.length, report.cutBytes());
        try (SqliteStore store = SqliteStore.open(crashed, Durability.FSYNC, new Commits(),
                SqliteStore.Metrics.NONE)) {
            assertHolds(model, store);
        }
    }

    @Test
    void oneServerPerDataDirectory() {
        try (SqliteStore first = SqliteStore.open(dir, Durability.FSYNC, new Commits(), SqliteStore.Metrics.NONE)) {
            StoreException refused = assertThrows(StoreException.class, () -> SqliteStore.open(dir, Durability.FSYNC,
                    new Commits(), SqliteStore.Metrics.NONE));
            assertTrue(refused.getMessage().contains("in use by another running server"), refused.getMessage());
        }
        SqliteStore.open(dir, Durability.FSYNC, new Commits(), SqliteStore.Metrics.NONE).close();
    }

    @Test
    void anotherFormatVersionRefusesToStart() throws Exception {
        Files.createDirectories(dir);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE));
             Statement statement = db.createStatement()) {
            statement.execute("CREATE TABLE future (x)");
            statement.execute("PRAGMA user_version=7");
        }
        StoreException refused = assertThrows(StoreException.class, () -> SqliteStore.open(dir, Durability.FSYNC,
                new Commits(), SqliteStore.Metrics.NONE));
        assertTrue(refused.getMessage().contains("format version 7"), refused.getMessage());
        assertTrue(refused.getMessage().contains("reads version " + SqliteStore.FORMAT_VERSION), refused.getMessage());
    }
}
