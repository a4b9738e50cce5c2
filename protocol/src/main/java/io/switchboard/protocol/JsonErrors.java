package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What went wrong in a piece of JSON, in the project's words: the path of the bad value, what it was and what was
 * expected ({@code "limit: a string (expected: a whole number)"}), never a Java type or a parser's internals. Used for
 * request frames, REST bodies and the configuration file.
 */
public final class JsonErrors {
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");
    private static final Pattern NUMBERS = Pattern.compile("\\((\\d+)[,)]");

    private JsonErrors() {
    }

    /** A syntax error (the text is not JSON, or breaks a size limit), starting with {@code "bad JSON"}. */
    public static String syntax(JsonProcessingException e) {
        String original = String.valueOf(e.getOriginalMessage());
        Matcher duplicate = DUPLICATE.matcher(original);
        if (duplicate.find()) {
            return "bad JSON: the key \"" + duplicate.group(1) + "\" appears twice (expected: each key once)";
        }
        if (e instanceof StreamConstraintsException) {
            List<String> numbers = numbers(original);
            String found = numbers.isEmpty() ? "?" : numbers.get(0);
            String limit = numbers.size() < 2 ? "?" : numbers.get(1);
            if (original.contains("nesting depth")) {
                return "bad JSON: nested " + found + " levels deep (expected: at most " + limit + ")";
            }
            if (original.contains("Number")) {
                return "bad JSON: a number of " + found + " digits (expected: at most " + limit + ")";
            }
            if (original.contains("String") || original.contains("Name")) {
                return "bad JSON: a string of " + found + " characters (expected: at most " + limit + ")";
            }
            return "bad JSON: too large (expected: a smaller document)";
        }
        if (e instanceof JsonEOFException) {
            return "bad JSON: it ends in the middle of a value (expected: a complete JSON object)";
        }
        if (e instanceof MismatchedInputException && original.startsWith("Trailing token")) {
            return "bad JSON: more follows the object (expected: one JSON object and nothing after it)";
        }
        JsonLocation location = e.getLocation();
        if (location != null && location.getLineNr() > 0) {
            return "bad JSON at line " + location.getLineNr() + ", column " + location.getColumnNr()
                    + " (expected: valid JSON)";
        }
        return "bad JSON (expected: valid JSON)";
    }

    /**
     * A value of the wrong shape, found while mapping {@code root} onto a type: {@code "path: what it is (expected:
     * what it should be)"}.
     */
    public static String mismatch(JsonNode root, JsonMappingException e) {
        String path = path(e);
        JsonNode value = at(root, e.getPath());
        Class<?> target = e instanceof MismatchedInputException mismatched ? mismatched.getTargetType() : null;
        String original = String.valueOf(e.getOriginalMessage());
        if (target == null && value != null && value.isNumber() && original.contains("out of range")) {
            return path + ": " + value.asText() + " (expected: a smaller whole number)";
        }
        String found = value == null ? "a value of another kind" : kind(value);
        return path + ": " + found + " (expected: " + expected(target) + ")";
    }

    /** The dotted path of a mapping error ({@code details.order}, {@code accounts[0].agents[1].colour}). */
    public static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference reference : e.getPath()) {
            if (reference.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                path.append('[').append(reference.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "(top)" : path.toString();
    }

    private static JsonNode at(JsonNode root, List<JsonMappingException.Reference> path) {
        JsonNode node = root;
        for (JsonMappingException.Reference reference : path) {
            if (node == null) {
                return null;
            }
            if (reference.getFieldName() != null) {
                node = node.get(reference.getFieldName());
            } else if (reference.getIndex() >= 0) {
                node = node.get(reference.getIndex());
            } else {
                return null;
            }
        }
        return node;
    }

    private static String kind(JsonNode value) {
        return switch (value.getNodeType()) {
            case STRING -> value.textValue().length() <= 40 ? "the string \"" + value.textValue() + "\"" : "a string";
            case NUMBER -> value.isIntegralNumber() ? "the number " + value.asText()
                    : "the decimal number " + value.asText();
            case BOOLEAN -> value.asText();
            case NULL -> "null";
            case ARRAY -> "a list";
            case OBJECT -> "an object";
            case BINARY, MISSING, POJO -> "a value of another kind";
        };
    }

    private static String expected(Class<?> target) {
        if (target == null) {
            return "a value of another kind";
        }
        if (target == String.class) {
            return "a string";
        }
        if (target == Integer.class || target == int.class || target == Long.class || target == long.class) {
            return "a whole number";
        }
        if (target == Boolean.class || target == boolean.class) {
            return "true or false";
        }
        if (target.isEnum()) {
            List<String> values = new ArrayList<>();
            for (Object constant : target.getEnumConstants()) {
                values.add(constant instanceof WireEnum wire ? wire.wire() : constant.toString().toLowerCase(Locale.ROOT));
            }
            return "one of " + values;
        }
        if (Map.class.isAssignableFrom(target)) {
            return "an object of strings";
        }
        if (Collection.class.isAssignableFrom(target) || target.isArray()) {
            return "a list";
        }
        if (target == JsonNode.class) {
            return "one JSON object";
        }
        return "an object";
    }

    private static List<String> numbers(String text) {
        List<String> numbers = new ArrayList<>();
        Matcher matcher = NUMBERS.matcher(text);
        while (matcher.find()) {
            numbers.add(matcher.group(1));
        }
        return numbers;
    }
}
