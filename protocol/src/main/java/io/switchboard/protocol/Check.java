package io.switchboard.protocol;

import java.util.Map;

/** Field checks shared by the records' compact constructors. Each names the field, the bad value and the expectation. */
final class Check {
    private Check() {
    }

    static String required(String field, String value) {
        if (value == null) {
            throw ProtocolException.invalid(field + ": missing (expected: a string)");
        }
        return value;
    }

    static <T> T required(String field, T value, String expected) {
        if (value == null) {
            throw ProtocolException.invalid(field + ": missing (expected: " + expected + ")");
        }
        return value;
    }

    /** A required text of {@code min..max} code points; longer is {@code too_large}, shorter is {@code invalid_field}. */
    static String text(String field, String value, int min, int max) {
        required(field, value);
        return length(field, value, min, max);
    }

    /** Like {@link #text} but absent is fine. */
    static String optionalText(String field, String value, int min, int max) {
        return value == null ? null : length(field, value, min, max);
    }

    /** A required single-line text: like {@link #text} and without control characters. */
    static String name(String field, String value, int max) {
        text(field, value, 1, max);
        return noControl(field, value);
    }

    static String optionalName(String field, String value, int max) {
        return value == null ? null : name(field, value, max);
    }

    private static String length(String field, String value, int min, int max) {
        int length = value.codePointCount(0, value.length());
        if (length > max) {
            throw ProtocolException.tooLarge(field + " length: " + length + " (expected: " + min + ".." + max + ")");
        }
        if (length < min) {
            throw ProtocolException.invalid(field + " length: " + length + " (expected: " + min + ".." + max + ")");
        }
        return value;
    }

    private static String noControl(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw ProtocolException.invalid(field + ": control character at index " + i
                        + " (expected: no control characters)");
            }
        }
        return value;
    }

    static int range(String field, Integer value, int min, int max) {
        required(field, value, "an integer " + min + ".." + max);
        if (value < min || value > max) {
            throw ProtocolException.invalid(field + ": " + value + " (expected: " + min + ".." + max + ")");
        }
        return value;
    }

    /** A string-to-string map of at most {@code maxEntries}, keys 1..64 and values 0..1000 code points. */
    static Map<String, String> details(String field, Map<String, String> details, int maxEntries) {
        if (details == null) {
            return Map.of();
        }
        if (details.size() > maxEntries) {
            throw ProtocolException.tooLarge(field + " entries: " + details.size() + " (expected: 0.." + maxEntries + ")");
        }
        for (Map.Entry<String, String> entry : details.entrySet()) {
            name(field + " key", entry.getKey(), Limits.DETAIL_KEY_MAX);
            if (entry.getValue() == null) {
                throw ProtocolException.invalid(field + "." + entry.getKey() + ": null (expected: a string)");
            }
            length(field + "." + entry.getKey(), entry.getValue(), 0, Limits.DETAIL_VALUE_MAX);
        }
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
