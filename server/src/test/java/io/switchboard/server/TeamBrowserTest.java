package io.switchboard.server;

import static io.switchboard.server.Chromium.available;
import static io.switchboard.server.Chromium.bodies;
import static io.switchboard.server.Chromium.guestBodies;
import static io.switchboard.server.Chromium.guestLines;
import static io.switchboard.server.Chromium.js;
import static io.switchboard.server.Chromium.panel;
import static io.switchboard.server.Chromium.say;
import static io.switchboard.server.Chromium.screenshot;
import static io.switchboard.server.Chromium.signIn;
import static io.switchboard.server.Chromium.startChat;
import static io.switchboard.server.Chromium.waitFor;
import static io.switchboard.server.Chromium.waitForWidget;
import static io.switchboard.server.Chromium.widget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.Select;

/**
 * The console and the widget as a team uses them (issue 15), in headless Chromium against a server on loopback: panes
 * that scroll, a sign-out that hands conversations over with their history, a requeued guest who reloads, two tabs
 * and a return, the minimised launcher's count, a supervisor who joins and leaves, the limit field, a guest who adds
 * to the question and ends the chat, the demo page on a phone, Markdown, the length counter and a lost connection.
 */
class TeamBrowserTest {
    @TempDir
    Path temp;

    private SwitchboardServer server;
    private String base;
    private Chromium chromium;
    private final List<WsClient> sockets = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        chromium = Chromium.start(temp);
        int port;
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        base = "http://127.0.0.1:" + port;
        String config = """
                {"port": %d,
                 "accounts": [{"id": "default", "groups": [{"name": "default"}],
                   "agents": [
                     {"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "limit": 2},
                     {"user": "bob", "token": "bob-token-for-tests", "limit": 3},
                     {"user": "carol", "token": "carol-token-for-tests", "limit": 3}]}],
                 "limits": {"connections_per_address": 200, "identifies_per_address_per_minute": 200}}"""
                .formatted(port);
        server = SwitchboardServer.start(ConfigLoader.parse(config, "team browser test")
                .with(null, null, temp.resolve("data").toString()));
    }

    @AfterEach
    void stop() {
        sockets.forEach(WsClient::close);
        if (chromium != null) {
            chromium.close();
        }
        if (server != null) {
            server.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** An agent in a WebSocket of the test's, optionally available. */
    private WsClient agent(String user, boolean available) {
        WsClient socket = WsClient.connect(server.port());
        sockets.add(socket);
        socket.call(new Request.Login(user, user + "-token-for-tests"));
        if (available) {
            socket.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
        }
        return socket;
    }

    private WsClient guestSocket(String user, String question) {
        WsClient socket = WsClient.connect(server.port());
        sockets.add(socket);
        socket.call(Request.Identify.guest(user, question));
        return socket;
    }

    /** A signed-in console. */
    private WebDriver console(String user) {
        WebDriver console = chromium.open();
        signIn(console, base, user);
        return console;
    }

    /** A guest on the demo page who started a chat (waiting or already with an agent). */
    private WebDriver guest(String name, String question) {
        WebDriver guest = chromium.open();
        guest.get(base + "/demo");
        startChat(guest, name, question);
        return guest;
    }

    private static String agentLine(WebDriver guest) {
        return widget(guest).findElement(By.cssSelector(".agent-line")).getText();
    }

    private static String roomOf(WsClient socket) {
        return socket.await(ServerMessage.Joined.class).room();
    }

    private static List<String> history(WsClient socket, String room) {
        List<String> bodies = new ArrayList<>();
        for (ServerMessage.Message message : WsClient.first(socket.call(new Request.History(room, 0L)),
                ServerMessage.History.class).messages()) {
            bodies.add(message.body());
        }
        return bodies;
    }

    // ---------------------------------------------------------------------------------------------------------------

    /** Item 1: a long queue and a long conversation scroll in their panes; the composer stays in the window. */
    @Test
    void theConsoleScrollsItsPanesAndKeepsTheComposerInView() {
        WebDriver admin = console("admin");
        for (int i = 0; i < 24; i++) {
            guestSocket("Guest " + i, "Question number " + i + " about an order that did not arrive");
        }
        waitFor(admin, a -> a.findElement(By.id("queue-count")).getText().equals("24"), "24 are waiting");
        available(admin);
        waitFor(admin, a -> !a.findElements(By.cssSelector("#tabs [role=tab]")).isEmpty(), "a conversation opened");
        WsClient first = sockets.get(0);
        String room = roomOf(first);
        String[] lines = {"Hello, my parcel has not arrived", "It was order **#4711**, sent on Monday",
            "The tracking page says _in transit_ since Tuesday", "Could you check with the courier?",
            "I need it for a birthday on Saturday"};
        for (int i = 1; i <= 30; i++) {
            first.send(new Request.Message(room, lines[i % lines.length] + " (" + i + ")"));
        }
        StringBuilder letter = new StringBuilder();
        while (letter.length() < 4_000) {
            letter.append("Here is everything the courier told me on the phone, word for word. ");
        }
        first.send(new Request.Message(room, letter.substring(0, 4_000)));
        waitFor(admin, a -> bodies(panel(a)).size() == 31, "31 messages");
        long windowHeight = (Long) js(admin, "return window.innerHeight");
        long composerBottom = ((Number) js(admin, "return document.querySelector('.panel:not([hidden]) .composer')"
                + ".getBoundingClientRect().bottom")).longValue();
        assertTrue(composerBottom <= windowHeight, "the composer ends at " + composerBottom + " in a window of "
                + windowHeight);
        assertEquals(Boolean.TRUE, js(admin, "return document.documentElement.scrollHeight <= window.innerHeight"),
                "the page itself does not grow");
        assertEquals(Boolean.TRUE, js(admin, "const q = document.querySelector('.queue-pane');"
                + " return q.scrollHeight > q.clientHeight"), "the queue scrolls in its pane");
        String atBottom = "const l = document.querySelector('.panel:not([hidden]) .messages');"
                + " return l.scrollHeight > l.clientHeight && l.scrollTop + l.clientHeight >= l.scrollHeight - 10";
        waitFor(admin, a -> Boolean.TRUE.equals(js(a, atBottom)), "the transcript scrolls, at its newest message");
        // Scrolled up to read, a new message does not pull the agent down: a marker says it came.
        js(admin, "document.querySelector('.panel:not([hidden]) .messages').scrollTop = 0");
        first.send(new Request.Message(room, "one more"));
        waitFor(admin, a -> bodies(panel(a)).size() == 32, "the new message is there");
        WebElement marker = panel(admin).findElement(By.cssSelector(".new-messages"));
        waitFor(admin, a -> marker.isDisplayed(), "the new-messages marker shows");
        assertEquals(Boolean.FALSE, js(admin, atBottom), "still where the agent was reading");
        marker.click();
        waitFor(admin, a -> Boolean.TRUE.equals(js(a, atBottom)) && !marker.isDisplayed(), "down at the newest");
        panel(admin).findElement(By.cssSelector(".composer textarea")).sendKeys("Thank you, that helps. I have "
                + "asked the courier: **your parcel is out for delivery today**, before 6 pm.", Keys.ENTER);
        first.send(new Request.Message(room, "Wonderful, thanks!"));
        waitFor(admin, a -> bodies(panel(a)).size() == 34 && Boolean.TRUE.equals(js(a, atBottom)), "it goes on");
        screenshot(admin, "console-long-conversation");
    }

    /** Items 2 and 3: a sign-out hands the conversation back to the queue; the guest keeps it, reloads, goes on. */
    @Test
    void signingOutHandsTheConversationOnWithItsHistory() {
        WebDriver admin = console("admin");
        WsClient bob = agent("bob", false);
        available(admin);
        WebDriver ada = guest("Ada", "My order is late");
        waitFor(ada, g -> agentLine(g).equals("You are chatting with admin."), "Ada is with admin");
        say(ada, "It was due on Monday");
        waitFor(admin, a -> bodies(panel(a)).contains("It was due on Monday"), "admin reads it");
        panel(admin).findElement(By.cssSelector(".composer textarea")).sendKeys("Let me check", Keys.ENTER);
        waitFor(ada, g -> guestBodies(g).equals(List.of("It was due on Monday", "Let me check")), "both lines");

        admin.findElement(By.id("sign-out")).click();
        waitFor(admin, a -> a.findElement(By.id("confirm")).isDisplayed(), "the sign-out asks who takes the chat");
        Select choice = new Select(admin.findElement(By.cssSelector("#confirm-body select")));
        assertEquals("Back to the queue (first in line)", choice.getFirstSelectedOption().getText());
        assertEquals(1, choice.getOptions().size(), "bob is away: nobody else can take it");
        admin.findElement(By.id("confirm-yes")).click();
        waitFor(admin, a -> a.findElement(By.id("sign-in")).isDisplayed(), "signed out");

        // The guest keeps the conversation and her place, and is told what happened.
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".queue .notice")).getText()
                .startsWith("admin left."), "the widget says admin left");
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".place")).getText().equals("1"), "first in line");
        assertEquals(List.of("It was due on Monday", "Let me check"), guestBodies(ada));
        // A reload while back in line: the same place, the same conversation.
        ada.navigate().refresh();
        waitForWidget(ada);
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".place")).getText().equals("1")
                && guestBodies(g).equals(List.of("It was due on Monday", "Let me check")), "still in line, same chat");
        screenshot(ada, "widget-back-in-line");

        // The next agent reads the whole conversation, and it goes on.
        String room = WsClient.first(bob.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE)),
                ServerMessage.Joined.class).room();
        assertEquals(List.of("It was due on Monday", "Let me check"), history(bob, room));
        waitFor(ada, g -> agentLine(g).equals("You are chatting with bob."), "Ada is with bob");
        bob.send(new Request.Message(room, "Hi, bob here: found it"));
        waitFor(ada, g -> guestBodies(g).equals(List.of("It was due on Monday", "Let me check",
                "Hi, bob here: found it")), "one conversation, each message once");
    }

    /** Item 4: a second tab follows the first; when the first closes the second goes on; a return restores it. */
    @Test
    void twoTabsShareOneConversationAndAReturnRestoresIt() throws Exception {
        WebDriver admin = console("admin");
        available(admin);
        WebDriver visitor = guest("Tess", "Two tabs");
        String first = visitor.getWindowHandle();
        waitFor(visitor, g -> agentLine(g).equals("You are chatting with admin."), "with admin");
        say(visitor, "from the first tab");
        waitFor(visitor, g -> guestBodies(g).equals(List.of("from the first tab")), "sent");

        visitor.switchTo().newWindow(WindowType.TAB);
        String second = visitor.getWindowHandle();
        visitor.get(base + "/demo");
        waitForWidget(visitor);
        widget(visitor).findElement(By.cssSelector(".launcher")).click();
        waitFor(visitor, g -> guestBodies(g).equals(List.of("from the first tab")), "the second tab shows the chat");
        say(visitor, "from the second tab");
        waitFor(admin, a -> bodies(panel(a)).equals(List.of("from the first tab", "from the second tab")),
                "the agent gets what the second tab sent");
        assertEquals(1, guestConnections(), "one tab holds the connection");
        assertTrue(bodies(panel(admin)).size() == 2 && panel(admin).findElements(By.cssSelector(".messages .system"))
                .isEmpty(), "no presence flapping between tabs");

        // The first tab closes: the second takes the connection over and goes on.
        visitor.switchTo().window(first).close();
        visitor.switchTo().window(second);
        say(visitor, "after the first tab closed");
        waitFor(admin, a -> bodies(panel(a)).contains("after the first tab closed"), "the second tab goes on");
        // The visitor leaves the site and comes back within the grace: the conversation is there.
        visitor.get("about:blank");
        visitor.get(base + "/demo");
        waitForWidget(visitor);
        waitFor(visitor, g -> guestBodies(g).equals(List.of("from the first tab", "from the second tab",
                "after the first tab closed")), "the return restores the conversation");
    }

    private double guestConnections() throws Exception {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (String line : metrics.split("\n")) {
            if (line.startsWith("switchboard_connections{role=\"guest\"}")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no guest connection gauge in " + metrics);
    }

    /** Item 5: a minimised widget counts the agent's new messages and shows the newest; the title too. */
    @Test
    void aMinimisedWidgetCountsNewMessages() {
        WebDriver admin = console("admin");
        available(admin);
        WebDriver ada = guest("Ada", "Count them");
        waitFor(ada, g -> agentLine(g).equals("You are chatting with admin."), "with admin");
        widget(ada).findElement(By.cssSelector(".head button[aria-label='Minimise the chat']")).click();
        WebElement text = panel(admin).findElement(By.cssSelector(".composer textarea"));
        text.sendKeys("first news", Keys.ENTER);
        text.sendKeys("second news", Keys.ENTER);
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".badge")).getText().equals("2"), "a count of 2");
        assertEquals("admin: second news", widget(ada).findElement(By.cssSelector(".preview")).getText());
        assertTrue(ada.getTitle().startsWith("(2) New message"), ada.getTitle());
        screenshot(ada, "widget-unread");
        widget(ada).findElement(By.cssSelector(".launcher")).click();
        waitFor(ada, g -> !widget(g).findElement(By.cssSelector(".badge")).isDisplayed()
                && !g.getTitle().startsWith("("), "read: the count and the title go");
    }

    /** Item 6: a supervisor joins and leaves, the room is told; names on bubbles; a transfer shows the new agent. */
    @Test
    void aSupervisorJoinsAndLeavesAndATransferShowsTheNewAgent() {
        WsClient bob = agent("bob", true);
        WebDriver ada = guest("Ada", "Supervise me");
        String room = roomOf(bob);
        waitFor(ada, g -> agentLine(g).equals("You are chatting with bob."), "with bob");
        WebDriver admin = console("admin");
        waitFor(admin, a -> !a.findElements(By.cssSelector("#open-rooms button")).isEmpty(), "bob's room is listed");
        admin.findElement(By.cssSelector("#open-rooms button")).click();
        waitFor(ada, g -> guestLines(g).contains("admin, a supervisor, joined the conversation."), "told of the join");
        waitFor(admin, a -> panel(a).findElement(By.cssSelector(".leave")).isDisplayed(), "a Leave button");
        panel(admin).findElement(By.cssSelector(".composer textarea")).sendKeys("Supervisor here", Keys.ENTER);
        waitFor(ada, g -> guestBodies(g).contains("Supervisor here"), "the guest reads the supervisor");
        WebElement bubble = widget(ada).findElement(By.cssSelector(".messages li:not(.system) .from"));
        assertTrue(bubble.getText().startsWith("admin · "), "who wrote it and when: " + bubble.getText());
        panel(admin).findElement(By.cssSelector(".leave")).click();
        waitFor(ada, g -> guestLines(g).contains("admin, a supervisor, left the conversation."), "told of the leave");
        waitFor(admin, a -> panel(a).getText().contains("You left the conversation."), "the console says so too");

        WsClient carol = agent("carol", true);
        bob.call(new Request.Transfer(room, "carol"));
        waitFor(ada, g -> agentLine(g).equals("You are chatting with carol."), "the new agent's name at once");
        assertTrue(guestLines(ada).contains("carol joined the conversation."), String.valueOf(guestLines(ada)));
        assertEquals(room, carol.await(ServerMessage.Joined.class).room());
    }

    /** Item 7: Enter commits a limit, a refused one says why, an accepted one reaches every console. */
    @Test
    void theLimitFieldCommitsOnEnterAndExplainsARefusal() {
        WsClient bob = agent("bob", false);
        WebDriver admin = console("admin");
        WebElement limit = admin.findElement(By.cssSelector("input[aria-label='Limit of bob']"));
        limit.sendKeys(Keys.chord(Keys.CONTROL, "a"), "7", Keys.ENTER);
        ServerMessage.Snapshot snapshot;
        do {
            snapshot = bob.await(ServerMessage.Snapshot.class);
        } while (snapshot.agents().stream().noneMatch(a -> a.user().equals("bob") && a.limit() == 7));
        waitFor(admin, a -> a.findElement(By.id("agents")).getText().contains("0 / 7"), "the console shows 7");
        assertEquals(limit, admin.switchTo().activeElement(), "the field keeps the focus");
        limit.sendKeys(Keys.chord(Keys.CONTROL, "a"), "0", Keys.ENTER);
        waitFor(admin, a -> a.findElement(By.id("notice")).getText()
                .equals("A guest limit is a whole number from 1 to 10."), "a refusal in words");
        assertTrue(admin.findElement(By.id("agents")).getText().contains("0 / 7"), "nothing changed");
    }

    /** Items 8 and 9: a waiting guest adds to the question, ends the chat, starts again and leaves the queue. */
    @Test
    void aGuestAddsToTheQuestionEndsTheChatAndLeavesTheQueueLater() {
        WebDriver admin = console("admin");
        WebDriver ada = guest("Ada", "Where is my parcel?");
        say(ada, "Order 42, blue box");
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".additions")).getText()
                .contains("Added to your question: Order 42, blue box"), "the addition is shown");
        available(admin);
        waitFor(admin, a -> panel(a).findElement(By.cssSelector(".question")).getText()
                .equals("Where is my parcel?\nOrder 42, blue box"), "the agent reads the whole question");
        waitFor(ada, g -> agentLine(g).equals("You are chatting with admin."), "with admin");
        widget(ada).findElement(By.cssSelector(".end-chat")).click();
        widget(ada).findElement(By.cssSelector(".confirm .primary")).click();
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".panel")).getText()
                .contains("You ended the conversation."), "ended by the guest");
        // admin steps away, so the next chat waits in line; the guest starts one and leaves the queue.
        new Select(admin.findElement(By.id("availability"))).selectByValue("away");
        waitFor(admin, a -> a.findElement(By.id("agents")).getText().contains("admin away"), "admin is away");
        widget(ada).findElement(By.cssSelector(".body > button.primary")).click();
        startChat(ada, "Ada", "A second question");
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".place")).getText().equals("1"), "in line again");
        widget(ada).findElement(By.cssSelector(".queue button.quiet")).click();
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".ended-line")).getText().equals("You left the queue."),
                "left the queue");
        String text = widget(ada).findElement(By.cssSelector(".panel")).getText();
        assertFalse(text.contains("expected:") || text.contains("reservation:"), "no server text: " + text);
    }

    /** Item 10: the demo page on a phone: nothing wider than the screen, the button in view, 16 px inputs, focus. */
    @Test
    void theDemoPageWorksOnAPhone() {
        WebDriver phone = chromium.open();
        phone.manage().window().setSize(new Dimension(375, 667));
        phone.get(base + "/demo");
        waitForWidget(phone);
        long width = (Long) js(phone, "return window.innerWidth");
        assertEquals(Boolean.TRUE, js(phone, "return document.documentElement.scrollWidth <= window.innerWidth"),
                "the page is no wider than the phone (" + width + ")");
        assertEquals(Boolean.TRUE, js(phone, "const r = document.getElementById('switchboard-widget').shadowRoot"
                + ".querySelector('.launcher').getBoundingClientRect(); return r.right <= window.innerWidth"
                + " && r.bottom <= window.innerHeight && r.left >= 0"), "the chat button is in view");
        widget(phone).findElement(By.cssSelector(".launcher")).click();
        assertEquals("16px", js(phone, "return getComputedStyle(document.getElementById('switchboard-widget')"
                + ".shadowRoot.querySelector('#sb-name')).fontSize"), "no zoom on iOS");
        widget(phone).findElement(By.cssSelector("#sb-name")).sendKeys("Pia");
        widget(phone).findElement(By.cssSelector("#sb-question")).sendKeys("On the go");
        widget(phone).findElement(By.cssSelector("form.start button")).click();
        waitFor(phone, p -> widget(p).findElement(By.cssSelector(".place")).getText().equals("1"), "in line");
        assertEquals(Boolean.TRUE, js(phone, "const root = document.getElementById('switchboard-widget').shadowRoot;"
                + " return document.activeElement.id === 'switchboard-widget' && root.activeElement !== null"),
                "the focus is in the widget, not on the page");
        assertEquals(null, widget(phone).findElement(By.cssSelector(".queue")).getAttribute("aria-live"),
                "the countdown is not read out every second");
        assertTrue(widget(phone).findElement(By.cssSelector(".queue .visually-hidden")).getAttribute("textContent")
                .contains("next in line"), "the place is announced");
        screenshot(phone, "widget-phone");
    }

    /** Item 11: Markdown on both sides, links safe, HTML still text. */
    @Test
    void markdownIsRenderedAndHtmlStaysText() {
        WebDriver admin = console("admin");
        available(admin);
        WebDriver ada = guest("Ada", "Formatting");
        waitFor(ada, g -> agentLine(g).equals("You are chatting with admin."), "with admin");
        panel(admin).findElement(By.cssSelector(".composer textarea")).sendKeys(
                "**Bold** and _soft_ and `code` and [the docs](https://example.com/help) <b>not html</b>", Keys.ENTER);
        waitFor(ada, g -> guestBodies(g).size() == 1, "the message arrived");
        WebElement text = widget(ada).findElement(By.cssSelector(".messages li:not(.system) .text"));
        for (WebElement shown : List.of(text, panel(admin).findElement(By.cssSelector(".messages li .body")))) {
            assertEquals("Bold", shown.findElement(By.cssSelector("strong")).getText());
            assertEquals("soft", shown.findElement(By.cssSelector("em")).getText());
            assertEquals("code", shown.findElement(By.cssSelector("code")).getText());
            WebElement link = shown.findElement(By.cssSelector("a"));
            assertEquals("https://example.com/help", link.getAttribute("href"));
            assertEquals("noopener noreferrer", link.getAttribute("rel"));
            assertTrue(shown.findElements(By.cssSelector("b")).isEmpty(), "no HTML element was made");
            assertTrue(shown.getText().contains("<b>not html</b>"), shown.getText());
        }
    }

    /** Item 12: the counter near 4 000 characters, a long one not sent, and "connection lost" while offline. */
    @Test
    void theCounterWarnsAndALostConnectionIsShown() {
        WebDriver admin = console("admin");
        available(admin);
        WebDriver ada = guest("Ada", "Long one");
        waitFor(ada, g -> agentLine(g).equals("You are chatting with admin."), "with admin");
        String fill = "const root = document.getElementById('switchboard-widget').shadowRoot;"
                + " const t = root.querySelector('.composer textarea'); t.value = 'x'.repeat(arguments[0]);"
                + " t.dispatchEvent(new Event('input'));";
        js(ada, fill, 3_600);
        assertEquals("3,600 / 4,000", widget(ada).findElement(By.cssSelector(".counter")).getText());
        js(ada, fill, 4_100);
        assertEquals("Too long by 100 characters (at most 4,000)",
                widget(ada).findElement(By.cssSelector(".counter")).getText());
        widget(ada).findElement(By.cssSelector(".composer textarea")).sendKeys(Keys.ENTER);
        assertEquals(4_100, ((Number) js(ada, "return document.getElementById('switchboard-widget').shadowRoot"
                + ".querySelector('.composer textarea').value.length")).intValue(), "kept, not sent");
        assertTrue(bodies(panel(admin)).isEmpty(), "nothing reached the agent");

        server.close();
        server = null;
        waitFor(admin, a -> a.findElement(By.id("offline")).isDisplayed(), "the console says the connection is lost");
        waitFor(ada, g -> widget(g).findElement(By.cssSelector(".status")).getText()
                .equals("Connection lost, reconnecting…"), "so does the widget");
    }
}
