package io.switchboard.server.gate;

/**
 * Whether what an account's desk says may still leave this node. On one server it always may. In a cluster, a node
 * speaks for an account only while it holds the account's lease: a fence closes when the lease's local deadline passes
 * without a renewal (a paused process wakes up past it) or when a commit finds a newer owner's epoch, and what the desk
 * said then is never delivered (docs/design.md#cluster-mode). Any thread.
 */
public interface Fence {
    /** A fence that never closes: one server, which owns every account. */
    Fence OPEN = () -> true;

    /** Whether this node still speaks for the account. */
    boolean open();
}
