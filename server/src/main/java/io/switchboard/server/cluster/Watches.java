package io.switchboard.server.cluster;

import io.switchboard.server.gate.Placement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The connections a node relays to an account's owner, each watching that the owner is still the one it reached: when
 * the account's owner changes ({@link #moved}), the watches bound to another owner run (their connection goes and
 * finds the new one) and are dropped. Thread-safe.
 */
final class Watches {
    private record Watch(Placement.Owner owner, Runnable moved) {
    }

    private final Map<String, List<Watch>> watches = new HashMap<>();

    /** Watches {@code account} bound to {@code owner}; returns what cancels the watch. */
    Runnable add(String account, Placement.Owner owner, Runnable moved) {
        Watch watch = new Watch(owner, moved);
        synchronized (watches) {
            watches.computeIfAbsent(account, key -> new ArrayList<>()).add(watch);
        }
        return () -> {
            synchronized (watches) {
                List<Watch> list = watches.get(account);
                if (list != null) {
                    list.remove(watch);
                }
            }
        };
    }

    /** The account's owner is {@code now}: the watches bound to another one run, outside the lock. */
    void moved(String account, Placement.Owner now) {
        List<Runnable> moved = new ArrayList<>();
        synchronized (watches) {
            List<Watch> list = watches.get(account);
            if (list == null) {
                return;
            }
            list.removeIf(watch -> {
                if (!watch.owner.equals(now)) {
                    moved.add(watch.moved);
                    return true;
                }
                return false;
            });
        }
        moved.forEach(Runnable::run);
    }
}
