package io.switchboard.loadtest;

import io.switchboard.loadtest.simulate.SimulateCommand;
import io.switchboard.loadtest.simulate.EstimateBench;
import java.util.Arrays;

/**
 * The load test's entry point: the socket scenarios ({@code connect}, {@code chat}, {@code queue}, {@code sse}, {@code
 * limit}), {@code config} (the server configuration they expect), {@code simulate} (the wait-estimate simulator) and
 * {@code estimate-bench} (the cost of recomputing a queue's estimates), {@code crash} (kill -9 and restart, checking
 * that nothing acknowledged is lost), {@code cluster-crash} (the same against three nodes on Redis, with pauses and
 * Redis restarts), {@code restart-bench} (time to restart on a large data directory) and {@code
 * flood} (one hostile visitor and many, against a server with a small heap, while a real guest and agent use it).
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: switchboard-loadtest connect|chat|queue|sse|limit --url ws://127.0.0.1:PORT/ws|self"
                    + " [--duration-s N] [--rate N] [--guests N] [--agents N] [--streams N] [--sources N]"
                    + " [--out REPORT.json] [--no-reference] [--durability fsync|process]\n"
                    + "       switchboard-loadtest crash [--rounds N] [--seed S] [--durability fsync|process]"
                    + " [--guests N] [--agents N] [--data-dir DIR]\n"
                    + "       switchboard-loadtest cluster-crash [--rounds N] [--seed S] [--guests N] [--agents N]"
                    + " [--lease-ms N]   (redis-server and three nodes)\n"
                    + "       switchboard-loadtest restart-bench [--guests N] [--messages N] [--rooms N]\n"
                    + "       switchboard-loadtest flood [--duration-s N] [--heap 64m]\n"
                    + "       switchboard-loadtest console-bench [--guests N] [--consoles N] [--changes N] [--seed S]"
                    + " [--out REPORT.json]\n"
                    + "       switchboard-loadtest disk-full   (root: a full disk in a private mount namespace)\n"
                    + "       switchboard-loadtest config [--agents N]\n"
                    + "       switchboard-loadtest simulate --scenario FILE [--seed N] [--seeds K] [--out REPORT.json]"
                    + " [--markdown REPORT.md]\n       switchboard-loadtest estimate-bench [--guests N] [--agents N]");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        int status = switch (args[0]) {
            case "simulate" -> SimulateCommand.run(rest);
            case "crash" -> io.switchboard.loadtest.load.CrashCommand.run(rest);
            case "cluster-crash" -> io.switchboard.loadtest.load.ClusterCrashCommand.run(rest);
            case "flood" -> io.switchboard.loadtest.load.FloodCommand.run(rest);
            case "disk-full" -> io.switchboard.loadtest.load.DiskFullCommand.run(rest);
            case "restart-bench" -> io.switchboard.loadtest.load.RestartBench.run(rest);
            case "console-bench" -> io.switchboard.loadtest.load.ConsoleBench.run(rest);
            case "estimate-bench" -> EstimateBench.run(rest);
            case "config" -> {
                System.out.println(io.switchboard.loadtest.load.LoadCommand.config(rest));
                yield 0;
            }
            case "connect", "chat", "queue", "sse", "limit" -> io.switchboard.loadtest.load.LoadCommand.run(args[0],
                    rest);
            default -> {
                System.err.println("switchboard-loadtest: unknown command " + args[0]);
                yield 2;
            }
        };
        System.exit(status);
    }
}
