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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server stopped and started again on its data directory, in this process: sessions resume, an open room goes on
 * with the next seq, an agent keeps what they set, and the history of a room that ended (whose transcript then lives
 * only in the store) is whole, before and after the restart.
 */
class RestartTest {
    private static final String CONFIG = """
            {"accounts": [{"id": "default", "groups": [{"name": "default"}],
               "agents": [{"user": "bob", "token": "bob-token-for-tests", "limit": 3}]}]}""";

    @TempDir
    Path data;

    private SwitchboardServer start() throws InterruptedException {
        ServerConfig config = ConfigLoader.parse(CONFIG, "test").with(null, 0, data.toString());
        return SwitchboardServer.start(config);
    }

    private static String join(WsClient guest, String user) {
        return WsClient.first(guest.call(Request.Identify.guest(user, "a question from " + user)),
                ServerMessage.Joined.class).room();
    }

    @Test
    void everythingComesBackAfterARestart() throws Exception {
        String bobSession;
        String adaSession;
        String openRoom;
        String endedRoom;
        SwitchboardServer first = start();
        try (WsClient bob = WsClient.connect(first.port()); WsClient ada = WsClient.connect(first.port());
             WsClient max = WsClient.connect(first.port())) {
            bobSession = WsClient.first(bob.call(new Request.Login("bob", "bob-token-for-tests")),
                    ServerMessage.Identified.class).session();
            bob.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            endedRoom = join(max, "max");
            max.call(new Request.Message(endedRoom, "one"));
            bob.call(new Request.Message(endedRoom, "two"));
            bob.call(new Request.End(endedRoom));
            // Another turn after the end is durable: the room's messages now live only in the store.
            max.call(new Request.Ping());
            assertEquals(List.of("one", "two"), max.history(endedRoom), "history of an ended room");

            List<ServerMessage> joined = ada.call(Request.Identify.guest("ada", "still open"));
            adaSession = WsClient.first(joined, ServerMessage.Identified.class).session();
            openRoom = WsClient.first(joined, ServerMessage.Joined.class).room();
            ada.call(new Request.Message(openRoom, "hello"));
            bob.call(new Request.Limit(2, null));
        } finally {
            first.close();
        }

        SwitchboardServer second = start();
        try (WsClient bob = WsClient.connect(second.port()); WsClient ada = WsClient.connect(second.port())) {
            List<ServerMessage> back = ada.call(new Request.Resume(adaSession));
            assertTrue(back.stream().anyMatch(m -> m instanceof ServerMessage.Joined joined
                    && joined.room().equals(openRoom)), "ada is back in her room: " + back);
            List<ServerMessage> agent = bob.call(new Request.Resume(bobSession));
            ServerMessage.Snapshot snapshot = WsClient.first(agent, ServerMessage.Snapshot.class);
            assertEquals(2, snapshot.agents().get(0).limit(), "bob's limit survived");
            assertEquals(StatusIs.AVAILABLE, snapshot.agents().get(0).availability(), "and his availability");
            assertEquals(List.of("hello"), ada.history(openRoom));
            ada.call(new Request.Message(openRoom, "after the restart"));
            assertEquals(List.of("hello", "after the restart"), bob.history(openRoom), "the next seq is 2");
            assertEquals(List.of("one", "two"), bob.history(endedRoom), "an ended room's history after a restart");
        } finally {
            second.close();
        }
    }
}
