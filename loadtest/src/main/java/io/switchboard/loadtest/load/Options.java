package io.switchboard.loadtest.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;

/**
 * The load generator's command line: {@code SCENARIO --url ws://127.0.0.1:PORT/ws|self [--duration-s N] [--rate N]
 * [--guests N] [--agents N] [--streams N] [--sources N] [--out REPORT.json] [--no-reference] [--cancel-order
 * front|back] [--durability fsync|process] [--accounts N] [--desk-threads N] [--warm-up-s N] [--server-jar JAR]
 * [--nodes N] [--affinity]}
 * ({@code sse}: cancel from the front of the queue, moving everyone behind, or from the back; the server's durability,
 * fsync by default; {@code chat}: the agents and guests spread over N accounts, on a server with N desk threads, both
 * 1 by default; {@code chat} and {@code limit} send the run's traffic for {@code --warm-up-s} seconds, 10 by default,
 * before measuring; {@code --server-jar} starts the Switchboard under test from another build's jar, so two servers
 * are measured with one client; {@code chat --nodes N}: against {@code redis-server} and N cluster nodes this run
 * starts, each client on node {@code index % N}, or with {@code --affinity} on its account's owner). Every run is bounded: counts and durations have caps, and targets outside 127.0.0.0/8
 * and ::1 are refused.
 */
public record Options(
        String scenario,
        String url,
        int durationS,
        int rate,
        int guests,
        int agents,
        int streams,
        int sources,
        Path out,
        boolean reference,
        boolean cancelFromBack,
        String durability,
        int accounts,
        int deskThreads,
        int warmUpS,
        Path serverJar,
        int nodes,
        boolean affinity) {

    public static final int MAX_DURATION_S = 600;
    public static final int MAX_CONNECTIONS = 19_000;
    public static final int MAX_RATE = 1_000_000;

    /** Defaults per scenario, overridden by the options given. */
    public static Options parse(String scenario, String[] args) {
        String url = null;
        Integer duration = null;
        Integer rate = null;
        Integer guests = null;
        Integer agents = null;
        Integer streams = null;
        int sources = 16;
        Path out = null;
        boolean reference = true;
        boolean back = false;
        String durability = "fsync";
        int accounts = 1;
        int deskThreads = 1;
        int warmUpS = 10;
        Path serverJar = null;
        int nodes = 0;
        boolean affinity = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--url" -> url = need(args[i], value);
                case "--duration-s" -> duration = number(args[i], value);
                case "--rate" -> rate = number(args[i], value);
                case "--guests" -> guests = number(args[i], value);
                case "--agents" -> agents = number(args[i], value);
                case "--streams" -> streams = number(args[i], value);
                case "--sources" -> sources = number(args[i], value);
                case "--out" -> out = Path.of(need(args[i], value));
                case "--cancel-order" -> {
                    if (!List.of("front", "back").contains(need(args[i], value))) {
                        throw new IllegalArgumentException("--cancel-order: " + value + " (expected: front or back)");
                    }
                    back = value.equals("back");
                }
                case "--durability" -> {
                    if (!List.of("fsync", "process").contains(need(args[i], value))) {
                        throw new IllegalArgumentException("--durability: " + value + " (expected: fsync or process)");
                    }
                    durability = value;
                }
                case "--accounts" -> accounts = number(args[i], value);
                case "--desk-threads" -> deskThreads = number(args[i], value);
                case "--warm-up-s" -> warmUpS = number(args[i], value);
                case "--server-jar" -> {
                    serverJar = Path.of(need(args[i], value));
                    if (!java.nio.file.Files.isRegularFile(serverJar)) {
                        throw new IllegalArgumentException("--server-jar: no such file " + value);
                    }
                }
                case "--no-reference" -> {
                    reference = false;
                    i--;
                }
                case "--nodes" -> nodes = number(args[i], value);
                case "--affinity" -> {
                    affinity = true;
                    i--;
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
            i++;
        }
        if (url == null) {
            throw new IllegalArgumentException("--url ws://127.0.0.1:PORT/ws (or self) is required");
        }
        Options defaults = switch (scenario) {
            case "connect" -> new Options(scenario, url, 10, 2_000, 1_000, 0, 0, sources, out, reference, back, durability, accounts, deskThreads, warmUpS, serverJar, nodes, affinity);
            case "chat" -> new Options(scenario, url, 10, 2_000, 100, 10, 0, sources, out, reference, back, durability, accounts, deskThreads, warmUpS, serverJar, nodes, affinity);
            case "queue" -> new Options(scenario, url, 10, 50, 1_000, 4, 0, sources, out, reference, back, durability, accounts, deskThreads, warmUpS, serverJar, nodes, affinity);
            case "sse" -> new Options(scenario, url, 10, 100, 0, 0, 1_000, sources, out, reference, back, durability, accounts, deskThreads, warmUpS, serverJar, nodes, affinity);
            case "limit" -> new Options(scenario, url, 3, 1_000, 100, 10, 0, sources, out, reference, back, durability, accounts, deskThreads, warmUpS, serverJar, nodes, affinity);
            default -> throw new IllegalArgumentException("unknown scenario " + scenario
                    + " (expected: connect, chat, queue, sse, limit)");
        };
        Options options = new Options(scenario, url,
                duration != null ? duration : defaults.durationS,
                rate != null ? rate : defaults.rate,
                guests != null ? guests : defaults.guests,
                agents != null ? agents : defaults.agents,
                streams != null ? streams : defaults.streams,
                sources, out, reference, back, durability, accounts, deskThreads, warmUpS, serverJar, nodes, affinity);
        options.check();
        return options;
    }

    private void check() {
        range("--duration-s", durationS, 1, MAX_DURATION_S);
        range("--warm-up-s", warmUpS, 0, 120);
        range("--rate", rate, 1, MAX_RATE);
        range("--guests", guests, 0, MAX_CONNECTIONS);
        range("--agents", agents, 0, MAX_CONNECTIONS);
        range("--streams", streams, 0, MAX_CONNECTIONS);
        range("--guests + --agents + --streams", guests + agents + streams, 1, MAX_CONNECTIONS);
        range("--sources", sources, 1, 250);
        range("--accounts", accounts, 1, 100);
        range("--desk-threads", deskThreads, 1, 64);
        range("--nodes", nodes, 0, 5);
        if (nodes > 0 && (!scenario.equals("chat") || !isSelf())) {
            throw new IllegalArgumentException("--nodes: only chat --url self runs against a cluster it starts");
        }
        if (affinity && nodes == 0) {
            throw new IllegalArgumentException("--affinity: only with --nodes N");
        }
        if (accounts > 1 && !scenario.equals("chat")) {
            throw new IllegalArgumentException("--accounts: only chat spreads its clients over accounts");
        }
        if (!isSelf()) {
            URI uri = URI.create(url);
            if (!"ws".equals(uri.getScheme()) || uri.getPort() < 0) {
                throw new IllegalArgumentException("--url " + url + " (expected: ws://127.0.0.1:PORT/ws or self)");
            }
            requireLoopback(uri.getHost());
        }
    }

    /** Refuses any target that is not this machine's loopback. */
    static void requireLoopback(String host) {
        try {
            for (InetAddress address : InetAddress.getAllByName(host)) {
                if (!address.isLoopbackAddress()) {
                    throw new IllegalArgumentException("target " + host + " is not loopback (127.0.0.0/8 or ::1): "
                            + "this load generator only sends traffic to this machine");
                }
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("target " + host + ": unknown host", e);
        }
    }

    public boolean isSelf() {
        return "self".equals(url);
    }

    private static String need(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(need(option, value));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: a whole number)", e);
        }
    }

    private static void range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: " + min + ".." + max + ")");
        }
    }
}
