package io.switchboard.server.config;

import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A group's business hours, read from its {@code hours}: whether it is open at a moment, and when it next opens or
 * closes. Spans are wall-clock times in the group's time zone, so daylight-saving changes are {@code java.time}'s
 * (a span that starts in a skipped hour starts when the clocks have moved on; in a repeated hour, at its first
 * occurrence). A span ending at {@code 24:00} and one starting at {@code 00:00} the next day are one opening.
 * Immutable; any thread.
 */
public final class BusinessHours {
    /** Always open: a group without {@code hours}. */
    public static final BusinessHours ALWAYS = new BusinessHours(null, Map.of(), Set.of());
    /** How far ahead the next opening is looked for (a year of closed dates could hide it otherwise). */
    private static final int HORIZON_DAYS = 400;
    private static final Map<String, DayOfWeek> DAYS = Map.of("mon", DayOfWeek.MONDAY, "tue", DayOfWeek.TUESDAY,
            "wed", DayOfWeek.WEDNESDAY, "thu", DayOfWeek.THURSDAY, "fri", DayOfWeek.FRIDAY, "sat",
            DayOfWeek.SATURDAY, "sun", DayOfWeek.SUNDAY);

    private record Span(LocalTime from, LocalTime to, boolean toMidnight) {
    }

    private final ZoneId zone;
    private final Map<DayOfWeek, List<Span>> weekly;
    private final Set<LocalDate> closed;

    private BusinessHours(ZoneId zone, Map<DayOfWeek, List<Span>> weekly, Set<LocalDate> closed) {
        this.zone = zone;
        this.weekly = weekly;
        this.closed = closed;
    }

    /**
     * Reads a group's {@code hours} (null: always open).
     *
     * @throws IllegalArgumentException naming the bad key, relative to {@code hours}
     */
    public static BusinessHours of(ServerConfig.Hours hours) {
        if (hours == null) {
            return ALWAYS;
        }
        ZoneId zone;
        if (hours.timeZone() == null) {
            throw new IllegalArgumentException("time_zone: missing (expected: an IANA time zone such as "
                    + "Europe/Berlin)");
        }
        try {
            zone = ZoneId.of(hours.timeZone());
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("time_zone: " + hours.timeZone() + " (expected: an IANA time zone "
                    + "such as Europe/Berlin)");
        }
        Map<DayOfWeek, List<Span>> weekly = new EnumMap<>(DayOfWeek.class);
        for (int i = 0; i < hours.weekly().size(); i++) {
            ServerConfig.Hours.Span span = hours.weekly().get(i);
            String at = "weekly[" + i + "]";
            if (span.days() == null || span.days().isEmpty()) {
                throw new IllegalArgumentException(at + ".days: missing (expected: some of mon, tue, wed, thu, fri, "
                        + "sat, sun)");
            }
            LocalTime from = time(at + ".from", span.from(), false);
            boolean toMidnight = "24:00".equals(span.to());
            LocalTime to = toMidnight ? LocalTime.MAX : time(at + ".to", span.to(), true);
            if (!from.isBefore(to)) {
                throw new IllegalArgumentException(at + ": from " + span.from() + " is not before to " + span.to()
                        + " (expected: a span within one day; one that passes midnight is two spans, the first "
                        + "to 24:00)");
            }
            for (String day : span.days()) {
                DayOfWeek dayOfWeek = DAYS.get(day);
                if (dayOfWeek == null) {
                    throw new IllegalArgumentException(at + ".days: " + day + " (expected: one of mon, tue, wed, thu, "
                            + "fri, sat, sun)");
                }
                List<Span> spans = weekly.computeIfAbsent(dayOfWeek, d -> new ArrayList<>());
                for (Span other : spans) {
                    if (from.isBefore(other.to) && other.from.isBefore(to)) {
                        throw new IllegalArgumentException(at + ": overlaps another span on " + day);
                    }
                }
                spans.add(new Span(from, to, toMidnight));
                spans.sort((a, b) -> a.from.compareTo(b.from));
            }
        }
        Set<LocalDate> closed = new HashSet<>();
        for (int i = 0; i < hours.closedDates().size(); i++) {
            try {
                closed.add(LocalDate.parse(hours.closedDates().get(i)));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("closed_dates[" + i + "]: " + hours.closedDates().get(i)
                        + " (expected: a date such as 2026-12-25)");
            }
        }
        return new BusinessHours(zone, weekly, Set.copyOf(closed));
    }

    private static LocalTime time(String key, String text, boolean end) {
        if (text == null || !text.matches("\\d\\d:\\d\\d")) {
            throw new IllegalArgumentException(key + ": " + text + " (expected: HH:MM" + (end ? ", or 24:00" : "")
                    + ")");
        }
        try {
            return LocalTime.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(key + ": " + text + " (expected: HH:MM" + (end ? ", or 24:00" : "")
                    + ")");
        }
    }

    /** Whether the group has hours at all (else it is always open). */
    public boolean scheduled() {
        return zone != null;
    }

    /** The group's time zone, or null when always open. */
    public ZoneId zone() {
        return zone;
    }

    /** Whether the group is open at {@code at}. */
    public boolean openAt(Instant at) {
        if (zone == null) {
            return true;
        }
        ZonedDateTime here = at.atZone(zone);
        LocalDate day = here.toLocalDate();
        for (Span span : spans(day)) {
            if (!at.isBefore(start(day, span)) && at.isBefore(end(day, span))) {
                return true;
            }
        }
        return false;
    }

    /**
     * The next moment at or after {@code at} when the group is open: {@code at} itself while open, null when it is
     * always open or opens never (within about a year).
     */
    public Instant nextOpen(Instant at) {
        Instant[] span = nextSpan(at);
        return span == null ? null : span[0].isAfter(at) ? span[0] : at;
    }

    /**
     * The next change after {@code at} (an opening or a closing), or null when nothing changes (always open, or
     * closed for good): the desk wakes up then to assign what waited for the opening.
     */
    public Instant nextChange(Instant at) {
        Instant[] span = nextSpan(at);
        return span == null ? null : span[0].isAfter(at) ? span[0] : span[1];
    }

    /**
     * The open intervals from {@code fromMs} to {@code fromMs + horizonMs} (epoch ms, {@code [start, end)}), spans
     * that touch merged, at most {@code max} of them; always open: one interval that never ends ({@link Long#MAX_VALUE}).
     */
    public List<long[]> openWindows(long fromMs, long horizonMs, int max) {
        if (zone == null) {
            return List.of(new long[] {fromMs, Long.MAX_VALUE});
        }
        List<long[]> windows = new java.util.ArrayList<>();
        long until = fromMs + horizonMs;
        Instant at = Instant.ofEpochMilli(fromMs);
        while (windows.size() < max) {
            Instant[] span = nextSpan(at);
            if (span == null) {
                break;
            }
            long start = Math.max(fromMs, span[0].toEpochMilli());
            long end = span[1].toEpochMilli();
            if (start > until) {
                break;
            }
            long[] last = windows.isEmpty() ? null : windows.get(windows.size() - 1);
            if (last != null && start <= last[1]) {
                last[1] = Math.max(last[1], end);
            } else {
                windows.add(new long[] {start, end});
            }
            at = span[1];
        }
        return windows;
    }

    /** The first opening span (its start and end) that ends after {@code at}, or null. */
    private Instant[] nextSpan(Instant at) {
        if (zone == null) {
            return null;
        }
        LocalDate day = at.atZone(zone).toLocalDate();
        for (int d = -1; d <= HORIZON_DAYS; d++) {
            LocalDate date = day.plusDays(d);
            for (Span span : spans(date)) {
                Instant end = end(date, span);
                if (end.isAfter(at)) {
                    return new Instant[] {start(date, span), end};
                }
            }
        }
        return null;
    }

    private List<Span> spans(LocalDate date) {
        if (closed.contains(date)) {
            return List.of();
        }
        return weekly.getOrDefault(date.getDayOfWeek(), List.of());
    }

    private Instant start(LocalDate date, Span span) {
        return ZonedDateTime.of(date, span.from, zone).toInstant();
    }

    private Instant end(LocalDate date, Span span) {
        if (span.toMidnight) {
            return date.plusDays(1).atStartOfDay(zone).toInstant();
        }
        return ZonedDateTime.of(date, span.to, zone).toInstant();
    }
}
