package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * The decoder under Jazzer. In a normal test run the seed corpus ({@code DecoderFuzzTestInputs/decodeNeverEscapes}
 * in the test resources, plus anything the fuzzer found and was added there) replays; {@code JAZZER_FUZZ=1 mvn -pl
 * protocol test -Dtest=DecoderFuzzTest} fuzzes for real (see the README). Whatever the frame, the decoder answers
 * with a request or with a failure that has one of the contract's codes and a message in the project's own words:
 * nothing escapes as an exception, and a decoded request encodes back to a frame that decodes to the same request.
 */
class DecoderFuzzTest {
    private static final Codec CODEC = new Codec();

    @FuzzTest(maxDuration = "30s")
    void decodeNeverEscapes(FuzzedDataProvider data) {
        String frame = data.consumeRemainingAsString();
        Decoded decoded = CODEC.decodeRequest(frame);
        assertNotNull(decoded);
        if (decoded instanceof Decoded.Failed failed) {
            assertNotNull(failed.code());
            assertNotNull(failed.message());
            StrictDecodingTest.assertOwnWords(failed.message());
            assertTrue(failed.ref() == null || failed.ref().length() <= Limits.REF_MAX);
        } else if (decoded instanceof Decoded.Ok ok) {
            String again = CODEC.encodeRequest(ok.ref(), ok.request());
            Decoded round = CODEC.decodeRequest(again);
            assertEquals(decoded, round, () -> "re-encoded as " + again);
        }
    }
}
