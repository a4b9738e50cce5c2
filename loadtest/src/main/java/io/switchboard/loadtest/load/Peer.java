package io.switchboard.loadtest.load;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A blocking WebSocket client for the checking commands ({@code disk-full}): frames as text, read in order, every
 * wait with a deadline. Frames passed over while waiting for a reply are kept, so an echo can be found after its ack.
 */
final class Peer implements WebSocket.Listener, AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Pattern SEQ = Pattern.compile("\"seq\":(\\d+)");

    private final LinkedBlockingQueue<String> inbox = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private final List<String> passed = new ArrayList<>();
    private WebSocket socket;

    private Peer() {
    }

    /** Connects to the server's {@code /ws} (the HTTP base given). */
    static Peer connect(URI http) throws Exception {
        Peer peer = new Peer();
        URI ws = URI.create("ws://" + http.getHost() + ":" + http.getPort() + "/ws");
        peer.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(WAIT).buildAsync(ws, peer)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return peer;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            inbox.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    void send(String text) {
        socket.sendText(text, true).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    /** The next frame, within the deadline. */
    String next() throws InterruptedException {
        String text = inbox.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (text == null) {
            throw new IllegalStateException("no frame within " + WAIT);
        }
        return text;
    }

    /** The next frame that contains {@code part}; the ones before it are kept. */
    String until(String part) throws InterruptedException {
        while (true) {
            String text = next();
            if (text.contains(part)) {
                return text;
            }
            remember(text);
        }
    }

    /** The {@code ack} or {@code error} of a request, within the deadline. */
    String reply(String ref) throws InterruptedException {
        return until("\"ref\":\"" + ref + "\"");
    }

    /** The {@code ack} or {@code error} of a request, or null when none came within {@code seconds}. */
    String replyWithin(String ref, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String text = inbox.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (text == null) {
                return null;
            }
            if (text.contains("\"ref\":\"" + ref + "\"")) {
                return text;
            }
            remember(text);
        }
    }

    /** The seq of the passed-over {@code message} frame whose body starts with {@code bodyStart}; -1 if none. */
    long seqOf(String bodyStart) {
        for (int i = passed.size() - 1; i >= 0; i--) {
            String text = passed.get(i);
            if (text.contains("\"type\":\"message\"") && text.contains("\"body\":\"" + bodyStart)) {
                Matcher seq = SEQ.matcher(text);
                return seq.find() ? Long.parseLong(seq.group(1)) : -1;
            }
        }
        return -1;
    }

    private void remember(String text) {
        passed.add(text);
        if (passed.size() > 10_000) {
            passed.subList(0, 5_000).clear();
        }
    }

    @Override
    public void close() {
        socket.abort();
    }
}
