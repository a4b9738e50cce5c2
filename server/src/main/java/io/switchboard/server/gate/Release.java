package io.switchboard.server.gate;

/**
 * How what the server says waits for the changes it reveals to be durable: every WebSocket frame, REST answer and SSE
 * event goes out through one of these. Each destination (a connection, a stream, an HTTP exchange) has its {@link
 * Line}: what is released on one line leaves in the order it was released, never overtaking what waits before it.
 */
public interface Release {
    /** Lets everything go at once: for a server that keeps nothing (tests, the simulator). */
    Release NOW = (line, reveals, task) -> task.run();

    /**
     * Runs {@code task} once it may leave: when it {@code reveals} a change (it comes from a turn that changed
     * something, or it is an SSE event), once every change the desk has handed to the store so far is durable;
     * otherwise (a {@code pong}, a {@code welcome}, an answer to a read, an error: the turn changed nothing) at once;
     * in either case after everything released earlier on the same line. Desk threads; the task runs on a desk
     * thread or the store's writer thread.
     */
    void after(Line line, boolean reveals, Runnable task);

    /**
     * As {@link #after(Line, boolean, Runnable)}, for what an account's desk said: when its moment comes, {@code task}
     * runs only if the node still speaks for the account ({@link Fence#open}); else {@code fenced} runs instead (the
     * destination is told to go elsewhere, and nothing the desk said reaches it).
     */
    default void after(Line line, boolean reveals, Fence fence, Runnable task, Runnable fenced) {
        if (fence == Fence.OPEN) {
            after(line, reveals, task);
            return;
        }
        after(line, reveals, () -> {
            if (fence.open()) {
                task.run();
            } else {
                fenced.run();
            }
        });
    }

    /** One destination's place in the release order. Its state belongs to the {@link Release} it is used with. */
    final class Line {
        private long waitsFor;

        /** The newest batch a task released on this line waits for (a release reads it under its lock). */
        public long waitsFor() {
            return waitsFor;
        }

        /** Notes the newest batch a task released on this line waits for (a release sets it under its lock). */
        public void waitFor(long seq) {
            waitsFor = seq;
        }
    }
}
