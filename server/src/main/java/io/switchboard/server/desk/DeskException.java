package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;

/** A request the desk refuses; thrown before anything of it took effect, answered as an {@code error}. */
public final class DeskException extends RuntimeException {
    private final ErrorCode code;

    DeskException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    /** The contract's error code for the refusal. */
    public ErrorCode code() {
        return code;
    }
}
