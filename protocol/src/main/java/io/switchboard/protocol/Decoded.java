package io.switchboard.protocol;

/** The outcome of decoding one request frame: a request, or the error to answer it with. */
public sealed interface Decoded {
    /** The request's {@code ref}, or null when it had none (or none that could be read). */
    String ref();

    /** A well-formed request. */
    record Ok(String ref, Request request) implements Decoded {
    }

    /** A frame that breaks the contract; nothing of it may take effect. */
    record Failed(String ref, ErrorCode code, String message) implements Decoded {
    }
}
