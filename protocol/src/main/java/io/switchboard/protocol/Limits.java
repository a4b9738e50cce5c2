package io.switchboard.protocol;

/** The length limits of the contract (§2.1), and the ones it left to us (documented in docs/protocol.md). */
public final class Limits {
    public static final int REF_MAX = 64;
    public static final int USER_MAX = 64;
    public static final int QUESTION_MAX = 2000;
    public static final int BODY_MAX = 4000;
    public static final int DETAILS_MAX = 20;
    public static final int DETAIL_KEY_MAX = 64;
    public static final int DETAIL_VALUE_MAX = 1000;
    public static final int TOKEN_MAX = 512;
    public static final int ID_MAX = 128;
    public static final int GUEST_LIMIT_MIN = 1;
    public static final int GUEST_LIMIT_MAX = 10;
    public static final int HISTORY_PAGE = 500;
    /** How many waiting entries of each group and kind a snapshot lists unless asked for another number. */
    public static final int SNAPSHOT_QUEUE_DEFAULT = 100;
    /** The most a snapshot lists of each group and kind ({@code queue_limit}). */
    public static final int SNAPSHOT_QUEUE_MAX = 1000;
    /** The longest title of a canned reply. */
    public static final int REPLY_TITLE_MAX = 100;

    private Limits() {
    }
}
