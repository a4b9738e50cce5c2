package io.switchboard.server.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.StreamMessage;
import io.switchboard.protocol.Role;
import io.switchboard.server.desk.DeskException;
import io.switchboard.server.desk.Journal;
import io.switchboard.server.desk.Stored;
import io.switchboard.server.gate.Fence;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode's durable log: Redis itself (run with {@code appendonly yes} and {@code appendfsync always}, so a reply
 * means the write is on disk). Each account's rows live under its own hash tag, {@code {a:ID}:}: hashes {@code rsv},
 * {@code rooms}, {@code agents}, {@code sessions}, {@code groups}, {@code mails} and {@code replies} hold the rows {@link SqliteStore}
 * keeps in its
 * tables (the same JSON), and {@code m:ROOM} is a stream whose ids are the messages' seqs.
 *
 * <p>One writer thread takes every turn that has arrived (group commit) and sends, for each account among them, one
 * {@code commit.lua} call that first checks the account's epoch (a newer owner fences this one: {@code FENCED}) and
 * its head, the last commit this owner made ({@code DIVERGED} when the log is not the one this desk was restored
 * from), and writes nothing unless both hold. Only when every call of the round has answered is the round reported
 * durable to {@link Commits}, so that what waited for it leaves; a fenced account's turns are never reported to its
 * clients (its {@link Fence} is closed first, and the account is given up). A round that Redis did not answer is sent
 * again, with the same heads, until it answers: a commit whose reply was lost is recognised by its head and not
 * applied twice.
 */
public final class RedisJournal implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RedisJournal.class);
    static final int MAX_TURNS_PER_ROUND = 2_000;
    private static final RedisLink.Script COMMIT = RedisLink.Script.named("commit");

    /** Told when a commit found the account owned by a newer epoch, or its log not the one it restored from. */
    public interface Fenced {
        void fenced(String account, long epoch, String why);
    }

    /** Told how long each round took, and how many turns it held. */
    public interface Metrics {
        Metrics NONE = (nanos, turns) -> { };

        void committed(long nanos, int turns);
    }

    private record Batch(long seq, Log log, Stored.Changes changes) {
    }

    private static final Batch STOP = new Batch(-1, null, null);

    private final RedisLink redis;
    private final Commits commits;
    private final Fenced fenced;
    private final Metrics metrics;
    private final String auditNode;
    private final int queueTurns;
    private final long retryMaxMs;
    private final ObjectMapper json = new ObjectMapper();
    private final LinkedBlockingQueue<Batch> queue = new LinkedBlockingQueue<>();
    private final CountDownLatch stopRequested = new CountDownLatch(1);
    private final Thread writer;
    private final Outage outage;
    private volatile int held;

    /**
     * A journal on {@code redis}, reporting durable rounds to {@code commits}. {@code auditNode}: when not null, each
     * commit also appends {@code epoch node head} to the account's {@code audit} list (fencing tests).
     */
    public RedisJournal(RedisLink redis, Commits commits, Fenced fenced, Metrics metrics, String auditNode,
                        int queueTurns, long retryMaxMs) {
        this.redis = redis;
        this.commits = commits;
        this.fenced = fenced;
        this.metrics = metrics;
        this.auditNode = auditNode;
        this.queueTurns = queueTurns;
        this.retryMaxMs = retryMaxMs;
        this.outage = new Outage(log, "Redis at " + redis.where());
        this.writer = new Thread(this::run, "switchboard-redis-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** The key prefix of an account: its hash tag keeps every key of it in one Redis Cluster slot. */
    public static String prefix(String account) {
        return "{a:" + account + "}:";
    }

    /**
     * The journal of one account's desk at one epoch: it writes with that epoch after {@code head} (what the lease's
     * acquisition read) and takes changes only while {@code fence} is open.
     */
    public Journal account(String account, long epoch, String head, Fence fence) {
        return new Log(account, epoch, head, fence);
    }

    /** Whether rounds fail now (Redis unreachable; they are retried, replies wait). */
    public boolean failing() {
        return outage.failing();
    }

    /** Runs {@code done} once every turn handed over so far is committed (or refused as fenced). */
    public void drained(Runnable done) {
        commits.after(new io.switchboard.server.gate.Release.Line(), true, done);
    }

    /** Turns waiting for a commit. */
    public int waiting() {
        return queue.size() + held;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reading an account back

    /**
     * Everything of an account but its messages, as stored.
     *
     * @throws StoreException when Redis does not answer or holds rows this server cannot read
     */
    public Stored.State load(String account) {
        String p = prefix(account);
        var commands = redis.async();
        var reservations = commands.hgetall(p + "rsv");
        var rooms = commands.hgetall(p + "rooms");
        var agents = commands.hgetall(p + "agents");
        var sessions = commands.hgetall(p + "sessions");
        var groups = commands.hgetall(p + "groups");
        var mails = commands.hgetall(p + "mails");
        var replies = commands.hgetall(p + "replies");
        try {
            return new Stored.State(rows(redis.await(reservations), Stored.ReservationRow.class),
                    rows(redis.await(rooms), Stored.RoomRow.class), rows(redis.await(agents), Stored.AgentRow.class),
                    rows(redis.await(sessions), Stored.SessionRow.class),
                    rows(redis.await(groups), Stored.GroupRow.class), rows(redis.await(mails), Stored.MailRow.class),
                    rows(redis.await(replies), Stored.ReplyRow.class));
        } catch (RedisLink.RedisUnavailable e) {
            throw new StoreException("account " + account + ": cannot read it from Redis (" + e.getMessage() + ")", e);
        }
    }

    private <T> List<T> rows(Map<String, String> values, Class<T> type) {
        List<T> rows = new ArrayList<>(values.size());
        for (Map.Entry<String, String> entry : values.entrySet()) {
            try {
                rows.add(json.readValue(entry.getValue(), type));
            } catch (JsonProcessingException e) {
                throw new StoreException("a stored " + type.getSimpleName() + " (" + entry.getKey() + ") cannot be "
                        + "read: " + e.getOriginalMessage(), e);
            }
        }
        return rows;
    }

    private List<Stored.MessageRow> messages(String account, String room, boolean newest, long after, int limit) {
        String key = prefix(account) + "m:" + room;
        Limit count = limit == Integer.MAX_VALUE ? Limit.unlimited() : Limit.from(limit);
        List<StreamMessage<String, String>> entries;
        try {
            entries = newest
                    ? redis.await(redis.async().xrevrange(key, Range.unbounded(), count))
                    : redis.await(redis.async().xrange(key, Range.from(
                            Range.Boundary.excluding(after + "-0"), Range.Boundary.unbounded()), count));
        } catch (RedisLink.RedisUnavailable e) {
            throw DeskException.storageUnavailable("the conversation's history cannot be read now (" + e.getMessage()
                    + "); try again in a moment");
        }
        List<Stored.MessageRow> rows = new ArrayList<>(entries.size());
        for (StreamMessage<String, String> entry : entries) {
            Map<String, String> body = entry.getBody();
            String id = entry.getId();
            rows.add(new Stored.MessageRow(room, Long.parseLong(id.substring(0, id.indexOf('-'))), body.get("u"),
                    Role.valueOf(body.get("r")), body.get("b"), Long.parseLong(body.get("t")),
                    "1".equals(body.get("p"))));
        }
        if (newest) {
            java.util.Collections.reverse(rows);
        }
        return rows;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // One account's journal

    /** One account's journal at one epoch. Its head belongs to the writer thread. */
    private final class Log implements Journal {
        final String account;
        final String prefix;
        final long epoch;
        final Fence fence;
        /** The last commit this log made (or found at acquisition); writer thread only. */
        String head;
        long commitsMade;

        Log(String account, long epoch, String head, Fence fence) {
            this.account = account;
            this.prefix = prefix(account);
            this.epoch = epoch;
            this.head = head;
            this.fence = fence;
        }

        @Override
        public long write(Stored.Changes changes) {
            synchronized (RedisJournal.this) {
                long seq = commits.next();
                queue.add(new Batch(seq, this, changes));
                return seq;
            }
        }

        @Override
        public boolean accepting() {
            return fence.open() && !outage.failing() && waiting() < queueTurns;
        }

        @Override
        public long durable() {
            return commits.durable();
        }

        @Override
        public List<Stored.MessageRow> transcript(String room, long after, int limit) {
            return messages(account, room, false, after, limit);
        }

        @Override
        public List<Stored.MessageRow> tail(String room, int limit) {
            return messages(account, room, true, 0, limit);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The writer

    /** One account's share of a round: its call's arguments, kept the same across attempts. */
    private static final class Call {
        final Log log;
        final String[] args;
        CompletableFuture<String> reply;

        Call(Log log, String[] args) {
            this.log = log;
            this.args = args;
        }
    }

    private void run() {
        List<Batch> batches = new ArrayList<>();
        long retryMs = StoreWriter.FIRST_RETRY_MS;
        boolean stop = false;
        try {
            while (true) {
                batches.add(queue.take());
                queue.drainTo(batches, MAX_TURNS_PER_ROUND - 1);
                stop |= batches.remove(STOP);
                held = batches.size();
                if (batches.isEmpty()) {
                    if (stop) {
                        return;
                    }
                    continue;
                }
                List<Call> calls = calls(batches);
                long start = System.nanoTime();
                while (!calls.isEmpty()) {
                    for (Call call : calls) {
                        call.reply = COMMIT.run(redis, ScriptOutputType.VALUE, new String[] {call.log.prefix},
                                call.args);
                    }
                    List<Call> again = new ArrayList<>();
                    String failure = null;
                    for (Call call : calls) {
                        try {
                            answered(call, redis.await(call.reply));
                        } catch (RedisLink.RedisUnavailable | RuntimeException e) {
                            // Anything unexpected is retried like a Redis that did not answer: the writer never dies
                            // with turns that others wait for.
                            failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                            if (e instanceof RuntimeException) {
                                log.error("Redis at {}: a commit failed unexpectedly; retrying", redis.where(), e);
                            }
                            again.add(call);
                        }
                    }
                    calls = again;
                    if (failure != null) {
                        outage.failed(failure, batches.size());
                        if (stopRequested.await(retryMs, TimeUnit.MILLISECONDS) && stop) {
                            log.error("Redis: stopping with {} turns not stored: none of them was acknowledged",
                                    batches.size());
                            return;
                        }
                        retryMs = Math.min(retryMaxMs, retryMs * 2);
                    }
                }
                outage.recovered(batches.size());
                retryMs = StoreWriter.FIRST_RETRY_MS;
                metrics.committed(System.nanoTime() - start, batches.size());
                commits.durable(batches.get(batches.size() - 1).seq());
                batches.clear();
                held = 0;
                if (stop && queue.isEmpty()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            if (!batches.isEmpty()) {
                log.error("Redis: stopped with {} turns not stored: none of them was acknowledged", batches.size());
            }
        }
    }

    private void answered(Call call, String reply) {
        Log owner = call.log;
        if ("OK".equals(reply)) {
            owner.head = call.args[2];
            return;
        }
        // Never reported to a client: the fence closes before the round is released.
        log.warn("account {}: commit refused at epoch {} ({}): another node holds it now; giving it up",
                owner.account, owner.epoch, reply);
        fenced.fenced(owner.account, owner.epoch, reply);
    }

    /** Each account's call of a round, in the order its turns came. */
    private List<Call> calls(List<Batch> batches) {
        Map<Log, List<String>> ops = new LinkedHashMap<>();
        for (Batch batch : batches) {
            List<String> args = ops.computeIfAbsent(batch.log, key -> new ArrayList<>());
            try {
                append(args, batch.changes);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a row could not be written as JSON", e);
            }
        }
        List<Call> calls = new ArrayList<>(ops.size());
        for (Map.Entry<Log, List<String>> entry : ops.entrySet()) {
            Log owner = entry.getKey();
            String after = owner.head == null ? "" : owner.head;
            String next = owner.epoch + ":" + (++owner.commitsMade);
            List<String> args = new ArrayList<>(entry.getValue().size() + 4);
            args.add(Long.toString(owner.epoch));
            args.add(after);
            args.add(next);
            args.add(auditNode == null ? "" : auditNode);
            args.addAll(entry.getValue());
            calls.add(new Call(owner, args.toArray(new String[0])));
        }
        return calls;
    }

    /** A turn's changes as the commit script's ops, in the order {@link SqliteStore} applies them. */
    private void append(List<String> args, Stored.Changes changes) throws JsonProcessingException {
        for (Stored.ReservationRow row : changes.reservations()) {
            put(args, "rsv", row.sid(), row);
        }
        for (String sid : changes.forgottenReservations()) {
            delete(args, "rsv", sid);
        }
        for (Stored.RoomRow row : changes.rooms()) {
            put(args, "rooms", row.id(), row);
        }
        for (Stored.MessageRow row : changes.messages()) {
            args.add("X");
            args.add(row.room());
            args.add(Long.toString(row.seq()));
            args.add(row.user());
            args.add(row.role().name());
            args.add(row.body());
            args.add(Long.toString(row.sent()));
            args.add(row.privateNote() ? "1" : "0");
        }
        for (String room : changes.forgottenRooms()) {
            delete(args, "rooms", room);
            args.add("R");
            args.add(room);
        }
        for (Stored.AgentRow row : changes.agents()) {
            put(args, "agents", row.key(), row);
        }
        for (Stored.SessionRow row : changes.sessions()) {
            put(args, "sessions", row.key(), row);
        }
        for (String key : changes.endedSessions()) {
            delete(args, "sessions", key);
        }
        for (Stored.GroupRow row : changes.groups()) {
            put(args, "groups", row.key(), row);
        }
        for (Stored.MailRow row : changes.mails()) {
            put(args, "mails", row.id(), row);
        }
        for (String id : changes.sentMails()) {
            delete(args, "mails", id);
        }
        for (Stored.ReplyRow row : changes.replies()) {
            put(args, "replies", row.id(), row);
        }
        for (String id : changes.deletedReplies()) {
            delete(args, "replies", id);
        }
    }

    private void put(List<String> args, String table, String key, Object row) throws JsonProcessingException {
        args.add("H");
        args.add(table);
        args.add(key);
        args.add(json.writeValueAsString(row));
    }

    private static void delete(List<String> args, String table, String key) {
        args.add("D");
        args.add(table);
        args.add(key);
    }

    /** Commits what is queued if Redis answers within {@code timeoutMs}, then stops the writer. */
    public void close(long timeoutMs) {
        stopRequested.countDown();
        queue.add(STOP);
        try {
            writer.join(timeoutMs);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (writer.isAlive()) {
            writer.interrupt();
        }
    }

    @Override
    public void close() {
        close(10_000);
    }
}
