package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;

/** A request the desk refuses; thrown before anything of it took effect, answered as an {@code error}. */
public final class DeskException extends RuntimeException {
    private final ErrorCode code;
    private final boolean missing;
    private final long retryAfterSeconds;

    DeskException(ErrorCode code, String message) {
        this(code, message, false, 0);
    }

    private DeskException(ErrorCode code, String message, boolean missing, long retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.missing = missing;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** What a REST path names (a group, a reservation) does not exist: HTTP 404. */
    static DeskException missing(String message) {
        return new DeskException(ErrorCode.UNKNOWN_RESERVATION, message, true, 0);
    }

    /** Too many calls: try again in {@code retryAfterSeconds} (HTTP 429 with {@code Retry-After}). */
    static DeskException rateLimited(String message, long retryAfterSeconds) {
        return new DeskException(ErrorCode.RATE_LIMITED, message, false, retryAfterSeconds);
    }

    /** The contract's error code for the refusal. */
    public ErrorCode code() {
        return code;
    }

    /** Whether the refusal is that something named in the path does not exist. */
    public boolean missing() {
        return missing;
    }

    /** For {@code rate_limited}: whole seconds until a call would be accepted; 0 otherwise. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
