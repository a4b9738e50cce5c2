package io.switchboard.server;

import static io.switchboard.server.Chromium.bodies;
import static io.switchboard.server.Chromium.guestBodies;
import static io.switchboard.server.Chromium.waitFor;
import static io.switchboard.server.Chromium.waitForWidget;
import static io.switchboard.server.Chromium.widget;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.switchboard.server.config.ConfigLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The console and the widget, unchanged, against a cluster: three nodes on a real redis-server, the console loaded from
 * one node that does not own the account and the widget's demo page from another, so both are relayed to the owner.
 * Then the owner stops: both pages come back by themselves (1012, reconnect, resume) to a new owner, and the
 * conversation goes on with every message once.
 */
class ClusterBrowserTest {
    @TempDir
    Path temp;

    private RedisProcess redis;
    private final List<SwitchboardServer> nodes = new ArrayList<>();
    private Chromium chromium;

    @BeforeEach
    void start() throws Exception {
        chromium = Chromium.start(temp);
        redis = RedisProcess.start(temp.resolve("redis"));
        String config = """
                {"host": "127.0.0.1", "port": 0,
                 "accounts": [{"id": "default", "groups": [{"name": "default"}],
                   "agents": [{"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "limit": 5}]}],
                 "cluster": {"redis": "%s", "node": "n1", "lease_ms": 2000}}""".formatted(redis.url());
        for (String id : List.of("n1", "n2", "n3")) {
            nodes.add(SwitchboardServer.start(ConfigLoader.parse(config, "browser cluster test").withCluster(id,
                    null)));
        }
    }

    @AfterEach
    void stop() {
        if (chromium != null) {
            chromium.close();
        }
        nodes.forEach(SwitchboardServer::close);
        if (redis != null) {
            redis.close();
        }
    }

    private SwitchboardServer owner() {
        return ClusterNodes.awaitOwner(nodes, "default");
    }

    @Test
    void theConsoleAndTheWidgetWorkThroughOtherNodesAndComeBackAfterTheOwnerStops() {
        SwitchboardServer owner = owner();
        List<SwitchboardServer> edges = nodes.stream().filter(node -> node != owner).toList();
        WebDriver agent = chromium.open();
        agent.get("http://127.0.0.1:" + edges.get(0).port() + "/console");
        agent.findElement(By.id("user")).sendKeys("admin");
        agent.findElement(By.id("token")).sendKeys("admin-token-for-tests");
        agent.findElement(By.cssSelector("#sign-in-form button")).click();
        waitFor(agent, a -> a.findElement(By.id("who")).getText().contains("admin"), "the console signed in");

        WebDriver guest = chromium.open();
        guest.get("http://127.0.0.1:" + edges.get(1).port() + "/demo");
        waitForWidget(guest);
        widget(guest).findElement(By.cssSelector(".launcher")).click();
        widget(guest).findElement(By.cssSelector("#sb-name")).sendKeys("Ada");
        widget(guest).findElement(By.cssSelector("#sb-question")).sendKeys("Where is my order?");
        widget(guest).findElement(By.cssSelector("form.start button")).click();
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".place")).getText().equals("1"), "place 1");
        new Select(agent.findElement(By.id("availability"))).selectByValue("available");
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".agent-line")).getText()
                .equals("You are chatting with admin."), "the guest is with admin");
        widget(guest).findElement(By.cssSelector(".composer textarea")).sendKeys("Hello across nodes", Keys.ENTER);
        waitFor(agent, a -> bodies(a.findElement(By.cssSelector(".panel"))).contains("Hello across nodes"),
                "the agent has the guest's message");
        agent.findElement(By.cssSelector(".panel .composer textarea")).sendKeys("Hello back", Keys.ENTER);
        waitFor(guest, g -> guestBodies(g).contains("Hello back"), "the guest has the agent's message");

        // The owner stops: both pages are told 1012, reconnect to the node they came from, and resume there.
        nodes.remove(owner);
        owner.close();
        waitFor(agent, a -> a.findElement(By.id("connection")).getText().equals("Connected")
                && bodies(a.findElement(By.cssSelector(".panel"))).size() == 2, "the console is back");
        agent.findElement(By.cssSelector(".panel .composer textarea")).sendKeys("After the move", Keys.ENTER);
        waitFor(guest, g -> guestBodies(g).equals(List.of("Hello across nodes", "Hello back", "After the move")),
                "the widget is back, each message once");
        widget(guest).findElement(By.cssSelector(".composer textarea")).sendKeys("Still here", Keys.ENTER);
        waitFor(agent, a -> bodies(a.findElement(By.cssSelector(".panel"))).contains("Still here"),
                "the guest's message after the move arrives");
        assertEquals(List.of("Hello across nodes", "Hello back", "After the move", "Still here"),
                bodies(agent.findElement(By.cssSelector(".panel"))));
    }
}
