package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.config.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode on a Redis Cluster (three masters, `redis-cli --cluster create`) instead of one Redis, through the same
 * `cluster.redis` key (`redis-cluster://seed,seed,seed`): two accounts whose keys land in different slots, two nodes,
 * a guest on one and an agent on the other, and the account moving when its owner stops.
 */
class RedisClusterModeTest {
    private static final String CONFIG = """
            {"host": "127.0.0.1", "port": 0,
             "accounts": [{"id": "default", "groups": [{"name": "default"}],
               "agents": [{"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "limit": 10}]},
              {"id": "acme", "groups": [{"name": "default"}],
               "agents": [{"user": "ann", "token": "ann-token-for-tests", "limit": 2}]}],
             "cluster": {"redis": "REDIS", "node": "n1", "lease_ms": 2000}}""";

    @TempDir
    Path dir;

    private RedisClusterProcess redis;
    private final List<SwitchboardServer> nodes = new ArrayList<>();

    @BeforeEach
    void start() throws InterruptedException {
        redis = RedisClusterProcess.start(dir.resolve("redis"));
        for (String id : List.of("n1", "n2")) {
            nodes.add(SwitchboardServer.start(ConfigLoader.parse(CONFIG.replace("REDIS", redis.url()), "test")
                    .withCluster(id, null)));
        }
    }

    @AfterEach
    void stop() {
        nodes.forEach(SwitchboardServer::close);
        if (redis != null) {
            redis.close();
        }
    }

    private SwitchboardServer owner(String account) {
        return ClusterNodes.awaitOwner(nodes, account);
    }

    private void chatAcrossNodes(String account, String user, String token, SwitchboardServer guestNode,
                                 SwitchboardServer agentNode) {
        try (WsClient guest = WsClient.connect(guestNode.port()); WsClient agent = WsClient.connect(agentNode.port())) {
            guest.call(new Request.Identify("carla", "my order", account, null, null, null));
            agent.call(new Request.Login(user, token));
            String room = WsClient.first(agent.call(new Request.Status(null, StatusOf.AVAILABILITY,
                    StatusIs.AVAILABLE)), ServerMessage.Joined.class).room();
            guest.call(new Request.Message(room, "hello " + account));
            agent.call(new Request.Message(room, "hello back"));
            assertEquals(List.of("hello " + account, "hello back"), guest.history(room));
        }
    }

    @Test
    void twoAccountsOnARedisClusterChatAcrossNodesAndMove() {
        for (String account : List.of("default", "acme")) {
            SwitchboardServer owner = owner(account);
            SwitchboardServer other = nodes.get(0) == owner ? nodes.get(1) : nodes.get(0);
            if (account.equals("default")) {
                chatAcrossNodes(account, "admin", "admin-token-for-tests", other, owner);
            } else {
                chatAcrossNodes(account, "ann", "ann-token-for-tests", owner, other);
            }
        }
        SwitchboardServer first = owner("default");
        nodes.remove(first);
        first.close();
        SwitchboardServer successor = owner("default");
        assertTrue(successor != first);
        try (WsClient admin = WsClient.connect(successor.port())) {
            ServerMessage.Snapshot snapshot = WsClient.first(admin.call(new Request.Login("admin",
                    "admin-token-for-tests")), ServerMessage.Snapshot.class);
            assertEquals(1, snapshot.rooms().size(), "the room came across with the account: " + snapshot);
            assertEquals(List.of("hello default", "hello back"), admin.history(snapshot.rooms().get(0).room()));
        }
    }
}
