package io.switchboard.server;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * A real SMTP and IMAP server on loopback for the email tests (GreenMail, in this JVM), with the support mailbox the
 * server reads, and the guest's side: reading what arrived for an address, and answering a mail as a guest's mail
 * client and mail host would.
 */
final class MailServer implements AutoCloseable {
    static final String SUPPORT = "support@example.com";
    static final String PASSWORD = "support-mailbox-password";

    private final GreenMail mail;

    MailServer() {
        mail = new GreenMail(new ServerSetup[] {new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP)
                .dynamicPort(), new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_IMAP).dynamicPort()});
        mail.start();
        mail.setUser(SUPPORT, SUPPORT, PASSWORD);
    }

    /** The configuration's {@code smtp} and {@code imap} sections for this server (reading every 100 ms). */
    String config(String smtpExtra) {
        return """
                "smtp": {"host": "127.0.0.1", "port": %d, "security": "none", "from": "%s",
                         "reply_to": "support+{token}@example.com"%s},
                "imap": {"host": "127.0.0.1", "port": %d, "security": "none", "user": "%s", "password": "%s",
                         "poll_ms": 100}""".formatted(mail.getSmtp().getPort(), SUPPORT, smtpExtra,
                mail.getImap().getPort(), SUPPORT, PASSWORD);
    }

    /** The mails that arrived for {@code to}, waiting until there are {@code count}. */
    List<MimeMessage> mailsTo(String to, int count) {
        Http.await(count + " mails to " + to, () -> received(to).size() >= count);
        return received(to);
    }

    /** The mails that arrived for {@code to} so far, in order. */
    List<MimeMessage> received(String to) {
        return Arrays.stream(mail.getReceivedMessages()).filter(message -> {
            try {
                return Arrays.stream(message.getRecipients(Message.RecipientType.TO))
                        .anyMatch(address -> ((InternetAddress) address).getAddress().equals(to));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }).toList();
    }

    /** Whether the support mailbox holds no answer any more (the server took them in and deleted them). */
    boolean answersTaken() {
        return Arrays.stream(mail.getReceivedMessages()).noneMatch(message -> {
            try {
                return message.getSubject().startsWith("Re:");
            } catch (Exception e) {
                return false;
            }
        });
    }

    static String text(MimeMessage message) {
        try {
            return String.valueOf(message.getContent()).replace("\r\n", "\n");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The guest's mail client answers a mail (quoting it below an "On ... wrote:" line), and their mail host delivers
     * the answer, sent to the plus address of the reply-to, into the support mailbox, as most hosts do.
     */
    void answer(MimeMessage original, String from, String body) {
        try {
            MimeMessage reply = new MimeMessage(Session.getInstance(new Properties()));
            reply.setFrom(new InternetAddress(from));
            reply.setRecipients(Message.RecipientType.TO, original.getReplyTo());
            reply.setSubject("Re: " + original.getSubject());
            reply.setHeader("In-Reply-To", original.getMessageID());
            reply.setText(body + "\n\nOn Tue, 1 Dec 2026 at 10:00, Support <" + SUPPORT + "> wrote:\n> "
                    + text(original).replace("\n", "\n> "), "UTF-8");
            reply.saveChanges();
            mail.getUserManager().getUserByEmail(SUPPORT).deliver(reply);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        mail.stop();
    }
}
