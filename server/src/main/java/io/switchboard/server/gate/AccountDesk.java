package io.switchboard.server.gate;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.server.desk.Connection;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.Handover;

/**
 * One account's desk as the gate routes to it: every event becomes one turn of the desk on its thread. A connection
 * that signs in to another account from here is handed over to that account's desk ({@link Handover}). Desk thread
 * only (but {@link #arrive}).
 */
final class AccountDesk extends Route implements Handover {
    final String account;
    final int generation;
    private final DeskGate gate;
    final Fence fence;
    Desk desk;

    AccountDesk(DeskThread thread, DeskGate gate, String account, int generation, Fence fence) {
        super(thread);
        this.gate = gate;
        this.account = account;
        this.generation = generation;
        this.fence = fence;
    }

    @Override
    Fence fence() {
        return fence;
    }

    @Override
    void request(Link link, String ref, Request request) {
        desk.turn(() -> desk.onRequest(link, ref, request));
    }

    @Override
    void rejected(Link link, String ref, ErrorCode code, String message) {
        desk.turn(() -> desk.onRejected(link, ref, code, message));
    }

    @Override
    void closed(Link link) {
        desk.turn(() -> desk.onDisconnect(link));
        link.route = Closed.ROUTE;
    }

    @Override
    void arrive(Link link, String ref, Request request) {
        thread.execute(() -> {
            if (link.route != Closed.ROUTE) {
                desk.turn(() -> {
                    desk.adopt(link, link.connectedAt);
                    desk.onRequest(link, ref, request);
                });
            }
        });
    }

    @Override
    public boolean handOver(Connection connection, String ref, Request request) {
        Route target = gate.resolve(request);
        if (target == null || target == this) {
            return false;
        }
        handOver((Link) connection, target, ref, request);
        return true;
    }
}
