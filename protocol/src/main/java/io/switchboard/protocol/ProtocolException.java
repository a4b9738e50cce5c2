package io.switchboard.protocol;

/**
 * A request that breaks the contract: carries the error code the client is answered with and a readable message of
 * the form {@code "body length: 5001 (expected: 1..4000)"}.
 */
public final class ProtocolException extends IllegalArgumentException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    static ProtocolException invalid(String message) {
        return new ProtocolException(ErrorCode.INVALID_FIELD, message);
    }

    static ProtocolException tooLarge(String message) {
        return new ProtocolException(ErrorCode.TOO_LARGE, message);
    }
}
