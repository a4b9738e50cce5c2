package io.switchboard.server.gate;

import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.MailSink;
import io.switchboard.server.desk.PushSink;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * What a desk sends beyond its connections (emails, Web Push): like everything a desk says, each leaves through the
 * release once the turn that made it is durable, and only while this node still speaks for the account (a fenced
 * owner sends nothing; the next owner sends what is still queued). A mail's outcome goes back to the account's desk
 * as a turn.
 */
final class Outgoing {
    private final Release release;
    private final MailSender mail;
    private final PushSink push;
    /** Runs a call on an account's desk as a turn ({@link DeskGate#tell}). */
    private final BiConsumer<String, Consumer<Desk>> tell;

    Outgoing(Release release, MailSender mail, PushSink push, BiConsumer<String, Consumer<Desk>> tell) {
        this.release = release;
        this.mail = mail;
        this.push = push;
        this.tell = tell;
    }

    /** Where the desk of {@code route} sends its mails: to the sender, the outcome back to the account's desk. */
    MailSink mail(AccountDesk route) {
        if (mail == null) {
            return MailSink.NONE;
        }
        Release.Line line = new Release.Line();
        return row -> whenDurable(line, route, () -> mail.send(row, new MailSender.Result() {
            @Override
            public void sent() {
                tell.accept(route.account, desk -> desk.mailSent(row.id()));
            }

            @Override
            public void failed(boolean permanent, String why) {
                tell.accept(route.account, desk -> desk.mailFailed(row.id(), permanent, why));
            }
        }));
    }

    /** Where the desk of {@code route} sends its Web Push notifications. */
    PushSink push(AccountDesk route) {
        if (push == null) {
            return PushSink.NONE;
        }
        Release.Line line = new Release.Line();
        return (subscription, title, body, url) -> whenDurable(line, route,
                () -> push.push(subscription, title, body, url));
    }

    private void whenDurable(Release.Line line, AccountDesk route, Runnable task) {
        release.after(line, true, route.fence, task, () -> { });
    }
}
