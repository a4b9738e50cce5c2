package io.switchboard.loadtest.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
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
        long[] taken = new long[1];
        crash.afterKill = dir -> {
            if (taken[0] > 0) {
                return;
            }
            // The newest acknowledged message of the room with the most of them (never one the server wrote to disk
            // but whose ack the kill cut off: that one was not acknowledged, and losing it is no loss), wherever it
            // is: the log, the room's range, or both.
            var victim = crash.acknowledged().entrySet().stream().filter(room -> !room.getValue().isEmpty())
                    .max(java.util.Comparator.comparingInt(room -> room.getValue().size())).orElseThrow();
            long seq;
            synchronized (victim.getValue()) {
                seq = victim.getValue().lastKey();
            }
            try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("switchboard.db"));
                 PreparedStatement messages = db.prepareStatement("DELETE FROM messages WHERE room = ? AND seq = ?");
                 PreparedStatement log = db.prepareStatement("DELETE FROM message_log WHERE room = ? AND seq = ?")) {
                for (PreparedStatement delete : List.of(messages, log)) {
                    delete.setString(1, victim.getKey());
                    delete.setLong(2, seq);
                    taken[0] += delete.executeUpdate();
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        };
        assertEquals(1, crash.run(), "seed " + seed);
        assertTrue(taken[0] > 0, "an acknowledged message was taken out of the data directory (seed " + seed + ")");
        assertTrue(crash.failures.stream().anyMatch(failure -> failure.contains("lost acknowledged message")),
                crash.failures::toString);
    }
}
