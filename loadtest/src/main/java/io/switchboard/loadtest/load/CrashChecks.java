package io.switchboard.loadtest.load;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the crash tests check after every restart or failover: every acknowledged message is in its room's history at
 * its seq, seqs run 1..n with no gap or duplicate; every acknowledged reservation has its status, and those still
 * queued keep their order.
 */
final class CrashChecks {
    private static final Pattern STATUS = Pattern.compile("\"reservation_status\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern POSITION = Pattern.compile("\"queuePosition\"\\s*:\\s*(\\d+)");
    private static final String QUEUED = "GROUP_RESERVATION_STATUS_QUEUED";
    private static final String CANCELED = "GROUP_RESERVATION_STATUS_CANCELED";

    /** A GET with the account's API key: the body of a 200, or null. */
    interface Get {
        String get(String path) throws Exception;
    }

    private CrashChecks() {
    }

    /** Reads every room with acknowledged messages back through one of its guests; returns how many were checked. */
    static long messages(Map<String, TreeMap<Long, String>> acked, List<CrashPeer> guests, int round,
                         List<String> failures) throws Exception {
        long checked = 0;
        for (Map.Entry<String, TreeMap<Long, String>> entry : acked.entrySet()) {
            String room = entry.getKey();
            CrashPeer reader = guests.stream().filter(guest -> room.equals(guest.room)).findFirst().orElse(null);
            if (reader == null) {
                failures.add("round " + round + ": no guest of room " + room + " to read it");
                continue;
            }
            List<ServerMessage.Message> history = new ArrayList<>();
            while (true) {
                ServerMessage reply = reader.call(new Request.History(room, (long) history.size()));
                ServerMessage.History page = reader.lastHistory;
                if (!(reply instanceof ServerMessage.Ack) || page == null) {
                    failures.add("round " + round + ": history of " + room + " refused: " + reply);
                    break;
                }
                history.addAll(page.messages());
                if (page.messages().size() < 500) {
                    break;
                }
            }
            for (int i = 0; i < history.size(); i++) {
                if (history.get(i).seq() != i + 1) {
                    failures.add("round " + round + ": room " + room + " seq " + history.get(i).seq() + " at place "
                            + (i + 1) + " (a gap or a duplicate)");
                    break;
                }
            }
            TreeMap<Long, String> messages = entry.getValue();
            synchronized (messages) {
                for (Map.Entry<Long, String> message : messages.entrySet()) {
                    long seq = message.getKey();
                    if (seq > history.size() || !history.get((int) seq - 1).body().equals(message.getValue())) {
                        failures.add("round " + round + ": room " + room + " lost acknowledged message seq " + seq
                                + " (" + message.getValue() + "); history has " + history.size());
                    }
                    checked++;
                }
            }
        }
        return checked;
    }

    /**
     * Reads every acknowledged reservation of an account's group {@code queue} back: its status is what was
     * acknowledged (canceled, or still queued; a cancel whose answer was lost may have taken effect), and the queued
     * ones are in the order they were created. Returns how many were checked.
     */
    static long reservations(Get get, String account, List<String> created, Set<String> canceled,
                             Set<String> cancelTried, int round, List<String> failures) throws Exception {
        long checked = 0;
        int lastPosition = 0;
        List<String> sids;
        synchronized (created) {
            sids = List.copyOf(created);
        }
        for (String sid : sids) {
            String body = get.get("/v1/companies/" + account + "/groups/queue/reservations/" + sid);
            Matcher status = body == null ? null : STATUS.matcher(body);
            String found = status != null && status.find() ? status.group(1) : "missing (" + body + ")";
            String expected = canceled.contains(sid) ? CANCELED : QUEUED;
            boolean allowed = found.equals(expected) || cancelTried.contains(sid) && found.equals(CANCELED);
            if (!allowed) {
                failures.add("round " + round + ": reservation " + sid + " of " + account + " is " + found
                        + " (acknowledged: " + expected + ")");
            }
            if (found.equals(QUEUED)) {
                String position = get.get("/v1/queuePosition/account/" + account + "/conversations/" + sid);
                Matcher place = position == null ? null : POSITION.matcher(position);
                int at = place != null && place.find() ? Integer.parseInt(place.group(1)) : -1;
                if (at <= lastPosition) {
                    failures.add("round " + round + ": reservation " + sid + " of " + account + " at place " + at
                            + " after place " + lastPosition + " (queue order changed)");
                }
                lastPosition = at;
            }
            checked++;
        }
        return checked;
    }

    /**
     * Every message left by email whose 201 arrived ({@code left}: the guest's address → the conversation) is still a
     * conversation of the account's {@code queue} group, and its guest got the mail it was owed (the sink got one for
     * the address, waiting up to {@code wait}): a mail is durable with its message, so one a kill caught before it
     * went out is sent after the restart, by the account's next owner in a cluster. Returns how many were checked.
     */
    static long mails(Get get, String account, Map<String, String> left, SmtpSink sink, java.time.Duration wait,
                      int round, List<String> failures) throws Exception {
        for (Map.Entry<String, String> entry : left.entrySet()) {
            if (get.get("/v1/companies/" + account + "/groups/queue/reservations/" + entry.getValue()) == null) {
                failures.add("round " + round + ": the message left by " + entry.getKey() + " (" + entry.getValue()
                        + ") is gone");
            }
        }
        long deadline = System.nanoTime() + wait.toNanos();
        while (System.nanoTime() < deadline && !left.keySet().stream().allMatch(sink.received::containsKey)) {
            Thread.sleep(20); // the sink fills as the server sends: waiting for it, with a deadline
        }
        for (String address : left.keySet()) {
            if (!sink.received.containsKey(address)) {
                failures.add("round " + round + ": " + address + " left a message (acknowledged) and never got its "
                        + "confirmation");
            }
        }
        return left.size();
    }
}
