package io.switchboard.loadtest.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server as a child process, killed with SIGKILL at seeded random moments and started again on the same data
 * directory, then stopped with SIGTERM and started again: nothing acknowledged is lost and every client resumes. The
 * seed is printed; {@code java -jar loadtest/target/switchboard-loadtest.jar crash --seed S} replays a round plan.
 */
class CrashTest {
    @TempDir
    Path data;

    @Test
    void nothingAcknowledgedIsLostAcrossKillsAndARestart() throws Exception {
        long seed = new Random().nextLong();
        CrashCommand crash = new CrashCommand(5, seed, "fsync", 10, 3, data);
        assertEquals(0, crash.run(), () -> "seed " + seed + ": " + crash.failures);
        assertTrue(crash.checkedMessages > 500, "messages were checked: " + crash.checkedMessages);
        assertTrue(crash.checkedReservations > 5, "reservations were checked: " + crash.checkedReservations);
        assertTrue(crash.checkedMails > 0, "messages left by email and their mails were checked: "
                + crash.checkedMails);
    }

    /** The check can fail: a message taken out of the data directory while the server is down is reported lost. */
    @Test
    void theCheckCatchesALostMessage() throws Exception {
        long seed = new Random().nextLong();
        CrashCommand crash = new CrashCommand(2, seed, "process", 10, 3, data);
        crash.afterKill = dir -> {
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("switchboard.db"));
                 Statement statement = db.createStatement()) {
                // The newest message of one chat room, wherever it is: the log, the room's range, or both (not a room
                // of a message left by email: its first message is the server's, not one a client had acknowledged).
                statement.executeUpdate("CREATE TEMP TABLE victim AS SELECT room, max(seq) AS seq FROM (SELECT room, "
                        + "seq FROM messages UNION ALL SELECT room, seq FROM message_log) WHERE room IN (SELECT r.id "
                        + "FROM rooms r JOIN reservations v ON v.sid = json_extract(r.data, '$.reservation') WHERE "
                        + "json_extract(v.data, '$.byEmail') = 0) GROUP BY room ORDER BY room LIMIT 1");
                statement.executeUpdate("DELETE FROM messages WHERE (room, seq) IN (SELECT room, seq FROM victim)");
                statement.executeUpdate("DELETE FROM message_log WHERE (room, seq) IN (SELECT room, seq FROM victim)");
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        };
        assertEquals(1, crash.run(), "seed " + seed);
        assertTrue(crash.failures.stream().anyMatch(failure -> failure.contains("lost acknowledged message")),
                crash.failures::toString);
    }
}
