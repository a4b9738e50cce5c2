package io.switchboard.server.gate;

import io.switchboard.protocol.ErrorCode;
import io.switchboard.protocol.Request;
import io.switchboard.server.config.Secrets;
import io.switchboard.server.config.ServerConfig;
import io.switchboard.server.desk.AddressLimits;
import io.switchboard.server.desk.Desk;
import io.switchboard.server.desk.DeskException;
import io.switchboard.server.desk.DeskMetrics;
import io.switchboard.server.desk.DeskProbe;
import io.switchboard.server.desk.EstimateMethod;
import io.switchboard.server.desk.Ids;
import io.switchboard.server.desk.Journal;
import io.switchboard.server.desk.Stored;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way into the desks (contract-wide: every WebSocket event, every REST call, every SSE stream). Each account
 * has its own {@link Desk}, on one of the desk threads ({@code desk_threads}), and is only ever touched there; the
 * gate routes each connection and call to it, runs each as one turn, and lets what the turn said go through the
 * {@link Release} once it may (a turn that changed something: once that is durable). A new connection waits in the
 * {@link Lobby} until it signs in; its sign-in names its account (the {@code account} of {@code identify}, the agent
 * whose token it is, the tag in a session token or reservation sid: {@link Ids}), and the connection goes to that
 * desk with everything it sends after. Thread-safe.
 */
public final class DeskGate {
    private static final Logger log = LoggerFactory.getLogger(DeskGate.class);
    private static final long START_TIMEOUT_MS = 120_000;

    /** What the gate is built from. */
    public record Settings(ServerConfig config, List<DeskThread> threads, IntFunction<TurnOutbox> outboxes, Ids ids,
                           DeskMetrics metrics, EstimateMethod method, Journal journal,
                           Function<String, Stored.State> stored, Release release, MailSender mail,
                           io.switchboard.server.desk.PushSink push) {
        /** Settings of a server that sends no email. */
        public Settings(ServerConfig config, List<DeskThread> threads, IntFunction<TurnOutbox> outboxes, Ids ids,
                        DeskMetrics metrics, EstimateMethod method, Journal journal,
                        Function<String, Stored.State> stored, Release release) {
            this(config, threads, outboxes, ids, metrics, method, journal, stored, release, null, null);
        }

    }

    /** The outcome of a desk call made for the transport: its value, or the refusal it threw. */
    public record Outcome<T>(T value, DeskException refused) {
    }

    private record Credential(byte[] digest, String account) {
    }

    private final Settings settings;
    private final Outgoing outgoing;
    private final ServerConfig config;
    private final List<DeskThread> threads;
    private final TurnOutbox[] outboxes;
    private final AddressLimits limits;
    private final Lobby lobby;
    private final Map<String, AccountDesk> desks = new ConcurrentHashMap<>();
    private final Map<String, ServerConfig.AccountConfig> accounts = new LinkedHashMap<>();
    private final Map<String, String> accountsByTag = new HashMap<>();
    private final List<Credential> credentials = new ArrayList<>();
    /** A cluster node's gate: desks come and go with leases ({@link #acquire}, {@link #release}). */
    private volatile boolean clustered;
    /**
     * Reservations stored before ids had account tags, and the sessions a restart found (their tokens may have none),
     * found by look-up instead.
     */
    private final Map<String, String> untaggedReservations = new ConcurrentHashMap<>();
    private final Map<String, String> untaggedSessions = new ConcurrentHashMap<>();

    private DeskGate(Settings settings) {
        this.settings = settings;
        this.outgoing = new Outgoing(settings.release(), settings.mail(), settings.push(), this::tell);
        this.config = settings.config();
        this.threads = List.copyOf(settings.threads());
        this.outboxes = new TurnOutbox[threads.size()];
        for (int i = 0; i < outboxes.length; i++) {
            outboxes[i] = settings.outboxes().apply(i);
        }
        this.limits = new AddressLimits(threads.get(0)::now, config.limits());
        this.lobby = new Lobby(threads.get(0), this, outboxes[0], limits, settings.metrics(),
                config.timings().identifyDeadlineMs());
        for (ServerConfig.AccountConfig account : config.accounts()) {
            accounts.put(account.id(), account);
            String previous = accountsByTag.put(Ids.tag(account.id()), account.id());
            if (previous != null) {
                throw new IllegalStateException("accounts " + previous + " and " + account.id() + " have the same "
                        + "id tag; rename one");
            }
            for (ServerConfig.AgentConfig agent : account.agents()) {
                credentials.add(new Credential(Secrets.digest(agent.token()), account.id()));
            }
        }
    }

    /**
     * Builds every account's desk on its thread and restores it from what was stored; returns once all are ready.
     *
     * @throws IllegalStateException when a desk could not be restored in time
     */
    public static DeskGate start(Settings settings) {
        DeskGate gate = new DeskGate(settings);
        CountDownLatch ready = new CountDownLatch(gate.accounts.size());
        List<RuntimeException> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String account : gate.accounts.keySet()) {
            gate.open(account, 0, Fence.OPEN, settings.journal(), () -> settings.stored().apply(account),
                    ready::countDown, failure -> {
                        failures.add(failure);
                        ready.countDown();
                    });
        }
        try {
            if (!ready.await(START_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("the desks were not restored within " + START_TIMEOUT_MS + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while restoring the desks", e);
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        return gate;
    }

    /**
     * A gate that opens no desk by itself: a cluster node opens an account's desk when it takes the account's lease
     * ({@link #acquire}) and drops it when it loses it ({@link #release}). Its settings' journal and stored rows are
     * not used.
     */
    public static DeskGate startEmpty(Settings settings) {
        DeskGate gate = new DeskGate(settings);
        gate.clustered = true;
        return gate;
    }

    /**
     * Opens an account's desk on this node, which has just taken its lease at {@code epoch}: built on its thread from
     * the rows {@code stored} reads, writing to {@code journal}, and speaking only while {@code fence} is open. {@code
     * ready} runs on the desk's thread once it serves; {@code failed} if it could not be built. Any thread.
     */
    public void acquire(String account, int epoch, Fence fence, Journal journal,
                        java.util.function.Supplier<Stored.State> stored, Runnable ready,
                        Consumer<RuntimeException> failed) {
        open(account, epoch, fence, journal, stored, ready, failed);
    }

    /**
     * Drops an account's desk (this node lost or gives up its lease): its connections are closed with 1012 and come
     * back by resuming, on whichever node they reach. {@code done} runs on the desk's thread afterwards (at once when
     * this node has no desk for it). Any thread.
     */
    public void release(String account, Runnable done) {
        AccountDesk old = desks.get(account);
        if (old == null) {
            done.run();
            return;
        }
        old.thread.execute(() -> {
            if (desks.remove(account, old)) {
                old.desk.drop();
            }
            done.run();
        });
    }

    /** Whether this node has a desk for the account now. Any thread. */
    public boolean serves(String account) {
        return desks.containsKey(account);
    }

    /** Whether the account is in the configuration. */
    public boolean configured(String account) {
        return accounts.containsKey(account);
    }

    /** Builds an account's desk on its thread and restores it from its rows; then the gate routes to it. */
    private void open(String account, int generation, Fence fence, Journal journal,
                      java.util.function.Supplier<Stored.State> stored, Runnable done,
                      Consumer<RuntimeException> failed) {
        int index = Math.floorMod(account.hashCode(), threads.size());
        DeskThread thread = threads.get(index);
        AccountDesk route = new AccountDesk(thread, this, account, generation, fence);
        TurnOutbox outbox = outboxes[index];
        thread.execute(() -> {
            try {
                route.desk = Desk.builder(config, accounts.get(account), thread, outbox)
                        .ids(settings.ids(), generation)
                        .metrics(settings.metrics())
                        .estimator(settings.method())
                        .journal(journal)
                        .limits(limits)
                        .handover(route)
                        .turnEnd(outbox::flush)
                        .mail(outgoing.mail(route))
                        .push(outgoing.push(route))
                        .build();
                route.desk.restore(stored.get());
                for (String sid : route.desk.untaggedIds()) {
                    untaggedReservations.put(sid, account);
                }
                for (String digest : route.desk.sessionDigests()) {
                    untaggedSessions.put(digest, account);
                }
                desks.put(account, route);
                done.run();
            } catch (RuntimeException e) {
                failed.accept(e);
            }
        });
    }

    /** The account of an email token ({@link Ids#nextMailToken}), or null when it names none configured here. */
    public String accountOfMailToken(String token) {
        String tag = Ids.tagOfMailToken(token);
        String account = tag == null ? null : accountsByTag.get(tag);
        return account != null && accounts.containsKey(account) ? account : null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // WebSocket connections

    /** A connection finished its WebSocket handshake: it waits in the lobby. Any thread. */
    public void open(Link link) {
        open(link, true);
    }

    /**
     * A connection finished its handshake; {@code welcome}: it is told {@code welcome} (not one another node
     * forwards: its client was welcomed there). Any thread.
     */
    public void open(Link link, boolean welcome) {
        link.connectedAt = lobby.thread.now();
        link.route = lobby;
        lobby.thread.execute(() -> lobby.opened(link, welcome));
    }

    /** A well-formed request arrived on a connection. Any thread; a connection's events keep their order. */
    public void request(Link link, String ref, Request request) {
        dispatch(link, route -> route.request(link, ref, request));
    }

    /** A request the transport could not accept (bad JSON, a rate limit), answered in its turn. Any thread. */
    public void rejected(Link link, String ref, ErrorCode code, String message) {
        dispatch(link, route -> route.rejected(link, ref, code, message));
    }

    /** A connection closed. Any thread. */
    public void closed(Link link) {
        dispatch(link, route -> route.closed(link));
    }

    /** Runs an event on the link's route, or, if the link moved on meanwhile, on its new route, behind its arrival. */
    private void dispatch(Link link, Consumer<Route> event) {
        Route route = link.route;
        route.thread.execute(() -> {
            if (link.route == route) {
                event.accept(route);
            } else {
                dispatch(link, event);
            }
        });
    }

    /** The desk a sign-in goes to, or null when it names no account this node has a desk for. Any thread. */
    Route resolve(Request request) {
        String account = accountOf(request);
        return account == null ? null : desks.get(account);
    }

    /**
     * Whether a sign-in names an account of the configuration whose desk is on no node of this gate now (a cluster
     * node that does not hold the account's lease, or an account moving between nodes). Any thread.
     */
    boolean elsewhere(Request request) {
        String account = accountOf(request);
        return clustered && account != null && !desks.containsKey(account);
    }

    /**
     * The account a sign-in names: the {@code account} of {@code identify} (or the default), the account of the
     * reservation it attaches, of the agent whose token it is, or the tag of the session it resumes; null when it names
     * none this configuration has, or is no sign-in. Any thread.
     */
    public String accountOf(Request request) {
        String account = null;
        if (request instanceof Request.Identify identify) {
            if (identify.reservation() == null) {
                account = identify.account() == null ? Desk.DEFAULT_ACCOUNT : identify.account();
            } else {
                account = accountOfReservation(identify.reservation());
            }
        } else if (request instanceof Request.Login login) {
            byte[] digest = Secrets.digest(login.token());
            // Every token is compared in full, in constant time, whatever matches.
            for (Credential credential : credentials) {
                if (Secrets.same(digest, credential.digest) && account == null) {
                    account = credential.account;
                }
            }
        } else if (request instanceof Request.Resume resume) {
            String tag = Ids.tagOf(resume.session());
            account = tag != null ? accountsByTag.get(tag) : untaggedSessions.get(Secrets.digestText(resume.session()));
        }
        return account != null && accounts.containsKey(account) ? account : null;
    }

    /** The account of a reservation sid (by its tag, or, for one stored before tags, by look-up); null if none. */
    public String accountOfReservation(String sid) {
        String tag = Ids.tagOf(sid);
        return tag != null ? accountsByTag.get(tag) : untaggedReservations.get(sid);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Calls for REST and SSE

    /**
     * Makes one desk call for the transport (a REST call, an SSE watch) as a turn of the account's desk, then gives
     * its outcome to {@code answer} through the release on {@code line}: at once when the call changed nothing, once
     * durable when it did. Any thread.
     */
    public <T> void ask(String account, Function<Desk, T> call, Release.Line line, Consumer<Outcome<T>> answer) {
        AccountDesk route = desks.get(account);
        if (route == null) {
            answer.accept(new Outcome<>(null, clustered && accounts.containsKey(account) ? moving(account)
                    : DeskException.missing("account: " + account + " (expected: a configured account)")));
            return;
        }
        route.thread.execute(() -> {
            List<Outcome<T>> outcome = new ArrayList<>(1);
            boolean changed = route.desk.turn(() -> {
                try {
                    outcome.add(new Outcome<>(call.apply(route.desk), null));
                } catch (DeskException e) {
                    outcome.add(new Outcome<>(null, e));
                } catch (RuntimeException e) {
                    log.error("account {}: a call failed on its desk", account, e);
                    outcome.add(new Outcome<>(null, DeskException.refused(ErrorCode.INTERNAL, "internal error")));
                }
            });
            settings.release().after(line, changed, route.fence, () -> answer.accept(outcome.get(0)),
                    () -> answer.accept(new Outcome<>(null, moving(account))));
        });
    }

    /** The refusal of a call for an account that is moving between nodes (HTTP 503; try again shortly). */
    private static DeskException moving(String account) {
        return DeskException.storageUnavailable("account " + account + " is moving to another server; try again in a "
                + "few seconds");
    }

    /** The fence of an account's desk on this node (open when there is none: nothing of it would leave anyway). */
    public Fence fence(String account) {
        AccountDesk route = desks.get(account);
        return route == null ? Fence.OPEN : route.fence;
    }

    /** Runs a call on an account's desk as a turn, with nothing to answer (a stream closed). Any thread. */
    public void tell(String account, Consumer<Desk> call) {
        AccountDesk route = desks.get(account);
        if (route != null) {
            route.thread.execute(() -> route.desk.turn(() -> call.accept(route.desk)));
        }
    }

    /**
     * Reads every desk's gauges on its thread and the lobby's waiting connections, then gives them all to {@code
     * done} (on the thread of the last one read). Any thread.
     */
    public void gauges(Consumer<Gauges> done) {
        List<AccountDesk> all = List.copyOf(desks.values());
        List<DeskProbe.Gauges> read = java.util.Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(all.size() + 1);
        int[] waiting = new int[1];
        Runnable one = () -> {
            if (left.decrementAndGet() == 0) {
                done.accept(new Gauges(List.copyOf(read), waiting[0]));
            }
        };
        lobby.thread.execute(() -> {
            waiting[0] = lobby.waiting();
            one.run();
        });
        for (AccountDesk route : all) {
            route.thread.execute(() -> {
                read.add(route.desk.probe().gauges());
                one.run();
            });
        }
    }

    /** Every desk's gauges, and how many connections wait in the lobby. */
    public record Gauges(List<DeskProbe.Gauges> desks, int lobby) {
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Moving desks

    /**
     * Drops an account's desk and builds it again from its rows, as another node taking the account over would: its
     * connections are closed with 1012 and come back by resuming; other accounts notice nothing. The new desk reads
     * the rows once everything the old one wrote is durable; {@code done} runs on the desk's thread once it serves.
     * Any thread.
     */
    public void reload(String account, Runnable done) {
        AccountDesk old = desks.get(account);
        old.thread.execute(() -> {
            old.desk.drop();
            desks.remove(account, old);
            // What the old desk wrote must be durable before the new one reads its rows back.
            settings.release().after(new Release.Line(), true, () -> open(account, old.generation + 1, old.fence,
                    settings.journal(), () -> settings.stored().apply(account), done,
                    failure -> log.error("account {}: reload failed", account, failure)));
        });
    }

    /** Runs a task on an account's desk thread with the desk (tests: look at its state, move its clock). */
    public void onDesk(String account, Consumer<Desk> task) {
        AccountDesk route = desks.get(account);
        route.thread.execute(() -> task.accept(route.desk));
    }

    /** The accounts this gate serves, in configuration order. */
    public List<String> accounts() {
        return List.copyOf(accounts.keySet());
    }

    /** Stops every desk thread after what they were given, within {@code timeoutMs}. */
    public void close(long timeoutMs) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (DeskThread thread : threads) {
            thread.shutdown(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
    }
}
