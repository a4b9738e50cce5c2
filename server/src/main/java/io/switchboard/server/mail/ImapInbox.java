package io.switchboard.server.mail;

import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.gate.DeskGate;
import io.switchboard.server.gate.Release;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.search.FlagTerm;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.angus.mail.imap.IMAPMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads guests' answers from the reply-to mailbox ({@code imap}) every {@code poll_ms}: each unread mail names its
 * conversation by the token in the address it was sent to ({@code smtp.reply_to}) or, for a mail host without plus
 * addresses, in the Message-ID it answers (In-Reply-To, References). A mail is deleted only once its conversation's
 * desk has taken it durably; one for an account another node owns is left for that node (cluster mode); one that names
 * no conversation is left in the mailbox, flagged, for a person to read. Nothing a guest wrote is dropped.
 */
public final class ImapInbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ImapInbox.class);
    /** The most text taken from one mail (characters); a longer one is left in the mailbox, flagged. */
    static final int MAX_TEXT = 100_000;
    private static final Pattern REFERENCE = Pattern.compile("\\.(m[a-z2-7]{36})@");

    private final ServerConfig.Imap imap;
    private final DeskGate gate;
    private final io.switchboard.server.metrics.ServerMetrics metrics;
    private final Pattern recipient;
    private final Session session;
    private final Thread thread;
    private volatile boolean stopped;
    private boolean failing;

    public ImapInbox(ServerConfig.Imap imap, ServerConfig.Smtp smtp, DeskGate gate,
                     io.switchboard.server.metrics.ServerMetrics metrics) {
        this.imap = imap;
        this.metrics = metrics;
        this.gate = gate;
        String template = smtp.replyTo();
        int at = template.indexOf("{token}");
        this.recipient = Pattern.compile(Pattern.quote(template.substring(0, at)) + "(m[a-z2-7]{36})"
                + Pattern.quote(template.substring(at + "{token}".length())), Pattern.CASE_INSENSITIVE);
        Properties properties = new Properties();
        String protocol = protocol();
        String timeout = Long.toString(imap.timeoutMs());
        properties.put("mail." + protocol + ".connectiontimeout", timeout);
        properties.put("mail." + protocol + ".timeout", timeout);
        properties.put("mail." + protocol + ".writetimeout", timeout);
        if ("starttls".equals(imap.security())) {
            properties.put("mail.imap.starttls.enable", "true");
            properties.put("mail.imap.starttls.required", "true");
        }
        if (!"none".equals(imap.security())) {
            properties.put("mail." + protocol + ".ssl.checkserveridentity", "true");
        }
        this.session = Session.getInstance(properties);
        this.thread = new Thread(this::run, "switchboard-mail-in");
        thread.setDaemon(true);
    }

    private String protocol() {
        return "tls".equals(imap.security()) ? "imaps" : "imap";
    }

    public void start() {
        thread.start();
    }

    private void run() {
        while (!stopped) {
            try {
                poll();
                if (failing) {
                    failing = false;
                    log.info("mail: reading {} works again", where());
                }
            } catch (MessagingException | RuntimeException e) {
                if (!failing) {
                    failing = true;
                    log.warn("mail: cannot read {} ({}); trying again every {} s", where(), e.getMessage(),
                            imap.pollMs() / 1000);
                }
            }
            try {
                Thread.sleep(imap.pollMs());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String where() {
        return imap.user() + "@" + imap.host() + ":" + imap.port() + "/" + imap.folder();
    }

    /** Reads the unread mails once: each goes to its conversation, then out of the mailbox. */
    void poll() throws MessagingException {
        Store store = session.getStore(protocol());
        store.connect(imap.host(), imap.port(), imap.user(), imap.password());
        try {
            Folder folder = store.getFolder(imap.folder());
            folder.open(Folder.READ_WRITE);
            boolean deleted = false;
            try {
                for (Message message : folder.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false))) {
                    if (stopped) {
                        break;
                    }
                    if (message instanceof IMAPMessage imapMessage) {
                        // Reading it does not mark it read: one this node leaves stays unread for the node it is for.
                        imapMessage.setPeek(true);
                    }
                    deleted |= take(message);
                }
            } finally {
                folder.close(deleted);
            }
        } finally {
            store.close();
        }
    }

    /** Hands one mail to its conversation; true when it was taken (and is now deleted). */
    private boolean take(Message message) throws MessagingException {
        String token = tokenOf(message);
        String account = token == null ? null : gate.accountOfMailToken(token);
        if (account == null) {
            setAside(message, "names no conversation");
            return false;
        }
        if (!gate.serves(account)) {
            return false; // another node holds that account: it reads the mail
        }
        String text;
        try {
            text = textOf(message);
        } catch (IOException e) {
            throw new MessagingException("cannot read a mail: " + e.getMessage(), e);
        }
        if (text == null || text.length() > MAX_TEXT) {
            setAside(message, text == null ? "has no text part" : "is longer than " + MAX_TEXT + " characters");
            return false;
        }
        String[] ids = message.getHeader("Message-ID");
        String messageId = ids == null || ids.length == 0 ? null : ids[0].strip();
        CompletableFuture<DeskGate.Outcome<Boolean>> taken = new CompletableFuture<>();
        gate.ask(account, desk -> desk.mailArrived(token, messageId, text), new Release.Line(), taken::complete);
        DeskGate.Outcome<Boolean> outcome;
        try {
            outcome = taken.get(imap.timeoutMs(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            metrics.mailInbound("later");
            return false; // stays unread: the next poll tries again
        }
        if (outcome.refused() != null) {
            metrics.mailInbound("later");
            log.debug("mail: the conversation's desk cannot take a mail now ({}); it stays for the next poll",
                    outcome.refused().getMessage());
            return false;
        }
        if (!outcome.value()) {
            setAside(message, "names a conversation that is no longer kept");
            return false;
        }
        message.setFlag(Flags.Flag.DELETED, true);
        metrics.mailInbound("taken");
        return true;
    }

    /** Leaves a mail in the mailbox for a person, read and flagged, so it is not read again. */
    private void setAside(Message message, String why) throws MessagingException {
        metrics.mailInbound("set_aside");
        Address[] from = message.getFrom();
        log.warn("mail: a mail from {} with the subject \"{}\" {}; it stays in {}, flagged", from == null
                || from.length == 0 ? "(nobody)" : ((InternetAddress) from[0]).getAddress(), message.getSubject(),
                why, where());
        message.setFlag(Flags.Flag.SEEN, true);
        message.setFlag(Flags.Flag.FLAGGED, true);
    }

    /** The conversation token of a mail: in an address it was sent to, else in a Message-ID it answers. */
    String tokenOf(Message message) throws MessagingException {
        List<String> addresses = new ArrayList<>();
        Address[] recipients = message.getAllRecipients();
        if (recipients != null) {
            for (Address address : recipients) {
                if (address instanceof InternetAddress internet) {
                    addresses.add(internet.getAddress());
                }
            }
        }
        for (String header : new String[] {"Delivered-To", "X-Original-To", "Envelope-To"}) {
            String[] values = message.getHeader(header);
            if (values != null) {
                addresses.addAll(List.of(values));
            }
        }
        for (String address : addresses) {
            Matcher matcher = recipient.matcher(address.strip());
            if (matcher.matches()) {
                return matcher.group(1).toLowerCase(java.util.Locale.ROOT);
            }
        }
        for (String header : new String[] {"In-Reply-To", "References"}) {
            String[] values = message.getHeader(header);
            if (values != null) {
                for (String value : values) {
                    Matcher matcher = REFERENCE.matcher(value);
                    if (matcher.find()) {
                        return matcher.group(1);
                    }
                }
            }
        }
        return null;
    }

    /** The mail's text: its plain text part, else its HTML without tags; null without either. */
    static String textOf(Part part) throws MessagingException, IOException {
        if (part.isMimeType("text/plain")) {
            return String.valueOf(part.getContent());
        }
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            String html = null;
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                if (Part.ATTACHMENT.equalsIgnoreCase(child.getDisposition())) {
                    continue;
                }
                if (child.isMimeType("text/html")) {
                    html = html == null ? textOf(child) : html;
                    continue;
                }
                String text = textOf(child);
                if (text != null) {
                    return text;
                }
            }
            return html;
        }
        if (part.isMimeType("text/html")) {
            String html = String.valueOf(part.getContent());
            return html.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", "")
                    .replaceAll("(?i)<br\\s*/?>|</p>|</div>", "\n")
                    .replaceAll("<[^>]+>", "")
                    .replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                    .replace("&#39;", "'").replace("&amp;", "&");
        }
        return null;
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
