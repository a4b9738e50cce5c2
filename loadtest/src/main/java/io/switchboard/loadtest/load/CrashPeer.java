package io.switchboard.loadtest.load;

import io.switchboard.protocol.Codec;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One WebSocket client of the crash tests ({@code crash}, {@code cluster-crash}): a guest or an agent, kept across
 * rounds by its session. Each message it sends has a ref; once its ack arrives (after its echo, which carries its
 * seq), the message is recorded as acknowledged at that seq, for the checks after a restart.
 */
final class CrashPeer implements WebSocket.Listener {
    private static final Codec CODEC = new Codec();
    final String name;
    volatile String session;
    /** A guest's room. */
    volatile String room;
    /** An agent's open rooms. */
    final Set<String> rooms = ConcurrentHashMap.newKeySet();
    final AtomicInteger inFlight = new AtomicInteger();
    private WebSocket socket;
    private final StringBuilder partial = new StringBuilder();
    private final Map<String, String> bodyByRef = new ConcurrentHashMap<>();
    private final Map<String, String> roomByRef = new ConcurrentHashMap<>();
    private final Map<String, Long> seqByBody = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> waiting = new ConcurrentHashMap<>();
    private final Map<String, ServerMessage> replies = new ConcurrentHashMap<>();
    volatile ServerMessage.History lastHistory;
    private int refs;

    private final HttpClient http;
    private final Duration wait;
    private final Map<String, TreeMap<Long, String>> acked;
    private final List<String> failures;
    /** The node (its index) this peer is connected to now, for the cluster's checks. */
    volatile int node = -1;
    /** Text frames received since {@link #mark} (the cluster crash's zombie check). */
    final AtomicInteger sinceMark = new AtomicInteger();
    /** The first of those frames (for the failure's message). */
    final List<String> seenSinceMark = java.util.Collections.synchronizedList(new ArrayList<>());
    private volatile boolean marked;
    /** The last frames received (diagnostics of a failed run). */
    private final java.util.ArrayDeque<String> recent = new java.util.ArrayDeque<>();

    /** The last frames received, and what was sent last. */
    String lastFrames() {
        synchronized (recent) {
            return recent + " close " + closeStatus + ", last sent " + lastSent;
        }
    }

    private volatile String lastSent;

    /** When the last text frame arrived (System.nanoTime). */
    volatile long lastFrameNanos = System.nanoTime();
    /** The close status the server sent last (0: none). */
    volatile int closeStatus;

    CrashPeer(String name, HttpClient http, Duration wait, Map<String, TreeMap<Long, String>> acked,
              List<String> failures) {
        this.name = name;
        this.http = http;
        this.wait = wait;
        this.acked = acked;
        this.failures = failures;
    }

    /**
     * Chat for {@code millis}: every sender with a room keeps up to four messages in flight to it (a guest to its
     * room, an agent to one of its rooms chosen with {@code random}).
     */
    static void chat(List<CrashPeer> senders, Random random, long millis) {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (System.nanoTime() < end) {
            boolean sent = false;
            for (CrashPeer peer : senders) {
                String room = peer.room != null ? peer.room : peer.anyRoom(random);
                if (room != null && peer.inFlight.get() < 4) {
                    peer.sendMessage(room);
                    sent = true;
                }
            }
            if (!sent) {
                Thread.onSpinWait();
            }
        }
    }

    /** From now on, count the text frames that arrive. */
    void mark() {
        sinceMark.set(0);
        marked = true;
    }

    void connect(URI ws) throws Exception {
        closeStatus = 0;
        socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).buildAsync(ws, this)
                .get(wait.toSeconds(), TimeUnit.SECONDS);
    }

    void abort() {
        if (closeStatus == 0) {
            closeStatus = 1006;
        }
        if (socket != null) {
            socket.abort();
            socket = null;
        }
        inFlight.set(0);
        bodyByRef.clear();
        roomByRef.clear();
        waiting.values().forEach(CountDownLatch::countDown);
    }

    String anyRoom(Random random) {
        List<String> open = new ArrayList<>(rooms);
        return open.isEmpty() ? null : open.get(random.nextInt(open.size()));
    }

    /** Sends a request and waits for its ack or error. */
    ServerMessage call(Request request) throws Exception {
        String ref = name + "-c" + ++refs;
        CountDownLatch done = new CountDownLatch(1);
        waiting.put(ref, done);
        if (closeStatus != 0 || socket == null) {
            // The server closed this connection already (1012: its account moved), or it was given up: no answer
            // will come.
            waiting.remove(ref);
            return null;
        }
        send(ref, request);
        if (!done.await(wait.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " (on node " + (node + 1) + "): no answer to " + request + " within "
                    + wait);
        }
        return replies.remove(ref);
    }

    void sendMessage(String toRoom) {
        String ref = name + "-m" + ++refs;
        String body = name + " #" + refs;
        bodyByRef.put(ref, body);
        roomByRef.put(ref, toRoom);
        inFlight.incrementAndGet();
        send(ref, new Request.Message(toRoom, body));
    }

    private synchronized void send(String ref, Request request) {
        lastSent = ref + (socket == null ? " (no socket)" : "");
        if (socket != null) {
            socket.sendText(CODEC.encodeRequest(ref, request), true).join();
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            lastFrameNanos = System.nanoTime();
            synchronized (recent) {
                recent.addLast(partial.length() > 100 ? partial.substring(0, 100) : partial.toString());
                if (recent.size() > 8) {
                    recent.removeFirst();
                }
            }
        }
        if (last && marked && sinceMark.incrementAndGet() <= 3) {
            seenSinceMark.add(partial.length() > 160 ? partial.substring(0, 160) : partial.toString());
        }
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            try {
                handle(CODEC.decodeServerMessage(text));
            } catch (RuntimeException e) {
                // Reported, and the connection goes on reading (a listener that throws would read nothing more).
                synchronized (failures) {
                    failures.add(name + " could not handle a frame (" + e + "): " + text);
                }
            }
        }
        webSocket.request(1);
        return null;
    }

    private void handle(ServerMessage message) {
        if (message instanceof ServerMessage.Identified identified) {
            session = identified.session();
        } else if (message instanceof ServerMessage.Joined joined) {
            if (name.startsWith("guest")) {
                room = joined.room();
            } else {
                rooms.add(joined.room());
            }
        } else if (message instanceof ServerMessage.End end) {
            rooms.remove(end.room());
        } else if (message instanceof ServerMessage.History history) {
            lastHistory = history;
        } else if (message instanceof ServerMessage.Message chat && chat.user().equals(name)) {
            seqByBody.put(chat.body(), chat.seq());
        } else if (message instanceof ServerMessage.Ack ack) {
            String body = bodyByRef.remove(ack.ref());
            if (body != null) {
                String toRoom = roomByRef.remove(ack.ref());
                Long seq = seqByBody.remove(body);
                inFlight.decrementAndGet();
                if (seq == null) {
                    synchronized (failures) {
                        failures.add(name + ": ack of " + body + " before its echo");
                    }
                } else {
                    TreeMap<Long, String> roomMessages = acked.computeIfAbsent(toRoom, id -> new TreeMap<>());
                    synchronized (roomMessages) {
                        roomMessages.put(seq, body);
                    }
                }
            }
            reply(ack.ref(), ack);
        } else if (message instanceof ServerMessage.ErrorReply error && error.ref() != null) {
            if (bodyByRef.remove(error.ref()) != null) {
                inFlight.decrementAndGet();
            }
            reply(error.ref(), error);
        }
    }

    private void reply(String ref, ServerMessage message) {
        CountDownLatch done = waiting.remove(ref);
        if (done != null) {
            replies.put(ref, message);
            done.countDown();
        }
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closeStatus = statusCode;
        // Whatever waited for an answer on this connection gets none (null) now, not at the deadline.
        waiting.values().forEach(CountDownLatch::countDown);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        // The server was killed (expected): the connection is gone, and nothing waiting on it gets an answer.
        if (closeStatus == 0) {
            closeStatus = 1006;
        }
        waiting.values().forEach(CountDownLatch::countDown);
    }
}
