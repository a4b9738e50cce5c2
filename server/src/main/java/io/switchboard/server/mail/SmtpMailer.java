package io.switchboard.server.mail;

import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.Stored;
import io.switchboard.server.gate.MailSender;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends mails over SMTP ({@code smtp}: STARTTLS, TLS or plain; with or without a login), one at a time on a thread of
 * its own, each with the Message-ID it was given (so a mail sent again after a restart is one mail to the reader).
 * A refused address is a permanent failure; anything else (the server down, a timeout, a login refused) is retried by
 * the desk with backoff.
 */
public final class SmtpMailer implements MailSender, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SmtpMailer.class);

    private final ServerConfig.Smtp smtp;
    private final Session session;
    private final io.switchboard.server.metrics.ServerMetrics metrics;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread t = new Thread(runnable, "switchboard-mail-out");
        t.setDaemon(true);
        return t;
    });

    public SmtpMailer(ServerConfig.Smtp smtp, io.switchboard.server.metrics.ServerMetrics metrics) {
        this.smtp = smtp;
        this.metrics = metrics;
        Properties properties = new Properties();
        String timeout = Long.toString(smtp.timeoutMs());
        properties.put("mail.smtp.host", smtp.host());
        properties.put("mail.smtp.port", Integer.toString(smtp.port()));
        properties.put("mail.smtp.connectiontimeout", timeout);
        properties.put("mail.smtp.timeout", timeout);
        properties.put("mail.smtp.writetimeout", timeout);
        properties.put("mail.smtp.auth", Boolean.toString(smtp.user() != null));
        switch (smtp.security()) {
            case "starttls" -> {
                properties.put("mail.smtp.starttls.enable", "true");
                properties.put("mail.smtp.starttls.required", "true");
                properties.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case "tls" -> {
                properties.put("mail.smtp.ssl.enable", "true");
                properties.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            default -> {
                // "none": plain SMTP (a relay on the same host or network).
            }
        }
        this.session = Session.getInstance(properties);
    }

    @Override
    public void send(Stored.MailRow mail, Result done) {
        thread.execute(() -> {
            try {
                Transport.send(message(mail), smtp.user(), smtp.password());
                metrics.mailSend("sent");
                done.sent();
            } catch (jakarta.mail.internet.AddressException e) {
                // An address no SMTP server takes: sending it again cannot help.
                metrics.mailSend("refused");
                done.failed(true, describe(e));
            } catch (SendFailedException e) {
                Address[] invalid = e.getInvalidAddresses();
                boolean refused = invalid != null && invalid.length > 0 || e.getNextException()
                        instanceof SMTPAddressFailedException;
                metrics.mailSend(refused ? "refused" : "retry");
                done.failed(refused, describe(e));
            } catch (MessagingException | RuntimeException e) {
                metrics.mailSend("retry");
                done.failed(false, describe(e));
            }
        });
    }

    private MimeMessage message(Stored.MailRow mail) throws MessagingException {
        MimeMessage message = new MimeMessage(session) {
            @Override
            protected void updateMessageID() throws MessagingException {
                setHeader("Message-ID", mail.messageId());
            }
        };
        message.setFrom(new InternetAddress(smtp.from()));
        message.setRecipients(Message.RecipientType.TO, InternetAddress.parse(mail.to(), true));
        if (mail.replyTo() != null) {
            message.setReplyTo(InternetAddress.parse(mail.replyTo(), true));
        }
        if (mail.inReplyTo() != null) {
            message.setHeader("In-Reply-To", mail.inReplyTo());
            message.setHeader("References", mail.inReplyTo());
        }
        message.setSubject(mail.subject(), "UTF-8");
        message.setText(mail.text(), "UTF-8");
        message.setSentDate(new java.util.Date());
        return message;
    }

    private static String describe(Exception e) {
        StringBuilder text = new StringBuilder(String.valueOf(e.getMessage()).strip());
        Throwable cause = e.getCause();
        if (e instanceof MessagingException m && m.getNextException() != null) {
            cause = m.getNextException();
        }
        if (cause != null && cause.getMessage() != null) {
            text.append(" (").append(cause.getMessage().strip()).append(')');
        }
        return text.toString();
    }

    @Override
    public void close() {
        thread.shutdown();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("mail: a send was still running at shutdown; its mail stays queued and goes at the next "
                        + "start");
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
