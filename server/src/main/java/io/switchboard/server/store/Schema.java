package io.switchboard.server.store;

import io.switchboard.server.config.Secrets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tables and their format version ({@code PRAGMA user_version}): creates them in a new database, brings an older
 * format up to this one in one transaction, and refuses a newer one. Opening thread only.
 *
 * <p>Format 7 (this one): canned replies ({@code replies}). Format 6: emails waiting to be sent ({@code mails}). Format 5: messages are first appended to {@code message_log} and moved into {@code messages} in runs
 * of a room ({@link MessageLog}). Format 4: a message says whether it is private (a note for the room's agents only).
 * Format 3 gave
 * every row but a message its account in a column of its own (indexed), so one account's desk is restored from its
 * rows alone. Format 2 had the account only inside each row's JSON. Format 1 kept message rows without a role and
 * sessions under their raw token.
 */
final class Schema {
    private static final Logger log = LoggerFactory.getLogger(Schema.class);

    /** The format this server reads and writes. */
    static final int VERSION = 7;

    /** The tables whose rows belong to one account (a column {@code account}); messages belong to their room. */
    static final String[] ACCOUNT_TABLES = {"reservations", "rooms", "agents", "sessions", "groups", "mails",
        "replies"};
    /** The account tables format 3 gave an account column (the mail queue came with format 6, with its column). */
    private static final String[] FORMAT_3_TABLES = {"reservations", "rooms", "agents", "sessions", "groups"};

    private static final String MAILS = "CREATE TABLE mails (id TEXT PRIMARY KEY, data TEXT NOT NULL, account TEXT) "
            + "WITHOUT ROWID";

    private static final String REPLIES = "CREATE TABLE replies (id TEXT PRIMARY KEY, data TEXT NOT NULL, account "
            + "TEXT) WITHOUT ROWID";

    private static final String[] TABLES = {
        "CREATE TABLE reservations (sid TEXT PRIMARY KEY, data TEXT NOT NULL, account TEXT) WITHOUT ROWID",
        "CREATE TABLE rooms (id TEXT PRIMARY KEY, data TEXT NOT NULL, account TEXT) WITHOUT ROWID",
        "CREATE TABLE messages (room TEXT NOT NULL, seq INTEGER NOT NULL, user TEXT NOT NULL, body TEXT NOT NULL, "
                + "sent INTEGER NOT NULL, role TEXT, private INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (room, seq)) "
                + "WITHOUT ROWID",
        "CREATE TABLE agents (key TEXT PRIMARY KEY, data TEXT NOT NULL, account TEXT) WITHOUT ROWID",
        "CREATE TABLE sessions (key TEXT PRIMARY KEY, data TEXT NOT NULL, account TEXT) WITHOUT ROWID",
        "CREATE TABLE groups (key TEXT PRIMARY KEY, data TEXT NOT NULL, account TEXT) WITHOUT ROWID",
        MAILS,
        REPLIES,
        MessageLog.CREATE,
    };

    private static void indexAccounts(Statement statement, String... tables) throws SQLException {
        for (String table : tables) {
            statement.execute("CREATE INDEX " + table + "_by_account ON " + table + " (account)");
        }
    }

    private Schema() {
    }

    /**
     * Makes the database hold this format: creates it when empty, migrates formats 1 to 5, refuses anything else.
     *
     * @throws StoreException naming both versions when the database is of another format
     */
    static void prepare(Connection db, String where) throws SQLException {
        int version;
        boolean empty;
        try (Statement statement = db.createStatement()) {
            try (ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
                version = rows.getInt(1);
            }
            try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM sqlite_master")) {
                empty = rows.getInt(1) == 0;
            }
        }
        if (version == VERSION) {
            return;
        }
        if (version == 0 && empty) {
            inTransaction(db, () -> {
                try (Statement statement = db.createStatement()) {
                    for (String table : TABLES) {
                        statement.execute(table);
                    }
                    indexAccounts(statement, ACCOUNT_TABLES);
                    statement.execute("PRAGMA user_version=" + VERSION);
                }
            });
            return;
        }
        if (version >= 1 && version < VERSION) {
            inTransaction(db, () -> {
                if (version <= 1) {
                    migrateFrom1(db);
                }
                if (version <= 2) {
                    migrateFrom2(db);
                }
                if (version <= 3) {
                    migrateFrom3(db);
                }
                if (version <= 4) {
                    migrateFrom4(db);
                }
                if (version <= 5) {
                    migrateFrom5(db);
                }
                migrateFrom6(db);
            });
            log.info("{}: data of format version {} brought to version {} (messages with roles, sessions keyed by "
                    + "digests, rows by account, private notes, a message log)", where, version, VERSION);
            return;
        }
        throw new StoreException(where + " holds data of format version " + version + "; this server reads version "
                + VERSION + " (and brings versions 1 to 5 up to it): use the server version that wrote it, or another "
                + "--data-dir");
    }

    private interface Work {
        void run() throws SQLException;
    }

    private static void inTransaction(Connection db, Work work) throws SQLException {
        boolean auto = db.getAutoCommit();
        db.setAutoCommit(false);
        try {
            work.run();
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(auto);
        }
    }

    /**
     * Format 1 to 2. A message's role is the guest's when its writer is the room's guest by name (format 1 refused no
     * guest name, so a guest named like the agent reads as the guest: the name was all it had), an agent's otherwise.
     * A session's key is its reservation (guests) or {@code account/user} (agents), and its token becomes a digest;
     * reservations and agents name their session by that key.
     */
    private static void migrateFrom1(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute("ALTER TABLE messages ADD COLUMN role TEXT");
            statement.execute("UPDATE messages SET role = CASE WHEN user = (SELECT json_extract(r.data, '$.user') "
                    + "FROM rooms m JOIN reservations r ON r.sid = json_extract(m.data, '$.reservation') "
                    + "WHERE m.id = messages.room) THEN 'GUEST' ELSE 'AGENT' END");
            statement.execute("UPDATE reservations SET data = json_set(data, '$.session', sid) "
                    + "WHERE json_extract(data, '$.session') IS NOT NULL");
            statement.execute("UPDATE agents SET data = json_set(data, '$.session', key) "
                    + "WHERE json_extract(data, '$.session') IS NOT NULL");
            List<String[]> sessions = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT token, json_extract(data, '$.role'), "
                    + "json_extract(data, '$.account'), json_extract(data, '$.agent'), "
                    + "json_extract(data, '$.reservation') FROM sessions")) {
                while (rows.next()) {
                    sessions.add(new String[] {rows.getString(1), rows.getString(2), rows.getString(3),
                        rows.getString(4), rows.getString(5)});
                }
            }
            statement.execute("DROP TABLE sessions");
            statement.execute("CREATE TABLE sessions (key TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID");
            try (PreparedStatement insert = db.prepareStatement("INSERT INTO sessions VALUES (?, json_object("
                    + "'key', ?, 'role', ?, 'account', ?, 'agent', ?, 'reservation', ?, 'digest', ?, 'previous', "
                    + "NULL))")) {
                for (String[] session : sessions) {
                    String key = session[4] != null ? session[4] : session[2] + "/" + session[3];
                    insert.setString(1, key);
                    insert.setString(2, key);
                    insert.setString(3, session[1]);
                    insert.setString(4, session[2]);
                    insert.setString(5, session[3]);
                    insert.setString(6, session[4]);
                    insert.setString(7, Secrets.digestText(session[0]));
                    insert.executeUpdate();
                }
            }
        }
    }

    /** Format 2 to 3: each row's account, read from its JSON, in a column of its own with an index. */
    private static void migrateFrom2(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            for (String table : FORMAT_3_TABLES) {
                statement.execute("ALTER TABLE " + table + " ADD COLUMN account TEXT");
                statement.execute("UPDATE " + table + " SET account = json_extract(data, '$.account')");
            }
            indexAccounts(statement, FORMAT_3_TABLES);
        }
    }

    /** Format 3 to 4: every message so far was for every member. */
    private static void migrateFrom3(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute("ALTER TABLE messages ADD COLUMN private INTEGER NOT NULL DEFAULT 0");
        }
    }

    /** Format 5 to 6: the mail queue. */
    private static void migrateFrom5(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute(MAILS);
            statement.execute("CREATE INDEX mails_by_account ON mails (account)");
        }
    }

    /** Format 7: canned replies. */
    private static void migrateFrom6(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute(REPLIES);
            statement.execute("CREATE INDEX replies_by_account ON replies (account)");
            statement.execute("PRAGMA user_version=" + VERSION);
        }
    }

    private static void migrateFrom4(Connection db) throws SQLException {
        try (Statement statement = db.createStatement()) {
            statement.execute(MessageLog.CREATE);
        }
    }
}
