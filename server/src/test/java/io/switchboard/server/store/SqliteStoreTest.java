package io.switchboard.server.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Role;
import io.switchboard.server.config.Durability;
import io.switchboard.server.desk.MemoryJournal;
import io.switchboard.server.gate.Release;
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
import java.util.Set;
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
    static List<Stored.Changes> turns(long seed, int count) {
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
                            "line " + seq + " <b>\n", 1_000L * turn, random.nextInt(4) == 0));
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
        assertHolds(model, store.load(), store);
    }

    /** A journal's rows ({@code state}) and messages hold what the same changes left in a {@link MemoryJournal}. */
    static void assertHolds(MemoryJournal model, Stored.State state, io.switchboard.server.desk.Journal store) {
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

    static void awaitDurable(Commits commits) throws InterruptedException {
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

    private static long count(Path dir, String query) throws Exception {
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE));
             Statement statement = db.createStatement();
             var result = statement.executeQuery(query)) {
            return result.getLong(1);
        }
    }

    /**
     * Messages go to the log first and move into their rooms' ranges later: while they move, every page and tail a
     * reader asks for is whole and in order, whether its rows are in the log, in {@code messages} or in both; the log
     * stays small; a forgotten room leaves nothing behind; and a reopened store holds everything.
     */
    @Test
    void messagesReadBackWholeWhileTheyMoveOutOfTheLog() throws Exception {
        Long given = Long.getLong("switchboard.store.seed");
        long seed = given != null ? given : new Random().nextLong();
        Random random = new Random(seed);
        MemoryJournal model = new MemoryJournal();
        Commits commits = new Commits();
        int rooms = 300;
        Map<String, Long> seqs = new TreeMap<>();
        List<String> forgotten = new ArrayList<>();
        try (SqliteStore store = SqliteStore.open(dir, Durability.PROCESS, commits, SqliteStore.Metrics.NONE)) {
            store.load();
            store.start();
            List<Stored.RoomRow> open = new ArrayList<>();
            for (int r = 0; r < rooms; r++) {
                open.add(new Stored.RoomRow("rm_" + r, "acme", "rsv_" + r, "bob", List.of(), List.of("bob"), true, r,
                        0));
            }
            Stored.Changes first = new Stored.Changes(List.of(), List.of(), open, List.of(), List.of(), List.of(),
                    List.of(), List.of(), List.of());
            store.write(first);
            model.write(first);
            for (int turn = 0; turn < 3_000; turn++) {
                List<Stored.MessageRow> messages = new ArrayList<>();
                List<Stored.RoomRow> ended = new ArrayList<>();
                List<String> gone = new ArrayList<>();
                // A few busy rooms and many quiet ones, so rooms move for each of their reasons.
                for (int i = random.nextInt(12); i >= 0; i--) {
                    int r = random.nextInt(4) == 0 ? random.nextInt(rooms) : random.nextInt(8);
                    String room = "rm_" + r;
                    if (forgotten.contains(room)) {
                        continue;
                    }
                    long seq = seqs.merge(room, 1L, Long::sum);
                    messages.add(new Stored.MessageRow(room, seq, "bob", Role.AGENT, "line " + seq, turn,
                            random.nextInt(5) == 0));
                }
                if (random.nextInt(200) == 0) {
                    int r = 8 + random.nextInt(rooms - 8);
                    // A desk never writes a room again once it forgot it (room ids are never reused).
                    if (!forgotten.contains("rm_" + r)) {
                        ended.add(new Stored.RoomRow("rm_" + r, "acme", "rsv_" + r, "bob", List.of(), List.of("bob"),
                                false, r, 0));
                    }
                }
                if (random.nextInt(400) == 0) {
                    String room = "rm_" + (8 + random.nextInt(rooms - 8));
                    if (!forgotten.contains(room)) {
                        forgotten.add(room);
                        gone.add(room);
                        seqs.remove(room);
                        messages.removeIf(row -> row.room().equals(room));
                    }
                }
                Stored.Changes changes = new Stored.Changes(List.of(), List.of(), ended, gone, messages, List.of(),
                        List.of(), List.of(), List.of());
                store.write(changes);
                model.write(changes);
                if (turn % 250 == 249) {
                    awaitDurable(commits);
                    for (int check = 0; check < 40; check++) {
                        String room = random.nextBoolean() ? "rm_" + random.nextInt(8) : "rm_" + random.nextInt(rooms);
                        List<Stored.MessageRow> all = model.transcript(room);
                        long after = all.isEmpty() ? 0 : random.nextInt(all.size() + 1);
                        int limit = 1 + random.nextInt(80);
                        List<Stored.MessageRow> expected = all.subList((int) after,
                                (int) Math.min(all.size(), after + limit));
                        assertEquals(expected, store.transcript(room, after, limit),
                                "seed " + seed + ": " + room + " after " + after + " limit " + limit);
                        assertEquals(model.tail(room, limit), store.tail(room, limit),
                                "seed " + seed + ": tail of " + room);
                    }
                    long logged = count(dir, "SELECT count(*) FROM message_log");
                    assertTrue(logged <= (long) rooms * MessageLog.FOLD_ROWS + MessageLog.MAX_LAG_ROWS
                            + MessageLog.MAX_TRUNCATE_ROWS, "seed " + seed + ": the log stays small: " + logged);
                }
            }
            awaitDurable(commits);
            assertTrue(count(dir, "SELECT count(*) FROM messages") > 0, "rows moved into their rooms' ranges");
        }
        for (String room : forgotten) {
            assertEquals(0, count(dir, "SELECT count(*) FROM messages WHERE room = '" + room + "'"),
                    "seed " + seed + ": nothing of forgotten " + room);
        }
        try (SqliteStore store = SqliteStore.open(dir, Durability.PROCESS, new Commits(), SqliteStore.Metrics.NONE)) {
            assertEquals(0, count(dir, "SELECT count(*) FROM message_log"), "opening moves the log's rows");
            for (String room : forgotten) {
                assertEquals(0, count(dir, "SELECT count(*) FROM messages WHERE room = '" + room + "'"),
                        "seed " + seed + ": a forgotten room's rows stay gone after a restart: " + room);
            }
            assertHolds(model, store);
        } catch (AssertionError e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
    }

    /**
     * The writer never checkpoints; the checkpointer's thread does, and restarts the write-ahead log once it is long,
     * so under writes that never pause (at a busy server's rate) the log file stays bounded and the log says what is
     * waiting to move.
     */
    @Test
    void theCheckpointerRestartsTheLogWhileWritesGoOn() throws Exception {
        java.util.concurrent.atomic.AtomicInteger restarts = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger logged = new java.util.concurrent.atomic.AtomicInteger(-1);
        SqliteStore.Metrics metrics = new SqliteStore.Metrics() {
            @Override
            public void committed(long nanos, int batches, int rows) {
            }

            @Override
            public void logMessages(int rows) {
                logged.set(rows);
            }

            @Override
            public void checkpointed(String mode, int frames) {
                if (mode.equals("restart")) {
                    restarts.incrementAndGet();
                }
            }
        };
        Commits commits = new Commits();
        // Chat-sized messages, 50 per commit: a few megabytes a second, as a busy server writes. (The log grows by
        // what is written while a checkpoint runs, so a test writing a hundred megabytes a second would measure that.)
        String body = "x".repeat(300);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (SqliteStore store = SqliteStore.open(dir, Durability.PROCESS, commits, metrics)) {
            store.load();
            store.start();
            List<Stored.RoomRow> rooms = new ArrayList<>();
            for (int r = 0; r < 50; r++) {
                rooms.add(new Stored.RoomRow("rm_" + r, "acme", "rsv_" + r, "bob", List.of(), List.of("bob"), true, r,
                        0));
            }
            store.write(new Stored.Changes(List.of(), List.of(), rooms, List.of(), List.of(), List.of(), List.of(),
                    List.of(), List.of()));
            long seq = 0;
            while (restarts.get() < 2 && System.nanoTime() < deadline) {
                seq++;
                List<Stored.MessageRow> messages = new ArrayList<>();
                for (int r = 0; r < 50; r++) {
                    messages.add(new Stored.MessageRow("rm_" + r, seq, "bob", Role.AGENT, body, seq));
                }
                store.write(new Stored.Changes(List.of(), List.of(), List.of(), List.of(), messages, List.of(),
                        List.of(), List.of(), List.of()));
                awaitDurable(commits);
            }
            assertTrue(restarts.get() >= 2, "the log was restarted twice within 60 s of writes: " + restarts.get());
            long wal = Files.size(dir.resolve(SqliteStore.FILE + "-wal"));
            assertTrue(wal < 64L << 20, "the log file stays bounded: " + wal + " bytes");
            assertTrue(logged.get() >= 0 && logged.get() < 50 * MessageLog.FOLD_ROWS,
                    "messages waiting in the log, told after each commit: " + logged.get());
            List<Stored.MessageRow> last = store.tail("rm_7", 3);
            assertEquals(List.of(seq - 2, seq - 1, seq), last.stream().map(Stored.MessageRow::seq).toList());
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
            statement.execute("PRAGMA user_version=8");
        }
        StoreException refused = assertThrows(StoreException.class, () -> SqliteStore.open(dir, Durability.FSYNC,
                new Commits(), SqliteStore.Metrics.NONE));
        assertTrue(refused.getMessage().contains("format version 8"), refused.getMessage());
        assertTrue(refused.getMessage().contains("reads version " + SqliteStore.FORMAT_VERSION), refused.getMessage());
    }

    /** Waits (with a deadline, polling) until the condition holds. */
    private static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 10 s: " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000);
        }
    }

    /** Fails the next {@code count} commits as a full disk does, then lets them through. */
    private static final class FailNext implements StoreFaults {
        final java.util.concurrent.atomic.AtomicInteger left;
        final java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();

        FailNext(int count) {
            left = new java.util.concurrent.atomic.AtomicInteger(count);
        }

        @Override
        public void beforeCommit() throws java.sql.SQLException {
            attempts.incrementAndGet();
            if (left.getAndDecrement() > 0) {
                throw new java.sql.SQLException("[SQLITE_FULL] database or disk is full (injected)", null, 13);
            }
        }
    }

    private static SqliteStore.Options options(StoreFaults faults) {
        return new SqliteStore.Options(Durability.FSYNC, 40, 20_000, faults);
    }

    @Test
    void aStoreThatFailsRecoversByItselfAndLosesNothing() throws Exception {
        MemoryJournal model = new MemoryJournal();
        Commits commits = new Commits();
        FailNext faults = new FailNext(6);
        List<Stored.Changes> turns = turns(11, 300);
        try (SqliteStore store = SqliteStore.open(dir, options(faults), commits, SqliteStore.Metrics.NONE)) {
            store.load();
            store.start();
            CountDownLatch released = new CountDownLatch(1);
            store.write(turns.get(0));
            model.write(turns.get(0));
            commits.after(new Release.Line(), true, released::countDown);
            await("the first commit fails", store::failing);
            assertFalse(store.accepting(), "a failing store takes nothing new");
            assertEquals(1, released.getCount(), "nothing is released before it is stored");
            CountDownLatch pong = new CountDownLatch(1);
            commits.after(new Release.Line(), false, pong::countDown);
            assertEquals(0, pong.getCount(), "what reveals nothing still leaves");
            for (Stored.Changes turn : turns.subList(1, turns.size())) {
                store.write(turn);
                model.write(turn);
            }
            assertTrue(released.await(10, TimeUnit.SECONDS), "released once storing works again");
            awaitDurable(commits);
            assertFalse(store.failing());
            assertTrue(store.accepting());
            assertTrue(faults.attempts.get() >= 7, "it retried: " + faults.attempts);
        }
        try (SqliteStore store = SqliteStore.open(dir, Durability.FSYNC, new Commits(), SqliteStore.Metrics.NONE)) {
            assertHolds(model, store);
        }
    }

    @Test
    void closingAFailingStoreTakesNoLongerThanTheGrace() throws Exception {
        Commits commits = new Commits();
        SqliteStore store = SqliteStore.open(dir, options(new FailNext(Integer.MAX_VALUE)), commits,
                SqliteStore.Metrics.NONE);
        store.load();
        store.start();
        store.write(turns(3, 1).get(0));
        await("failing", store::failing);
        long started = System.nanoTime();
        store.close(500);
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertTrue(tookMs < 3_000, "closed in " + tookMs + " ms");
        assertEquals(0, commits.durable(), "nothing was stored, nothing released");
        // The directory is free again, and holds nothing of the failed turn.
        try (SqliteStore again = SqliteStore.open(dir, Durability.FSYNC, new Commits(), SqliteStore.Metrics.NONE)) {
            assertEquals(0, again.load().reservations().size() + again.load().sessions().size()
                    + again.load().rooms().size());
        }
    }

    @Test
    void tooManyWaitingTurnsMakeTheStoreRefuseMore() {
        Commits commits = new Commits();
        try (SqliteStore store = SqliteStore.open(dir, new SqliteStore.Options(Durability.FSYNC, 40, 3,
                StoreFaults.NONE), commits, SqliteStore.Metrics.NONE)) {
            store.load();
            for (Stored.Changes turn : turns(5, 3)) {
                assertTrue(store.accepting());
                store.write(turn);
            }
            assertFalse(store.accepting(), "store_queue_turns turns wait (the writer has not started)");
            store.start();
            await("taking again once they are stored", store::accepting);
        }
    }

    @Test
    void theDirectoryAndItsFilesAreTheOwnersOnly() throws Exception {
        Path data = dir.resolve("new-data");
        Commits commits = new Commits();
        try (SqliteStore store = SqliteStore.open(data, Durability.FSYNC, commits, SqliteStore.Metrics.NONE)) {
            store.load();
            store.start();
            store.write(turns(9, 1).get(0));
            awaitDurable(commits);
            assertTrue(Files.exists(data.resolve(SqliteStore.FILE + "-wal")), "with its log");
        }
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data)));
        try (var files = Files.list(data)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                        Files.getPosixFilePermissions(file)), file.toString());
            }
        }
    }

    @Test
    void dataOfFormatOneIsBroughtUpToThisFormat() throws Exception {
        Files.createDirectories(dir);
        try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(SqliteStore.FILE));
             Statement statement = db.createStatement()) {
            statement.execute("CREATE TABLE reservations (sid TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID");
            statement.execute("CREATE TABLE rooms (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID");
            statement.execute("CREATE TABLE messages (room TEXT NOT NULL, seq INTEGER NOT NULL, user TEXT NOT NULL, "
                    + "body TEXT NOT NULL, sent INTEGER NOT NULL, PRIMARY KEY (room, seq)) WITHOUT ROWID");
            statement.execute("CREATE TABLE agents (key TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID");
            statement.execute("CREATE TABLE sessions (token TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID");
            statement.execute("CREATE TABLE groups (key TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID");
            statement.execute("INSERT INTO reservations VALUES ('rsv_1', '{\"sid\":\"rsv_1\",\"account\":\"acme\","
                    + "\"group\":\"billing\",\"user\":\"carla\",\"question\":\"q\",\"details\":{},"
                    + "\"externalUserId\":null,\"priority\":1,\"reserveForSeconds\":180,\"ticket\":1,"
                    + "\"front\":false,\"enqueuedAt\":1,\"waitedMs\":0,\"status\":\"MATCHED\",\"version\":3,"
                    + "\"session\":\"ses_guest\",\"room\":\"rm_1\",\"matchedAgent\":\"bob\",\"reservedUntil\":5,"
                    + "\"forgetAt\":0}')");
            statement.execute("INSERT INTO rooms VALUES ('rm_1', '{\"id\":\"rm_1\",\"account\":\"acme\","
                    + "\"reservation\":\"rsv_1\",\"agent\":\"bob\",\"supervisors\":[],\"pastMembers\":[\"bob\"],"
                    + "\"open\":true,\"openedAt\":2,\"forgetAt\":0}')");
            statement.execute("INSERT INTO messages VALUES ('rm_1', 1, 'carla', 'hello', 3), "
                    + "('rm_1', 2, 'bob', 'hi', 4)");
            statement.execute("INSERT INTO agents VALUES ('acme/bob', '{\"account\":\"acme\",\"user\":\"bob\","
                    + "\"availability\":\"AVAILABLE\",\"limit\":2,\"session\":\"ses_agent\","
                    + "\"lastAssignedAt\":2,\"recentGroups\":[\"billing\"]}')");
            statement.execute("INSERT INTO sessions VALUES ('ses_guest', '{\"token\":\"ses_guest\",\"role\":\"GUEST\","
                    + "\"account\":\"acme\",\"agent\":null,\"reservation\":\"rsv_1\"}'), ('ses_agent', "
                    + "'{\"token\":\"ses_agent\",\"role\":\"AGENT\",\"account\":\"acme\",\"agent\":\"bob\","
                    + "\"reservation\":null}')");
            statement.execute("PRAGMA user_version=1");
        }
        try (SqliteStore store = SqliteStore.open(dir, Durability.FSYNC, new Commits(), SqliteStore.Metrics.NONE)) {
            Stored.State state = store.load();
            assertEquals("rsv_1", state.reservations().get(0).session(), "a guest's session is keyed by its sid");
            assertEquals("acme/bob", state.agents().get(0).session());
            TreeMap<String, Stored.SessionRow> sessions = new TreeMap<>();
            state.sessions().forEach(row -> sessions.put(row.key(), row));
            assertEquals(Set.of("rsv_1", "acme/bob"), sessions.keySet());
            assertEquals(io.switchboard.server.config.Secrets.digestText("ses_guest"), sessions.get("rsv_1").digest(),
                    "the token became its digest");
            assertFalse(sessions.toString().contains("ses_guest"), "no token is left: " + sessions);
            List<Stored.MessageRow> messages = store.transcript("rm_1");
            assertEquals(List.of(Role.GUEST, Role.AGENT), messages.stream().map(Stored.MessageRow::role).toList());
            assertFalse(messages.stream().anyMatch(Stored.MessageRow::privateNote), "no message was a note then");
        }
    }
}
