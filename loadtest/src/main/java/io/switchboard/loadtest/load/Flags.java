package io.switchboard.loadtest.load;

import java.util.ArrayList;
import java.util.List;

/** The {@code --name value} command lines of the crash tests. */
final class Flags {
    private Flags() {
    }

    /**
     * The command line's flags with their values, in order.
     *
     * @throws IllegalArgumentException when a flag has no value
     */
    static List<String[]> pairs(String[] args) {
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(args[i] + " needs a value");
            }
            pairs.add(new String[] {args[i], args[i + 1]});
        }
        return pairs;
    }

    /**
     * A whole number within bounds.
     *
     * @throws IllegalArgumentException naming the flag and the bounds
     */
    static int bounded(String name, String value, int min, int max) {
        int number;
        try {
            number = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": " + value + " (expected a whole number)", e);
        }
        if (number < min || number > max) {
            throw new IllegalArgumentException(name + ": " + value + " (expected " + min + ".." + max + ")");
        }
        return number;
    }
}
