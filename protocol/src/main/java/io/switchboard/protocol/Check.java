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

    /**
     * A required text of {@code min..max} code points; longer is {@code too_large}, shorter is {@code invalid_field}.
     * It must be whole UTF-16 (no unpaired surrogate: it could not be stored or sent back as it came).
     */
    static String text(String field, String value, int min, int max) {
        required(field, value);
        length(field, value, min, max);
        return wholeUnicode(field, value);
    }

    /** Like {@link #text} but absent is fine. */
    static String optionalText(String field, String value, int min, int max) {
        return value == null ? null : text(field, value, min, max);
    }

    /** Like {@link #text}, and not only white space (a question must say something). */
    static String visibleText(String field, String value, int min, int max) {
        text(field, value, min, max);
        return notBlank(field, value);
    }

    /**
     * A required single-line name: like {@link #text}, not blank, and without control characters, Unicode format
     * characters (zero-width characters, bidirectional overrides: they make two names look alike or reorder what
     * follows), or line and paragraph separators.
     */
    static String name(String field, String value, int max) {
        text(field, value, 1, max);
        notBlank(field, value);
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
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (Character.isISOControl(codePoint)) {
                throw ProtocolException.invalid(field + ": control character at index " + i
                        + " (expected: no control characters)");
            }
            int type = Character.getType(codePoint);
            if (type == Character.FORMAT) {
                throw ProtocolException.invalid(field + ": invisible formatting character U+"
                        + hex(codePoint) + " at index " + i + " (expected: no zero-width or direction characters)");
            }
            if (type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR) {
                throw ProtocolException.invalid(field + ": line separator U+" + hex(codePoint) + " at index " + i
                        + " (expected: one line)");
            }
            i += Character.charCount(codePoint);
        }
        return value;
    }

    private static String notBlank(String field, String value) {
        for (int i = 0; i < value.length(); ) {
            int codePoint = value.codePointAt(i);
            if (!Character.isWhitespace(codePoint) && !Character.isSpaceChar(codePoint)
                    && Character.getType(codePoint) != Character.FORMAT) {
                return value;
            }
            i += Character.charCount(codePoint);
        }
        throw ProtocolException.invalid(field + ": blank (expected: at least one visible character)");
    }

    /** Refuses a lone surrogate (JSON's {@code "\\ud800"} decodes to one): it is no character. */
    private static String wholeUnicode(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw ProtocolException.invalid(field + ": unpaired surrogate U+" + hex(c) + " at index " + i
                        + " (expected: whole Unicode characters)");
            }
        }
        return value;
    }

    private static String hex(int codePoint) {
        return String.format(java.util.Locale.ROOT, "%04X", codePoint);
    }

    /** P-256's prime and the constant b of its curve y^2 = x^3 - 3x + b (FIPS 186-4, D.1.2.3). */
    private static final java.math.BigInteger P256_P = new java.math.BigInteger(
            "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);
    private static final java.math.BigInteger P256_B = new java.math.BigInteger(
            "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);

    /** A P-256 public key as an uncompressed point (65 bytes, base64url) that is on the curve. */
    static String p256Point(String field, String value) {
        base64url(field, value, 65);
        byte[] raw = java.util.Base64.getUrlDecoder().decode(value.replace("=", ""));
        java.math.BigInteger x = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(raw, 1, 33));
        java.math.BigInteger y = new java.math.BigInteger(1, java.util.Arrays.copyOfRange(raw, 33, 65));
        boolean onCurve = raw[0] == 4 && x.compareTo(P256_P) < 0 && y.compareTo(P256_P) < 0
                && y.pow(2).mod(P256_P).equals(x.pow(3).subtract(x.multiply(java.math.BigInteger.valueOf(3)))
                .add(P256_B).mod(P256_P));
        if (!onCurve) {
            throw ProtocolException.invalid(field + ": not a point of P-256");
        }
        return value;
    }

    /** Base64url (padding allowed) of exactly {@code bytes} bytes. */
    static String base64url(String field, String value, int bytes) {
        required(field, value);
        byte[] decoded;
        try {
            decoded = java.util.Base64.getUrlDecoder().decode(value.replace("=", ""));
        } catch (IllegalArgumentException e) {
            throw ProtocolException.invalid(field + ": not base64url");
        }
        if (decoded.length != bytes) {
            throw ProtocolException.invalid(field + ": " + decoded.length + " bytes (expected: " + bytes + ")");
        }
        return value;
    }

    /** The longest email address taken (RFC 5321's path limit). */
    static final int EMAIL_MAX = 254;
    /**
     * An address as RFC 5321 writes most of them: a dot-atom local part of printable ASCII (no quoted strings, no
     * {@code %}, no leading, trailing or double dot) and a host name of letters, digits and hyphens (an international
     * domain in its {@code xn--} form), with a top-level domain of letters.
     */
    private static final java.util.regex.Pattern EMAIL = java.util.regex.Pattern.compile(
            "[A-Za-z0-9!#$&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$&'*+/=?^_`{|}~-]+)*"
                    + "@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})");

    /** An email address a mail can be sent to: local@domain.tld in ASCII, at most 254 characters. */
    public static String email(String field, String value) {
        required(field, value);
        if (value.length() > EMAIL_MAX) {
            throw new ProtocolException(ErrorCode.TOO_LARGE, field + ": longer than " + EMAIL_MAX + " characters");
        }
        // An encoded word ("=?utf-8?b?...?=") is valid in a local part, and some clients show it decoded: refused.
        if (!EMAIL.matcher(value).matches() || value.contains("=?")) {
            throw ProtocolException.invalid(field + ": " + value + " (expected: an email address such as "
                    + "name@example.com)");
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
            text(field + "." + entry.getKey(), entry.getValue(), 0, Limits.DETAIL_VALUE_MAX);
        }
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(details));
    }
}
