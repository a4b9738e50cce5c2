package io.switchboard.protocol;

/** Why a room ended (contract §2.2; {@code expired} was removed in §5.1: no rule produced it). */
public enum EndReason implements WireEnum {
    ENDED, GUEST_GONE, AGENT_GONE;
}
