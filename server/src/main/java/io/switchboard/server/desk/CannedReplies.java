package io.switchboard.server.desk;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Canned replies: the account's (written by supervisors) and each agent's own, stored with the turn that changed
 * them. An agent's console gets the ones it may use ({@code replies}) after sign-in and resume, then each change
 * ({@code reply});
 * the console fills in the placeholders and sends the text as an ordinary message. Desk thread only.
 */
final class CannedReplies {
    private final Account account;
    private final Ids ids;
    private final DeskClock clock;
    private final Turn turn;
    private final Fanout fanout;
    private final int perAccount;
    private final int perAgent;

    CannedReplies(Account account, Ids ids, DeskClock clock, Turn turn, Fanout fanout, int perAccount, int perAgent) {
        this.account = account;
        this.ids = ids;
        this.clock = clock;
        this.turn = turn;
        this.fanout = fanout;
        this.perAccount = perAccount;
        this.perAgent = perAgent;
    }

    /** The stored replies of this account (restore). */
    void restore(List<Stored.ReplyRow> rows) {
        for (Stored.ReplyRow row : rows) {
            if (row.account().equals(account.id)) {
                account.replies.put(row.id(), row);
            }
        }
    }

    /** The replies this agent may use, by title. */
    static ServerMessage.Replies of(Account account, Agent agent) {
        List<ServerMessage.Reply> replies = new ArrayList<>();
        for (Stored.ReplyRow row : account.replies.values()) {
            if (usedBy(agent, row)) {
                replies.add(view(row));
            }
        }
        replies.sort(Comparator.comparing((ServerMessage.Reply reply) -> reply.title().toLowerCase(
                java.util.Locale.ROOT)).thenComparing(ServerMessage.Reply::id));
        return new ServerMessage.Replies(replies);
    }

    void save(Agent agent, Request.ReplySave request) {
        Stored.ReplyRow before = request.id() == null ? null : editable(agent, request.id());
        if (request.forTheTeam() && !agent.supervisor) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "shared: only supervisors write the account's replies "
                    + "(send it without \"shared\" for your own)");
        }
        String owner = request.forTheTeam() ? null : agent.user;
        boolean moves = before == null || !java.util.Objects.equals(before.owner(), owner);
        if (moves) {
            long count = account.replies.values().stream().filter(row -> java.util.Objects.equals(row.owner(), owner))
                    .count();
            int max = owner == null ? perAccount : perAgent;
            if (count >= max) {
                throw new DeskException(ErrorCode.TOO_LARGE, "reply_save: " + (owner == null ? "the account has "
                        : "you have ") + count + " replies (at most " + max + "): delete one first");
            }
        }
        Stored.ReplyRow row = new Stored.ReplyRow(before == null ? ids.next("cr_") : before.id(), account.id, owner,
                request.title(), request.body(), clock.now());
        account.replies.put(row.id(), row);
        turn.reply(row);
        tell(before, row);
    }

    void delete(Agent agent, Request.ReplyDelete request) {
        Stored.ReplyRow before = editable(agent, request.id());
        account.replies.remove(before.id());
        turn.replyDeleted(before.id());
        tell(before, null);
    }

    /** A reply this agent may change: their own, or (supervisors) the account's. */
    private Stored.ReplyRow editable(Agent agent, String id) {
        Stored.ReplyRow row = account.replies.get(id);
        if (row == null || row.owner() != null && !row.owner().equals(agent.user)) {
            throw new DeskException(ErrorCode.CONFLICT, "id: " + id + " (expected: one of your replies; it may have "
                    + "been deleted)");
        }
        if (row.owner() == null && !agent.supervisor) {
            throw new DeskException(ErrorCode.NOT_ALLOWED, "id: " + id + " is the account's: only supervisors change "
                    + "it");
        }
        return row;
    }

    /**
     * Tells each console that uses the changed reply of it: saved ({@code after}), or gone for them (deleted, or no
     * longer theirs to use: {@code before}). One reply each, never the whole list again.
     */
    private void tell(Stored.ReplyRow before, Stored.ReplyRow after) {
        for (Agent agent : account.agents.values()) {
            if (after != null && usedBy(agent, after)) {
                fanout.toConsole(agent, ServerMessage.ReplyChange.saved(view(after)));
            } else if (before != null && usedBy(agent, before)) {
                fanout.toConsole(agent, ServerMessage.ReplyChange.deleted(before.id()));
            }
        }
    }

    private static boolean usedBy(Agent agent, Stored.ReplyRow row) {
        return row.owner() == null || row.owner().equals(agent.user);
    }

    private static ServerMessage.Reply view(Stored.ReplyRow row) {
        return new ServerMessage.Reply(row.id(), row.title(), row.body(), row.owner() == null, row.owner());
    }
}
