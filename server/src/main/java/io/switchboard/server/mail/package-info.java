/**
 * Email, the real component: {@link io.switchboard.server.mail.SmtpMailer} sends the desks' mails over SMTP (Angus
 * Mail) from their durable queue, and {@link io.switchboard.server.mail.ImapInbox} reads guests' answers from the
 * reply-to mailbox over IMAP and hands each to its conversation's desk (docs/protocol.md#email).
 */
package io.switchboard.server.mail;
