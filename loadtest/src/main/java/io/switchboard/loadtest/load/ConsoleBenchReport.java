package io.switchboard.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.loadtest.load.ConsoleBench.Kind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** What {@code console-bench} measured: each console's bytes and messages per change, by kind, and the report. */
final class ConsoleBenchReport {
    /** A snapshot's size: its {@code queue_limit}, bytes, entries listed, entries waiting. */
    record Snapshot(int limit, long bytes, int entries, int waiting) {
    }

    private final ObjectMapper json = new ObjectMapper();
    /** Per kind: bytes and messages each console received for each change (one sample per console and change). */
    private final Map<Kind, List<Long>> bytes = new EnumMap<>(Kind.class);
    private final Map<Kind, List<Long>> messages = new EnumMap<>(Kind.class);
    /** Per kind: what the first console received over all changes of that kind, by message (count, bytes). */
    private final Map<Kind, Map<String, long[]>> composition = new EnumMap<>(Kind.class);
    /** Per kind: the costliest change for the first console, its frames. */
    private final Map<Kind, List<String>> costliest = new EnumMap<>(Kind.class);

    ConsoleBenchReport() {
        for (Kind kind : Kind.values()) {
            bytes.put(kind, new ArrayList<>());
            messages.put(kind, new ArrayList<>());
            composition.put(kind, new TreeMap<>());
        }
    }

    /** What one console received for one change ({@code first}: the console whose messages are itemised). */
    void add(Kind kind, boolean first, List<String> frames) {
        long size = frames.stream().mapToLong(ConsoleBenchReport::size).sum();
        bytes.get(kind).add(size);
        messages.get(kind).add((long) frames.size());
        if (first) {
            for (String frame : frames) {
                long[] counted = composition.get(kind).computeIfAbsent(label(frame), k -> new long[2]);
                counted[0]++;
                counted[1] += size(frame);
            }
            List<String> worst = costliest.get(kind);
            if (worst == null || worst.stream().mapToLong(ConsoleBenchReport::size).sum() < size) {
                costliest.put(kind, frames);
            }
        }
    }

    static long size(String frame) {
        return frame.getBytes(StandardCharsets.UTF_8).length;
    }

    /** A message's type with what it says: {@code update queued}, {@code queue left}, {@code rooms opened}. */
    static String label(String frame) {
        String type = Frames.field(frame, "type");
        String detail = switch (type == null ? "" : type) {
            case "update" -> Frames.field(frame, "details");
            case "queue", "rooms" -> Frames.field(frame, "change");
            case "status" -> Frames.field(frame, "is");
            default -> null;
        };
        return detail == null ? type : type + " " + detail;
    }

    private static long percentile(List<Long> values, double p) {
        if (values.isEmpty()) {
            return 0;
        }
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p / 100 * sorted.size()) - 1));
    }

    int print(int guests, int consoles, int changes, long seed, Path out, Snapshot full, Snapshot standard,
              Snapshot after) throws Exception {
        ObjectNode root = json.createObjectNode().put("guests", guests).put("consoles", consoles)
                .put("changes", changes).put("seed", seed);
        System.out.println();
        System.out.printf("snapshot with %d waiting: queue_limit 1000: %,d B (%d entries); default (100): %,d B (%d"
                + " entries); after the changes, %d waiting, queue_limit 1000: %,d B%n", full.waiting, full.bytes,
                full.entries, standard.bytes, standard.entries, after.waiting, after.bytes);
        ObjectNode snapshots = root.putObject("snapshot_bytes");
        snapshots.put("waiting", full.waiting).put("queue_limit_1000", full.bytes).put("entries_1000", full.entries)
                .put("default", standard.bytes).put("entries_default", standard.entries)
                .put("after_changes_waiting", after.waiting).put("after_changes_queue_limit_1000", after.bytes);
        System.out.println();
        System.out.printf("%-9s %7s %12s %12s %10s %10s %14s %14s%n", "change", "count", "B p50", "B max", "msgs p50",
                "msgs max", "snap1000/p50", "snap100/p50");
        ObjectNode kinds = root.putObject("changes_by_kind");
        List<Long> all = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            List<Long> sizes = bytes.get(kind);
            all.addAll(sizes);
            int count = sizes.size() / consoles;
            long p50 = percentile(sizes, 50);
            long max = percentile(sizes, 100);
            System.out.printf(Locale.ROOT, "%-9s %7d %12d %12d %10d %10d %14s %14s%n",
                    kind.name().toLowerCase(Locale.ROOT), count, p50, max, percentile(messages.get(kind), 50),
                    percentile(messages.get(kind), 100), ratio(full.bytes, p50), ratio(standard.bytes, p50));
            ObjectNode node = kinds.putObject(kind.name().toLowerCase(Locale.ROOT)).put("meaning", kind.meaning)
                    .put("changes", count).put("bytes_p50", p50).put("bytes_max", max)
                    .put("messages_p50", percentile(messages.get(kind), 50))
                    .put("messages_max", percentile(messages.get(kind), 100));
            ObjectNode parts = node.putObject("per_change_console_1");
            composition.get(kind).forEach((label, counted) -> parts.putObject(label)
                    .put("messages", count == 0 ? 0 : (double) counted[0] / count)
                    .put("bytes", count == 0 ? 0 : (double) counted[1] / count));
        }
        long p50 = percentile(all, 50);
        System.out.printf(Locale.ROOT, "%-9s %7d %12d %12d %10s %10s %14s %14s%n", "all",
                all.size() / consoles, p50, percentile(all, 100), "", "", ratio(full.bytes, p50),
                ratio(standard.bytes, p50));
        root.putObject("all_changes").put("bytes_p50", p50).put("bytes_max", percentile(all, 100))
                .put("snapshot_1000_over_change_p50", full.bytes / (double) Math.max(1, p50))
                .put("snapshot_default_over_change_p50", standard.bytes / (double) Math.max(1, p50));
        System.out.println("(bytes of text frames each console received per change; a sample per console and change)");
        System.out.println();
        for (Kind kind : Kind.values()) {
            int count = bytes.get(kind).size() / consoles;
            if (count == 0) {
                continue;
            }
            StringBuilder line = new StringBuilder();
            composition.get(kind).forEach((label, counted) -> line.append(line.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%s %.1f× %.0f B", label, (double) counted[0] / count,
                            (double) counted[1] / counted[0])));
            System.out.printf("%s, per change (console-1): %s%n", kind.meaning, line);
        }
        Kind worst = null;
        for (Kind kind : Kind.values()) {
            if (!bytes.get(kind).isEmpty() && (worst == null
                    || percentile(bytes.get(kind), 100) > percentile(bytes.get(worst), 100))) {
                worst = kind;
            }
        }
        if (worst != null) {
            System.out.println();
            System.out.println("the costliest change (" + worst.name().toLowerCase(Locale.ROOT) + "), as console-1"
                    + " received it:");
            costliest.get(worst).forEach(frame -> System.out.println("  " + frame));
            ArrayNode frames = root.putArray("costliest_change_console_1");
            costliest.get(worst).forEach(frames::add);
        }
        if (out != null) {
            Files.writeString(out, json.writerWithDefaultPrettyPrinter().writeValueAsString(root));
            System.out.println("report written to " + out);
        }
        return 0;
    }

    private static String ratio(long snapshot, long change) {
        return change == 0 ? "-" : String.format(Locale.ROOT, "%.0f×", snapshot / (double) change);
    }
}
