package io.switchboard.server.gate;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;

/**
 * Where a link's events go: the lobby, or an account's desk. Every method runs on the route's thread; a route that
 * handed a link on forwards whatever still reaches it to the link's new route, in order.
 */
abstract class Route {
    final DeskThread thread;

    Route(DeskThread thread) {
        this.thread = thread;
    }

    abstract void request(Link link, String ref, Request request);

    abstract void rejected(Link link, String ref, ErrorCode code, String message);

    abstract void closed(Link link);

    /**
     * Sends a link and its request to another route, from this route's thread: the arrival is queued on the target's
     * thread before the link's route changes, so whatever reaches this route meanwhile is forwarded behind it.
     */
    final void handOver(Link link, Route target, String ref, Request request) {
        target.arrive(link, ref, request);
        link.route = target;
    }

    /** Whether what this route says may leave (an account's desk in a cluster: while the node holds its lease). */
    Fence fence() {
        return Fence.OPEN;
    }

    /** A link arrives from another route with the request that brought it. Any thread. */
    abstract void arrive(Link link, String ref, Request request);
}
