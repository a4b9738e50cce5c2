package io.switchboard.protocol;

/** The value of a {@code status}: typing {@code true}/{@code false}, or an availability. */
public enum StatusIs implements WireEnum {
    TRUE, FALSE, AVAILABLE, AWAY, OFFLINE;
}
