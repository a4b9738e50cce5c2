package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;

/** A request the desk refuses; thrown before anything of it took effect, answered as an {@code error}. */
public final class DeskException extends RuntimeException {
    private final ErrorCode code;
    private final boolean missing;
    private final boolean unavailable;
    private final long retryAfterSeconds;

    DeskException(ErrorCode code, String message) {
        this(code, message, false, false, 0);
    }

    private DeskException(ErrorCode code, String message, boolean missing, boolean unavailable,
                          long retryAfterSeconds) {
        super(message, null, false, false);
        this.code = code;
        this.missing = missing;
        this.unavailable = unavailable;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * The server cannot take this now, through no fault of the request: storage is failing or full (code {@code
     * internal}, HTTP 503). The store throws it for a read it cannot make.
     */
    public static DeskException storageUnavailable(String message) {
        return new DeskException(ErrorCode.INTERNAL, message, false, true, 0);
    }

    /** {@code resume} of a session that does not exist (or no longer): no failed sign-in. */
    public static DeskException unknownSession() {
        return new DeskException(ErrorCode.AUTH_FAILED, "session: unknown or expired (expected: a session token "
                + "from identified, within the resume grace)");
    }

    /** A queue that is full: {@code rate_limited} over WebSocket, HTTP 503 over REST. */
    static DeskException queueFull(String message) {
        return new DeskException(ErrorCode.RATE_LIMITED, message, false, true, 0);
    }

    /** What a REST path names (a group, a reservation) does not exist: HTTP 404. */
    public static DeskException missing(String message) {
        return new DeskException(ErrorCode.UNKNOWN_RESERVATION, message, true, false, 0);
    }

    /** A request refused with a contract code (for the gate, which answers what no desk takes). */
    public static DeskException refused(ErrorCode code, String message) {
        return new DeskException(code, message);
    }

    /** Too many calls: try again in {@code retryAfterSeconds} (HTTP 429 with {@code Retry-After}). */
    public static DeskException rateLimited(String message, long retryAfterSeconds) {
        return new DeskException(ErrorCode.RATE_LIMITED, message, false, false, retryAfterSeconds);
    }

    /** The contract's error code for the refusal. */
    public ErrorCode code() {
        return code;
    }

    /** Whether the refusal is that something named in the path does not exist. */
    public boolean missing() {
        return missing;
    }

    /** Whether the server cannot take it now (storage failing, a full queue): HTTP 503. */
    public boolean unavailable() {
        return unavailable;
    }

    /** For {@code rate_limited}: whole seconds until a call would be accepted; 0 otherwise. */
    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
