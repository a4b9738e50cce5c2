package io.switchboard.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.util.Locale;

/**
 * {@code SCENARIO --url ws://127.0.0.1:PORT/ws|self [options]}: runs the scenario against Switchboard ({@code self}:
 * a child JVM this run starts on a generated configuration; otherwise a server started with {@code config}'s output),
 * then against the bare reference server (a child JVM), prints both and their ratio as a table, writes the JSON report
 * ({@code --out}) and exits 1 when Switchboard had errors.
 */
public final class LoadCommand {
    private LoadCommand() {
    }

    public static int run(String scenario, String[] args) {
        Options options;
        try {
            options = Options.parse(scenario, args);
        } catch (IllegalArgumentException e) {
            System.err.println(scenario + ": " + e.getMessage());
            return 2;
        }
        try {
            Result switchboard;
            if (options.nodes() > 0) {
                switchboard = runCluster(options);
                report(options, switchboard, null);
                return switchboard.errors > 0 ? 1 : 0;
            }
            try (Target target = options.isSelf() ? Target.switchboard(LoadConfig.json(Math.max(1, options.agents()),
                    options.durability(), options.accounts(), options.deskThreads()), java.util.List.of(),
                    options.serverJar())
                    : Target.external(options.url())) {
                switchboard = runOne(target, options);
            }
            Result reference = null;
            if (options.reference()) {
                try (Target target = Target.reference()) {
                    reference = runOne(target, options);
                }
            }
            report(options, switchboard, reference);
            return switchboard.errors > 0 ? 1 : 0;
        } catch (Exception e) {
            System.err.println(scenario + ": failed: " + e);
            return 1;
        }
    }

    /** The chat against redis-server and {@code --nodes} cluster nodes this run starts (CPU: every node and Redis). */
    private static Result runCluster(Options options) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(LoadConfig.json(Math.max(1, options.agents()),
                options.durability(), options.accounts(), options.deskThreads()), options.nodes(),
                options.accounts())) {
            long memoryBefore = cluster.redisUsedMemory();
            long redisCpuBefore = cluster.redisCpuMillis();
            String name = "switchboard x" + options.nodes() + (options.affinity() ? " affinity" : " spread");
            Result result = ChatScenario.run(name, index -> cluster.uri(index, options), cluster::cpuMillis,
                    options);
            long redisCpu = cluster.redisCpuMillis() - redisCpuBefore;
            long memory = cluster.redisUsedMemory() - memoryBefore;
            result.extra.put("owners", cluster.owners());
            result.extra.put("redis_cpu_cores", Result.round(redisCpu / 1000.0
                    / (options.durationS() + options.warmUpS())));
            // Messages stored during the warm-up and the measured run (each one sent was stored once).
            long stored = (long) options.rate() * (options.durationS() + options.warmUpS());
            result.extra.put("redis_used_memory_growth_bytes", memory);
            result.extra.put("redis_bytes_per_message", Result.round(memory / (double) stored));
            return result;
        }
    }

    private static Result runOne(Target target, Options options) throws Exception {
        return switch (options.scenario()) {
            case "connect" -> ConnectScenario.run(target, options);
            case "chat" -> ChatScenario.run(target, options);
            case "queue" -> QueueScenario.run(target, options);
            case "sse" -> SseScenario.run(target, options);
            case "limit" -> LimitScenario.run(target, options);
            default -> throw new IllegalArgumentException(options.scenario());
        };
    }

    private static void report(Options options, Result switchboard, Result reference) throws Exception {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%n%s: --duration-s %d --rate %d --guests %d --agents %d --streams %d"
                + " --accounts %d --desk-threads %d --warm-up-s %d%s%s%n%n", options.scenario(), options.durationS(),
                options.rate(), options.guests(), options.agents(), options.streams(), options.accounts(),
                options.deskThreads(), options.warmUpS(),
                options.serverJar() == null ? "" : " --server-jar " + options.serverJar(),
                options.nodes() == 0 ? "" : " --nodes " + options.nodes() + (options.affinity() ? " --affinity" : "")));
        out.append(Result.HEADER).append('\n').append(switchboard.row()).append('\n');
        if (reference != null) {
            out.append(reference.row()).append('\n');
            out.append(String.format(Locale.ROOT, "%nSwitchboard / reference: rate %.2f, p99 %.2f%n",
                    ratio(switchboard.ratePerS, reference.ratePerS),
                    ratio(switchboard.latencyMs(99), reference.latencyMs(99))));
        }
        switchboard.extra.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
        System.out.print(out);
        if (options.out() != null) {
            ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
            ObjectNode json = mapper.createObjectNode().put("scenario", options.scenario());
            json.setAll(switchboard.json(mapper));
            if (reference != null) {
                json.set("reference", reference.json(mapper));
                json.putObject("ratio").put("rate", ratio(switchboard.ratePerS, reference.ratePerS))
                        .put("p99", ratio(switchboard.latencyMs(99), reference.latencyMs(99)));
            }
            Files.writeString(options.out(), mapper.writeValueAsString(json) + "\n");
        }
    }

    /** {@code config [--agents N]}: the server configuration the scenarios expect, for a server started by hand. */
    public static String config(String[] args) {
        int agents = 100;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if (args[i].equals("--agents")) {
                agents = Integer.parseInt(args[i + 1]);
            }
        }
        return LoadConfig.json(agents);
    }

    private static double ratio(double a, double b) {
        return b == 0 ? 0 : Result.round(a / b);
    }
}
