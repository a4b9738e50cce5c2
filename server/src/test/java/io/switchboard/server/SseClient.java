package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a {@code text/event-stream} with the JDK's {@code HttpClient}: a reader thread parses blocks (separated by a
 * blank line) into a queue; waits have deadlines. Closing it drops the connection.
 */
final class SseClient implements AutoCloseable {
    /** One block of the stream: its fields in order ({@code name} to value; comments have the name ""). */
    record Block(List<String[]> fields) {
        String field(String name) {
            for (String[] field : fields) {
                if (field[0].equals(name)) {
                    return field[1];
                }
            }
            return null;
        }

        boolean isEvent() {
            return field("data") != null;
        }
    }

    private static final Block END = new Block(List.of());

    final HttpResponse<InputStream> response;
    private final LinkedBlockingQueue<Block> blocks = new LinkedBlockingQueue<>();
    private final Thread reader;

    SseClient(Http http, String path, String lastEventId) {
        HttpRequest.Builder request = http.request(path, null).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        try {
            response = http.client.sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream())
                    .get(Http.WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AssertionError("GET " + path + " failed", e);
        }
        reader = new Thread(this::read, "sse-client");
        reader.setDaemon(true);
        reader.start();
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(),
                StandardCharsets.UTF_8))) {
            List<String[]> fields = new ArrayList<>();
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (!fields.isEmpty()) {
                        blocks.add(new Block(fields));
                        fields = new ArrayList<>();
                    }
                    continue;
                }
                int colon = line.indexOf(':');
                String name = colon < 0 ? line : line.substring(0, colon);
                String value = colon < 0 ? "" : line.substring(colon + 1);
                fields.add(new String[] {name, value.startsWith(" ") ? value.substring(1) : value});
            }
        } catch (IOException e) {
            // The stream ended or was closed: END follows.
        } finally {
            blocks.add(END);
        }
    }

    /** The next block of any kind, or fails at the deadline or at the end of the stream. */
    Block next() {
        try {
            Block block = blocks.poll(Http.WAIT.toMillis(), TimeUnit.MILLISECONDS);
            if (block == null) {
                fail("no SSE block within " + Http.WAIT);
            }
            if (block == END) {
                blocks.add(END);
                fail("the SSE stream ended");
            }
            return block;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next event (a block with data), passing over comments and retry hints. */
    Block nextEvent() {
        while (true) {
            Block block = next();
            if (block.isEvent()) {
                return block;
            }
        }
    }

    /** Waits for the server to end the stream. */
    void awaitEnd() {
        while (true) {
            try {
                Block block = blocks.poll(Http.WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (block == null) {
                    fail("the SSE stream did not end within " + Http.WAIT);
                }
                if (block == END) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
