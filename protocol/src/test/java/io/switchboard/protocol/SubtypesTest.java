package io.switchboard.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SubtypesTest {

    @Test
    void requestSubtypesListEveryPermittedSubclass() {
        assertEquals(permitted(Request.class), listed(Request.class));
    }

    @Test
    void serverMessageSubtypesListEveryPermittedSubclass() {
        assertEquals(permitted(ServerMessage.class), listed(ServerMessage.class));
    }

    private static Set<Class<?>> permitted(Class<?> sealed) {
        return Set.of(sealed.getPermittedSubclasses());
    }

    private static Set<Class<?>> listed(Class<?> sealed) {
        return Arrays.stream(sealed.getAnnotation(JsonSubTypes.class).value())
                .map(JsonSubTypes.Type::value)
                .collect(Collectors.toSet());
    }
}
