package io.switchboard.loadtest.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mail server for the crash test on loopback: it speaks just enough SMTP (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP,
 * QUIT) to take every mail it is given, and keeps, per recipient, how many mails arrived and their Message-IDs, so the
 * crash test can check that every mail the server owed was sent (at least once) across kills. Bounded: at most 64
 * connections at once, 1 MB per mail.
 */
final class SmtpSink implements AutoCloseable {
    private static final int MAX_MAIL = 1 << 20;

    private final ServerSocket socket;
    private final Thread acceptor;
    private final AtomicInteger open = new AtomicInteger();
    /** Recipient → the Message-IDs of the mails it got (a mail sent twice is counted twice). */
    final Map<String, java.util.List<String>> received = new ConcurrentHashMap<>();

    SmtpSink() throws IOException {
        socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(this::accept, "smtp-sink");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return socket.getLocalPort();
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                if (open.incrementAndGet() > 64) {
                    open.decrementAndGet();
                    client.close();
                    continue;
                }
                Thread session = new Thread(() -> serve(client), "smtp-sink-session");
                session.setDaemon(true);
                session.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            client.setSoTimeout(30_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(),
                    StandardCharsets.UTF_8));
            OutputStream out = client.getOutputStream();
            say(out, "220 sink ESMTP");
            java.util.List<String> recipients = new java.util.ArrayList<>();
            String line;
            while ((line = in.readLine()) != null) {
                String command = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
                switch (command) {
                    case "EHLO", "HELO" -> say(out, "250 sink");
                    case "MAIL" -> {
                        recipients.clear();
                        say(out, "250 ok");
                    }
                    case "RCPT" -> {
                        recipients.add(line.replaceAll("(?i).*<([^>]*)>.*", "$1").toLowerCase(java.util.Locale.ROOT));
                        say(out, "250 ok");
                    }
                    case "DATA" -> {
                        say(out, "354 go on");
                        StringBuilder mail = new StringBuilder();
                        String data;
                        while ((data = in.readLine()) != null && !data.equals(".")) {
                            if (mail.length() < MAX_MAIL) {
                                mail.append(data).append('\n');
                            }
                        }
                        String id = mail.toString().replaceAll("(?is).*?^Message-ID:\\s*(\\S+).*", "$1");
                        for (String to : recipients) {
                            received.computeIfAbsent(to, key -> java.util.Collections.synchronizedList(
                                    new java.util.ArrayList<>())).add(id);
                        }
                        say(out, "250 taken");
                    }
                    case "QUIT" -> {
                        say(out, "221 bye");
                        return;
                    }
                    default -> say(out, "250 ok");
                }
            }
        } catch (IOException e) {
            // The server went away mid-mail (it was killed): that mail is owed again.
        } finally {
            open.decrementAndGet();
        }
    }

    private static void say(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
