package io.switchboard.loadtest;

/**
 * The load generator's entry point. The scenarios (connect, chat, queue, sse, limit) and the wait-time simulator are
 * not built yet; this placeholder says so and exits non-zero, so nobody mistakes it for a result.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("switchboard-loadtest: no scenarios yet (the load generator is a later issue)");
        System.exit(2);
    }
}
