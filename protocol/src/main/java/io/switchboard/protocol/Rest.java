package io.switchboard.protocol;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The JSON shapes of the HTTP API (contract §3): group reservations, the queue-position API and errors. */
public final class Rest {
    /** Priorities a REST caller may give (higher is served first; WebSocket guests have 1). */
    public static final int PRIORITY_MIN = -1_000_000;
    public static final int PRIORITY_MAX = 1_000_000;
    /** How long a matched agent may be held for a guest who has not attached yet (seconds). */
    public static final int RESERVE_FOR_MAX = 86_400;
    public static final int EXTERNAL_USER_ID_MAX = Limits.ID_MAX;

    private Rest() {
    }

    /** One entry of a reservation's {@code details}. */
    public record Detail(String label, String value) {
        public Detail {
            Check.name("details label", label, Limits.DETAIL_KEY_MAX);
            Check.required("details value", value, "a string");
            Check.text("details value", value, 0, Limits.DETAIL_VALUE_MAX);
        }
    }

    /** The body of {@code POST .../reservations}; only {@code external_user_id} (or {@code externalUserId}) is required. */
    public record CreateReservation(
            @JsonProperty("external_user_id") @JsonAlias("externalUserId") String externalUserId,
            Integer priority,
            @JsonProperty("reserve_for_seconds") Integer reserveForSeconds,
            List<Detail> details) {
        public CreateReservation {
            Check.name("external_user_id", externalUserId, EXTERNAL_USER_ID_MAX);
            if (priority != null) {
                Check.range("priority", priority, PRIORITY_MIN, PRIORITY_MAX);
            }
            if (reserveForSeconds != null) {
                Check.range("reserve_for_seconds", reserveForSeconds, 1, RESERVE_FOR_MAX);
            }
            details = details == null ? List.of() : List.copyOf(details);
            if (details.size() > Limits.DETAILS_MAX) {
                throw ProtocolException.tooLarge("details entries: " + details.size()
                        + " (expected: 0.." + Limits.DETAILS_MAX + ")");
            }
        }

        /** The details as the desk keeps them (label to value, in order); a repeated label is an error. */
        public Map<String, String> detailMap() {
            Map<String, String> map = new LinkedHashMap<>();
            for (Detail detail : details) {
                if (map.put(detail.label(), detail.value()) != null) {
                    throw ProtocolException.invalid("details label: " + detail.label()
                            + " appears twice (expected: each label once)");
                }
            }
            return map;
        }
    }

    /** The group a reservation waits in. Its {@code sid} is its name, which is also its id in every path. */
    public record GroupRef(String sid, String name) {
    }

    /** The agent a reservation is matched with. */
    public record ReservedUser(String name) {
    }

    /** A group reservation object (contract §3.1). Times are ISO-8601 UTC with milliseconds. */
    public record GroupReservation(
            @JsonProperty("company_sid") String companySid,
            GroupRef group,
            @JsonProperty("reservation_sid") String reservationSid,
            @JsonProperty("external_user_id") String externalUserId,
            int priority,
            @JsonProperty("reserve_for_seconds") int reserveForSeconds,
            @JsonProperty("reservation_status") String reservationStatus,
            @JsonProperty("queue_position") int queuePosition,
            @JsonProperty("estimated_wait_until") String estimatedWaitUntil,
            List<Detail> details,
            @JsonProperty("room_sid") String roomSid,
            @JsonProperty("reserved_until") String reservedUntil,
            @JsonProperty("reserved_user") ReservedUser reservedUser) {
        public GroupReservation {
            Objects.requireNonNull(reservationSid, "reservation_sid");
            Objects.requireNonNull(reservationStatus, "reservation_status");
            details = details == null ? List.of() : List.copyOf(details);
        }
    }

    /** The envelope every reservation route answers with. */
    public record ReservationEnvelope(@JsonProperty("group_reservation") GroupReservation groupReservation) {
    }

    /** The queue-position API's answer (contract §3.2): 1-based position, seconds or null. */
    public record QueuePosition(int queuePosition, Long estimatedWaitTimeSec) {
    }

    /** The queue-position API's error body. */
    public record ApiError(String exceptionType, String message) {
    }

    /** Every other HTTP error: a code in lower snake case and a readable message. */
    public record Error(String error, String message) {
    }

    /**
     * {@code GET /v1/widget/{account}/{group}}: what the widget shows before a guest types anything. {@code state}:
     * {@code open}, {@code busy} (the estimate passes the group's {@code busy_after_seconds}), {@code closed} (outside
     * its hours; {@code next_open} says when it opens, ISO-8601 UTC) or {@code offline} (no agent of the group signed
     * in and available); {@code email}: whether the server sends email (leave a message, keep my place); {@code
     * push_key}: the server's VAPID public key when it also tells guests by Web Push (absent otherwise).
     */
    public record WidgetState(String state, @JsonProperty("next_open") String nextOpen,
                              @JsonProperty("estimated_wait") Long estimatedWait, boolean email,
                              @com.fasterxml.jackson.annotation.JsonInclude(
                                      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
                              @JsonProperty("push_key") String pushKey) {
        /** Without Web Push. */
        public WidgetState(String state, String nextOpen, Long estimatedWait, boolean email) {
            this(state, nextOpen, estimatedWait, email, null);
        }
    }

    /** The body of {@code POST /v1/widget/{account}/{group}/messages}: a message left to be answered by email. */
    public record LeaveMessage(String user, String email, String body, Map<String, String> details) {
        public LeaveMessage {
            Check.name("user", user, Limits.USER_MAX);
            Check.email("email", email);
            Check.visibleText("body", body, 1, Limits.BODY_MAX);
            details = Check.details("details", details, Limits.DETAILS_MAX);
        }
    }

    /** The answer to a message left: its conversation (a reservation sid). */
    public record MessageLeft(String conversation) {
    }
}
