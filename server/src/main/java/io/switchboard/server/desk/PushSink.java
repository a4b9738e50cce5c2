package io.switchboard.server.desk;

/**
 * Where the desk's Web Push notifications go (a guest whose place is kept is told in their browser too when an agent
 * is ready): handed over once the turn that made them is durable, sent on their own. A push may be lost (the browser
 * is offline past its time to live); the email of the same moment is the one kept until it is sent. Must not block.
 */
public interface PushSink {
    /** Sends nothing: a server without {@code push}, and tests. */
    PushSink NONE = (subscription, title, body, url) -> { };

    void push(Stored.Push subscription, String title, String body, String url);
}
