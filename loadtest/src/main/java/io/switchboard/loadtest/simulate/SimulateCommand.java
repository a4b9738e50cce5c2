package io.switchboard.loadtest.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code simulate --scenario FILE [--scenario FILE ...] [--seed N] [--seeds K] [--out REPORT.json] [--markdown
 * REPORT.md]}: runs each scenario (with {@code --seeds K}: K runs from the seed, their samples scored together), prints
 * the Markdown report (a summary against the targets, then a table per scenario), and writes the
 * JSON report (one object for one scenario, an array for several). Exit status 2 on bad input.
 */
public final class SimulateCommand {
    private SimulateCommand() {
    }

    public static int run(String[] args) {
        List<Path> files = new ArrayList<>();
        Long seed = null;
        int seeds = 1;
        int floor = 0;
        Path out = null;
        Path markdown = null;
        try {
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--scenario" -> files.add(Path.of(required(args[i], value)));
                    case "--seed" -> seed = Long.parseLong(required(args[i], value));
                    case "--seeds" -> seeds = Integer.parseInt(required(args[i], value));
                    case "--floor" -> floor = Integer.parseInt(required(args[i], value));
                    case "--out" -> out = Path.of(required(args[i], value));
                    case "--markdown" -> markdown = Path.of(required(args[i], value));
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
                i++;
            }
            if (files.isEmpty()) {
                throw new IllegalArgumentException("--scenario FILE is required");
            }
            List<SimulationReport> reports = new ArrayList<>();
            for (Path file : files) {
                Scenario scenario = Scenario.read(file);
                long runSeed = seed != null ? seed : scenario.seed();
                long started = System.nanoTime();
                SimulationReport report = Simulator.runSeeds(scenario, runSeed, seeds, floor);
                System.err.printf(Locale.ROOT, "simulated %s (seed %d, %d run%s): %d guests in %.1f s of wall time%n",
                        scenario.name(), runSeed, seeds, seeds == 1 ? "" : "s", report.guests(),
                        (System.nanoTime() - started) / 1e9);
                reports.add(report);
            }
            String text = markdown(reports);
            System.out.print(text);
            if (markdown != null) {
                Files.writeString(markdown, text);
            }
            if (out != null) {
                ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
                Files.writeString(out, mapper.writeValueAsString(reports.size() == 1 ? reports.get(0) : reports)
                        + "\n");
            }
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("simulate: " + e.getMessage());
            return 2;
        } catch (IOException e) {
            System.err.println("simulate: " + e);
            return 2;
        }
    }

    private static String required(String option, String value) {
        if (value == null) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return value;
    }

    /** The summary against the targets, then each scenario's table. */
    static String markdown(List<SimulationReport> reports) {
        StringBuilder out = new StringBuilder();
        boolean floors = reports.stream().anyMatch(report -> report.floor() != null);
        out.append("| scenario | Switchboard MAE (s) | best baseline | its MAE (s) | MAE ratio | Switchboard p90 (s)"
                + " | best baseline p90 (s) | without correction (s)" + (floors
                ? " | floor samples | floor MAE (s) | floor ÷ best baseline | Switchboard ÷ floor" : "") + " |\n"
                + "|---|---:|---|---:|---:|---:|---:|---:|" + (floors ? "---:|---:|---:|---:|" : "") + "\n");
        for (SimulationReport report : reports) {
            SimulationReport.MethodStats ours = report.methods().get("switchboard");
            String best = report.bestBaseline();
            double bestMae = best == null ? 0 : report.methods().get(best).maeS();
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %s | %.1f | %s | %.1f | %.1f | %.1f |",
                    report.scenario(), ours.maeS(), best, bestMae, bestMae == 0 ? "–" : String.format(Locale.ROOT,
                            "%.2f", ours.maeS() / bestMae), ours.p90AbsErrorS(), report.bestBaselineP90(),
                    report.methods().get("switchboard_raw").maeS()));
            if (floors) {
                SimulationReport.Floor floor = report.floor();
                if (floor == null || best == null) {
                    out.append(" – | – | – | – |");
                } else {
                    double baselineThere = floor.methodsMaeS().get(best);
                    double oursThere = floor.methodsMaeS().get("switchboard");
                    out.append(String.format(Locale.ROOT, " %d | %.1f | %.2f | %.2f |", floor.samples(), floor.maeS(),
                            floor.maeS() / baselineThere, oursThere / floor.maeS()));
                }
            }
            out.append('\n');
        }
        for (SimulationReport report : reports) {
            out.append('\n').append(report.markdown());
        }
        return out.toString();
    }
}
