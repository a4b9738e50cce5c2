package io.switchboard.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonSubTypes.Type;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Map;

/**
 * A request from a client to the server (contract §2.1). The optional {@code ref} is not part of the record: the
 * {@link Codec} reads it off the frame, so every request carries it the same way.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @Type(value = Request.Identify.class, name = "identify"),
    @Type(value = Request.Login.class, name = "login"),
    @Type(value = Request.Resume.class, name = "resume"),
    @Type(value = Request.Status.class, name = "status"),
    @Type(value = Request.Message.class, name = "message"),
    @Type(value = Request.History.class, name = "history"),
    @Type(value = Request.Cancel.class, name = "cancel"),
    @Type(value = Request.End.class, name = "end"),
    @Type(value = Request.Assist.class, name = "assist"),
    @Type(value = Request.Transfer.class, name = "transfer"),
    @Type(value = Request.Join.class, name = "join"),
    @Type(value = Request.Leave.class, name = "leave"),
    @Type(value = Request.Limit.class, name = "limit"),
    @Type(value = Request.Snapshot.class, name = "snapshot"),
    @Type(value = Request.Ping.class, name = "ping"),
    @Type(value = Request.Logout.class, name = "logout"),
    @Type(value = Request.Question.class, name = "question"),
    @Type(value = Request.KeepPlace.class, name = "keep_place"),
    @Type(value = Request.Accept.class, name = "accept"),
    @Type(value = Request.Pass.class, name = "pass"),
    @Type(value = Request.Activity.class, name = "activity"),
    @Type(value = Request.Context.class, name = "context"),
    @Type(value = Request.ReplySave.class, name = "reply_save"),
    @Type(value = Request.ReplyDelete.class, name = "reply_delete"),
})
public sealed interface Request {

    /** Hands this request to the visitor's method for its type: a new request type fails to compile until handled. */
    <R> R accept(Visitor<R> visitor);

    /** One method per request type (contract §2.1). */
    interface Visitor<R> {
        R identify(Identify request);

        R login(Login request);

        R resume(Resume request);

        R status(Status request);

        R message(Message request);

        R history(History request);

        R cancel(Cancel request);

        R end(End request);

        R assist(Assist request);

        R transfer(Transfer request);

        R join(Join request);

        R leave(Leave request);

        R limit(Limit request);

        R snapshot(Snapshot request);

        R ping(Ping request);

        R logout(Logout request);

        R question(Question request);

        R keepPlace(KeepPlace request);

        R accept(Accept request);

        R pass(Pass request);

        R activity(Activity request);

        R context(Context request);

        R replySave(ReplySave request);

        R replyDelete(ReplyDelete request);
    }

    /**
     * A new connection becomes a guest: either with a user name and a question (queued now), or attached to a
     * reservation made over REST.
     */
    record Identify(String user, String question, String account, String group, Map<String, String> details,
                    String reservation, @JsonInclude(JsonInclude.Include.NON_NULL) String key) implements Request {
        /** A sign-in without the key of an email link. */
        public Identify(String user, String question, String account, String group, Map<String, String> details,
                        String reservation) {
            this(user, question, account, group, details, reservation, null);
        }

        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.identify(this);
        }

        public Identify {
            if (reservation == null) {
                Check.name("user", user, Limits.USER_MAX);
                Check.visibleText("question", question, 1, Limits.QUESTION_MAX);
                Check.optionalName("account", account, Limits.ID_MAX);
                Check.optionalName("group", group, Limits.ID_MAX);
                details = Check.details("details", details, Limits.DETAILS_MAX);
                if (key != null) {
                    throw ProtocolException.invalid("key: present (expected: only with reservation, from an email "
                            + "link)");
                }
            } else {
                Check.optionalName("key", key, Limits.TOKEN_MAX);
                Check.name("reservation", reservation, Limits.ID_MAX);
                Check.optionalName("user", user, Limits.USER_MAX);
                Check.optionalName("account", account, Limits.ID_MAX);
                Check.optionalName("group", group, Limits.ID_MAX);
                if (question != null) {
                    throw ProtocolException.invalid("question: present (expected: absent with reservation)");
                }
                if (details != null) {
                    throw ProtocolException.invalid("details: present (expected: absent with reservation)");
                }
                details = Map.of();
            }
        }

        /** A guest who identifies with a name and a question, in the default account and group. */
        public static Identify guest(String user, String question) {
            return new Identify(user, question, null, null, null, null);
        }
    }

    /**
     * A waiting guest leaves, and is told by email at {@code email} when an agent is ready for them: their place is
     * kept, and a link in the email brings them back into the conversation.
     */
    record KeepPlace(String email, @JsonInclude(JsonInclude.Include.NON_NULL) PushSubscription push)
            implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.keepPlace(this);
        }

        public KeepPlace {
            Check.email("email", email);
        }

        /** Kept by email only. */
        public KeepPlace(String email) {
            this(email, null);
        }
    }

    /**
     * A browser's Web Push subscription, as {@code PushSubscription.toJSON()} writes it: its push service's {@code
     * endpoint} (an http(s) URL), and {@code keys}: {@code p256dh}, the browser's P-256 public key (65 bytes), and
     * {@code auth} (16 bytes), both base64url.
     */
    record PushSubscription(String endpoint, Keys keys,
                            @JsonInclude(JsonInclude.Include.NON_NULL) Long expirationTime) {
        /** The longest endpoint taken. */
        public static final int ENDPOINT_MAX = 2048;

        public PushSubscription {
            Check.required("push.endpoint", endpoint);
            if (endpoint.length() > ENDPOINT_MAX) {
                throw ProtocolException.tooLarge("push.endpoint: longer than " + ENDPOINT_MAX + " characters");
            }
            java.net.URI uri;
            try {
                uri = new java.net.URI(endpoint);
            } catch (java.net.URISyntaxException e) {
                throw ProtocolException.invalid("push.endpoint: not a URL");
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            boolean plain = ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))
                    && uri.getHost() != null && uri.getHost().matches("[A-Za-z0-9.-]+")
                    && uri.getRawUserInfo() == null && uri.getRawFragment() == null && path.startsWith("/")
                    && !path.matches("(?i).*(/\\.{1,2}(/|$)|%2e|%2f|%5c|\\\\).*");
            if (!plain) {
                throw ProtocolException.invalid("push.endpoint: not a plain http(s) URL of a push service");
            }
            Check.required("push.keys", keys, "an object with p256dh and auth");
        }

        /** The subscription's keys. */
        public record Keys(String p256dh, String auth) {
            public Keys {
                Check.p256Point("push.keys.p256dh", p256dh);
                Check.base64url("push.keys.auth", auth, 16);
            }
        }
    }

    /** A new connection signs in as an agent. */
    record Login(String user, String token, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean console)
            implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.login(this);
        }

        public Login {
            Check.name("user", user, Limits.USER_MAX);
            Check.text("token", token, 1, Limits.TOKEN_MAX);
            if (Boolean.FALSE.equals(console)) {
                console = null;
            }
        }

        public Login(String user, String token) {
            this(user, token, null);
        }

        /**
         * {@code "console": true}: the agent's console, which follows the board's changes ({@code queue}, {@code
         * team}, {@code rooms}), alerts and canned replies, and whose snapshots list the first {@link
         * Limits#SNAPSHOT_QUEUE_DEFAULT} entries of each group unless it asks for more. Without it, an agent gets what
         * the contract names, and whole snapshots.
         */
        public boolean asConsole() {
            return Boolean.TRUE.equals(console);
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", token=(hidden), console=" + console + "]";
        }
    }

    /** A new connection takes back a session whose connection dropped. */
    record Resume(String session, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean console) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.resume(this);
        }

        public Resume {
            Check.name("session", session, Limits.ID_MAX);
            if (Boolean.FALSE.equals(console)) {
                console = null;
            }
        }

        public Resume(String session) {
            this(session, null);
        }

        /** An agent's console coming back (see {@link Login#asConsole}); a guest's is ignored. */
        public boolean asConsole() {
            return Boolean.TRUE.equals(console);
        }

        @Override
        public String toString() {
            return "Resume[session=(hidden), console=" + console + "]";
        }
    }

    /** Typing in a room, or an agent's availability (then without room). */
    record Status(String room, StatusOf of, StatusIs is) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.status(this);
        }

        public Status {
            Check.required("of", of, "typing or availability");
            Check.required("is", is, "a status value");
            switch (of) {
                case TYPING -> {
                    Check.name("room", room, Limits.ID_MAX);
                    if (is != StatusIs.TRUE && is != StatusIs.FALSE) {
                        throw ProtocolException.invalid("is: " + is.wire() + " (expected: \"true\" or \"false\" for typing)");
                    }
                }
                case AVAILABILITY -> {
                    if (room != null) {
                        throw ProtocolException.invalid("room: present (expected: absent for availability)");
                    }
                    if (is != StatusIs.AVAILABLE && is != StatusIs.AWAY) {
                        throw ProtocolException.invalid("is: " + is.wire() + " (expected: available or away)");
                    }
                }
            }
        }
    }

    /**
     * A chat message to a room; {@code "private": true} makes it a note that only the room's agents and supervisors
     * get (contract §5.2), never its guest.
     */
    record Message(String room, String body,
                   @JsonProperty("private") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean privateNote)
            implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.message(this);
        }

        public Message {
            Check.name("room", room, Limits.ID_MAX);
            Check.text("body", body, 1, Limits.BODY_MAX);
            if (Boolean.FALSE.equals(privateNote)) {
                privateNote = null;
            }
        }

        /** A message every member gets. */
        public Message(String room, String body) {
            this(room, body, null);
        }

        /** Whether it is a note for the room's agents only. */
        public boolean forAgentsOnly() {
            return Boolean.TRUE.equals(privateNote);
        }
    }

    /** The room's messages after a sequence number. */
    record History(String room, Long after) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.history(this);
        }

        public History {
            Check.name("room", room, Limits.ID_MAX);
            if (after == null) {
                after = 0L;
            }
            if (after < 0) {
                throw ProtocolException.invalid("after: " + after + " (expected: a seq >= 0)");
            }
        }
    }

    /** A waiting guest leaves the queue. */
    record Cancel() implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.cancel(this);
        }
    }

    /** A member ends a room. */
    record End(String room) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.end(this);
        }

        public End {
            Check.name("room", room, Limits.ID_MAX);
        }
    }

    /** An agent takes the next waiting guest of a group (or of any of their groups). */
    record Assist(String group) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.assist(this);
        }

        public Assist {
            Check.optionalName("group", group, Limits.ID_MAX);
        }
    }

    /** A room moves to another agent. */
    record Transfer(String room, String agent) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.transfer(this);
        }

        public Transfer {
            Check.name("room", room, Limits.ID_MAX);
            Check.name("agent", agent, Limits.USER_MAX);
        }
    }

    /**
     * A supervisor joins a room as an extra member; {@code "silent": true} keeps it from the guest (no {@code
     * notification joined}, no typing) until the supervisor sends a message that is not a note (taking over).
     */
    record Join(String room, @JsonInclude(JsonInclude.Include.NON_NULL) Boolean silent) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.join(this);
        }

        public Join {
            Check.name("room", room, Limits.ID_MAX);
            if (Boolean.FALSE.equals(silent)) {
                silent = null;
            }
        }

        public Join(String room) {
            this(room, null);
        }

        public boolean silently() {
            return Boolean.TRUE.equals(silent);
        }
    }

    /** A supervisor leaves a room they joined. */
    record Leave(String room) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.leave(this);
        }

        public Leave {
            Check.name("room", room, Limits.ID_MAX);
        }
    }

    /** Sets a guest limit: one's own, or (supervisors) another agent's. */
    record Limit(Integer limit, String agent) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.limit(this);
        }

        public Limit {
            Check.range("limit", limit, Limits.GUEST_LIMIT_MIN, Limits.GUEST_LIMIT_MAX);
            Check.optionalName("agent", agent, Limits.USER_MAX);
        }
    }

    /**
     * Asks for the agent's view of the account; {@code queue_limit} (1 to {@link Limits#SNAPSHOT_QUEUE_MAX}) is how
     * many waiting entries of each group and kind it lists (the first ones); without it a console's snapshot lists
     * {@link Limits#SNAPSHOT_QUEUE_DEFAULT} and any other agent's all of them. {@code queue_totals} counts them all.
     */
    record Snapshot(@JsonProperty("queue_limit") @JsonInclude(JsonInclude.Include.NON_NULL) Integer queueLimit)
            implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.snapshot(this);
        }

        public Snapshot {
            if (queueLimit != null) {
                Check.range("queue_limit", queueLimit, 1, Limits.SNAPSHOT_QUEUE_MAX);
            }
        }

        public Snapshot() {
            this(null);
        }
    }

    /** An agent takes the guest they were offered ({@code offer}: the id of the offer, which is the queue entry's). */
    record Accept(String offer) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.accept(this);
        }

        public Accept {
            Check.name("offer", offer, Limits.ID_MAX);
        }
    }

    /** An agent lets an offered guest pass to the next agent. */
    record Pass(String offer) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.pass(this);
        }

        public Pass {
            Check.name("offer", offer, Limits.ID_MAX);
        }
    }

    /**
     * The console says whether its page is hidden ({@code hidden}: true when the tab went to the background, false
     * when the agent is back); a group's {@code auto_away_seconds} sets away an agent hidden and idle that long.
     */
    record Activity(Boolean hidden) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.activity(this);
        }

        public Activity {
            Check.required("hidden", hidden, "true or false");
        }
    }

    /** What the agent should know of a room's guest: reply {@code context}. */
    record Context(String room) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.context(this);
        }

        public Context {
            Check.name("room", room, Limits.ID_MAX);
        }
    }

    /**
     * Creates ({@code id} absent) or changes a canned reply: {@code title} (1-100 characters) is what {@code /} finds
     * it by, {@code body} (1-4000) what is sent, with {@code {guest}}, {@code {agent}} and {@code {group}} filled in;
     * {@code shared}: for the whole account (supervisors only) rather than the agent's own.
     */
    record ReplySave(@JsonInclude(JsonInclude.Include.NON_NULL) String id, String title, String body,
                     @JsonInclude(JsonInclude.Include.NON_NULL) Boolean shared) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.replySave(this);
        }

        public ReplySave {
            Check.optionalName("id", id, Limits.ID_MAX);
            Check.visibleText("title", title, 1, Limits.REPLY_TITLE_MAX);
            Check.visibleText("body", body, 1, Limits.BODY_MAX);
            if (Boolean.FALSE.equals(shared)) {
                shared = null;
            }
        }

        public boolean forTheTeam() {
            return Boolean.TRUE.equals(shared);
        }
    }

    /** Deletes a canned reply (one's own; supervisors also the account's). */
    record ReplyDelete(String id) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.replyDelete(this);
        }

        public ReplyDelete {
            Check.name("id", id, Limits.ID_MAX);
        }
    }

    /**
     * An agent signs out now: the session ends, and each of their open rooms goes back to its queue as when an agent
     * is gone past the grace (the guest at the front, the conversation carried to the next agent).
     */
    record Logout() implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.logout(this);
        }
    }

    /** A waiting guest adds to their question (the agent who takes them reads it with the question). */
    record Question(String body) implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.question(this);
        }

        public Question {
            Check.visibleText("body", body, 1, Limits.QUESTION_MAX);
        }
    }

    /** The browser's heartbeat. */
    record Ping() implements Request {
        @Override
        public <R> R accept(Visitor<R> visitor) {
            return visitor.ping(this);
        }
    }
}
