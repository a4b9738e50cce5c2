package io.switchboard.server.metrics;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Role;
import io.switchboard.server.desk.DeskMetrics;
import io.switchboard.server.desk.DeskProbe;
import io.switchboard.server.gate.DeskGate;
import java.util.EnumMap;
import java.util.Map;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The server's metrics, written by the Prometheus Java client in its text format. One registry per server (tests run
 * several servers in one JVM). Counters are updated where things happen (desk threads, event loops); the gauges of
 * desk state are read from every desk when a scrape asks for them ({@link #gauges}).
 */
public final class ServerMetrics implements DeskMetrics {
    /** Upper bounds (seconds) of the wait histogram: from "at once" to an hour. */
    private static final double[] WAIT_BUCKETS = {1, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    private final Gauge connections = Gauge.builder()
            .name("switchboard_connections")
            .help("Open WebSocket connections by role (anonymous: not identified yet)")
            .labelNames("role")
            .register(registry);
    private final Gauge queueLength = Gauge.builder()
            .name("switchboard_queue_length")
            .help("Guests waiting in a group's queue")
            .labelNames("account", "group")
            .register(registry);
    private final Gauge oldestWait = Gauge.builder()
            .name("switchboard_queue_oldest_wait_seconds")
            .help("How long the longest-waiting guest of a group has waited")
            .labelNames("account", "group")
            .register(registry);
    private final Gauge messagesWaiting = Gauge.builder()
            .name("switchboard_messages_waiting")
            .help("Messages left by email in a group that no agent has taken yet")
            .labelNames("account", "group")
            .register(registry);
    private final Gauge oldestMessage = Gauge.builder()
            .name("switchboard_messages_oldest_seconds")
            .help("How long the oldest message left by email in a group has waited for an agent")
            .labelNames("account", "group")
            .register(registry);
    private final Gauge mailsQueued = Gauge.builder()
            .name("switchboard_mail_queued")
            .help("Emails of an account waiting to be sent (new, or due again after a failed attempt)")
            .labelNames("account")
            .register(registry);
    private final Counter mailSends = Counter.builder()
            .name("switchboard_mail_sends_total")
            .help("Attempts to send an email over SMTP, by outcome: sent, retry (failed, tried again later), refused "
                    + "(the address was refused: dropped)")
            .labelNames("outcome")
            .register(registry);
    private final Counter mailInbound = Counter.builder()
            .name("switchboard_mail_inbound_total")
            .help("Guests' emails read from the mailbox, by outcome: taken (into a conversation), set_aside (left "
                    + "in the mailbox, flagged), later (its desk could not take it now)")
            .labelNames("outcome")
            .register(registry);
    private final Counter pushes = Counter.builder()
            .name("switchboard_push_total")
            .help("Web Push notifications posted to browsers' push services, by outcome: sent, gone (the "
                    + "subscription no longer exists), failed")
            .labelNames("outcome")
            .register(registry);
    private final Counter assignments = Counter.builder()
            .name("switchboard_assignments_total")
            .help("Guests matched to an agent")
            .labelNames("account", "group")
            .register(registry);
    private final Histogram waits = Histogram.builder()
            .name("switchboard_wait_seconds")
            .help("Time from enqueue to assignment of matched guests")
            .labelNames("account", "group")
            .classicOnly()
            .classicUpperBounds(WAIT_BUCKETS)
            .register(registry);
    private final Histogram estimateErrors = Histogram.builder()
            .name("switchboard_estimate_abs_error_seconds")
            .help("How far the estimates told to waiting guests were from the waits that followed (scored when the "
                    + "guest is assigned; guests who gave up have no wait to score)")
            .labelNames("account", "group")
            .classicOnly()
            .classicUpperBounds(5, 10, 20, 30, 60, 120, 300, 600, 1200, 3600)
            .register(registry);
    private final Counter estimateSignedErrors = Counter.builder()
            .name("switchboard_estimate_signed_error_seconds")
            .help("The sum of estimate minus the wait that followed over the scored estimates (two counters, positive "
                    + "and negative parts: bias = (over - under) / switchboard_estimate_abs_error_seconds_count)")
            .labelNames("account", "group", "direction")
            .register(registry);
    private final Counter estimatesTold = Counter.builder()
            .name("switchboard_estimates_told_total")
            .help("Estimates told to waiting guests (queuepos), by outcome: number, or null (no basis yet)")
            .labelNames("account", "group", "outcome")
            .register(registry);
    private final Histogram commits = Histogram.builder()
            .name("switchboard_store_commit_seconds")
            .help("Time of one store commit (a group of desk turns), fsync included under fsync durability")
            .classicOnly()
            .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1)
            .register(registry);
    private final Gauge logMessages = Gauge.builder()
            .name("switchboard_store_log_messages")
            .help("Messages still only in the store's append log, not yet moved into their rooms' ranges")
            .register(registry);
    private final Counter checkpoints = Counter.builder()
            .name("switchboard_store_checkpoints_total")
            .help("Checkpoints of the write-ahead log, by mode: passive (every 100 ms) or restart (past 4096 frames)")
            .labelNames("mode")
            .register(registry);
    private final Gauge walFrames = Gauge.builder()
            .name("switchboard_store_wal_frames")
            .help("Frames in the write-ahead log at the last checkpoint")
            .register(registry);
    private final Counter committedTurns = Counter.builder()
            .name("switchboard_store_turns_total")
            .help("Desk turns whose changes the store committed")
            .register(registry);
    private final Counter committedRows = Counter.builder()
            .name("switchboard_store_rows_total")
            .help("Rows the store wrote or deleted")
            .register(registry);
    private final Counter messages = Counter.builder()
            .name("switchboard_messages_total")
            .help("Chat messages accepted")
            .register(registry);
    private final Counter errors = Counter.builder()
            .name("switchboard_errors_total")
            .help("WebSocket requests answered with an error, by code")
            .labelNames("code")
            .register(registry);
    private final Counter rateLimited = Counter.builder()
            .name("switchboard_rate_limited_total")
            .help("Calls refused by a limit, by limit (websocket, queue_position, sign_in, identify, queue_full, "
                    + "sse_streams, api_key, connections)")
            .labelNames("limit")
            .register(registry);
    private final Gauge sseStreams = Gauge.builder()
            .name("switchboard_sse_streams")
            .help("Open reservation event streams (SSE)")
            .register(registry);
    private final Counter httpResponses = Counter.builder()
            .name("switchboard_http_responses_total")
            .help("HTTP responses by status code")
            .labelNames("status")
            .register(registry);

    private final Gauge ownedAccounts = Gauge.builder()
            .name("switchboard_cluster_owned_accounts")
            .help("Accounts whose lease this node holds (cluster mode)")
            .register(registry);
    private final Counter leaseRenewals = Counter.builder()
            .name("switchboard_cluster_lease_renewals_total")
            .help("Lease renewals of this node's accounts, by outcome: ok, lost (another node holds it), failed "
                    + "(Redis did not answer)")
            .labelNames("outcome")
            .register(registry);
    private final Counter leaseChanges = Counter.builder()
            .name("switchboard_cluster_leases_total")
            .help("Accounts this node took (acquired) or gave up (released, fenced, expired)")
            .labelNames("event")
            .register(registry);
    private final Histogram forwardSeconds = Histogram.builder()
            .name("switchboard_cluster_forward_seconds")
            .help("Time for a node to reach an account's owner for a client: a WebSocket's upstream handshake, or a "
                    + "forwarded HTTP request's answer headers")
            .labelNames("kind")
            .classicOnly()
            .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10)
            .register(registry);
    private final Counter forwardBreaks = Counter.builder()
            .name("switchboard_cluster_forward_breaks_total")
            .help("Forwarded connections closed because their owner went away or the account moved (their clients "
                    + "are told 1012 and resume): the cluster's equivalent of a gap in a relayed stream")
            .labelNames("why")
            .register(registry);
    private final Histogram redisCommits = Histogram.builder()
            .name("switchboard_cluster_commit_seconds")
            .help("Time of one round of fenced commits to Redis (every account's turns that arrived meanwhile)")
            .classicOnly()
            .classicUpperBounds(0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1)
            .register(registry);

    /** Cluster mode: the accounts this node holds now. */
    public void ownedAccounts(int count) {
        ownedAccounts.set(count);
    }

    /** Cluster mode: a lease renewal's outcome (ok, lost, failed). */
    public void leaseRenewal(String outcome) {
        leaseRenewals.labelValues(outcome).inc();
    }

    /** Cluster mode: this node took or gave up an account (acquired, released, fenced, expired). */
    public void lease(String event) {
        leaseChanges.labelValues(event).inc();
    }

    /** Cluster mode: how long reaching the owner took (kind: websocket, http). */
    public void forwarded(String kind, long nanos) {
        forwardSeconds.labelValues(kind).observe(nanos / 1e9);
    }

    /** Cluster mode: a forwarded connection closed under its client (why: owner_gone, moved). */
    public void forwardBreak(String why) {
        forwardBreaks.labelValues(why).inc();
    }

    /** Cluster mode: one round of commits to Redis. */
    public void redisCommitted(long nanos, int turns) {
        redisCommits.observe(nanos / 1e9);
        committedTurns.inc(turns);
    }

    public ServerMetrics() {
        JvmMetrics.builder().register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            errors.labelValues(code.wire()).inc(0);
        }
        for (String limit : new String[] {"websocket", "queue_position", "sign_in", "identify", "queue_full",
            "sse_streams", "api_key", "connections"}) {
            rateLimited.labelValues(limit).inc(0);
        }
    }

    @Override
    public void assigned(String account, String group, long waitedMs) {
        assignments.labelValues(account, group).inc();
        waits.labelValues(account, group).observe(waitedMs / 1000.0);
    }

    @Override
    public void estimateTold(String account, String group, boolean number) {
        estimatesTold.labelValues(account, group, number ? "number" : "null").inc();
    }

    @Override
    public void estimateScored(String account, String group, double errorMs) {
        estimateErrors.labelValues(account, group).observe(Math.abs(errorMs) / 1000.0);
        estimateSignedErrors.labelValues(account, group, errorMs >= 0 ? "over" : "under")
                .inc(Math.abs(errorMs) / 1000.0);
    }

    /** The store committed {@code turns} desk turns' changes ({@code rows} rows) in {@code nanos}. */
    public void committed(long nanos, int turns, int rows) {
        commits.observe(nanos / 1e9);
        committedTurns.inc(turns);
        committedRows.inc(rows);
    }

    /** Messages still only in the store's log after the last commit. Store writer thread. */
    public void logMessages(int rows) {
        logMessages.set(rows);
    }

    /** A checkpoint of mode {@code mode} ran; the log held {@code frames} frames. Store checkpoint thread. */
    public void checkpointed(String mode, int frames) {
        checkpoints.labelValues(mode).inc();
        walFrames.set(frames);
    }

    @Override
    public void message() {
        messages.inc();
    }

    @Override
    public void error(ErrorCode code) {
        errors.labelValues(code.wire()).inc();
    }

    @Override
    public void rateLimited(String kind) {
        rateLimited.labelValues(kind).inc();
    }

    /** Sets the gauges of desk state from what every desk and the lobby reported (a scrape asked for them). */
    public void gauges(DeskGate.Gauges gauges) {
        Map<Role, Integer> byRole = new EnumMap<>(Role.class);
        int anonymous = gauges.lobby();
        for (DeskProbe.Gauges desk : gauges.desks()) {
            for (DeskProbe.QueueGauge queue : desk.queues()) {
                queueLength.labelValues(queue.account(), queue.group()).set(queue.length());
                oldestWait.labelValues(queue.account(), queue.group()).set(queue.oldestWaitMs() / 1000.0);
                messagesWaiting.labelValues(queue.account(), queue.group()).set(queue.messages());
                oldestMessage.labelValues(queue.account(), queue.group()).set(queue.oldestMessageMs() / 1000.0);
            }
            desk.connections().forEach((role, count) -> byRole.merge(role, count, Integer::sum));
            if (!desk.queues().isEmpty()) {
                mailsQueued.labelValues(desk.queues().get(0).account()).set(desk.mailsQueued());
            }
            anonymous += desk.anonymous();
        }
        for (Role role : Role.values()) {
            connections.labelValues(role.wire()).set(byRole.getOrDefault(role, 0));
        }
        connections.labelValues("anonymous").set(anonymous);
    }

    /** An SMTP send ended: {@code sent}, {@code retry} or {@code refused}. Any thread. */
    public void mailSend(String outcome) {
        mailSends.labelValues(outcome).inc();
    }

    /** A guest's email was read: {@code taken}, {@code set_aside} or {@code later}. Any thread. */
    public void mailInbound(String outcome) {
        mailInbound.labelValues(outcome).inc();
    }

    /** A Web Push was posted: {@code sent}, {@code gone} or {@code failed}. Any thread. */
    public void push(String outcome) {
        pushes.labelValues(outcome).inc();
    }

    /** An SSE stream opened (+1) or closed (-1). Any thread. */
    public void sseStreams(int delta) {
        sseStreams.inc(delta);
    }

    /** An HTTP response went out. Any thread. */
    public void httpResponse(int status) {
        httpResponses.labelValues(Integer.toString(status)).inc();
    }

    /** The content type of {@link #write}. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Writes every metric in the Prometheus text format. */
    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    }
}
