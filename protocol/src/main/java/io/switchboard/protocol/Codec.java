package io.switchboard.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;
import java.io.UncheckedIOException;

/**
 * The one strict JSON codec of the wire protocol. Unknown properties, duplicate keys, trailing tokens, numbers for
 * enums, floats for integers, nulls for primitives and scalars of the wrong kind are all errors. Frames are parsed
 * from {@code String}. Thread-safe: share one instance.
 */
public final class Codec {
    private static final int MAX_NESTING_DEPTH = 8;
    private static final int MAX_NUMBER_LENGTH = 24;
    /** No string in a request can be longer than a frame (64 KiB by default); the contract's longest is 4000. */
    private static final int MAX_STRING_LENGTH = 65_536;

    private final ObjectMapper mapper;
    private final ObjectReader treeReader;
    private final ObjectReader requestReader;
    private final ObjectReader serverMessageReader;
    private final ObjectWriter serverMessageWriter;

    public Codec() {
        this.mapper = strictMapper();
        this.treeReader = mapper.reader();
        this.requestReader = mapper.readerFor(Request.class);
        this.serverMessageReader = mapper.readerFor(ServerMessage.class);
        this.serverMessageWriter = mapper.writerFor(ServerMessage.class);
    }

    /** The strict mapper this codec uses for frames and REST bodies: nesting deeper than 8 is refused. */
    public static ObjectMapper strictMapper() {
        return strictMapper(MAX_NESTING_DEPTH);
    }

    /**
     * A mapper as strict as the codec's but for documents that may nest deeper (the configuration file, whose valid
     * shapes reach about ten levels): only the nesting limit differs.
     */
    public static ObjectMapper strictMapper(int maxNestingDepth) {
        JsonMapper mapper = JsonMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        mapper.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(maxNestingDepth)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .build());
        for (LogicalType type : new LogicalType[] {LogicalType.Textual, LogicalType.Enum}) {
            mapper.coercionConfigFor(type)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Integer)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        return mapper;
    }

    /** Decodes one request frame. Never throws: a bad frame is a {@link Decoded.Failed} with the contract's code. */
    public Decoded decodeRequest(String text) {
        JsonNode tree;
        try {
            tree = treeReader.readTree(text);
        } catch (JsonProcessingException e) {
            return new Decoded.Failed(null, ErrorCode.BAD_JSON, JsonErrors.syntax(e));
        }
        if (tree == null || !tree.isObject()) {
            return new Decoded.Failed(null, ErrorCode.BAD_JSON, "frame: not a JSON object (expected: {\"type\": ...})");
        }
        ObjectNode object = (ObjectNode) tree;
        JsonNode refNode = object.remove("ref");
        String ref;
        try {
            ref = readRef(refNode);
        } catch (ProtocolException e) {
            return new Decoded.Failed(null, e.code(), e.getMessage());
        }
        JsonNode type = object.get("type");
        if (type == null || type.isNull()) {
            return new Decoded.Failed(ref, ErrorCode.INVALID_FIELD, "type: missing (expected: a request type)");
        }
        if (!type.isTextual()) {
            return new Decoded.Failed(ref, ErrorCode.INVALID_FIELD, "type: " + type + " (expected: a string)");
        }
        try {
            return new Decoded.Ok(ref, requestReader.readValue(object));
        } catch (InvalidTypeIdException e) {
            return new Decoded.Failed(ref, ErrorCode.UNKNOWN_TYPE, "type: " + type.textValue()
                    + " (expected: a request type)");
        } catch (UnrecognizedPropertyException e) {
            return new Decoded.Failed(ref, ErrorCode.INVALID_FIELD, unknownField(e));
        } catch (java.io.IOException | RuntimeException e) {
            ProtocolException violation = findViolation(e);
            if (violation != null) {
                return new Decoded.Failed(ref, violation.code(), violation.getMessage());
            }
            return new Decoded.Failed(ref, ErrorCode.INVALID_FIELD, describe(object, e));
        }
    }

    private static String unknownField(UnrecognizedPropertyException e) {
        String known = e.getKnownPropertyIds() == null || e.getKnownPropertyIds().isEmpty()
                ? "no fields" : "one of " + e.getKnownPropertyIds();
        return e.getPropertyName() + ": unknown field (expected: " + known + ")";
    }

    private static String readRef(JsonNode refNode) {
        if (refNode == null || refNode.isNull()) {
            return null;
        }
        if (!refNode.isTextual()) {
            throw ProtocolException.invalid("ref: " + refNode + " (expected: a string of 1.." + Limits.REF_MAX + ")");
        }
        return Check.text("ref", refNode.textValue(), 1, Limits.REF_MAX);
    }

    private static ProtocolException findViolation(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProtocolException violation) {
                return violation;
            }
        }
        return null;
    }

    private static String describe(JsonNode root, Exception e) {
        if (e instanceof JsonMappingException mapping) {
            return JsonErrors.mismatch(root, mapping);
        }
        if (e instanceof JsonProcessingException processing) {
            return JsonErrors.syntax(processing);
        }
        return "request: not valid (expected: the fields of its type)";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** Encodes a server message as JSON text. */
    public String encode(ServerMessage message) {
        try {
            return serverMessageWriter.writeValueAsString(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Encodes a server message as UTF-8 JSON bytes. */
    public byte[] encodeBytes(ServerMessage message) {
        try {
            return serverMessageWriter.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes a server message (for clients: the load tester, tests). Strict like requests. */
    public ServerMessage decodeServerMessage(String text) {
        try {
            return serverMessageReader.readValue(text);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a server message: " + firstLine(e.getMessage()), e);
        }
    }

    /** Encodes a request as a client sends it, with {@code ref} when it is not null. */
    public String encodeRequest(String ref, Request request) {
        ObjectNode tree = mapper.valueToTree(request);
        removeNulls(tree);
        if (ref != null) {
            tree.put("ref", ref);
        }
        try {
            return mapper.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void removeNulls(ObjectNode tree) {
        tree.properties().removeIf(entry -> entry.getValue().isNull());
        if (tree.get("details") instanceof ObjectNode details && details.isEmpty()) {
            tree.remove("details");
        }
    }

    /**
     * Decodes the body of a REST call, as strictly as a request frame.
     *
     * @throws ProtocolException with {@code bad_json}, {@code invalid_field} or {@code too_large} and a readable message
     */
    public <T> T decodeBody(String text, Class<T> type) {
        JsonNode tree;
        try {
            tree = treeReader.readTree(text);
        } catch (JsonProcessingException e) {
            throw new ProtocolException(ErrorCode.BAD_JSON, JsonErrors.syntax(e));
        }
        if (tree == null || !tree.isObject()) {
            throw new ProtocolException(ErrorCode.BAD_JSON, "body: not a JSON object");
        }
        try {
            return mapper.readerFor(type).readValue(tree);
        } catch (UnrecognizedPropertyException e) {
            throw new ProtocolException(ErrorCode.INVALID_FIELD, unknownField(e));
        } catch (java.io.IOException | RuntimeException e) {
            ProtocolException violation = findViolation(e);
            if (violation != null) {
                throw violation;
            }
            throw new ProtocolException(ErrorCode.INVALID_FIELD, describe(tree, e));
        }
    }

    /** Encodes any of the HTTP shapes ({@link Rest}) as UTF-8 JSON bytes. */
    public byte[] encodeJson(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Decodes one of the HTTP shapes (for clients: the load tester, tests). */
    public <T> T decodeJson(String text, Class<T> type) {
        try {
            return mapper.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a " + type.getSimpleName() + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** Encodes a request without ref. */
    public String encodeRequest(Request request) {
        return encodeRequest(null, request);
    }

}
