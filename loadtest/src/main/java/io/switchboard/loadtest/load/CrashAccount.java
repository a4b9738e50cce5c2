package io.switchboard.loadtest.load;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One account of {@code cluster-crash}: its agents and guests, the REST reservations whose creation was
 * acknowledged, those whose cancel was tried or acknowledged (what {@link CrashChecks#reservations} reads back), and
 * the messages left by email whose 201 arrived ({@link CrashChecks#mails}).
 */
final class CrashAccount {
    private static final Pattern SID = Pattern.compile("\"reservation_sid\"\\s*:\\s*\"([^\"]+)\"");

    final String id;
    final String apiKey;
    final List<CrashPeer> agents = new ArrayList<>();
    final List<CrashPeer> guests = new ArrayList<>();
    final List<String> created = new ArrayList<>();
    final Set<String> cancelTried = ConcurrentHashMap.newKeySet();
    final Set<String> canceled = ConcurrentHashMap.newKeySet();
    /** Messages left by email whose 201 arrived: the guest's address → the conversation's sid. */
    final java.util.Map<String, String> left = new ConcurrentHashMap<>();
    private static final Pattern CONVERSATION = Pattern.compile("\"conversation\"\\s*:\\s*\"([^\"]+)\"");

    /** Account {@code index} of LoadConfig's {@code accounts} (with its own API key). */
    CrashAccount(int index, int accounts) {
        this.id = LoadConfig.accountOf(index, accounts);
        this.apiKey = index == 0 ? Target.API_KEY : Target.API_KEY + "-" + id;
    }

    List<CrashPeer> peers() {
        List<CrashPeer> all = new ArrayList<>(agents);
        all.addAll(guests);
        return all;
    }

    /** A GET with this account's key through {@code node}: the body of a 200, or null. */
    String get(HttpClient http, Target node, String path, Duration timeout) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(node.http.resolve(path)).timeout(timeout)
                .header("Authorization", "Bearer " + apiKey).GET().build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() == 200 ? response.body() : null;
    }

    /**
     * One REST call through {@code node}: a message left by email (one time in five), a cancel of an earlier
     * reservation (one time in four of the rest), or a new reservation ({@code name} its external user id); what was
     * acknowledged is noted.
     */
    void call(HttpClient http, Target node, Random random, String name) throws Exception {
        if (random.nextInt(5) == 0) {
            // A message left by email (in the manual group: it waits there, so its mail is all it causes).
            String address = name + "@" + id + ".loadtest.example";
            HttpResponse<String> response = post(http, node, "/v1/widget/" + id + "/queue/messages", "{\"user\":"
                    + "\"Guest\",\"email\":\"" + address + "\",\"body\":\"left by " + name + "\"}");
            Matcher conversation = CONVERSATION.matcher(response.body());
            if (response.statusCode() == 201 && conversation.find()) {
                left.put(address, conversation.group(1));
            }
            return;
        }
        String sid = null;
        synchronized (created) {
            if (!created.isEmpty() && random.nextInt(4) == 0) {
                sid = created.get(random.nextInt(created.size()));
            }
        }
        if (sid != null) {
            if (cancelTried.add(sid) && post(http, node, "/v1/companies/" + id + "/groups/queue/reservations/" + sid
                    + "/cancel", null).statusCode() == 200) {
                canceled.add(sid);
            }
            return;
        }
        HttpResponse<String> response = post(http, node, "/v1/companies/" + id + "/groups/queue/reservations",
                "{\"external_user_id\":\"" + name + "\"}");
        Matcher made = SID.matcher(response.body());
        if (response.statusCode() == 201 && made.find()) {
            synchronized (created) {
                created.add(made.group(1));
            }
        }
    }

    private HttpResponse<String> post(HttpClient http, Target node, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(node.http.resolve(path)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
    }
}
