package io.switchboard.loadtest;

import io.switchboard.loadtest.simulate.SimulateCommand;
import io.switchboard.loadtest.simulate.EstimateBench;
import java.util.Arrays;

/**
 * The load test's entry point: {@code simulate} (the wait-estimate simulator) and {@code estimate-bench} (the cost of
 * recomputing a queue's estimates). The socket scenarios (connect, chat, queue, sse, limit) are not built yet: they
 * say so and exit non-zero, so nobody mistakes them for a result.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: switchboard-loadtest simulate --scenario FILE [--seed N] [--seeds K] [--out REPORT.json]"
                    + " [--markdown REPORT.md]\n       switchboard-loadtest estimate-bench [--guests N] [--agents N]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int status = switch (args[0]) {
            case "simulate" -> SimulateCommand.run(rest);
            case "estimate-bench" -> EstimateBench.run(rest);
            default -> {
                System.err.println("switchboard-loadtest: " + args[0] + ": not built yet (the socket scenarios are a"
                        + " later issue)");
                yield 2;
            }
        };
        System.exit(status);
    }
}
