package io.switchboard.server.transport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The agent console ({@code /console}), the guest widget ({@code /widget.js}) and its demo page ({@code /demo}):
 * small static files from the jar, read once at start. {@code /widget.js} is one bundle: {@code widget.css} as a
 * string, then {@code client.js}, {@code view-kit.js}, {@code widget-state.js}, {@code widget-away-view.js}, {@code
 * widget-view.js} and {@code widget-main.js}, inside one function, so a page that embeds it gets no globals. {@code /console.js} is the console's
 * bundle the same way ({@code client.js}, {@code view-kit.js}, {@code console-state.js}, {@code console-view.js},
 * {@code console-main.js}): one script is one
 * connection fewer per console, and connections per address are counted. The pure modules are also served alone
 * (their test page loads them). Pages carry a Content-Security-Policy that allows only this server's own scripts and
 * connections.
 */
final class StaticFiles {
    /** A file as served: its bytes, content type and extra headers. */
    record File(byte[] bytes, String contentType, Map<String, String> headers) {
    }

    private static final String PAGE_POLICY = "default-src 'self'; script-src 'self'; style-src 'self' "
            + "'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; "
            + "frame-ancestors 'none'";
    private static final Map<String, String> PAGE_HEADERS = Map.of(
            "Content-Security-Policy", PAGE_POLICY,
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "no-referrer",
            "Cache-Control", "no-cache");
    private static final Map<String, String> ASSET_HEADERS = Map.of(
            "X-Content-Type-Options", "nosniff",
            "Cache-Control", "no-cache");
    private static final String HTML = "text/html; charset=utf-8";
    private static final String JS = "text/javascript; charset=utf-8";
    private static final String CSS = "text/css; charset=utf-8";

    private final Map<String, File> files;

    StaticFiles() {
        String client = read("client.js");
        String viewKit = read("view-kit.js");
        String widgetState = read("widget-state.js");
        // The board comes first: console-state.js uses it (and the browser tests load the two as this one file).
        String consoleState = read("console-board.js") + "\n" + read("console-state.js");
        String widget = bundle("const WIDGET_CSS = " + jsString(read("widget.css")) + ";", client, viewKit,
                widgetState, read("widget-away-view.js"), read("widget-view.js"), read("widget-main.js"));
        String console = bundle("", client, viewKit, consoleState, read("console-workspace.js"), read("console-view.js"),
                read("console-main.js"));
        files = Map.ofEntries(
                Map.entry("console", new File(bytes(read("console.html")), HTML, PAGE_HEADERS)),
                Map.entry("console.js", new File(bytes(console), JS, ASSET_HEADERS)),
                Map.entry("console-state.js", new File(bytes(consoleState), JS, ASSET_HEADERS)),
                Map.entry("console.css", new File(bytes(read("console.css")), CSS, ASSET_HEADERS)),
                Map.entry("client.js", new File(bytes(client), JS, ASSET_HEADERS)),
                Map.entry("view-kit.js", new File(bytes(viewKit), JS, ASSET_HEADERS)),
                Map.entry("widget-state.js", new File(bytes(widgetState), JS, ASSET_HEADERS)),
                Map.entry("widget.js", new File(bytes(widget), JS, ASSET_HEADERS)),
                // The push worker, for the demo page; a site that embeds the widget serves its own copy.
                Map.entry("switchboard-push.js", new File(bytes(read("switchboard-push.js")), JS, ASSET_HEADERS)),
                Map.entry("demo", new File(bytes(read("demo.html")), HTML, PAGE_HEADERS)));
    }

    /** The names of the files (each served at {@code /name}). */
    java.util.Set<String> names() {
        return files.keySet();
    }

    /** The file at a one-segment path, or null. */
    File find(String name) {
        return files.get(name);
    }

    private static String read(String name) {
        try (InputStream in = StaticFiles.class.getResourceAsStream("/web/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /web/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Scripts inside one function, in order: they share its scope and leave nothing global. */
    private static String bundle(String prelude, String... scripts) {
        return "(function () {\n\"use strict\";\n" + prelude + "\n" + String.join("\n", scripts) + "\n})();\n";
    }

    /** Text as a JavaScript string literal (JSON's escaping, which JavaScript reads the same). */
    private static String jsString(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
