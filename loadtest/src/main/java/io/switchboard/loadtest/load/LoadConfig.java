package io.switchboard.loadtest.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The Switchboard configuration the load test runs against: account {@code default} with group {@code default}
 * (automatic routing) and group {@code queue} (manual: the queue scenario's agent assists), agents {@code agent-1} to
 * {@code agent-N} (token {@code loadtest-token-N}, limit 10, both groups), the API key {@code loadtest}, and rate and
 * abuse limits high enough not to be what is measured (a load test is one address opening thousands of connections).
 * With several accounts ({@code chat --accounts N}), the first is {@code default} and the others {@code load-2} to
 * {@code load-N}, each with the same groups, and agent {@code agent-i} belongs to account {@link #accountOf}{@code
 * (i - 1, N)}. {@code java -jar switchboard-loadtest.jar config [--agents N]} prints it, to run a server yourself and
 * point {@code --url} at it.
 */
final class LoadConfig {
    private LoadConfig() {
    }

    /** Agent {@code agent-N}'s token. */
    static String token(int agent) {
        return "loadtest-token-" + agent;
    }

    static String json(int agents) {
        return json(agents, "fsync");
    }

    static String json(int agents, String durability) {
        return json(agents, durability, 1, 1);
    }

    /** The id of the account that client {@code index} (0-based, agents and guests alike) of a run belongs to. */
    static String accountOf(int index, int accounts) {
        int account = index % accounts;
        return account == 0 ? "default" : "load-" + (account + 1);
    }

    static String json(int agents, String durability, int accounts, int deskThreads) {
        return json(agents, durability, accounts, deskThreads, 0);
    }

    /** The same, sending email to an SMTP server on loopback at {@code smtpPort} (0: no email). */
    static String json(int agents, String durability, int accounts, int deskThreads, int smtpPort) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("durability", durability);
        if (deskThreads != 1) {
            root.put("desk_threads", deskThreads);
        }
        ArrayNode accountList = root.putArray("accounts");
        ArrayNode[] agentLists = new ArrayNode[accounts];
        for (int a = 0; a < accounts; a++) {
            String id = accountOf(a, accounts);
            ObjectNode account = accountList.addObject().put("id", id);
            // A secret names its account, so each has its own; the first account's is the one the scenarios use.
            account.putArray("api_keys").addObject().put("id", "loadtest")
                    .put("secret", a == 0 ? Target.API_KEY : Target.API_KEY + "-" + id);
            ArrayNode groups = account.putArray("groups");
            groups.addObject().put("name", "default");
            groups.addObject().put("name", "queue").put("routing", "manual");
            agentLists[a] = account.putArray("agents");
        }
        for (int i = 1; i <= Math.max(1, agents); i++) {
            agentLists[(i - 1) % accounts].addObject().put("user", "agent-" + i).put("token", token(i))
                    .put("limit", 10);
        }
        root.putObject("limits").put("requests_per_second", 100_000).put("request_burst", 100_000)
                .put("queue_position_calls_per_minute", 100_000).put("connections_per_address", 1_000_000)
                .put("identifies_per_address_per_minute", 1_000_000).put("max_queue_length", 1_000_000)
                .put("sse_streams_per_reservation", 1_000_000).put("sse_streams_per_address", 1_000_000)
                .put("failed_logins_per_minute", 1_000_000);
        if (smtpPort > 0) {
            root.putObject("smtp").put("host", "127.0.0.1").put("port", smtpPort).put("security", "none")
                    .put("from", "support@loadtest.example").put("reply_to", "support+{token}@loadtest.example")
                    .put("retry_max_ms", 1_000);
            ((ObjectNode) root.get("limits")).put("messages_per_address_per_hour", 1_000_000)
                    .put("guest_emails_per_address_per_hour", 1_000_000)
                    .put("guest_emails_per_account_per_hour", 1_000_000);
        }
        try {
            return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
