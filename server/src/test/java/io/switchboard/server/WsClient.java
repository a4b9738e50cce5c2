package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import io.switchboard.protocol.Codec;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** An independent test client: the JDK's WebSocket, decoding what arrives; waits have deadlines, never sleeps. */
final class WsClient implements WebSocket.Listener, AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(10);
    private static final Codec CODEC = new Codec();

    private final LinkedBlockingQueue<ServerMessage> inbox = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket socket;
    private int refs;

    private WsClient(URI uri) {
        this(uri, java.util.Map.of());
    }

    private WsClient(URI uri, java.util.Map<String, String> headers) {
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT);
        headers.forEach(builder::header);
        this.socket = builder
                .buildAsync(uri, this)
                .orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
                .join();
    }

    /** Connects and checks the server says welcome first. */
    static WsClient connect(int port) {
        return connect(URI.create("ws://127.0.0.1:" + port + "/ws"));
    }

    /** Connects with extra handshake headers, without waiting for anything. */
    static WsClient connectWith(int port, java.util.Map<String, String> headers) {
        return new WsClient(URI.create("ws://127.0.0.1:" + port + "/ws"), headers);
    }

    /** Connects to a WebSocket address and checks the server says welcome first. */
    static WsClient connect(URI uri) {
        WsClient client = new WsClient(uri);
        assertInstanceOf(ServerMessage.Welcome.class, client.next());
        return client;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            inbox.add(CODEC.decodeServerMessage(partial.toString()));
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    void send(Request request) {
        sendText(CODEC.encodeRequest(request));
    }

    /** Sends with a fresh ref and returns the ref. */
    String sendWithRef(Request request) {
        String ref = "ref-" + ++refs;
        sendText(CODEC.encodeRequest(ref, request));
        return ref;
    }

    void sendText(String text) {
        socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** Sends one text message as several frames. */
    void sendFragments(String... parts) {
        for (int i = 0; i < parts.length; i++) {
            socket.sendText(parts[i], i == parts.length - 1).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
        }
    }

    void sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The next message, waiting up to the deadline. */
    ServerMessage next() {
        try {
            ServerMessage message = inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (message == null) {
                fail("no message within " + WAIT);
            }
            return message;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    <T extends ServerMessage> T next(Class<T> type) {
        return assertInstanceOf(type, next());
    }

    /** Reads until a message of the type arrives, returning the ones passed over too. */
    <T extends ServerMessage> T await(Class<T> type, List<ServerMessage> passed) {
        while (true) {
            ServerMessage message = next();
            if (type.isInstance(message)) {
                return type.cast(message);
            }
            passed.add(message);
        }
    }

    /** Reads until this exact message arrives. */
    void awaitExactly(ServerMessage expected) {
        List<ServerMessage> passed = new ArrayList<>();
        while (true) {
            ServerMessage message = next();
            if (message.equals(expected)) {
                return;
            }
            passed.add(message);
            if (passed.size() > 1_000) {
                fail("no " + expected + " in " + passed);
            }
        }
    }

    <T extends ServerMessage> T await(Class<T> type) {
        return await(type, new ArrayList<>());
    }

    /** Sends a request with a ref and reads up to its ack, returning what came before it. */
    List<ServerMessage> call(Request request) {
        String ref = sendWithRef(request);
        List<ServerMessage> before = new ArrayList<>();
        while (true) {
            ServerMessage message = next();
            if (message instanceof ServerMessage.Ack ack && ack.ref().equals(ref)) {
                return before;
            }
            if (message instanceof ServerMessage.ErrorReply error && ref.equals(error.ref())) {
                fail("request " + request + " failed: " + error);
            }
            before.add(message);
        }
    }

    /** The bodies of a room's whole history, checking that its seqs run 1..n (no gap, no duplicate). */
    List<String> history(String room) {
        ServerMessage.History history = first(call(new Request.History(room, 0L)), ServerMessage.History.class);
        for (int i = 0; i < history.messages().size(); i++) {
            assertEquals(i + 1, history.messages().get(i).seq(), "seqs run 1..n");
        }
        return history.messages().stream().map(ServerMessage.Message::body).toList();
    }

    /** The first message of a type among those a {@link #call} returned; fails when there is none. */
    static <T extends ServerMessage> T first(List<ServerMessage> messages, Class<T> type) {
        return messages.stream().filter(type::isInstance).map(type::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " in " + messages));
    }

    /** The close status the server sent, waiting up to the deadline. */
    int awaitClose() {
        return closed.orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    void assertQuiet() {
        ServerMessage message = inbox.poll();
        assertEquals(null, message, "nothing more expected");
    }

    /** Drops the connection without a close handshake. */
    void abort() {
        socket.abort();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
