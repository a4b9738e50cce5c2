package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each way a request can be wrong, and the contract's error code for it. */
class StrictDecodingTest {
    private static final Codec CODEC = new Codec();

    static Stream<Arguments> badFrames() {
        String body4001 = "x".repeat(4001);
        StringBuilder details21 = new StringBuilder("{");
        for (int i = 0; i < 21; i++) {
            details21.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        details21.append('}');
        return Stream.of(
                // Not JSON, or not one JSON object.
                bad("{", ErrorCode.BAD_JSON, null),
                bad("not json", ErrorCode.BAD_JSON, null),
                bad("", ErrorCode.BAD_JSON, null),
                bad("[1,2]", ErrorCode.BAD_JSON, null),
                bad("\"ping\"", ErrorCode.BAD_JSON, null),
                bad("{\"type\":\"ping\"} {}", ErrorCode.BAD_JSON, null),
                bad("{\"type\":\"ping\",\"type\":\"ping\"}", ErrorCode.BAD_JSON, null),
                bad("{\"type\":\"ping\",\"x\":" + "[".repeat(50) + "]".repeat(50) + "}", ErrorCode.BAD_JSON, null),
                // The type.
                bad("{\"ref\":\"a\"}", ErrorCode.INVALID_FIELD, "a"),
                bad("{\"type\":7,\"ref\":\"a\"}", ErrorCode.INVALID_FIELD, "a"),
                bad("{\"type\":\"dance\",\"ref\":\"a\"}", ErrorCode.UNKNOWN_TYPE, "a"),
                bad("{\"type\":\"Ping\"}", ErrorCode.UNKNOWN_TYPE, null),
                // The ref.
                bad("{\"type\":\"ping\",\"ref\":7}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"ping\",\"ref\":\"\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"ping\",\"ref\":\"" + "r".repeat(65) + "\"}", ErrorCode.TOO_LARGE, null),
                // Unknown, missing, mistyped and out-of-range fields.
                bad("{\"type\":\"ping\",\"ref\":\"a\",\"extra\":1}", ErrorCode.INVALID_FIELD, "a"),
                bad("{\"type\":\"message\",\"room\":\"r\",\"body\":\"hi\",\"bodyy\":\"x\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"ann\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"a\\nb\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":5,\"question\":\"q\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":true,\"question\":\"q\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":[\"a\"],\"question\":\"q\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"a\",\"question\":\"q\",\"details\":{\"k\":5}}",
                        ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"a\",\"question\":\"q\",\"details\":{\"k\":null}}",
                        ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"a\",\"question\":\"q\",\"details\":[]}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"identify\",\"reservation\":\"rsv_1\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"limit\",\"limit\":11}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"limit\",\"limit\":0}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"limit\",\"limit\":3.0}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"limit\",\"limit\":\"3\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"limit\",\"limit\":null}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"limit\",\"limit\":99999999999999999999}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"limit\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"history\",\"room\":\"r\",\"after\":-1}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"status\",\"room\":\"r\",\"of\":\"typing\",\"is\":true}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"status\",\"room\":\"r\",\"of\":\"typing\",\"is\":\"away\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"status\",\"of\":\"typing\",\"is\":\"true\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"status\",\"of\":\"availability\",\"is\":\"offline\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"status\",\"of\":\"mood\",\"is\":\"away\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"status\",\"of\":1,\"is\":\"away\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"status\",\"room\":\"r\",\"of\":\"availability\",\"is\":\"away\"}",
                        ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"message\",\"room\":\"r\",\"body\":\"\"}", ErrorCode.INVALID_FIELD, null),
                // Text that is not what it looks like (issue 13: impersonation, and what a restart could not keep).
                bad("{\"type\":\"identify\",\"user\":\"   \",\"question\":\"q\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"\\u00a0\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"a\",\"question\":\" \\n\\t \"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"identify\",\"user\":\"b\\u200bob\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"identify\",\"user\":\"bob\\u202e\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"identify\",\"user\":\"\\ufeffbob\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"identify\",\"user\":\"bob\\u2028x\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"identify\",\"user\":\"bob\\u2029\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"identify\",\"user\":\"bob\\ud800\",\"question\":\"q\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"identify\",\"user\":\"a\",\"question\":\"q\\udc00\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"identify\",\"user\":\"a\",\"question\":\"q\",\"details\":{\"k\":\"\\ud83d\"}}",
                        ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"message\",\"room\":\"r\",\"body\":\"hi \\ud800\"}", ErrorCode.INVALID_FIELD, null),
                bad("{\"type\":\"message\",\"room\":\"r\",\"body\":\"\\udfff\\ud800\"}", ErrorCode.INVALID_FIELD,
                        null),
                bad("{\"type\":\"message\",\"room\":\"r\"}", ErrorCode.INVALID_FIELD, null),
                // Over a length limit.
                bad("{\"type\":\"message\",\"room\":\"r\",\"body\":\"" + body4001 + "\",\"ref\":\"b\"}",
                        ErrorCode.TOO_LARGE, "b"),
                bad("{\"type\":\"identify\",\"user\":\"" + "u".repeat(65) + "\",\"question\":\"q\"}",
                        ErrorCode.TOO_LARGE, null),
                bad("{\"type\":\"identify\",\"user\":\"a\",\"question\":\"" + "q".repeat(2001) + "\"}",
                        ErrorCode.TOO_LARGE, null),
                bad("{\"type\":\"identify\",\"user\":\"a\",\"question\":\"q\",\"details\":" + details21 + "}",
                        ErrorCode.TOO_LARGE, null));
    }

    private static Arguments bad(String frame, ErrorCode code, String ref) {
        return Arguments.of(frame, code, ref);
    }

    @ParameterizedTest
    @MethodSource("badFrames")
    void answersWithTheContractsCode(String frame, ErrorCode code, String ref) {
        Decoded decoded = CODEC.decodeRequest(frame);
        Decoded.Failed failed = assertInstanceOf(Decoded.Failed.class, decoded, () -> frame + " -> " + decoded);
        assertEquals(code, failed.code(), failed::message);
        assertEquals(ref, failed.ref());
        assertTrue(!failed.message().isBlank(), "a readable message");
    }

    @Test
    void messagesNameTheValueAndTheExpectation() {
        Decoded.Failed failed = (Decoded.Failed) CODEC.decodeRequest(
                "{\"type\":\"message\",\"room\":\"r\",\"body\":\"" + "x".repeat(5001) + "\"}");
        assertEquals("body length: 5001 (expected: 1..4000)", failed.message());
        Decoded.Failed unknown = (Decoded.Failed) CODEC.decodeRequest("{\"type\":\"ping\",\"color\":\"red\"}");
        assertTrue(unknown.message().startsWith("color: unknown field"), unknown.message());
    }

    /**
     * Every error a client can cause is said in the project's words: what the value is and what was expected, never a
     * Java type, a Jackson feature or a parser's internals (issue 13). Checked over every bad frame above and the
     * fuzzing corpus.
     */
    @ParameterizedTest
    @MethodSource("badFrames")
    void errorTextsAreOurOwnWords(String frame, ErrorCode code, String ref) {
        assertOwnWords(((Decoded.Failed) CODEC.decodeRequest(frame)).message());
    }

    @Test
    void fuzzCorpusErrorsAreOurOwnWords() throws Exception {
        java.nio.file.Path corpus = java.nio.file.Path.of("src/test/resources/io/switchboard/protocol/"
                + "DecoderFuzzTestInputs/decodeNeverEscapes");
        int checked = 0;
        try (var files = java.nio.file.Files.list(corpus)) {
            for (java.nio.file.Path file : (Iterable<java.nio.file.Path>) files::iterator) {
                String frame = new String(java.nio.file.Files.readAllBytes(file), java.nio.charset.StandardCharsets.UTF_8);
                if (CODEC.decodeRequest(frame) instanceof Decoded.Failed failed) {
                    assertOwnWords(failed.message());
                    checked++;
                }
            }
        }
        assertTrue(checked > 0, "the corpus has failing frames: " + checked);
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {
        "{\"external_user_id\":5}",
        "{\"external_user_id\":\"a\",\"priority\":\"x\"}",
        "{\"external_user_id\":\"a\",\"details\":{}}",
        "{\"external_user_id\":\"a\",\"details\":[5]}",
        "{\"external_user_id\":\"a\",\"details\":[{\"label\":1,\"value\":\"v\"}]}",
        "{\"external_user_id\":\"a\",\"reserve_for_seconds\":1.5}",
        "{\"external_user_id\":\"a\"",
        "{\"external_user_id\":\"a\"} x",
    })
    void restBodyErrorsAreOurOwnWords(String body) {
        ProtocolException e = org.junit.jupiter.api.Assertions.assertThrows(ProtocolException.class,
                () -> CODEC.decodeBody(body, Rest.CreateReservation.class));
        assertOwnWords(e.getMessage());
    }

    static void assertOwnWords(String message) {
        for (String foreign : new String[] {"java.", "com.fasterxml", "jackson", "Jackson", "`", "$", "Cannot ",
                "coerc", "Coerc", "Deserializ", "deserializ", "StreamRead", "token", "Token", "START_", "Creator"}) {
            assertTrue(!message.contains(foreign), () -> "'" + foreign + "' in: " + message);
        }
    }

    @Test
    void wrongKindsSayWhatTheyAreAndWhatWasExpected() {
        assertEquals("user: the number 5 (expected: a string)",
                ((Decoded.Failed) CODEC.decodeRequest("{\"type\":\"identify\",\"user\":5,\"question\":\"q\"}"))
                        .message());
        assertEquals("limit: the string \"3\" (expected: a whole number)",
                ((Decoded.Failed) CODEC.decodeRequest("{\"type\":\"limit\",\"limit\":\"3\"}")).message());
        assertEquals("of: the string \"mood\" (expected: one of [typing, availability])",
                ((Decoded.Failed) CODEC.decodeRequest("{\"type\":\"status\",\"of\":\"mood\",\"is\":\"away\"}"))
                        .message());
        assertEquals("bad JSON: the key \"type\" appears twice (expected: each key once)",
                ((Decoded.Failed) CODEC.decodeRequest("{\"type\":\"ping\",\"type\":\"ping\"}")).message());
        assertEquals("user: invisible formatting character U+200B at index 1 (expected: no zero-width or direction "
                + "characters)", ((Decoded.Failed) CODEC.decodeRequest(
                        "{\"type\":\"identify\",\"user\":\"b\\u200bob\",\"question\":\"q\"}")).message());
    }

    @Test
    void namesInOtherScriptsAndEmojiArePeoplesNames() {
        for (String name : new String[] {"Zoë", "Łukasz", "山田太郎", "محمد", "\uD83D\uDE00 Ann", "O'Brien-Smith"}) {
            Decoded decoded = CODEC.decodeRequest(CODEC.encodeRequest(Request.Identify.guest(name, "a question")));
            assertInstanceOf(Decoded.Ok.class, decoded, () -> name + " -> " + decoded);
        }
    }

    @Test
    void lengthsCountCharactersNotBytes() {
        String emoji = "\uD83D\uDE00".repeat(4000);
        Decoded decoded = CODEC.decodeRequest("{\"type\":\"message\",\"room\":\"r\",\"body\":\"" + emoji + "\"}");
        assertInstanceOf(Decoded.Ok.class, decoded, decoded::toString);
    }
}
