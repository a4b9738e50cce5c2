package io.switchboard.loadtest.simulate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A scenario's times as the desk's hours: spans of seconds from {@link Simulator#START} become the weekly spans of
 * a {@code hours} or {@code schedule} object (UTC, whole minutes; a span past midnight is split at it). Runs are
 * shorter than a week, so each span stands for itself.
 */
final class Hours {
    private Hours() {
    }

    /** The hours open during {@code spans}. */
    static ObjectNode open(ObjectMapper mapper, List<Scenario.Shift> spans) {
        ObjectNode hours = mapper.createObjectNode().put("time_zone", "UTC");
        ArrayNode weekly = hours.putArray("weekly");
        for (Scenario.Shift span : spans) {
            ZonedDateTime from = at(span.fromS());
            ZonedDateTime to = at(span.toS());
            while (from.isBefore(to)) {
                ZonedDateTime midnight = from.toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.UTC);
                ZonedDateTime end = to.isBefore(midnight) ? to : midnight;
                ObjectNode node = weekly.addObject();
                node.putArray("days").add(from.getDayOfWeek().name().substring(0, 3).toLowerCase(Locale.ROOT));
                node.put("from", hhmm(from)).put("to", end.equals(midnight) ? "24:00" : hhmm(end));
                from = end;
            }
        }
        return hours;
    }

    /** The spans outside {@code closed}, from the start of the first day to a day after the run. */
    static List<Scenario.Shift> complement(List<Scenario.Shift> closed, double durationS) {
        List<Scenario.Shift> sorted = new ArrayList<>(closed);
        sorted.sort(java.util.Comparator.comparingDouble(Scenario.Shift::fromS));
        double dayBefore = -secondsSinceMidnight();
        double dayAfter = dayBefore + 86_400 * (2 + Math.floor(durationS / 86_400));
        List<Scenario.Shift> open = new ArrayList<>();
        double from = dayBefore;
        for (Scenario.Shift shut : sorted) {
            if (shut.fromS() > from) {
                open.add(new Scenario.Shift(from, shut.fromS()));
            }
            from = Math.max(from, shut.toS());
        }
        if (dayAfter > from) {
            open.add(new Scenario.Shift(from, dayAfter));
        }
        return open;
    }

    private static double secondsSinceMidnight() {
        ZonedDateTime start = at(0);
        return start.toLocalTime().toSecondOfDay();
    }

    private static ZonedDateTime at(double seconds) {
        long ms = Simulator.START + Math.round(seconds * 1000);
        if (ms % 60_000 != 0) {
            throw new IllegalArgumentException("a shift or closure at " + seconds + " s: hours are in whole minutes");
        }
        return Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
    }

    private static String hhmm(ZonedDateTime time) {
        return String.format(Locale.ROOT, "%02d:%02d", time.getHour(), time.getMinute());
    }
}
