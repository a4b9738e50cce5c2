package io.switchboard.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonSubTypes.Type;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A message from the server to a client (contract §2.2): the six messages of the original support-chat protocol with
 * their fields unchanged, and the additions.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @Type(value = ServerMessage.Notification.class, name = "notification"),
    @Type(value = ServerMessage.Message.class, name = "message"),
    @Type(value = ServerMessage.Status.class, name = "status"),
    @Type(value = ServerMessage.Update.class, name = "update"),
    @Type(value = ServerMessage.Welcome.class, name = "welcome"),
    @Type(value = ServerMessage.QueuePos.class, name = "queuepos"),
    @Type(value = ServerMessage.Identified.class, name = "identified"),
    @Type(value = ServerMessage.Joined.class, name = "joined"),
    @Type(value = ServerMessage.End.class, name = "end"),
    @Type(value = ServerMessage.History.class, name = "history"),
    @Type(value = ServerMessage.Snapshot.class, name = "snapshot"),
    @Type(value = ServerMessage.Ack.class, name = "ack"),
    @Type(value = ServerMessage.ErrorReply.class, name = "error"),
    @Type(value = ServerMessage.Pong.class, name = "pong"),
    @Type(value = ServerMessage.Kept.class, name = "kept"),
    @Type(value = ServerMessage.QueueChange.class, name = "queue"),
    @Type(value = ServerMessage.Team.class, name = "team"),
    @Type(value = ServerMessage.RoomChange.class, name = "rooms"),
    @Type(value = ServerMessage.Offer.class, name = "offer"),
    @Type(value = ServerMessage.OfferEnd.class, name = "offer_end"),
    @Type(value = ServerMessage.Alert.class, name = "alert"),
    @Type(value = ServerMessage.Context.class, name = "context"),
    @Type(value = ServerMessage.Replies.class, name = "replies"),
    @Type(value = ServerMessage.ReplyChange.class, name = "reply"),
    @Type(value = ServerMessage.GroupStats.class, name = "stats"),
})
public sealed interface ServerMessage {

    /**
     * A user joined or left a room; {@code role} says whether they are the guest, an agent or a supervisor (contract
     * §5.2: clients tell people apart by role, never by name).
     */
    record Notification(String room, String user, Role role, NotificationDetails details) implements ServerMessage {
        public Notification {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(details, "details");
        }
    }

    /**
     * A chat message; {@code role} is the sender's, {@code sent} Unix time in milliseconds, {@code seq} its number in
     * the room.
     */
    record Message(String room, String user, Role role, String body, long sent, long seq,
                   @JsonProperty("private") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean privateNote)
            implements ServerMessage {
        public Message {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(body, "body");
            if (Boolean.FALSE.equals(privateNote)) {
                privateNote = null;
            }
        }

        /** A message every member of the room gets. */
        public Message(String room, String user, Role role, String body, long sent, long seq) {
            this(room, user, role, body, sent, seq, null);
        }

        /** Whether it is a note for the room's agents and supervisors only (contract §5.2). */
        public boolean forAgentsOnly() {
            return Boolean.TRUE.equals(privateNote);
        }
    }

    /** Typing in a room, or a user's availability or presence; {@code role} is that user's. */
    record Status(String room, String user, Role role, StatusOf of, StatusIs is) implements ServerMessage {
        public Status {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(of, "of");
            Objects.requireNonNull(is, "is");
        }
    }

    /** A change the account's agents are told of. */
    record Update(List<String> users, UpdateDetails details) implements ServerMessage {
        public Update {
            users = List.copyOf(users);
            Objects.requireNonNull(details, "details");
        }
    }

    /** The connection has no identified session yet. */
    record Welcome() implements ServerMessage {
    }

    /** A waiting guest's place: 0-based position, the group's average wait and this guest's estimate, in seconds. */
    record QueuePos(int position, @JsonProperty("wait") Long averageWait, @JsonProperty("estimated_wait") Long estimatedWait)
            implements ServerMessage {
    }

    /** The session is set; {@code session} is the resume token, {@code reservation} null for agents. */
    record Identified(Role role, String user, String session, String reservation) implements ServerMessage {
        public Identified {
            Objects.requireNonNull(role, "role");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(session, "session");
        }

        @Override
        public String toString() {
            return "Identified[role=" + role + ", user=" + user + ", session=(hidden), reservation=" + reservation + "]";
        }
    }

    /**
     * Who a guest is, as an agent sees them; {@code email}: set for a conversation by email (a message left), where
     * the agents' messages go to that address.
     */
    record Guest(String user, String question, Map<String, String> details,
                 @JsonInclude(JsonInclude.Include.NON_NULL) String email) {
        public Guest {
            Objects.requireNonNull(user, "user");
            details = details == null ? Map.of() : details;
        }

        public Guest(String user, String question, Map<String, String> details) {
            this(user, question, details, null);
        }
    }

    /** You are now in this room; {@code silent}: you (a supervisor) joined it silently, the guest does not see you. */
    record Joined(String room, Guest guest, String agent,
                  @JsonInclude(JsonInclude.Include.NON_NULL) Boolean silent) implements ServerMessage {
        public Joined {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(guest, "guest");
            Objects.requireNonNull(agent, "agent");
            if (Boolean.FALSE.equals(silent)) {
                silent = null;
            }
        }

        public Joined(String room, Guest guest, String agent) {
            this(room, guest, agent, null);
        }
    }

    /** The room is closed; {@code user} is who ended it, or null. */
    record End(String room, String user, EndReason reason) implements ServerMessage {
        public End {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** Reply to {@code history}. */
    record History(String room, List<Message> messages) implements ServerMessage {
        public History {
            Objects.requireNonNull(room, "room");
            messages = List.copyOf(messages);
        }
    }

    /** An agent as the snapshot shows them; {@code guests} is how many they hold. */
    record AgentView(String user, StatusIs availability, int guests, int limit) {
    }

    /**
     * A waiting guest as the snapshot shows them; {@code waited} in whole seconds. A message left to be answered by
     * email has {@code kind} {@code "message"}, its own positions (oldest first) and {@code reply_by}, the end of its
     * SLA clock (epoch ms); a guest waiting to chat has neither. {@code id} names the entry in {@code queue} changes
     * and offers (it is not the reservation's sid).
     */
    record QueueEntry(String user, String group, int position, long waited, String question,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String kind,
                      @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("reply_by") Long replyBy,
                      @JsonInclude(JsonInclude.Include.NON_NULL) String id) {
        public QueueEntry(String user, String group, int position, long waited, String question) {
            this(user, group, position, waited, question, null, null, null);
        }

        public QueueEntry(String user, String group, int position, long waited, String question, String kind,
                          Long replyBy) {
            this(user, group, position, waited, question, kind, replyBy, null);
        }
    }

    /** How many entries wait in a group (of a kind: absent for chat, {@code "message"}), listed or not. */
    record QueueTotal(String group, @JsonInclude(JsonInclude.Include.NON_NULL) String kind, int total) {
    }

    /**
     * A change of the queue, for agents (so that no console needs a snapshot after an {@code update}): {@code
     * queued} (a new entry at {@code entry.position} of its group and kind; those from there on move down one),
     * {@code moved} (the entry is now at {@code entry.position}, with these fields), {@code left} (the entry {@code
     * id} of {@code group} and {@code kind} is gone: those behind it move up one).
     */
    record QueueChange(String change, @JsonInclude(JsonInclude.Include.NON_NULL) String id,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String group,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String kind,
                       @JsonInclude(JsonInclude.Include.NON_NULL) QueueEntry entry) implements ServerMessage {
        public QueueChange {
            Objects.requireNonNull(change, "change");
        }

        public static QueueChange of(String change, QueueEntry entry) {
            return new QueueChange(change, null, null, null, entry);
        }

        public static QueueChange left(String id, String group, String kind) {
            return new QueueChange("left", id, group, kind, null);
        }
    }

    /** An agent's view changed: availability, how many guests they hold, limit. */
    record Team(AgentView agent) implements ServerMessage {
        public Team {
            Objects.requireNonNull(agent, "agent");
        }
    }

    /** An open room changed for the agents' list: {@code opened}, {@code changed} (its agent), {@code closed}. */
    record RoomChange(String change, RoomView room) implements ServerMessage {
        public RoomChange {
            Objects.requireNonNull(change, "change");
            Objects.requireNonNull(room, "room");
        }
    }

    /**
     * A waiting guest is offered to this agent until {@code expires} (epoch ms): {@code accept} takes them, {@code
     * pass} or the time running out passes them on. {@code offer} is the guest's queue entry id.
     */
    record Offer(String offer, String group, Guest guest, long expires) implements ServerMessage {
        public Offer {
            Objects.requireNonNull(offer, "offer");
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(guest, "guest");
        }
    }

    /** An offer is over: {@code accepted}, {@code passed}, {@code missed} (its time ran out), {@code gone} (the guest left). */
    record OfferEnd(String offer, String reason) implements ServerMessage {
        public OfferEnd {
            Objects.requireNonNull(offer, "offer");
            Objects.requireNonNull(reason, "reason");
        }
    }

    /**
     * Something an agent must not miss. {@code kind}: {@code unanswered} (the guest of {@code room} waits since
     * {@code since} for an answer), {@code missed_offers} ({@code agent} let {@code count} offers run out in a row and
     * is set away), {@code auto_away} ({@code agent}'s console was hidden and idle, so they are set away), {@code
     * away_with_rooms} ({@code agent} is away with {@code count} open conversations). The agent concerned and the
     * account's supervisors get it.
     */
    record Alert(String kind, String agent, @JsonInclude(JsonInclude.Include.NON_NULL) String room,
                 @JsonInclude(JsonInclude.Include.NON_NULL) Long since,
                 @JsonInclude(JsonInclude.Include.NON_NULL) Integer count) implements ServerMessage {
        public Alert {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(agent, "agent");
        }
    }

    /** A step of a room's life: {@code queued}, {@code assigned}, {@code transferred}, {@code joined}, {@code left}, {@code ended}. */
    record TimelineEntry(long at, String event, @JsonInclude(JsonInclude.Include.NON_NULL) String user) {
        public TimelineEntry {
            Objects.requireNonNull(event, "event");
        }
    }

    /** An earlier conversation of the same guest (same external user id, or the email address they answered from). */
    record EarlierConversation(String room, long started, String agent, String question) {
    }

    /**
     * Reply to {@code context}: the room's group, the guest (with the details the site passed, such as {@code page} and {@code
     * referrer}), how long they waited (seconds), their earlier conversations (newest first) and the room's timeline.
     */
    record Context(String room, String group, Guest guest, long waited, List<EarlierConversation> earlier,
                   List<TimelineEntry> timeline) implements ServerMessage {
        public Context {
            Objects.requireNonNull(room, "room");
            Objects.requireNonNull(group, "group");
            Objects.requireNonNull(guest, "guest");
            earlier = List.copyOf(earlier);
            timeline = List.copyOf(timeline);
        }
    }

    /** A canned reply: {@code shared} for the whole account, else {@code owner}'s own. */
    record Reply(String id, String title, String body, boolean shared, String owner) {
    }

    /** The canned replies this agent may use: the account's and their own (after sign-in and resume). */
    record Replies(List<Reply> replies) implements ServerMessage {
        public Replies {
            replies = List.copyOf(replies);
        }
    }

    /**
     * How a group is doing, for consoles: the average wait ({@code average_wait}, seconds, as {@code queuepos.wait}),
     * and how far its estimates were from the waits that followed over the last hour ({@code estimate_mae}, seconds;
     * {@code estimates}: how many were scored).
     */
    record GroupStats(String group, @JsonProperty("average_wait") Long averageWait,
                      @JsonProperty("estimate_mae") Long estimateMae, int estimates) implements ServerMessage {
        public GroupStats {
            Objects.requireNonNull(group, "group");
        }
    }

    /** One canned reply this agent may use was saved ({@code reply}), or is gone for them ({@code id}, {@code deleted}). */
    record ReplyChange(@JsonInclude(JsonInclude.Include.NON_NULL) Reply reply,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String id,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean deleted) implements ServerMessage {
        public static ReplyChange saved(Reply reply) {
            return new ReplyChange(reply, null, null);
        }

        public static ReplyChange deleted(String id) {
            return new ReplyChange(null, id, true);
        }
    }

    /** An open room as the snapshot shows it. */
    record RoomView(String room, String guest, String agent) {
    }

    /**
     * The guest's place is kept (reply to {@code keep_place}): they may leave, and are emailed at {@code email} when an
     * agent is ready. Their session has ended; {@code identify} with {@code reservation} and {@code key} (the key of
     * the link in the email, given here too so the page that asked can come back by itself) brings them back.
     */
    record Kept(String reservation, String email, String key) implements ServerMessage {
        public Kept {
            Objects.requireNonNull(reservation, "reservation");
            Objects.requireNonNull(email, "email");
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String toString() {
            return "Kept[reservation=" + reservation + ", email=" + email + ", key=(hidden)]";
        }
    }

    /**
     * The agent's view of the account: {@code queue} lists the first waiting entries of each group and kind (the
     * request's {@code queue_limit}), {@code queue_totals} how many wait in each.
     */
    record Snapshot(List<AgentView> agents, List<QueueEntry> queue, List<RoomView> rooms,
                    @JsonInclude(JsonInclude.Include.NON_NULL) @JsonProperty("queue_totals") List<QueueTotal> queueTotals,
                    @JsonInclude(JsonInclude.Include.NON_NULL) List<GroupStats> stats)
            implements ServerMessage {
        public Snapshot {
            agents = List.copyOf(agents);
            queue = List.copyOf(queue);
            rooms = List.copyOf(rooms);
            queueTotals = queueTotals == null ? null : List.copyOf(queueTotals);
            stats = stats == null ? null : List.copyOf(stats);
        }

        public Snapshot(List<AgentView> agents, List<QueueEntry> queue, List<RoomView> rooms) {
            this(agents, queue, rooms, null, null);
        }

        public Snapshot(List<AgentView> agents, List<QueueEntry> queue, List<RoomView> rooms,
                        List<QueueTotal> queueTotals) {
            this(agents, queue, rooms, queueTotals, null);
        }
    }

    /** The request with this ref succeeded. */
    record Ack(String ref) implements ServerMessage {
        public Ack {
            Objects.requireNonNull(ref, "ref");
        }
    }

    /** The request failed and nothing of it took effect. */
    record ErrorReply(String ref, ErrorCode code, String message) implements ServerMessage {
        public ErrorReply {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Reply to {@code ping}. */
    record Pong() implements ServerMessage {
    }
}
