package io.switchboard.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** One target's figures in one run: the report's common fields and what the scenario adds. */
final class Result {
    final String target;
    long errors;
    long sent;
    long received;
    double ratePerS;
    Histogram latency;
    long heapBytesPerConnection = -1;
    long rssBytesPerConnection = -1;
    final Map<String, Object> extra = new LinkedHashMap<>();

    Result(String target) {
        this.target = target;
    }

    double latencyMs(double percentile) {
        if (latency == null || latency.getTotalCount() == 0) {
            return 0;
        }
        return (percentile >= 100 ? latency.getMaxValue() : latency.getValueAtPercentile(percentile)) / 1000.0;
    }

    ObjectNode json(ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("errors", errors).put("sent", sent).put("received", received).put("rate_per_s", round(ratePerS));
        ObjectNode latencyNode = node.putObject("latency_ms");
        latencyNode.put("p50", latencyMs(50)).put("p99", latencyMs(99)).put("p999", latencyMs(99.9))
                .put("max", latencyMs(100));
        if (heapBytesPerConnection >= 0 || rssBytesPerConnection >= 0) {
            node.putObject("memory").put("heap_bytes_per_connection", heapBytesPerConnection)
                    .put("rss_bytes_per_connection", rssBytesPerConnection);
        }
        extra.forEach((key, value) -> node.set(key, mapper.valueToTree(value)));
        return node;
    }

    static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }

    String row() {
        return String.format(Locale.ROOT, "| %s | %d | %d | %d | %.0f | %.3f | %.3f | %.3f | %.3f | %s | %s |", target,
                sent, received, errors, ratePerS, latencyMs(50), latencyMs(99), latencyMs(99.9), latencyMs(100),
                heapBytesPerConnection < 0 ? "–" : Long.toString(heapBytesPerConnection),
                rssBytesPerConnection < 0 ? "–" : Long.toString(rssBytesPerConnection));
    }

    static final String HEADER = "| target | sent | received | errors | rate/s | p50 ms | p99 ms | p99.9 ms | max ms"
            + " | heap B/conn | RSS B/conn |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|";
}
