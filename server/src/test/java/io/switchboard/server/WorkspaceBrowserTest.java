package io.switchboard.server;

import static io.switchboard.server.Chromium.available;
import static io.switchboard.server.Chromium.bodies;
import static io.switchboard.server.Chromium.guestBodies;
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
import io.switchboard.server.config.ConfigLoader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;

/**
 * The agent's workspace (issue 19) in headless Chromium against a server on loopback: a console in a background tab
 * counts the guest's messages in its title and shows a desktop notification (the permission granted to the test
 * browser); a canned reply found by "/" and sent; a private note the guest's page never shows, also after a reload;
 * an offer that runs out and goes to the next console, which accepts it; the context beside the conversation.
 */
class WorkspaceBrowserTest {
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
                 "accounts": [{"id": "default",
                   "groups": [{"name": "default"}, {"name": "sales", "offer_timeout_seconds": 4}],
                   "agents": [
                     {"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "groups": ["default"]},
                     {"user": "bob", "token": "bob-token-for-tests", "groups": ["default"], "limit": 3},
                     {"user": "amy", "token": "amy-token-for-tests", "groups": ["sales"]},
                     {"user": "ben", "token": "ben-token-for-tests", "groups": ["sales"]}]}],
                 "limits": {"connections_per_address": 200, "identifies_per_address_per_minute": 200}}"""
                .formatted(port);
        server = SwitchboardServer.start(ConfigLoader.parse(config, "workspace browser test")
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

    /** A signed-in console that may show notifications (granted as a person who clicked "Allow" would). */
    private WebDriver console(String user) {
        WebDriver console = chromium.open();
        ((ChromeDriver) console).executeCdpCommand("Browser.grantPermissions", Map.of("origin", base,
                "permissions", List.of("notifications")));
        signIn(console, base, user);
        return console;
    }
    private WebDriver guest(String name, String question) {
        WebDriver guest = chromium.open();
        guest.get(base + "/demo");
        startChat(guest, name, question);
        return guest;
    }

    /** The title of each page of a browser, hidden or not (Chromium's targets), without bringing any forward. */
    @SuppressWarnings("unchecked")
    private static List<String> titles(WebDriver browser) {
        Map<String, Object> targets = ((ChromeDriver) browser).executeCdpCommand("Target.getTargets", Map.of());
        List<String> titles = new ArrayList<>();
        for (Map<String, Object> target : (List<Map<String, Object>>) targets.get("targetInfos")) {
            if ("page".equals(target.get("type"))) {
                titles.add(String.valueOf(target.get("title")));
            }
        }
        return titles;
    }

    @Test
    void aConsoleInABackgroundTabCountsInItsTitleAndNotifies() {
        WebDriver bob = console("bob");
        available(bob);
        WebDriver carla = guest("Carla", "Where is my parcel?");
        waitFor(bob, b -> !b.findElements(By.cssSelector(".panel:not([hidden])")).isEmpty(), "bob has the room");
        String consoleTab = bob.getWindowHandle();
        // Bob reads something else in another tab: the console is hidden.
        bob.switchTo().newWindow(WindowType.TAB);
        bob.get(base + "/demo");
        say(carla, "Hello?");
        say(carla, "Anyone there?");
        waitFor(bob, b -> titles(b).contains("(2) Switchboard console"), "the hidden console's title counts 2");
        bob.switchTo().window(consoleTab);
        waitFor(bob, b -> "Switchboard console".equals(b.getTitle()), "back on the console: read");
        assertTrue(Integer.parseInt(String.valueOf(js(bob, "return document.body.dataset.notifications || '0'")))
                >= 2, "a notification for the new conversation or the messages while hidden");
        assertTrue(Integer.parseInt(String.valueOf(js(bob, "return document.body.dataset.chimes || '0'"))) >= 2,
                "a sound was asked for");
        assertTrue(bodies(panel(bob)).containsAll(List.of("Hello?", "Anyone there?")), "" + bodies(panel(bob)));
    }

    @Test
    void aCannedReplyFoundBySlashAndANoteTheGuestNeverSees() {
        WebDriver bob = console("bob");
        bob.findElement(By.id("replies-open")).click();
        bob.findElement(By.id("reply-title")).sendKeys("Welcome");
        bob.findElement(By.id("reply-body")).sendKeys("Hello {guest}, I am {agent} and I will help you.");
        bob.findElement(By.id("reply-save")).click();
        waitFor(bob, b -> b.findElement(By.id("reply-list")).getText().contains("Welcome"), "the reply is saved");
        screenshot(bob, "console-canned-replies");
        bob.findElement(By.cssSelector("#replies button[formmethod=dialog]")).click();
        available(bob);
        WebDriver carla = guest("Carla", "Where is my parcel?");
        waitFor(bob, b -> !b.findElements(By.cssSelector(".panel:not([hidden])")).isEmpty(), "bob has the room");
        WebElement text = panel(bob).findElement(By.cssSelector(".composer textarea"));
        text.sendKeys("/wel");
        waitFor(bob, b -> panel(b).findElement(By.cssSelector(".slash")).isDisplayed(), "the replies that match");
        screenshot(bob, "console-slash");
        text.sendKeys(Keys.ENTER);
        assertEquals("Hello Carla, I am bob and I will help you.", text.getAttribute("value"), "filled in");
        text.sendKeys(Keys.ENTER);
        waitFor(carla, c -> guestBodies(c).contains("Hello Carla, I am bob and I will help you."),
                "the guest reads the canned reply");
        // A note: the console shows it, the guest's page never does, not after a reload either.
        panel(bob).findElement(By.cssSelector(".composer .private")).click();
        text.sendKeys("VIP customer: refund without asking", Keys.ENTER);
        waitFor(bob, b -> !panel(b).findElements(By.cssSelector(".messages li.note")).isEmpty(), "the note shows");
        bob.findElement(By.cssSelector(".composer .private")).click();
        text.sendKeys("Your parcel leaves today.", Keys.ENTER);
        waitFor(carla, c -> guestBodies(c).contains("Your parcel leaves today."), "the next message");
        assertFalse(guestBodies(carla).contains("VIP customer: refund without asking"));
        carla.navigate().refresh();
        waitForWidget(carla);
        waitFor(carla, c -> guestBodies(c).contains("Your parcel leaves today."), "the transcript after a reload");
        assertFalse(guestBodies(carla).stream().anyMatch(body -> body.contains("VIP")), "" + guestBodies(carla));
        assertFalse(String.valueOf(js(carla, "return document.documentElement.outerHTML + "
                + "(document.getElementById('switchboard-widget').shadowRoot || {innerHTML: ''}).innerHTML"))
                .contains("VIP"), "nowhere in the guest's page");
        // The context beside the conversation: the page the guest came from.
        waitFor(bob, b -> panel(b).findElement(By.cssSelector(".context")).getText().contains("Timeline"),
                "the context shows");
        assertTrue(panel(bob).findElement(By.cssSelector(".context")).getText().contains("/demo"),
                panel(bob).findElement(By.cssSelector(".context")).getText());
        screenshot(bob, "console-workspace");
    }

    @Test
    void anOfferThatRunsOutGoesToTheNextConsole() {
        WebDriver amy = console("amy");
        available(amy);
        WebDriver ben = console("ben");
        available(ben);
        WsClient guest = WsClient.connect(server.port());
        sockets.add(guest);
        guest.call(new Request.Identify("Dora", "I want to buy 40 chairs", "default", "sales", null, null));
        List<WebDriver> consoles = List.of(amy, ben);
        waitFor(amy, a -> consoles.stream().anyMatch(c -> !c.findElements(By.cssSelector("#offers .offer")).isEmpty()),
                "one console is offered the guest");
        WebDriver first = amy.findElements(By.cssSelector("#offers .offer")).isEmpty() ? ben : amy;
        WebDriver second = first == amy ? ben : amy;
        assertTrue(second.findElements(By.cssSelector("#offers .offer")).isEmpty(), "one at a time");
        screenshot(first, "console-offer");
        // Nobody answers it in time: it goes to the other console.
        waitFor(second, s -> !s.findElements(By.cssSelector("#offers .offer")).isEmpty(), "the next console");
        waitFor(first, f -> f.findElements(By.cssSelector("#offers .offer")).isEmpty(), "gone from the first");
        second.findElement(By.cssSelector("#offers .offer button")).click();
        waitFor(second, s -> !s.findElements(By.cssSelector(".panel:not([hidden])")).isEmpty(), "the room opens");
        assertEquals("Dora", guest.await(ServerMessage.Joined.class).guest().user());
    }
}
