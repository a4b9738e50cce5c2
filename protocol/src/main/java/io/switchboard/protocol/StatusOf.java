package io.switchboard.protocol;

/** What a {@code status} message is about. */
public enum StatusOf implements WireEnum {
    TYPING, AVAILABILITY;
}
