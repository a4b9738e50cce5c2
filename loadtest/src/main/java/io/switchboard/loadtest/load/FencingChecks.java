package io.switchboard.loadtest.load;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What {@code cluster-crash} checks of fencing, besides what {@link CrashChecks} checks of data: a paused owner says
 * nothing to its clients once it wakes up and gives its accounts up, and the commit audit shows one node per account
 * and epoch, epochs never going back. Failures go to the run's list; the counts are for its report.
 */
final class FencingChecks {
    private final List<String> failures;
    int zombies;
    int gaveUp;
    int auditEntries;

    FencingChecks(List<String> failures) {
        this.failures = failures;
    }

    /** Waits until none of the clients has a message in flight or heard anything for 300 ms (at most 15 s). */
    static void awaitQuiet(List<CrashPeer> peers) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        long quiet = TimeUnit.MILLISECONDS.toNanos(300);
        while (System.nanoTime() < deadline) {
            long now = System.nanoTime();
            if (peers.stream().allMatch(peer -> peer.inFlight.get() == 0 && now - peer.lastFrameNanos > quiet)) {
                return;
            }
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }

    /**
     * The paused owner, once awake, gave up every account it held (its renewal or its next commit was refused: a newer
     * epoch holds them) within 10 s, as its log says.
     */
    void checkGaveUp(Target zombie, Map<String, String> heldEpochs, int round) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (Map.Entry<String, String> held : heldEpochs.entrySet()) {
            String line = "gave up account " + held.getKey() + " at epoch " + held.getValue() + ":";
            while (zombie.outputContaining(line).isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (zombie.outputContaining(line).isEmpty()) {
                failures.add("round " + round + ": the paused owner did not give up account " + held.getKey()
                        + " after it woke up");
            } else {
                gaveUp++;
            }
        }
    }

    /** A client of a fenced owner got no frame after it woke up (only its close). */
    void checkZombie(List<CrashPeer> direct, int round) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (CrashPeer peer : direct) {
            while (peer.closeStatus == 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (peer.sinceMark.get() != 0) {
                failures.add("round " + round + ": " + peer.name + " got " + peer.sinceMark.get() + " frames from its "
                        + "owner after the owner was fenced: " + peer.seenSinceMark);
            }
            if (peer.closeStatus == 0) {
                failures.add("round " + round + ": " + peer.name + " was not closed by its fenced owner");
            }
            zombies++;
        }
    }

    /** The commit audit: per account, epochs never go back in commit order, and each epoch has one node. */
    void audit(RedisChild redis, List<String> accounts) {
        for (String account : accounts) {
            List<String> entries = redis.commands().lrange("{a:" + account + "}:audit", 0, -1);
            Map<Long, String> nodeOfEpoch = new HashMap<>();
            long last = 0;
            for (String entry : entries) {
                String[] parts = entry.split(" ");
                long epoch = Long.parseLong(parts[0]);
                String previous = nodeOfEpoch.putIfAbsent(epoch, parts[1]);
                if (previous != null && !previous.equals(parts[1])) {
                    failures.add("account " + account + ": epoch " + epoch + " committed by " + previous + " and "
                            + parts[1]);
                }
                if (epoch < last) {
                    failures.add("account " + account + ": a commit of epoch " + epoch + " after one of epoch "
                            + last);
                }
                last = Math.max(last, epoch);
                auditEntries++;
            }
        }
    }
}
