package io.switchboard.loadtest.simulate;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.switchboard.protocol.Codec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

/**
 * A simulation scenario (JSON, strict: unknown keys are errors). Times are seconds of virtual time from the start.
 *
 * @param queueposIntervalMs the desk's {@code queuepos_interval_ms} (default 1000)
 */
public record Scenario(
        String name,
        Long seed,
        @JsonProperty("duration_s") double durationS,
        List<GroupSpec> groups,
        List<Arrival> arrivals,
        @JsonProperty("handle_time_s") Distribution handleTimeS,
        @JsonProperty("patience_s") Distribution patienceS,
        Rejoin rejoin,
        List<AgentSpec> agents,
        @JsonProperty("queuepos_interval_ms") Long queueposIntervalMs,
        @JsonProperty("schedules_known") Boolean schedulesKnown) {

    public Scenario {
        require(name != null && !name.isBlank(), "name: missing");
        require(durationS > 0, "duration_s: " + durationS + " (expected: more than 0)");
        require(groups != null && !groups.isEmpty(), "groups: missing (expected: at least one)");
        require(arrivals != null, "arrivals: missing");
        require(handleTimeS != null, "handle_time_s: missing");
        require(agents != null && !agents.isEmpty(), "agents: missing (expected: at least one)");
        seed = seed == null ? 1L : seed;
        queueposIntervalMs = queueposIntervalMs == null ? 1_000L : queueposIntervalMs;
        schedulesKnown = schedulesKnown == null || schedulesKnown;
        groups = List.copyOf(groups);
        arrivals = List.copyOf(arrivals);
        agents = List.copyOf(agents);
        for (Arrival arrival : arrivals) {
            require(groups.stream().anyMatch(g -> g.name().equals(arrival.group())),
                    "arrivals: group " + arrival.group() + " is not in groups");
        }
    }

    /**
     * A queue; {@code handle_time_s} here overrides the scenario's for this group's guests; {@code closed}: when the
     * group is closed (its business hours, given to the desk; assignment pauses then, guests may still queue).
     */
    public record GroupSpec(String name, String routing, @JsonProperty("handle_time_s") Distribution handleTimeS,
                            List<Shift> closed) {
        public GroupSpec {
            require(name != null && !name.isBlank(), "groups: a group without a name");
            closed = closed == null ? List.of() : List.copyOf(closed);
        }
    }

    /** Poisson arrivals at {@code per_minute} between {@code from_s} and {@code to_s}. */
    public record Arrival(String group, @JsonProperty("from_s") double fromS, @JsonProperty("to_s") double toS,
                          @JsonProperty("per_minute") double perMinute) {
        public Arrival {
            require(toS >= fromS, "arrivals: to_s before from_s");
            require(perMinute >= 0, "arrivals: per_minute below 0");
        }
    }

    /** {@code fixed} ({@code value}), {@code exponential} ({@code mean}), {@code lognormal} ({@code mean}, {@code sd}). */
    public record Distribution(String distribution, Double value, Double mean, Double sd) {
        public Distribution {
            require(distribution != null, "distribution: missing");
            switch (distribution) {
                case "fixed" -> require(value != null && value >= 0, "fixed: value (>= 0) missing");
                case "exponential" -> require(mean != null && mean > 0, "exponential: mean (> 0) missing");
                case "lognormal" -> require(mean != null && mean > 0 && sd != null && sd > 0,
                        "lognormal: mean and sd (> 0) missing");
                default -> throw new IllegalArgumentException("distribution: " + distribution
                        + " (expected: fixed, exponential or lognormal)");
            }
        }

        /** One draw, in seconds. */
        public double sample(Random random) {
            return switch (distribution) {
                case "fixed" -> value;
                case "exponential" -> -mean * Math.log(1 - random.nextDouble());
                default -> {
                    double sigma2 = Math.log(1 + sd * sd / (mean * mean));
                    double mu = Math.log(mean) - sigma2 / 2;
                    yield Math.exp(mu + Math.sqrt(sigma2) * random.nextGaussian());
                }
            };
        }
    }

    /** A guest who gave up comes back at once with this probability, at this (REST) priority. */
    public record Rejoin(double probability, int priority) {
        public Rejoin {
            require(probability >= 0 && probability <= 1, "rejoin.probability: 0..1");
        }
    }

    /**
     * An agent: available during its shifts, away between them (open rooms finish normally). The shifts are the
     * agent's {@code schedule} on the desk unless the scenario's {@code schedules_known} or the agent's {@code
     * schedule_known} is false (an agent who goes away without saying when they come back).
     */
    public record AgentSpec(String user, List<String> groups, Integer limit, List<Shift> shifts,
                            @JsonProperty("schedule_known") Boolean scheduleKnown) {
        public AgentSpec {
            require(user != null && !user.isBlank(), "agents: an agent without a user");
            limit = limit == null ? 3 : limit;
            shifts = shifts == null ? List.of() : List.copyOf(shifts);
        }
    }

    public record Shift(@JsonProperty("from_s") double fromS, @JsonProperty("to_s") double toS) {
    }

    private static void require(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** Reads and checks a scenario file; a bad one is an {@link IllegalArgumentException} naming the problem. */
    public static Scenario read(Path file) throws IOException {
        ObjectMapper mapper = Codec.strictMapper();
        try {
            return mapper.readValue(Files.readString(file), Scenario.class);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IllegalArgumentException("scenario " + file + ": " + firstLine(cause.getMessage()), e);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalArgumentException("scenario " + file + ": not valid JSON: " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String text) {
        int newline = text == null ? -1 : text.indexOf('\n');
        return newline < 0 ? String.valueOf(text) : text.substring(0, newline);
    }
}
