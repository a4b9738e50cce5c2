package io.switchboard.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Opening hours on the wall clock of a time zone, through the changes of daylight-saving time. */
class BusinessHoursTest {
    private static BusinessHours hours(String zone, List<ServerConfig.Hours.Span> weekly, List<String> closed) {
        return BusinessHours.of(new ServerConfig.Hours(zone, weekly, closed));
    }

    private static ServerConfig.Hours.Span span(String from, String to, String... days) {
        return new ServerConfig.Hours.Span(List.of(days), from, to);
    }

    @Test
    void openWindowsMergeSpansThatTouchAndStopAtTheHorizon() {
        // A night shift across midnight is two spans that touch: one window.
        BusinessHours night = hours("UTC", List.of(span("22:00", "24:00", "tue"), span("00:00", "06:00", "wed"),
                span("22:00", "24:00", "wed")), List.of());
        long from = Instant.parse("2026-12-01T21:00:00Z").toEpochMilli();
        List<long[]> windows = night.openWindows(from, 36 * 3_600_000L, 16);
        assertEquals(2, windows.size());
        assertEquals(Instant.parse("2026-12-01T22:00:00Z").toEpochMilli(), windows.get(0)[0]);
        assertEquals(Instant.parse("2026-12-02T06:00:00Z").toEpochMilli(), windows.get(0)[1]);
        assertEquals(Instant.parse("2026-12-02T22:00:00Z").toEpochMilli(), windows.get(1)[0]);
        // Inside a window it starts now; always open is one window that never ends.
        long inside = Instant.parse("2026-12-02T01:00:00Z").toEpochMilli();
        assertEquals(inside, night.openWindows(inside, 3_600_000L, 16).get(0)[0]);
        assertEquals(Long.MAX_VALUE, BusinessHours.ALWAYS.openWindows(inside, 1, 16).get(0)[1]);
    }

    @Test
    void alwaysOpenWithoutHours() {
        assertTrue(BusinessHours.ALWAYS.openAt(Instant.parse("2026-12-25T03:00:00Z")));
        assertNull(BusinessHours.ALWAYS.nextOpen(Instant.parse("2026-12-25T03:00:00Z")));
        assertNull(BusinessHours.ALWAYS.nextChange(Instant.parse("2026-12-25T03:00:00Z")));
    }

    @Test
    void aSpanInTheSkippedHourStartsWhenTheClocksHaveMovedOn() {
        // Sunday 29 March 2026 in Berlin: 02:00 does not exist, the clocks go from 02:00 CET to 03:00 CEST.
        BusinessHours night = hours("Europe/Berlin", List.of(span("02:30", "04:00", "sun")), List.of());
        assertEquals(Instant.parse("2026-03-29T01:30:00Z"), night.nextOpen(Instant.parse("2026-03-28T12:00:00Z")),
                "02:30 is read as 03:30 CEST, 01:30 UTC");
        assertEquals(Instant.parse("2026-03-29T02:00:00Z"), night.nextChange(Instant.parse("2026-03-29T01:45:00Z")),
                "it closes at 04:00 CEST");
        // 25 October 2026: 02:00-03:00 happens twice; a span from 02:30 starts at the first one.
        BusinessHours autumn = hours("Europe/Berlin", List.of(span("02:30", "05:00", "sun")), List.of());
        assertEquals(Instant.parse("2026-10-25T00:30:00Z"), autumn.nextOpen(Instant.parse("2026-10-24T12:00:00Z")));
        assertEquals(Instant.parse("2026-10-25T04:00:00Z"), autumn.nextChange(Instant.parse("2026-10-25T01:00:00Z")));
    }

    @Test
    void aNightShiftIsTwoSpansThatMeetAtMidnight() {
        BusinessHours shift = hours("UTC", List.of(span("22:00", "24:00", "fri"), span("00:00", "06:00", "sat")),
                List.of());
        assertTrue(shift.openAt(Instant.parse("2026-12-04T23:59:59Z")));
        assertTrue(shift.openAt(Instant.parse("2026-12-05T00:00:00Z")));
        assertFalse(shift.openAt(Instant.parse("2026-12-05T06:00:00Z")));
        assertEquals(Instant.parse("2026-12-11T22:00:00Z"), shift.nextOpen(Instant.parse("2026-12-05T06:00:00Z")));
    }

    @Test
    void closedDatesAreSkippedAndAGroupThatNeverOpensSaysSo() {
        BusinessHours weekdays = hours("America/New_York", List.of(span("09:00", "17:00", "mon", "tue", "wed",
                "thu", "fri")), List.of("2026-11-26", "2026-11-27"));
        // Thanksgiving Thursday and the Friday after are closed: Wednesday evening opens next on Monday, 14:00 UTC.
        assertEquals(Instant.parse("2026-11-30T14:00:00Z"), weekdays.nextOpen(Instant.parse("2026-11-25T23:00:00Z")));
        assertNull(hours("UTC", List.of(), List.of()).nextOpen(Instant.parse("2026-11-25T23:00:00Z")));
        assertFalse(hours("UTC", List.of(), List.of()).openAt(Instant.parse("2026-11-25T23:00:00Z")));
    }
}
