package io.switchboard.server.desk;

import java.text.Normalizer;
import java.util.Locale;

/** How names are compared and texts shortened for display. */
final class Names {
    /** The longest question an agent's snapshot carries, in characters (the whole one comes with {@code joined}). */
    static final int SNAPSHOT_QUESTION_MAX = 200;

    private Names() {
    }

    /**
     * A name as it looks, for telling whether two names would pass for each other: compatibility-normalized (NFKC:
     * full-width and ligature letters become plain ones), case-folded, normalized again, trimmed. {@code "ＢＯＢ"}, {@code
     * "Bob "} and {@code "bob"} fold alike.
     */
    static String fold(String name) {
        String compatible = Normalizer.normalize(name, Normalizer.Form.NFKC);
        String folded = compatible.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        return Normalizer.normalize(folded, Normalizer.Form.NFKC).strip();
    }

    /** The text cut to at most {@code max} characters (code points), ending in an ellipsis when it was cut. */
    static String cut(String text, int max) {
        if (text == null || text.codePointCount(0, text.length()) <= max) {
            return text;
        }
        return text.substring(0, text.offsetByCodePoints(0, max - 1)) + "…";
    }
}
