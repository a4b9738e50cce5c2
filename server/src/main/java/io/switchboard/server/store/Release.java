package io.switchboard.server.store;

/**
 * How what the server says waits for the changes it reveals to be durable: every WebSocket frame, REST answer and SSE
 * event goes out through one of these. Each destination (a connection, a stream, an HTTP exchange) has its {@link
 * Line}: what is released on one line leaves in the order it was released, never overtaking what waits before it.
 */
public interface Release {
    /** Lets everything go at once: for a server that keeps nothing (tests, the simulator). */
    Release NOW = new Release() {
        @Override
        public void after(Line line, boolean reveals, Runnable task) {
            task.run();
        }

        @Override
        public long submitted() {
            return 0;
        }
    };

    /**
     * Runs {@code task} once it may leave: when it {@code reveals} a change (it comes from a turn that changed
     * something, or it is an SSE event), once every change the desk has handed to the store so far is durable;
     * otherwise (a {@code pong}, a {@code welcome}, an answer to a read, an error: the turn changed nothing) at once;
     * in either case after everything released earlier on the same line. Desk thread only; the task runs on the desk
     * thread or the store's writer thread.
     */
    void after(Line line, boolean reveals, Runnable task);

    /**
     * How many batches of changes the desk has handed to the store so far: a turn that did not move it changed nothing
     * that a crash could take back. Desk thread only.
     */
    long submitted();

    /** One destination's place in the release order. Its state belongs to the {@link Release} it is used with. */
    final class Line {
        /** The newest batch a task released on this line waits for (guarded by the release's lock). */
        long waitsFor;
    }
}
