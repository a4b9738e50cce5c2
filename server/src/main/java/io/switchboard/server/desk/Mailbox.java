package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.server.config.ServerConfig;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The desk's email: what it writes to guests (a message received, an agent's answer, a place kept, an agent ready),
 * kept as {@link Stored.MailRow}s until the sender took them, handed to the {@link MailSink} once durable (at the end
 * of the turn that made them), retried with backoff when the SMTP server fails. Desk thread only.
 */
final class Mailbox {
    private static final Logger log = LoggerFactory.getLogger(Mailbox.class);
    /** The first retry after a failed send; each next one waits twice as long, up to {@code smtp.retry_max_ms}. */
    static final long FIRST_RETRY_MS = 5_000;
    /** The line above which a guest writes their answer: what is below it (the quoted mail) is not taken. */
    static final String ANSWER_ABOVE = "-- Please write your answer above this line --";

    /** The line a mail client writes above the mail it quotes ("On Mon, 30 Mar 2026, bob wrote:"), in a few languages. */
    private static final java.util.regex.Pattern QUOTE_HEADER = java.util.regex.Pattern.compile(
            "(?i)^\\s*(on|am|le|el)\\b.*\\b(wrote|schrieb|a écrit|escribió)\\b.*:\\s*$");
    private static final java.util.regex.Pattern SEPARATOR = java.util.regex.Pattern.compile(
            "(?i)^\\s*-{2,}\\s*(original message|ursprüngliche nachricht)?\\s*-*\\s*$");

    private final Account account;
    private final ServerConfig config;
    private final DeskClock clock;
    private final Ids ids;
    private final Turn turn;
    private final MailSink sink;
    private final Map<String, Stored.MailRow> pending = new HashMap<>();
    private final List<Stored.MailRow> due = new ArrayList<>();
    /**
     * Mails that a guest's own request caused (a message received, a place kept, an agent ready), within the hour:
     * anyone may type any address into the widget, so at most {@code limits.guest_emails_per_address_per_hour} such
     * mails go to one mailbox, and {@code guest_emails_per_account_per_hour} from the account (what agents write
     * always goes).
     */
    private final CallLimiter perMailbox;
    private final CallLimiter perAccount;
    private static final long HOUR_MS = 3_600_000;
    private final PushSink pushes;
    /** A Web Push the turn made: sent with the turn's mails. */
    private record Push(Stored.Push subscription, String title, String body, String url) {
    }

    private final List<Push> duePushes = new ArrayList<>();

    Mailbox(Account account, ServerConfig config, DeskClock clock, Ids ids, Turn turn, MailSink sink,
            PushSink pushes) {
        this.pushes = pushes;
        this.account = account;
        this.config = config;
        this.clock = clock;
        this.ids = ids;
        this.turn = turn;
        this.sink = sink;
        this.perMailbox = new CallLimiter(clock::now, config.limits().guestEmailsPerAddressPerHour(), HOUR_MS);
        this.perAccount = new CallLimiter(clock::now, config.limits().guestEmailsPerAccountPerHour(), HOUR_MS);
    }

    /** Whether a mail a guest's request causes may go to this address now ({@link #perMailbox}); counts it if so. */
    private boolean mayTell(String address) {
        String mailbox = mailbox(address);
        if (perMailbox.retryAfter(mailbox) > 0 || perAccount.retryAfter(account.id) > 0) {
            log.info("{}: no more mails to {} this hour (limits.guest_emails_per_address_per_hour {}, "
                    + "guest_emails_per_account_per_hour {}); the conversation goes on without this one", account.id,
                    address, perMailbox.limit(), perAccount.limit());
            return false;
        }
        perMailbox.record(mailbox);
        perAccount.record(account.id);
        return true;
    }

    /**
     * The mailbox an address reaches, as far as we can tell: without case, without a {@code +tag}, and for Gmail
     * without dots in the local part, so that {@code V.ictim+1@gmail.com} counts as {@code victim@gmail.com}.
     */
    static String mailbox(String address) {
        String lower = address.toLowerCase(java.util.Locale.ROOT);
        int at = lower.lastIndexOf('@');
        String local = lower.substring(0, at);
        String domain = lower.substring(at + 1);
        int plus = local.indexOf('+');
        if (plus > 0) {
            local = local.substring(0, plus);
        }
        if (domain.equals("gmail.com") || domain.equals("googlemail.com")) {
            local = local.replace(".", "");
            domain = "gmail.com";
        }
        return local + "@" + domain;
    }

    /** Refuses what needs email on a server that sends none. */
    void requireEmail() {
        if (!config.email()) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "this server sends no email (it has no smtp "
                    + "configuration), so it cannot keep your place or take a message by email");
        }
    }

    /** The reservation's email token, made now if it has none. */
    String token(Reservation reservation) {
        if (reservation.mailToken == null) {
            reservation.mailToken = ids.nextMailToken();
            account.byMailToken.put(reservation.mailToken, reservation);
            turn.stored(reservation);
        }
        return reservation.mailToken;
    }

    /** How many mails wait to be sent (metrics, tests). */
    int pending() {
        return pending.size();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // What the desk writes

    /**
     * A guest left a message: they are told it arrived and how to add to it. Nothing the guest typed is in it (neither
     * their name nor their message): anyone may type any address into the widget, so what we send to it unasked must
     * be ours alone.
     */
    void messageReceived(Reservation reservation) {
        if (!mayTell(reservation.email)) {
            return;
        }
        write(reservation, "We received your message", "Hello,\n\n"
                + "thank you for your message. Someone from our team will answer you by email"
                + within(reservation.group.replyWithinSeconds) + ". To add something, just reply to this email.\n\n"
                + "If you did not write to us, you can ignore this email.", null);
    }

    /** An agent answered in a conversation by email: the guest gets the answer. */
    void agentWrote(Room room, String agent, String body) {
        Reservation reservation = room.reservation;
        write(reservation, agent + " answered your message", ANSWER_ABOVE + "\n\n" + agent + " wrote:\n\n" + body
                + "\n\nTo answer " + agent + ", reply to this email.", null);
    }

    /** A waiting guest left to be told by email: they learn their place is kept, with a link to come back. */
    void placeKept(Reservation reservation, int position) {
        if (!mayTell(reservation.email)) {
            return;
        }
        int minutes = Math.max(1, reservation.reserveForSeconds / 60);
        write(reservation, "We are keeping your place in line", "Hello,\n\n"
                + "you are number " + (position + 1) + " in line. We will email you as soon as someone is ready "
                + "for you; you will then have " + minutes + (minutes == 1 ? " minute" : " minutes") + " to come "
                + "back.\n\nTo see your place or come back now, open this link:\n" + link(reservation), null);
    }

    /**
     * A browser's subscription for a guest who keeps their place: taken when the server tells guests by Web Push and
     * the endpoint is one of {@code push.endpoints} (the server calls it, so it must not be any address at all).
     */
    Stored.Push pushSubscription(io.switchboard.protocol.Request.PushSubscription push) {
        ServerConfig.Push settings = config.push();
        if (settings == null) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "push: this server sends no Web Push (keep your place "
                    + "without it)");
        }
        if (!settings.allows(push.endpoint())) {
            throw new DeskException(ErrorCode.INVALID_FIELD, "push.endpoint: not a push service this server calls "
                    + "(push.endpoints)");
        }
        return new Stored.Push(push.endpoint(), push.keys().p256dh(), push.keys().auth());
    }

    /** An agent is held for a guest whose place was kept: they are asked to come back in time. */
    void agentReady(Reservation reservation, String agent) {
        int minutes = Math.max(1, reservation.reserveForSeconds / 60);
        if (reservation.push != null) {
            duePushes.add(new Push(reservation.push, agent + " is ready for you now", "Open the chat within "
                    + minutes + (minutes == 1 ? " minute" : " minutes") + " to keep your place.", link(reservation)));
        }
        if (!mayTell(reservation.email)) {
            return;
        }
        write(reservation, agent + " is ready for you now", "Hello,\n\n" + agent
                + " is ready to help you now. Please open this link within " + minutes
                + (minutes == 1 ? " minute" : " minutes") + " to start your chat:\n" + link(reservation)
                + "\n\nIf you cannot make it in time, you are welcome to start a new chat later.", null);
    }

    private static String within(int seconds) {
        if (seconds < 3_600) {
            return " within " + Math.max(1, seconds / 60) + " minutes";
        }
        if (seconds < 86_400) {
            int hours = seconds / 3_600;
            return " within " + hours + (hours == 1 ? " hour" : " hours");
        }
        int days = seconds / 86_400;
        return " within " + days + (days == 1 ? " day" : " days");
    }

    /** The link that opens the widget into the guest's conversation (their place, or their room). */
    String link(Reservation reservation) {
        ServerConfig.Smtp smtp = config.smtp();
        String base = smtp != null && smtp.linkUrl() != null ? smtp.linkUrl() : config.publicBase() + "/demo";
        return base + "#sb-account=" + encode(account.id) + "&sb-group=" + encode(reservation.group.name)
                + "&sb-conversation=" + encode(reservation.sid) + "&sb-key=" + token(reservation);
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private void write(Reservation reservation, String subject, String text, String inReplyTo) {
        String token = token(reservation);
        ServerConfig.Smtp smtp = config.smtp();
        String replyTo = smtp.replyTo() == null ? null : smtp.replyTo().replace("{token}", token);
        String id = ids.next("ml_");
        String domain = smtp.from().substring(smtp.from().indexOf('@') + 1);
        Stored.MailRow mail = new Stored.MailRow(id, account.id, reservation.email, subject, text, replyTo,
                "<" + id + "." + token + "@" + domain + ">", inReplyTo, 0, clock.now());
        pending.put(id, mail);
        turn.mail(mail);
        due.add(mail);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Sending

    /** Hands the mails this turn made (or that are due again) to the sender: called once the turn's rows are written. */
    void flush() {
        for (Push push : duePushes) {
            pushes.push(push.subscription(), push.title(), push.body(), push.url());
        }
        duePushes.clear();
        if (due.isEmpty()) {
            return;
        }
        List<Stored.MailRow> now = new ArrayList<>(due);
        due.clear();
        for (Stored.MailRow mail : now) {
            if (pending.get(mail.id()) == mail) {
                sink.send(mail);
            }
        }
    }

    /** The SMTP server took a mail: its row goes. */
    void sent(String id) {
        if (pending.remove(id) != null) {
            turn.mailDone(id);
        }
    }

    /**
     * A send failed: a permanent failure (the address is refused) drops the mail with a warning; any other is retried
     * after a backoff (5 s, doubling, at most {@code smtp.retry_max_ms}).
     */
    void failed(String id, boolean permanent, String why) {
        Stored.MailRow mail = pending.get(id);
        if (mail == null) {
            return;
        }
        if (permanent) {
            log.warn("{}: the email {} to {} cannot be delivered and is dropped: {}", account.id, id, mail.to(), why);
            pending.remove(id);
            turn.mailDone(id);
            return;
        }
        long backoff = Math.min(config.smtp().retryMaxMs(), FIRST_RETRY_MS << Math.min(20, mail.attempts()));
        Stored.MailRow again = mail.withAttempt(clock.now() + backoff);
        if (again.attempts() == 1 || again.attempts() % 10 == 0) {
            log.warn("{}: sending the email {} failed ({} attempts so far; next in {} s): {}", account.id, id,
                    again.attempts(), backoff / 1000, why);
        }
        pending.put(id, again);
        turn.mail(again);
        arm(again);
    }

    private void arm(Stored.MailRow mail) {
        clock.schedule(Math.max(0, mail.nextAttemptAt() - clock.now()), () -> {
            if (pending.get(mail.id()) == mail) {
                due.add(mail);
            }
        });
    }

    /** Takes back the mails a restart found unsent: each is sent again when it is due. */
    void restore(List<Stored.MailRow> mails) {
        for (Stored.MailRow mail : mails) {
            if (mail.account().equals(account.id)) {
                pending.put(mail.id(), mail);
                arm(mail);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // What guests write back

    /**
     * The part of an email a guest wrote: above our marker line, without the quoted mail below an "On ... wrote:"
     * line, trimmed.
     */
    static String answer(String text) {
        if (text == null) {
            return "";
        }
        String body = text.replace("\r\n", "\n");
        int marker = body.indexOf(ANSWER_ABOVE);
        if (marker >= 0) {
            body = body.substring(0, marker);
        }
        List<String> kept = new ArrayList<>();
        for (String line : body.split("\n", -1)) {
            if (line.startsWith(">")) {
                continue;
            }
            kept.add(line);
        }
        // The client's "On Mon, ... wrote:" line before the quote (and any blank lines) go too.
        while (!kept.isEmpty() && (kept.get(kept.size() - 1).isBlank()
                || QUOTE_HEADER.matcher(kept.get(kept.size() - 1)).matches()
                || SEPARATOR.matcher(kept.get(kept.size() - 1)).matches())) {
            kept.remove(kept.size() - 1);
        }
        return String.join("\n", kept).strip();
    }

    /** Cuts a long answer into messages of at most {@code max} characters, at line breaks where it can. */
    static List<String> chunks(String text, int max) {
        List<String> parts = new ArrayList<>();
        String rest = text;
        while (rest.length() > max) {
            int cut = rest.lastIndexOf('\n', max);
            if (cut < max / 2) {
                cut = max;
                if (Character.isHighSurrogate(rest.charAt(cut - 1))) {
                    cut--;
                }
            }
            parts.add(rest.substring(0, cut).strip());
            rest = rest.substring(cut);
        }
        if (!rest.isBlank()) {
            parts.add(rest.strip());
        }
        return parts;
    }
}
