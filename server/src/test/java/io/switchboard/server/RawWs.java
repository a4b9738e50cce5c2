package io.switchboard.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Random;

/**
 * A WebSocket client on a plain socket, for what well-behaved clients cannot do: trickle a handshake, stay silent
 * (never answer a ping), never read, connect from another loopback address, send any Origin. Reads have deadlines.
 */
final class RawWs implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final Random random = new Random(7);

    /** A frame as read: its opcode and payload. */
    record Frame(int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeStatus() {
            return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
        }
    }

    RawWs(int port, String localAddress, int receiveBuffer) throws IOException {
        socket = new Socket();
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer);
        }
        if (localAddress != null) {
            socket.bind(new InetSocketAddress(localAddress, 0));
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout(10_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    static RawWs connect(int port) throws IOException {
        return new RawWs(port, null, 0);
    }

    void write(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The upgrade request; returns the status line and headers of the answer. */
    String handshake(String origin) throws IOException {
        return handshake(origin, "");
    }

    /** The upgrade request with more header lines (each ending in CRLF); returns the answer's head. */
    String handshake(String origin, String headers) throws IOException {
        byte[] key = new byte[16];
        random.nextBytes(key);
        write("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n") + headers + "\r\n");
        return head();
    }

    /** Reads the status line and headers of an HTTP answer. */
    String head() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Reads the rest of an HTTP answer (the body of an error). */
    String readRest() throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    void sendText(String text) throws IOException {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else {
            frame.write(0x80 | 126);
            frame.write(payload.length >> 8);
            frame.write(payload.length & 0xff);
        }
        byte[] mask = new byte[4];
        random.nextBytes(mask);
        frame.write(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        out.write(frame.toByteArray());
        out.flush();
    }

    /** The next frame, or null at the end of the stream; fails after the socket's read timeout. */
    Frame read() throws IOException {
        int first = in.read();
        if (first < 0) {
            return null;
        }
        int second = in.read();
        long length = second & 0x7f;
        if (length == 126) {
            length = (in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        return new Frame(first & 0x0f, in.readNBytes((int) length));
    }

    /** Reads frames until a text frame containing {@code part}. */
    Frame readTextContaining(String part) throws IOException {
        while (true) {
            Frame frame = read();
            if (frame == null) {
                throw new AssertionError("closed before a frame with " + part);
            }
            if (frame.opcode() == 1 && frame.text().contains(part)) {
                return frame;
            }
        }
    }

    /** True when the server closed the connection within the read timeout (nothing more to read). */
    boolean closedByServer() throws IOException {
        try {
            while (in.read() >= 0) {
                // drain
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
