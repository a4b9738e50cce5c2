package io.switchboard.loadtest.load;

import io.switchboard.server.config.Durability;
import io.switchboard.server.desk.ReservationStatus;
import io.switchboard.server.desk.Stored;
import io.switchboard.server.store.Commits;
import io.switchboard.server.store.SqliteStore;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code restart-bench [--guests N] [--messages N] [--rooms N] [--open-percent P]}: writes a data directory with N
 * waiting guests (with resumable sessions) and N messages spread over rooms, P % of them open (their transcripts are
 * read at start) and the rest ended (kept on disk until someone asks for their history), then times the server's start on it
 * (from launching the JVM to its {@code listening} line, and the server's own "ready in" time) against a start on an
 * empty directory, and checks the last guest is at place N in the queue.
 */
public final class RestartBench {
    private RestartBench() {
    }

    public static int run(String[] args) {
        int guests = 10_000;
        int messages = 1_000_000;
        int rooms = 10_000;
        int openPercent = 50;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--guests" -> guests = Integer.parseInt(args[i + 1]);
                case "--messages" -> messages = Integer.parseInt(args[i + 1]);
                case "--rooms" -> rooms = Integer.parseInt(args[i + 1]);
                case "--open-percent" -> openPercent = Integer.parseInt(args[i + 1]);
                default -> {
                    System.err.println("restart-bench: unknown option " + args[i]
                            + "\nusage: restart-bench [--guests N] [--messages N] [--rooms N] [--open-percent P]");
                    return 2;
                }
            }
        }
        if (guests < 1 || guests > 1_000_000 || messages < 0 || messages > 20_000_000 || rooms < 1
                || rooms > 1_000_000 || openPercent < 0 || openPercent > 100) {
            System.err.println("restart-bench: out of range (guests 1..1e6, messages 0..2e7, rooms 1..1e6)");
            return 2;
        }
        Path full = null;
        Path empty = null;
        try {
            full = Files.createTempDirectory("switchboard-restart-full");
            empty = Files.createTempDirectory("switchboard-restart-empty");
            long writeStart = System.nanoTime();
            int open = (int) ((long) rooms * openPercent / 100);
            String lastSid = fill(full, guests, messages, rooms, open);
            long size;
            try (var files = Files.list(full)) {
                size = files.mapToLong(path -> path.toFile().length()).sum();
            }
            System.out.printf("wrote %d waiting guests, %d messages in %d rooms (%d open) in %.1f s (%d MB on disk)%n",
                    guests, messages, rooms, open, (System.nanoTime() - writeStart) / 1e9, size >> 20);
            Timing base = start(empty, null);
            Timing loaded = start(full, lastSid);
            System.out.printf("empty directory: listening after %d ms (server ready in %d ms)%n", base.launchMs,
                    base.readyMs);
            System.out.printf("%d guests + %d messages: listening after %d ms (server ready in %d ms), last guest at"
                    + " place %d%n", guests, messages, loaded.launchMs, loaded.readyMs, loaded.place);
            System.out.printf("restore cost: %d ms over the empty start; %s%n", loaded.launchMs - base.launchMs,
                    loaded.launchMs < 5_000 ? "under 5 s" : "OVER 5 s");
            return loaded.place == guests ? 0 : 1;
        } catch (Exception e) {
            System.err.println("restart-bench: failed: " + e);
            return 1;
        } finally {
            if (full != null) {
                Target.deleteTree(full);
            }
            if (empty != null) {
                Target.deleteTree(empty);
            }
        }
    }

    private record Timing(long launchMs, long readyMs, long place) {
    }

    private static Timing start(Path dir, String lastSid) throws Exception {
        long launch = System.nanoTime();
        try (Target target = Target.switchboard(1, "fsync", dir)) {
            long launchMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launch);
            String ready = target.outputContaining("ready in").stream().findFirst().orElse("ready in -1 ms");
            target.outputContaining("restored").forEach(line -> System.out.println("  server: " + line));
            long readyMs = Long.parseLong(ready.replaceAll(".*ready in (\\d+) ms.*", "$1"));
            long place = 0;
            if (lastSid != null) {
                HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                                target.http.resolve("/v1/queuePosition/account/default/conversations/" + lastSid))
                        .header("Authorization", "Bearer " + Target.API_KEY).build(),
                        HttpResponse.BodyHandlers.ofString());
                place = Long.parseLong(answer.body().replaceAll(".*\"queuePosition\":(\\d+).*", "$1"));
            }
            return new Timing(launchMs, readyMs, place);
        }
    }

    /** Writes the data directory through the server's own store; returns the last waiting guest's reservation. */
    private static String fill(Path dir, int guests, int messages, int rooms, int open) throws InterruptedException {
        Commits commits = new Commits();
        long now = System.currentTimeMillis();
        String last = null;
        try (SqliteStore store = SqliteStore.open(dir, Durability.PROCESS, commits, SqliteStore.Metrics.NONE)) {
            store.load();
            store.start();
            List<Stored.ReservationRow> reservations = new ArrayList<>();
            List<Stored.SessionRow> sessions = new ArrayList<>();
            for (int i = 0; i < guests; i++) {
                String sid = "rsv_waiting" + i;
                reservations.add(new Stored.ReservationRow(sid, "default", "default", "guest-" + i, "question " + i,
                        Map.of(), null, 1, 180, i + 1, false, now - (guests - i) * 100L, 0,
                        ReservationStatus.QUEUED, 2, sid, null, null, 0, 0));
                sessions.add(new Stored.SessionRow(sid, "GUEST", "default", null, sid,
                        io.switchboard.server.config.Secrets.digestText("ses_waiting" + i), null));
                last = sid;
            }
            List<Stored.RoomRow> roomRows = new ArrayList<>();
            for (int r = 0; r < rooms; r++) {
                String sid = "rsv_done" + r;
                boolean isOpen = r < open;
                long forgetAt = isOpen ? 0 : now + 86_400_000;
                reservations.add(new Stored.ReservationRow(sid, "default", "default", "done-" + r, null, Map.of(),
                        null, 1, 180, guests + r + 1, false, now - 3_600_000, 1_000, ReservationStatus.MATCHED, 5,
                        null, "rm_done" + r, "agent-1", now, forgetAt));
                roomRows.add(new Stored.RoomRow("rm_done" + r, "default", sid, "agent-1", List.of(),
                        List.of("agent-1"), isOpen, now - 3_000_000, forgetAt));
            }
            store.write(new Stored.Changes(reservations, List.of(), roomRows, List.of(), List.of(), List.of(),
                    sessions, List.of(), List.of()));
            int perRoom = messages / rooms;
            int written = 0;
            List<Stored.MessageRow> batch = new ArrayList<>();
            for (int r = 0; r < rooms && written < messages; r++) {
                int count = r == rooms - 1 ? messages - written : Math.min(perRoom, messages - written);
                for (int seq = 1; seq <= count; seq++) {
                    batch.add(new Stored.MessageRow("rm_done" + r, seq, seq % 2 == 0 ? "agent-1" : "done-" + r,
                            seq % 2 == 0 ? io.switchboard.protocol.Role.AGENT : io.switchboard.protocol.Role.GUEST,
                            "message " + seq + " of a conversation that ended before the restart", now - 3_000_000
                            + seq));
                    written++;
                    if (batch.size() == 10_000) {
                        store.write(new Stored.Changes(List.of(), List.of(), List.of(), List.of(), batch, List.of(),
                                List.of(), List.of(), List.of()));
                        batch = new ArrayList<>();
                    }
                }
            }
            store.write(new Stored.Changes(List.of(), List.of(), List.of(), List.of(), batch, List.of(), List.of(),
                    List.of(), List.of()));
            CountDownLatch done = new CountDownLatch(1);
            commits.after(new io.switchboard.server.gate.Release.Line(), true, done::countDown);
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("the store did not commit within 10 minutes");
            }
        }
        return last;
    }
}
