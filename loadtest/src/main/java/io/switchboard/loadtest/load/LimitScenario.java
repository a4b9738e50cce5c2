package io.switchboard.loadtest.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code limit}: the chat scenario at rising rates, from {@code --rate}, each step {@value #STEP} times the last (fine
 * enough that the ratio of two servers' limits means something), for up to {@value #STEPS} steps of {@code
 * --duration-s} each, until a step misses: p99 of 20 ms or more, or fewer than 99.9 % of the messages delivered
 * within 5 s. Reports the highest rate held; run against both targets, it is the headroom of Switchboard against the
 * bare reference.
 */
final class LimitScenario {
    static final double P99_LIMIT_MS = 20;
    static final double STEP = 1.25;
    static final int STEPS = 20;

    private LimitScenario() {
    }

    static Result run(Target target, Options options) throws InterruptedException {
        Result best = null;
        List<Map<String, Object>> steps = new ArrayList<>();
        try (ChatScenario.Setup setup = ChatScenario.setUp(target, options)) {
            ChatScenario.drive(setup, target.name, options.rate(), options.warmUpS());
            int rate = options.rate();
            for (int step = 0; step < STEPS; step++) {
                Result result = ChatScenario.drive(setup, target.name, rate, options.durationS());
                boolean held = result.latencyMs(99) < P99_LIMIT_MS && result.received >= 0.999 * result.sent;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("rate_per_s", rate);
                row.put("p99_ms", result.latencyMs(99));
                row.put("delivered", result.received);
                row.put("sent", result.sent);
                row.put("held", held);
                steps.add(row);
                System.err.printf("[%s limit] %d/s: p99 %.2f ms, %d of %d delivered: %s%n", target.name, rate,
                        result.latencyMs(99), result.received, result.sent, held ? "held" : "missed");
                if (!held) {
                    break;
                }
                best = result;
                rate = (int) Math.round(rate * STEP);
            }
        }
        if (best == null) {
            best = new Result(target.name);
            best.errors = 1;
        }
        best.errors = 0;
        best.extra.put("max_rate_p99_under_20ms", best.ratePerS == 0 ? 0 : best.extra.get("offered_rate_per_s"));
        best.extra.put("steps", steps);
        return best;
    }
}
