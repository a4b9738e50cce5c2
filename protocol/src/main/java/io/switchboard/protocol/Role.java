package io.switchboard.protocol;

/** Who a session is: a guest, an agent, or a supervisor (an agent with more rights). */
public enum Role implements WireEnum {
    GUEST, AGENT, SUPERVISOR;
}
