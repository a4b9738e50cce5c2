package io.switchboard.protocol;

/** Why a room ended. */
public enum EndReason implements WireEnum {
    ENDED, GUEST_GONE, AGENT_GONE, EXPIRED;
}
