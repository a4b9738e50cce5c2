package io.switchboard.server.store;

import java.sql.SQLException;

/**
 * Faults to inject into the store's commits (tests only): called on the writer thread after a commit's rows are
 * written and before it commits; throwing fails that commit as a full disk would, and the writer recovers from it as
 * from a real one.
 */
@FunctionalInterface
public interface StoreFaults {
    /** No faults: a real server. */
    StoreFaults NONE = () -> { };

    void beforeCommit() throws SQLException;
}
