package io.switchboard.protocol;

/** The error codes of the contract (§2.2), written in lower snake case on the wire. */
public enum ErrorCode implements WireEnum {
    BAD_JSON,
    UNKNOWN_TYPE,
    INVALID_FIELD,
    NOT_IDENTIFIED,
    ALREADY_IDENTIFIED,
    AUTH_FAILED,
    NOT_ALLOWED,
    UNKNOWN_ROOM,
    UNKNOWN_AGENT,
    UNKNOWN_RESERVATION,
    NO_GUESTS,
    AT_LIMIT,
    RATE_LIMITED,
    TOO_LARGE,
    CONFLICT,
    INTERNAL;
}
