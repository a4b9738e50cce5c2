package io.switchboard.server.desk;

/**
 * Where the desk's emails go to be sent: each {@link Stored.MailRow} is handed over once it is durable, and the sender
 * reports back ({@link Desk#mailSent}, {@link Desk#mailFailed}) on the desk's thread. Must not block.
 */
public interface MailSink {
    /** Sends nothing: a server without {@code smtp} (it never makes a mail) and tests. */
    MailSink NONE = mail -> { };

    void send(Stored.MailRow mail);
}
