package io.switchboard.server.desk;

/**
 * Where the desk's changes go to be kept: at the end of every turn that changed something that must survive a restart,
 * the desk hands over that turn's rows. The journal must not block the desk; it makes them durable in its own time
 * (the transport holds back what the turn said until then).
 */
public interface Journal {
    /** Keeps nothing: the desk's changes are not collected at all (tests, the simulator). */
    Journal NONE = changes -> 0;

    /** Takes one turn's changes; returns their batch number, larger than any before. Desk thread only. */
    long write(Stored.Changes changes);

    /**
     * Whether the journal takes new changes now: false while it cannot store them (a full disk, an I/O error) or while
     * too many turns wait to be stored. The desk then refuses every request that would change something, so nothing
     * is promised that could not be kept. Any thread.
     */
    default boolean accepting() {
        return true;
    }

    /**
     * The newest batch number that is durable: everything written up to it can be read back. The desk lets the
     * messages of an ended room go from memory once its end is durable. Any thread.
     */
    default long durable() {
        return Long.MIN_VALUE;
    }

    /**
     * The stored messages of a room, in seq order: read at a restart for the rooms that are open, and for a room that
     * ended before the restart when someone first asks for its history (so ended transcripts stay on disk until then).
     * Desk thread only.
     */
    default java.util.List<Stored.MessageRow> transcript(String room) {
        return transcript(room, 0, Integer.MAX_VALUE);
    }

    /** At most {@code limit} stored messages of a room whose seq is greater than {@code after}, in order. */
    default java.util.List<Stored.MessageRow> transcript(String room, long after, int limit) {
        return java.util.List.of();
    }

    /** The last {@code limit} stored messages of a room, in seq order (a restart reads open rooms' tails). */
    default java.util.List<Stored.MessageRow> tail(String room, int limit) {
        java.util.List<Stored.MessageRow> all = transcript(room);
        return all.subList(Math.max(0, all.size() - limit), all.size());
    }
}
