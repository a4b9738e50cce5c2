package io.switchboard.server.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.server.config.Durability;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.Journal;
import io.switchboard.server.desk.Stored;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desk's state on disk: one SQLite database in WAL mode under {@code data_dir}. The desk hands over each turn's
 * changes ({@link #write}, which never blocks); the writer thread ({@link StoreWriter}) commits everything that has
 * arrived in one transaction (group commit), then releases what waited for it ({@link Commits}). {@code fsync}
 * durability syncs every commit ({@code synchronous=FULL}); {@code process} lets the operating system write it ({@code
 * synchronous=NORMAL}: a commit survives the process, and the database stays whole on power loss, losing the last
 * commits). A failing disk is retried until it works again ({@link StoreWriter}); meanwhile {@link #accepting} is
 * false, and it is false too while more than {@code store_queue_turns} turns wait, so memory stays bounded.
 *
 * <p>Rows are JSON in a key-value table per kind, but messages, which are most of the data and only appended, have
 * their own columns, keyed by room and seq so a room's transcript is one range ({@link Schema}). The directory is made
 * {@code 0700} and its files {@code 0600}: they hold conversations.
 */
public final class SqliteStore implements Journal, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SqliteStore.class);

    /** The format this server reads and writes ({@code PRAGMA user_version}). */
    public static final int FORMAT_VERSION = Schema.VERSION;
    static final String FILE = "switchboard.db";
    static final String LOCK = "switchboard.lock";
    private static final long DEFAULT_CLOSE_MS = 10_000;
    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    /**
     * How the store writes: its durability, its retry pause, its bound, the shortest time from one commit's start to
     * the next one's while commits follow each other ({@code store_commit_gap_us}), and (tests) faults to inject.
     */
    public record Options(Durability durability, long retryMaxMs, int queueTurns, long commitGapUs,
                          StoreFaults faults) {
        /** The defaults of the configuration, with this durability. */
        public static Options of(Durability durability) {
            return new Options(durability, ServerConfig.Timings.DEFAULTS.storeRetryMaxMs(),
                    ServerConfig.Limits.DEFAULTS.storeQueueTurns(), StoreFaults.NONE);
        }

        /** The same with the configuration's default commit gap, and faults to inject (tests). */
        public Options(Durability durability, long retryMaxMs, int queueTurns, StoreFaults faults) {
            this(durability, retryMaxMs, queueTurns, ServerConfig.Timings.DEFAULTS.storeCommitGapUs(), faults);
        }
    }

    /** What the server's metrics learn from the store. */
    public interface Metrics {
        Metrics NONE = (nanos, batches, rows) -> { };

        void committed(long nanos, int batches, int rows);

        /** After a commit: the messages still only in the log (not moved into their rooms' ranges yet). */
        default void logMessages(int rows) {
        }

        /** A checkpoint ran ({@code passive} or {@code restart}); the write-ahead log held {@code frames} frames. */
        default void checkpointed(String mode, int frames) {
        }
    }

    private final Path dir;
    /** Held for the store's life: one server per data directory. */
    private final FileChannel lock;
    private final Connection db;
    private final ObjectMapper json = new ObjectMapper();
    private final Commits commits;
    private final int queueTurns;
    private final BlockingQueue<StoreWriter.Batch> queue = new LinkedBlockingQueue<>();
    private final StoreWriter writer;
    private final Thread writerThread;
    private final Checkpointer checkpointer;
    private final Thread checkpointerThread;
    /** Each desk thread reads transcripts on a connection of its own. */
    private final ThreadLocal<TranscriptReader> reader;
    private final List<TranscriptReader> readers = java.util.Collections.synchronizedList(new ArrayList<>());
    private final MessageLog messageLog = new MessageLog();

    private SqliteStore(Path dir, FileChannel lock, Connection db, StoreWriter.Opener opener, Options options,
                        Commits commits, Metrics metrics) throws SQLException {
        this.dir = dir;
        this.lock = lock;
        this.db = db;
        this.commits = commits;
        this.queueTurns = options.queueTurns();
        this.writer = new StoreWriter(dir, opener, db, messageLog, queue, commits, metrics, options.faults(),
                options.retryMaxMs(), options.commitGapUs());
        this.writerThread = new Thread(writer, "switchboard-store");
        writerThread.setDaemon(true);
        this.checkpointer = new Checkpointer(dir.resolve(FILE), metrics);
        this.checkpointerThread = new Thread(checkpointer, "switchboard-checkpoint");
        checkpointerThread.setDaemon(true);
        this.reader = ThreadLocal.withInitial(() -> {
            TranscriptReader own = new TranscriptReader(dir.resolve(FILE), messageLog.unmoved);
            readers.add(own);
            return own;
        });
    }

    /** Opens (or creates) the store in {@code dir} with the default options. */
    public static SqliteStore open(Path dir, Durability durability, Commits commits, Metrics metrics) {
        return open(dir, Options.of(durability), commits, metrics);
    }

    /**
     * Opens (or creates) the store in {@code dir}. A log cut short by a crash is reported (SQLite keeps every whole
     * commit and drops the rest); an older format is brought up to this one.
     *
     * @throws StoreException when the directory holds another format version, is in use, or cannot be opened
     */
    public static SqliteStore open(Path dir, Options options, Commits commits, Metrics metrics) {
        FileChannel lock = null;
        try {
            ownDirectory(dir);
            lock = lock(dir);
            Path file = dir.resolve(FILE);
            ownFiles(dir, file);
            WalTail.Report wal = WalTail.read(dir.resolve(FILE + "-wal"));
            if (wal != null && wal.cut()) {
                log.warn("{}: the last write before the stop was not whole: cut {} bytes ({} frames) after the last "
                        + "good commit; {} committed frames are kept", dir, wal.cutBytes(), wal.cutFrames(),
                        wal.committedFrames());
            } else if (wal != null) {
                log.info("{}: recovering {} committed frames from the write-ahead log (the server did not stop "
                        + "cleanly)", dir, wal.committedFrames());
            }
            StoreWriter.Opener opener = () -> connect(file, options.durability());
            Connection db = opener.open();
            try {
                Schema.prepare(db, dir.toString());
                int folded = MessageLog.foldAll(db);
                if (folded > 0) {
                    log.info("{}: {} messages moved from the log into their rooms' transcripts", dir, folded);
                }
            } catch (SQLException | StoreException e) {
                db.close();
                throw e;
            }
            return new SqliteStore(dir, lock, db, opener, options, commits, metrics);
        } catch (SQLException | IOException | StoreException e) {
            release(lock);
            if (e instanceof StoreException refused) {
                throw refused;
            }
            throw new StoreException("cannot open the data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Connection connect(Path file, Durability durability) throws SQLException {
        Connection db = DriverManager.getConnection("jdbc:sqlite:" + file);
        try (Statement statement = db.createStatement()) {
            statement.execute("PRAGMA journal_mode=WAL");
            statement.execute("PRAGMA synchronous=" + (durability == Durability.FSYNC ? "FULL" : "NORMAL"));
            // Checkpoints run on their own thread (Checkpointer), never inside one of the writer's commits.
            statement.execute("PRAGMA wal_autocheckpoint=0");
        } catch (SQLException e) {
            db.close();
            throw e;
        }
        db.setAutoCommit(false);
        return db;
    }

    /** Creates the directory for its owner only; an existing one that others can read is used, with a warning. */
    private static void ownDirectory(Path dir) throws IOException {
        boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
        if (!Files.isDirectory(dir)) {
            if (posix) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
            } else {
                Files.createDirectories(dir);
            }
            return;
        }
        if (posix) {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir);
            permissions.removeAll(OWNER_DIRECTORY);
            if (!permissions.isEmpty()) {
                log.warn("{}: others may read this data directory ({}); it holds conversations: chmod 700 it", dir,
                        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
            }
        }
    }

    /**
     * The database for its owner only: created empty (SQLite takes an empty file as a new database) with {@code 0600}
     * before SQLite opens it, which then gives its log and shared-memory files the same mode; existing ones are made
     * so too.
     */
    private static void ownFiles(Path dir, Path file) throws IOException {
        if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return;
        }
        if (!Files.exists(file)) {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_FILE));
        }
        for (String name : new String[] {FILE, FILE + "-wal", FILE + "-shm", LOCK}) {
            Path path = dir.resolve(name);
            if (Files.exists(path)) {
                Files.setPosixFilePermissions(path, OWNER_FILE);
            }
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
        return load(null);
    }

    /**
     * Reads one account's rows back (null: every account's), everything but messages; on the caller's own connection,
     * so the desks of several accounts may read theirs at once (their threads) before the writer starts.
     */
    public Stored.State load(String account) {
        try (Connection reader = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(FILE))) {
            return new Stored.State(
                    read(reader, "reservations", account, Stored.ReservationRow.class),
                    read(reader, "rooms", account, Stored.RoomRow.class),
                    read(reader, "agents", account, Stored.AgentRow.class),
                    read(reader, "sessions", account, Stored.SessionRow.class),
                    read(reader, "groups", account, Stored.GroupRow.class),
                    read(reader, "mails", account, Stored.MailRow.class),
                    read(reader, "replies", account, Stored.ReplyRow.class));
        } catch (SQLException | IOException e) {
            throw new StoreException("cannot read " + dir + ": " + e.getMessage(), e);
        }
    }

    private <T> List<T> read(Connection reader, String table, String account, Class<T> type)
            throws SQLException, IOException {
        List<T> rows = new ArrayList<>();
        String query = "SELECT data FROM " + table + (account == null ? "" : " WHERE account = ?");
        try (var statement = reader.prepareStatement(query)) {
            if (account != null) {
                statement.setString(1, account);
            }
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    rows.add(json.readValue(result.getString(1), type));
                }
            }
        }
        return rows;
    }

    /** A page of a room's messages in seq order, read on the desk thread's own connection. Desk threads. */
    @Override
    public List<Stored.MessageRow> transcript(String room, long after, int limit) {
        return reader.get().after(room, after, limit);
    }

    /** The last messages of a room, in seq order (a restart reads open rooms this way). Desk threads. */
    @Override
    public List<Stored.MessageRow> tail(String room, int limit) {
        return reader.get().tail(room, limit);
    }

    /** Starts the writer (after {@link #load}). */
    public void start() {
        try {
            db.commit();
        } catch (SQLException e) {
            throw new StoreException("cannot start writing " + dir + ": " + e.getMessage(), e);
        }
        writerThread.start();
        checkpointerThread.start();
    }

    /**
     * Takes a turn's changes for the next commit; never blocks. Any desk thread: numbering and queueing happen under
     * one lock, so the queue is in number order and a commit covers a prefix of the numbers.
     */
    @Override
    public synchronized long write(Stored.Changes changes) {
        long seq = commits.next();
        queue.add(new StoreWriter.Batch(seq, changes));
        return seq;
    }

    @Override
    public long durable() {
        return commits.durable();
    }

    /** True while commits work and fewer than {@code store_queue_turns} turns wait for one. Any thread. */
    @Override
    public boolean accepting() {
        return !writer.failing() && queue.size() + writer.held() < queueTurns;
    }

    /** Whether commits fail now (they are being retried; replies wait). */
    public boolean failing() {
        return writer.failing();
    }

    /** Commits what is left and closes, waiting for the writer at most 10 s. */
    @Override
    public void close() {
        close(DEFAULT_CLOSE_MS);
    }

    /**
     * Commits what is left if storing works, and closes the database (SQLite folds the log into it), within {@code
     * graceMs} even while storing fails: what could not be stored by then was never acknowledged.
     */
    public void close(long graceMs) {
        checkpointer.requestStop();
        try {
            checkpointerThread.join(Math.max(1, Math.min(graceMs, TimeUnit.SECONDS.toMillis(1))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writerThread.isAlive()) {
            writer.requestStop();
            try {
                writerThread.join(Math.max(1, graceMs));
                if (writerThread.isAlive()) {
                    writerThread.interrupt();
                    writerThread.join(TimeUnit.SECONDS.toMillis(1));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        } else {
            try {
                db.close();
            } catch (SQLException e) {
                log.warn("{}: close failed: {}", dir, e.getMessage());
            }
        }
        readers.forEach(TranscriptReader::close);
        release(lock);
    }
}
