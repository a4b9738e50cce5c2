package io.switchboard.loadtest.load;

/** Cheap look-ups in server frames on the hot path (the load generator must not be the bottleneck it measures). */
final class Frames {
    private Frames() {
    }

    static boolean isType(String frame, String type) {
        return frame.startsWith("{\"type\":\"" + type + "\"");
    }

    /** The string value of a top-level field, or null. Values the load test looks at have no escapes. */
    static String field(String frame, String name) {
        String key = "\"" + name + "\":\"";
        int at = frame.indexOf(key);
        if (at < 0) {
            return null;
        }
        int start = at + key.length();
        int end = frame.indexOf('"', start);
        return end < 0 ? null : frame.substring(start, end);
    }

    /** The integer value of a top-level field, or -1. */
    static long number(String frame, String name) {
        String key = "\"" + name + "\":";
        int at = frame.indexOf(key);
        if (at < 0) {
            return -1;
        }
        int i = at + key.length();
        long value = 0;
        boolean any = false;
        while (i < frame.length() && Character.isDigit(frame.charAt(i))) {
            value = value * 10 + (frame.charAt(i++) - '0');
            any = true;
        }
        return any ? value : -1;
    }
}
