package io.switchboard.protocol;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** An enum written on the wire as its constant's name in lower case ({@code GUEST_GONE} is {@code guest_gone}). */
public interface WireEnum {
    String name();

    /** The value as it is spelled on the wire. */
    @JsonValue
    default String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
