package io.switchboard.server.gate;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.server.desk.Cancellable;

/** The route of a link the server closed: whatever still arrives for it is dropped. */
final class Closed extends Route {
    static final Closed ROUTE = new Closed();

    private Closed() {
        super(new DeskThread() {
            @Override
            public void execute(Runnable task) {
                task.run();
            }

            @Override
            public void shutdown(long timeoutMs) {
            }

            @Override
            public long now() {
                return 0;
            }

            @Override
            public Cancellable schedule(long delayMs, Runnable task) {
                return () -> { };
            }
        });
    }

    @Override
    void request(Link link, String ref, Request request) {
    }

    @Override
    void rejected(Link link, String ref, ErrorCode code, String message) {
    }

    @Override
    void closed(Link link) {
    }

    @Override
    void arrive(Link link, String ref, Request request) {
    }
}
