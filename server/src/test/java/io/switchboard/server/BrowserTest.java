package io.switchboard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.switchboard.server.Chromium.bodies;
import static io.switchboard.server.Chromium.classes;
import static io.switchboard.server.Chromium.guestBodies;
import static io.switchboard.server.Chromium.screenshot;
import static io.switchboard.server.Chromium.waitFor;
import static io.switchboard.server.Chromium.waitForWidget;
import static io.switchboard.server.Chromium.widget;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.SearchContext;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console and the widget in a real browser: Debian's headless Chromium driven through chromedriver, against a
 * server on loopback. An agent signs in on {@code /console}, a guest starts a chat on {@code /demo} and sees their
 * place, the agent takes them, both chat with typing shown, a guest's HTML stays text, the guest reloads and the
 * conversation goes on, both connections drop and come back without losing or repeating a message, the agent ends it.
 * Screenshots go to {@code target/screenshots}. Without Chromium the tests are skipped, except under CI
 * ({@code CI} set), where they fail: {@code .ci/run} installs it.
 */
class BrowserTest {

    @TempDir
    Path temp;

    private SwitchboardServer server;
    private String base;
    private Chromium chromium;
    private HttpServer shop;

    @BeforeEach
    void start() throws Exception {
        chromium = Chromium.start(temp);
        int port = freePort();
        int shopPort = freePort();
        base = "http://127.0.0.1:" + port;
        String config = """
                {"port": %d,
                 "allowed_origins": ["http://127.0.0.1:%d", "http://localhost:%d"],
                 "accounts": [{"id": "default", "groups": [{"name": "default"}],
                   "agents": [
                     {"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "limit": 5},
                     {"user": "bob", "token": "bob-token-for-tests", "limit": 2},
                     {"user": "carol", "token": "carol-token-for-tests", "limit": 2}]}]}"""
                .formatted(port, port, shopPort);
        server = SwitchboardServer.start(ConfigLoader.parse(config, "browser test")
                .with(null, null, temp.resolve("data").toString()));
        // Another website that embeds the widget: a different origin (another host name and port).
        shop = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), shopPort), 0);
        byte[] page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shop</title></head>"
                + "<body><h1>Another shop</h1><script src=\"" + base + "/widget.js\" data-title=\"Ask us\" async>"
                + "</script></body></html>").getBytes(StandardCharsets.UTF_8);
        shop.createContext("/", exchange -> serve(exchange, "text/html; charset=utf-8", page));
        // The tests of the pure browser modules, on the shop's origin, loading the modules from the server.
        byte[] tests = resource("web-test/state-test.html").replace("{{BASE}}", base).getBytes(StandardCharsets.UTF_8);
        byte[] testScript = resource("web-test/state-test.js").getBytes(StandardCharsets.UTF_8);
        shop.createContext("/state-test", exchange -> serve(exchange, "text/html; charset=utf-8", tests));
        shop.createContext("/state-test.js", exchange -> serve(exchange, "text/javascript; charset=utf-8", testScript));
        shop.start();
    }

    @AfterEach
    void stop() {
        if (chromium != null) {
            chromium.close();
        }
        if (shop != null) {
            shop.stop(0);
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aGuestAndAnAgentChatFromStartToEnd() throws Exception {
        // One conversation served and finished first, so the queue has a history to estimate from; bob, at his limit
        // of 1, is in a second one: the next guest waits for his room to end (closed with the server).
        WsClient bob = WsClient.connect(server.port());
        WsClient first = WsClient.connect(server.port());
        WsClient second = WsClient.connect(server.port());
        bob.call(new Request.Login("bob", "bob-token-for-tests"));
        bob.call(new Request.Limit(1, null));
        bob.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        String room = WsClient.first(first.call(Request.Identify.guest("First", "A first question")),
                ServerMessage.Joined.class).room();
        bob.call(new Request.End(room));
        WsClient.first(second.call(Request.Identify.guest("Second", "A second question")), ServerMessage.Joined.class);
        WebDriver agent = chromium.open();
        agent.get(base + "/console");
        agent.findElement(By.id("user")).sendKeys("admin");
        agent.findElement(By.id("token")).sendKeys("admin-token-for-tests");
        agent.findElement(By.cssSelector("#sign-in-form button")).click();
        waitFor(agent, a -> a.findElement(By.id("who")).getText().contains("admin"), "the console signed in");

        WebDriver guest = chromium.open();
        guest.get(base + "/demo");
        waitForWidget(guest);
        widget(guest).findElement(By.cssSelector(".launcher")).click();
        widget(guest).findElement(By.cssSelector("#sb-name")).sendKeys("Ada");
        widget(guest).findElement(By.cssSelector("#sb-question")).sendKeys("Where is my order #1234?");
        widget(guest).findElement(By.cssSelector("form.start button")).click();
        // The agent starts away: the guest waits, first in line, and is told so.
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".place")).getText().equals("1"), "place 1");
        String facts = widget(guest).findElement(By.cssSelector(".queue")).getText();
        assertTrue(facts.contains("You are next in line") && facts.contains("Average wait: 0:00")
                && facts.contains("Your estimated wait"), facts);
        // The estimate counts down in the page between the server's updates.
        String estimate = widget(guest).findElement(By.cssSelector(".estimate")).getText();
        waitFor(guest, g -> !widget(g).findElement(By.cssSelector(".estimate")).getText().equals(estimate),
                "the estimate " + estimate + " counts down");
        waitFor(agent, a -> a.findElement(By.id("queue")).getText().contains("Where is my order #1234?"),
                "the queue shows the guest and their question");
        screenshot(guest, "widget-waiting");
        screenshot(agent, "console-queue");

        new Select(agent.findElement(By.id("availability"))).selectByValue("available");
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".agent-line")).getText()
                .equals("You are chatting with admin."), "the guest is with admin");
        waitFor(agent, a -> a.findElement(By.cssSelector("#tabs [role=tab]")).getText().equals("Ada"),
                "the console has a tab for Ada");

        WebElement guestText = widget(guest).findElement(By.cssSelector(".composer textarea"));
        guestText.sendKeys("Hello, I need help");
        waitFor(agent, a -> a.findElement(By.cssSelector(".panel .typing")).getText().equals("Ada is typing…"),
                "the agent sees the guest typing");
        guestText.sendKeys(Keys.ENTER);
        waitFor(agent, a -> bodies(a.findElement(By.cssSelector(".panel"))).contains("Hello, I need help"),
                "the agent has the guest's message");

        WebElement agentText = agent.findElement(By.cssSelector(".panel .composer textarea"));
        agentText.sendKeys("Happy to help!");
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".typing")).getText().equals("admin is typing…"),
                "the guest sees the agent typing");
        agentText.sendKeys(Keys.ENTER);
        waitFor(guest, g -> guestBodies(g).contains("Happy to help!"), "the guest has the agent's message");

        // A guest's HTML is text in the console, and runs nothing.
        String attack = "<img src=x onerror=\"window.__xss=1\">";
        widget(guest).findElement(By.cssSelector(".composer textarea")).sendKeys(attack, Keys.ENTER);
        waitFor(agent, a -> bodies(a.findElement(By.cssSelector(".panel"))).contains(attack),
                "the console shows the HTML as text");
        assertEquals(0, agent.findElements(By.cssSelector(".messages img")).size(), "no image element was made");
        assertEquals(Boolean.TRUE, ((JavascriptExecutor) agent).executeScript("return window.__xss === undefined"));

        // The guest reloads the page: the same conversation, every message once.
        guest.navigate().refresh();
        waitFor(guest, g -> guestBodies(g).equals(List.of("Hello, I need help", "Happy to help!", attack)),
                "after a reload the widget shows the conversation, each message once");
        widget(guest).findElement(By.cssSelector(".composer textarea")).sendKeys("Still here after a reload",
                Keys.ENTER);
        waitFor(agent, a -> bodies(a.findElement(By.cssSelector(".panel"))).contains("Still here after a reload"),
                "a message after the reload arrives");

        // Both connections drop; both clients come back by themselves and nothing is lost or repeated.
        server.dropWebSockets();
        waitFor(agent, a -> a.findElement(By.id("connection")).getText().equals("Connected")
                && bodies(a.findElement(By.cssSelector(".panel"))).size() == 4, "the console is back");
        agent.findElement(By.cssSelector(".panel .composer textarea")).sendKeys("After the drop", Keys.ENTER);
        waitFor(guest, g -> guestBodies(g).equals(List.of("Hello, I need help", "Happy to help!", attack,
                "Still here after a reload", "After the drop")), "the widget is back, each message once");
        assertEquals(List.of("Hello, I need help", "Happy to help!", attack, "Still here after a reload",
                "After the drop"), bodies(agent.findElement(By.cssSelector(".panel"))));
        // Who wrote what is told by the message's role (issue 13): the guest's own lines are theirs in the widget,
        // the agent's own lines are theirs in the console.
        assertEquals(List.of(true, false, true, true, false), classes(widget(guest).findElements(
                By.cssSelector(".messages li:not(.system)")), "mine"));
        List<WebElement> consoleLines = agent.findElements(By.cssSelector(".panel .messages li"));
        assertEquals(List.of(false, true, false, false, true), classes(consoleLines, "mine"));
        assertEquals(List.of(true, false, true, true, false), classes(consoleLines, "guest"));
        screenshot(agent, "console-chat");
        screenshot(guest, "widget-chat");

        agent.findElement(By.cssSelector(".panel .end")).click();
        // Ending asks first.
        waitFor(agent, a -> a.findElement(By.id("confirm")).isDisplayed(), "the console asks before ending");
        assertTrue(agent.findElement(By.id("confirm-title")).getText().contains("Ada"));
        agent.findElement(By.id("confirm-yes")).click();
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".messages")).getText()
                .contains("The conversation has ended."), "the guest sees the end");
        waitFor(agent, a -> a.findElement(By.cssSelector("#tabs [role=tab]")).getAttribute("class")
                .contains("ended"), "the console marks the room ended");
    }

    /** The pure modules (transcript, console state, widget state) pass their own tests in the browser. */
    @Test
    void thePureBrowserModulesPassTheirTests() {
        WebDriver page = chromium.open();
        page.get("http://localhost:" + shop.getAddress().getPort() + "/state-test");
        waitFor(page, p -> ((JavascriptExecutor) p).executeScript("return window.stateTests !== undefined")
                .equals(Boolean.TRUE), "the state tests ran");
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> results = (java.util.Map<String, Object>) ((JavascriptExecutor) page)
                .executeScript("return window.stateTests");
        assertEquals(List.of(), results.get("failures"), "failed state tests");
        assertTrue(((Number) results.get("passed")).intValue() >= 20, "the state tests: " + results);
    }

    /** On another website (an origin in allowed_origins), in a phone-sized window, opened from the keyboard. */
    @Test
    void theWidgetWorksOnAnotherOriginOnAPhone() {
        WebDriver guest = chromium.open();
        guest.manage().window().setSize(new org.openqa.selenium.Dimension(390, 844));
        guest.get("http://localhost:" + shop.getAddress().getPort() + "/");
        waitForWidget(guest);
        WebElement launcher = widget(guest).findElement(By.cssSelector(".launcher"));
        assertEquals("Ask us", launcher.getText());
        launcher.sendKeys(Keys.ENTER);
        long viewport = (Long) ((JavascriptExecutor) guest).executeScript("return window.innerWidth");
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".panel")).getSize().getWidth() == viewport,
                "the open widget takes the phone's whole width");
        widget(guest).findElement(By.cssSelector("#sb-name")).sendKeys("Grace");
        widget(guest).findElement(By.cssSelector("#sb-question")).sendKeys("Do you ship abroad?");
        widget(guest).findElement(By.cssSelector("form.start button")).click();
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".place")).getText().equals("1"),
                "the embedded widget reached the server and is in line");
        screenshot(guest, "widget-phone-other-site");
    }

    @Test
    void aSupervisorSeesTheTeamChangesALimitJoinsAndTakesOverARoom() {
        // bob and a guest over plain WebSockets; the supervisor in the browser.
        try (WsClient bob = WsClient.connect(server.port()); WsClient ivy = WsClient.connect(server.port())) {
            bob.call(new Request.Login("bob", "bob-token-for-tests"));
            bob.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            String room = WsClient.first(ivy.call(Request.Identify.guest("Ivy", "My parcel is late")),
                    ServerMessage.Joined.class).room();

            WebDriver supervisor = chromium.open();
            supervisor.get(base + "/console");
            supervisor.findElement(By.id("user")).sendKeys("admin");
            supervisor.findElement(By.id("token")).sendKeys("admin-token-for-tests", Keys.ENTER);
            waitFor(supervisor, s -> s.findElement(By.id("agents")).getText().contains("1 / 2"),
                    "the team table shows bob with one guest of two");
            WebElement limit = supervisor.findElement(By.cssSelector("input[aria-label='Limit of bob']"));
            limit.clear();
            limit.sendKeys("4");
            // While the supervisor types, the team changes (a new snapshot): what they typed stays, in the same field.
            bob.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AWAY));
            waitFor(supervisor, s -> s.findElement(By.id("agents")).getText().contains("bob away 1 / 2"),
                    "the table shows bob away");
            assertEquals("4", limit.getAttribute("value"), "the half-typed limit survived the update");
            assertEquals(limit, supervisor.switchTo().activeElement(), "and the field still has the focus");
            bob.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            limit.sendKeys(Keys.TAB);
            waitFor(supervisor, s -> s.findElement(By.id("agents")).getText().contains("1 / 4"),
                    "bob's limit is 4");
            supervisor.findElement(By.cssSelector("#open-rooms button")).click();
            waitFor(supervisor, s -> s.findElement(By.cssSelector("#tabs [role=tab]")).getText().equals("Ivy"),
                    "the supervisor joined Ivy's room");
            ivy.send(new Request.Message(room, "Is anyone there?"));
            waitFor(supervisor, s -> bodies(s.findElement(By.cssSelector(".panel"))).contains("Is anyone there?"),
                    "the supervisor reads the room");
            screenshot(supervisor, "console-supervisor");
            // The supervisor hands the conversation from bob to carol, with a note only agents read. The choices are
            // the agents who can take it: not the supervisor, not bob, nobody away or at their limit.
            try (WsClient carol = WsClient.connect(server.port())) {
                carol.call(new Request.Login("carol", "carol-token-for-tests"));
                carol.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
                waitFor(supervisor, s -> new Select(s.findElement(By.cssSelector(".panel .transfer-to")))
                        .getOptions().size() == 1, "carol is offered");
                assertEquals("carol", new Select(supervisor.findElement(By.cssSelector(".panel .transfer-to")))
                        .getOptions().get(0).getAttribute("value"));
                supervisor.findElement(By.cssSelector(".panel .transfer-note")).sendKeys("Ivy waited twice already");
                supervisor.findElement(By.cssSelector(".panel .transfer")).click();
                ServerMessage.Joined joined = carol.await(ServerMessage.Joined.class);
                assertEquals(room, joined.room());
                List<ServerMessage.Message> history = WsClient.first(carol.call(new Request.History(room, 0L)),
                        ServerMessage.History.class).messages();
                ServerMessage.Message note = history.get(history.size() - 1);
                assertEquals("Ivy waited twice already", note.body());
                assertTrue(note.forAgentsOnly(), "the note is for agents");
                ServerMessage.Notification left;
                do {
                    left = bob.await(ServerMessage.Notification.class);
                } while (left.details() != io.switchboard.protocol.NotificationDetails.LEFT);
                assertEquals("bob", left.user(), "the room was told bob left");
                List<ServerMessage.Message> guestView = WsClient.first(ivy.call(new Request.History(room, 0L)),
                        ServerMessage.History.class).messages();
                assertTrue(guestView.stream().noneMatch(ServerMessage.Message::forAgentsOnly), "the guest never sees it");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static String resource(String name) throws java.io.IOException {
        try (java.io.InputStream in = BrowserTest.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new java.io.FileNotFoundException(name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static void serve(com.sun.net.httpserver.HttpExchange exchange, String type, byte[] body)
            throws java.io.IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
