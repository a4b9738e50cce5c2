package io.switchboard.loadtest.simulate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.switchboard.server.desk.EstimateMethod;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The accuracy of each estimate method in one simulation run.
 *
 * <p>Served guests: every sample (a {@code queuepos}, the first at enqueue) is compared with the wait the guest then
 * actually had until assignment: mean absolute error, 90th percentile of the absolute error (nearest rank), bias (mean
 * of estimate minus truth: positive is pessimistic), the fraction of samples without an estimate, over the non-null
 * samples. Guests who gave up have no true wait (it is censored at the moment they left), so they are kept apart: for
 * them the report says how often each method's estimate was already shorter than the time the guest went on to wait
 * anyway (a certain under-estimate). Guests still waiting at the end are counted, not scored.
 */
@JsonPropertyOrder({"scenario", "seed", "seeds", "guests", "served", "abandoned", "unserved", "methods", "abandoned_samples",
    "floor"})
public record SimulationReport(
        String scenario,
        long seed,
        int seeds,
        int guests,
        int served,
        int abandoned,
        int unserved,
        Map<String, MethodStats> methods,
        @JsonProperty("abandoned_samples") Map<String, CensoredStats> abandonedSamples,
        @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
        Floor floor) {

    /**
     * The floor ({@link Oracle}) over the samples it was computed for, with each method's error over the same
     * samples: {@code mae_s} the floor's, {@code methods} theirs.
     */
    @JsonPropertyOrder({"samples", "mae_s", "p90_abs_error_s", "methods_mae_s"})
    public record Floor(int samples, @JsonProperty("mae_s") double maeS,
                        @JsonProperty("p90_abs_error_s") double p90AbsErrorS,
                        @JsonProperty("methods_mae_s") Map<String, Double> methodsMaeS) {
    }

    @JsonPropertyOrder({"mae_s", "p90_abs_error_s", "bias_s", "null_fraction", "samples"})
    public record MethodStats(@JsonProperty("mae_s") double maeS,
                              @JsonProperty("p90_abs_error_s") double p90AbsErrorS,
                              @JsonProperty("bias_s") double biasS,
                              @JsonProperty("null_fraction") double nullFraction,
                              int samples) {
    }

    @JsonPropertyOrder({"samples", "null_fraction", "underestimated_fraction"})
    public record CensoredStats(int samples,
                                @JsonProperty("null_fraction") double nullFraction,
                                @JsonProperty("underestimated_fraction") double underestimatedFraction) {
    }

    static SimulationReport of(String scenario, long seed, int seeds, List<Simulator.Guest> guests, long start) {
        String dump = System.getProperty("switchboard.simulate.dump");
        if (dump != null) {
            try (var out = new java.io.PrintWriter(java.nio.file.Files.newBufferedWriter(
                    java.nio.file.Path.of(dump + "-" + scenario + ".csv")))) {
                out.println("group,at_s,position,actual_s," + String.join(",", java.util.Arrays.stream(
                        EstimateMethod.values()).map(EstimateMethod::id).toList()) + ",floor");
                for (Simulator.Guest guest : guests) {
                    if (guest.assignedAt < 0) {
                        continue;
                    }
                    for (Simulator.Sample sample : guest.samples) {
                        StringBuilder line = new StringBuilder(guest.group + "," + (sample.at() - start) / 1000.0
                                + "," + sample.position() + "," + (guest.assignedAt - sample.at()) / 1000.0);
                        for (Long estimate : sample.estimates()) {
                            line.append(',').append(estimate == null ? "" : estimate.toString());
                        }
                        line.append(',').append(Double.isNaN(sample.floor()[0]) ? "" : String.valueOf(sample.floor()[0]));
                        out.println(line);
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        int served = 0;
        int abandoned = 0;
        for (Simulator.Guest guest : guests) {
            served += guest.assignedAt >= 0 ? 1 : 0;
            abandoned += guest.abandonedAt >= 0 ? 1 : 0;
        }
        Map<String, MethodStats> methods = new LinkedHashMap<>();
        Map<String, CensoredStats> censored = new LinkedHashMap<>();
        for (EstimateMethod method : EstimateMethod.values()) {
            methods.put(method.id(), scoreServed(guests, method.ordinal()));
            censored.put(method.id(), scoreAbandoned(guests, method.ordinal()));
        }
        return new SimulationReport(scenario, seed, seeds, guests.size(), served, abandoned,
                guests.size() - served - abandoned, methods, censored, floor(guests));
    }

    /** The floor and each method over the samples the floor was computed for; null when there are none. */
    private static Floor floor(List<Simulator.Guest> guests) {
        List<Double> errors = new ArrayList<>();
        double[] sums = new double[EstimateMethod.values().length];
        int[] counts = new int[sums.length];
        for (Simulator.Guest guest : guests) {
            for (Simulator.Sample sample : guest.samples) {
                if (guest.assignedAt < 0 || Double.isNaN(sample.floor()[0])) {
                    continue;
                }
                double waited = (guest.assignedAt - sample.at()) / 1000.0;
                errors.add(Math.abs(sample.floor()[0] - waited));
                for (EstimateMethod method : EstimateMethod.values()) {
                    Long estimate = sample.estimates()[method.ordinal()];
                    if (estimate != null) {
                        sums[method.ordinal()] += Math.abs(estimate - waited);
                        counts[method.ordinal()]++;
                    }
                }
            }
        }
        if (errors.isEmpty()) {
            return null;
        }
        double[] absolute = errors.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        Map<String, Double> methods = new LinkedHashMap<>();
        for (EstimateMethod method : EstimateMethod.values()) {
            methods.put(method.id(), counts[method.ordinal()] == 0 ? 0 : round1(sums[method.ordinal()]
                    / counts[method.ordinal()]));
        }
        return new Floor(absolute.length, round1(Arrays.stream(absolute).average().orElse(0)),
                round1(absolute[(int) Math.ceil(0.9 * absolute.length) - 1]), methods);
    }

    /** What one sample said and how long its guest then still had to wait (to assignment, or to giving up). */
    private interface SampleVisitor {
        void visit(Long estimate, double remainingS);
    }

    /** Visits every sample of the guests whose visit ended the way {@code end} reads (-1: not that way). */
    private static void forEachSample(List<Simulator.Guest> guests, int method,
                                      java.util.function.ToLongFunction<Simulator.Guest> end, SampleVisitor visitor) {
        for (Simulator.Guest guest : guests) {
            long endedAt = end.applyAsLong(guest);
            if (endedAt < 0) {
                continue;
            }
            for (Simulator.Sample sample : guest.samples) {
                visitor.visit(sample.estimates()[method], (endedAt - sample.at()) / 1000.0);
            }
        }
    }

    private static MethodStats scoreServed(List<Simulator.Guest> guests, int method) {
        List<Double> errors = new ArrayList<>();
        int[] counts = new int[2];
        forEachSample(guests, method, guest -> guest.assignedAt, (estimate, waited) -> {
            counts[0]++;
            if (estimate == null) {
                counts[1]++;
            } else {
                errors.add(estimate - waited);
            }
        });
        double[] absolute = errors.stream().mapToDouble(Math::abs).sorted().toArray();
        double mae = Arrays.stream(absolute).average().orElse(0);
        double bias = errors.stream().mapToDouble(Double::doubleValue).average().orElse(0);
        double p90 = absolute.length == 0 ? 0 : absolute[(int) Math.ceil(0.9 * absolute.length) - 1];
        return new MethodStats(round1(mae), round1(p90), round1(bias), fraction(counts[1], counts[0]), counts[0]);
    }

    private static CensoredStats scoreAbandoned(List<Simulator.Guest> guests, int method) {
        int[] counts = new int[3];
        forEachSample(guests, method, guest -> guest.abandonedAt, (estimate, stayed) -> {
            counts[0]++;
            if (estimate == null) {
                counts[1]++;
            } else if (estimate < stayed) {
                counts[2]++;
            }
        });
        return new CensoredStats(counts[0], fraction(counts[1], counts[0]), fraction(counts[2], counts[0] - counts[1]));
    }

    private static double round1(double value) {
        return Math.round(value * 10) / 10.0;
    }

    private static double fraction(int part, int whole) {
        return whole == 0 ? 0 : Math.round(part * 10_000.0 / whole) / 10_000.0;
    }

    /** The best baseline: the one with the lowest mean absolute error. */
    public String bestBaseline() {
        String best = null;
        for (Map.Entry<String, MethodStats> entry : methods.entrySet()) {
            if (!baseline(entry.getKey()) || entry.getValue().samples() == 0) {
                continue;
            }
            if (best == null || entry.getValue().maeS() < methods.get(best).maeS()) {
                best = entry.getKey();
            }
        }
        return best;
    }

    private static boolean baseline(String id) {
        return java.util.Arrays.stream(EstimateMethod.values()).anyMatch(m -> m.id().equals(id) && m.baseline());
    }

    /** The lowest 90th percentile among the baselines. */
    public double bestBaselineP90() {
        return methods.entrySet().stream()
                .filter(e -> baseline(e.getKey()))
                .mapToDouble(e -> e.getValue().p90AbsErrorS()).min().orElse(0);
    }

    /** This run as a Markdown section: a heading and one row per method. */
    public String markdown() {
        StringBuilder out = new StringBuilder();
        String seedText = seeds == 1 ? "seed " + seed : "seeds " + seed + "–" + (seed + seeds - 1);
        out.append(String.format(Locale.ROOT, "### %s (%s): %d guests, %d served, %d gave up, %d still waiting%n%n",
                scenario, seedText, guests, served, abandoned, unserved));
        out.append("| method | MAE (s) | p90 abs. error (s) | bias (s) | null | samples | gave up: under-estimated |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, MethodStats> entry : methods.entrySet()) {
            MethodStats stats = entry.getValue();
            CensoredStats gaveUp = abandonedSamples.get(entry.getKey());
            out.append(String.format(Locale.ROOT, "| %s | %.1f | %.1f | %+.1f | %.1f%% | %d | %s |%n", entry.getKey(),
                    stats.maeS(), stats.p90AbsErrorS(), stats.biasS(), stats.nullFraction() * 100, stats.samples(),
                    gaveUp.samples() == 0 ? "–" : String.format(Locale.ROOT, "%.1f%% of %d",
                            gaveUp.underestimatedFraction() * 100, gaveUp.samples())));
        }
        return out.toString();
    }
}
