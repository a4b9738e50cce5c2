package io.switchboard.server.gate;

import io.switchboard.server.desk.Stored;

/**
 * What sends the desks' emails (SMTP): given each mail once it is durable, it reports the outcome, which the gate
 * hands back to the mail's desk as a turn. Called on desk threads; must not block.
 */
public interface MailSender {
    /** Sends {@code mail}, then tells {@code done} how it went (on its own thread). */
    void send(Stored.MailRow mail, Result done);

    /** How a send went. */
    interface Result {
        void sent();

        /** {@code permanent}: the server refused the address (sending again cannot help). */
        void failed(boolean permanent, String why);
    }
}
