package io.switchboard.server;

import static io.switchboard.server.Chromium.bodies;
import static io.switchboard.server.Chromium.screenshot;
import static io.switchboard.server.Chromium.waitFor;
import static io.switchboard.server.Chromium.waitForWidget;
import static io.switchboard.server.Chromium.widget;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.switchboard.protocol.Request;
import io.switchboard.protocol.ServerMessage;
import io.switchboard.protocol.StatusIs;
import io.switchboard.protocol.StatusOf;
import io.switchboard.server.config.ConfigLoader;
import io.switchboard.server.desk.ManualClock;
import jakarta.mail.internet.MimeMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * "Nobody can answer now" in a real browser (headless Chromium) with real email (GreenMail's SMTP and IMAP on
 * loopback): a guest finds the group closed and leaves a message, the agent answers it from the console, and the
 * guest's answer by email appears in the console; a guest on a phone whose page goes to the background for three
 * minutes (the server's clock; the page frozen and its connection cut, as a phone does) is back in their place; a
 * guest who keeps their place by email comes back into the room through the link in the email, in another browser.
 */
class EmailBrowserTest {
    @TempDir
    Path temp;
    private MailServer mail;
    private SwitchboardServer server;
    private Chromium chromium;
    private HttpServer shop;
    private String base;
    private String shopBase;
    private final ManualClock clock = new ManualClock(System.currentTimeMillis());

    @BeforeEach
    void start() throws Exception {
        chromium = Chromium.start(temp);
        mail = new MailServer();
        int port = BrowserTest.freePort();
        int shopPort = BrowserTest.freePort();
        base = "http://127.0.0.1:" + port;
        shopBase = "http://localhost:" + shopPort;
        // The default group opens tomorrow only (in UTC): it is closed now, and says when it opens.
        String tomorrow = ZonedDateTime.now(ZoneOffset.UTC).plusDays(1).getDayOfWeek()
                .getDisplayName(TextStyle.SHORT, Locale.ROOT).toLowerCase(Locale.ROOT);
        String config = """
                {"port": %d,
                 "allowed_origins": ["%s", "%s"],
                 "accounts": [{"id": "default",
                   "groups": [{"name": "default", "hours": {"time_zone": "UTC",
                                 "weekly": [{"days": ["%s"], "from": "09:00", "to": "17:00"}]}},
                              {"name": "chat"}],
                   "agents": [{"user": "admin", "token": "admin-token-for-tests", "supervisor": true, "limit": 5}]}],
                 "public_url": "%s",
                 %s}""".formatted(port, base, shopBase, tomorrow, base,
                mail.config(", \"link_url\": \"" + shopBase + "/chat\""));
        server = SwitchboardServer.start(ConfigLoader.parse(config, "email browser test")
                .with(null, null, temp.resolve("data").toString()), clock);
        // A shop page whose widget is for the group that is open.
        shop = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), shopPort), 0);
        byte[] page = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                + "content=\"width=device-width, initial-scale=1\"><title>Shop</title></head><body><h1>Shop</h1>"
                + "<script src=\"" + base + "/widget.js\" data-group=\"chat\" async></script></body></html>")
                .getBytes(StandardCharsets.UTF_8);
        shop.createContext("/chat", exchange -> BrowserTest.serve(exchange, "text/html; charset=utf-8", page));
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
        if (mail != null) {
            mail.close();
        }
    }

    /** Nobody is available (offline): the widget offers a message first; the guest chooses to chat and wait. */
    private static void startChatInstead(WebDriver driver) {
        waitFor(driver, d -> widget(d).findElement(By.cssSelector(".info-line")).getText()
                .startsWith("Nobody is available to chat right now."), "the widget says nobody is available");
        widget(driver).findElement(By.cssSelector("button.chat-instead")).click();
        waitFor(driver, d -> widget(d).findElement(By.cssSelector("#sb-name")).isDisplayed(), "the chat form");
    }

    private WebDriver console() {
        WebDriver agent = chromium.open();
        agent.get(base + "/console");
        agent.findElement(By.id("user")).sendKeys("admin");
        agent.findElement(By.id("token")).sendKeys("admin-token-for-tests");
        agent.findElement(By.cssSelector("#sign-in-form button")).click();
        waitFor(agent, a -> a.findElement(By.id("who")).getText().contains("admin"), "the console signed in");
        return agent;
    }

    @Test
    void aGuestFindsUsClosedLeavesAMessageAndTheirEmailAnswerReachesTheConsole() throws Exception {
        WebDriver guest = chromium.open();
        guest.get(base + "/demo");
        waitForWidget(guest);
        widget(guest).findElement(By.cssSelector(".launcher")).click();
        // Closed: the widget says when it opens, in the guest's time, and offers a message instead of a chat.
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".info-line")).getText()
                .startsWith("We are closed right now. We open again tomorrow at"), "the widget says it is closed");
        assertTrue(widget(guest).findElement(By.cssSelector(".info-line")).getText()
                .endsWith("Leave us a message and we will answer you by email."));
        waitFor(guest, g -> widget(g).findElement(By.cssSelector("form.message-form")).isDisplayed(),
                "the message form is offered");
        assertTrue(widget(guest).findElements(By.cssSelector("form.start:not(.message-form)")).stream()
                .noneMatch(form -> form.isDisplayed()), "no chat while closed");
        screenshot(guest, "widget-closed");
        widget(guest).findElement(By.cssSelector("#sb-m-name")).sendKeys("Lena");
        widget(guest).findElement(By.cssSelector("#sb-m-email")).sendKeys("lena@example.com");
        widget(guest).findElement(By.cssSelector("#sb-m-body")).sendKeys("My parcel is late");
        widget(guest).findElement(By.cssSelector("form.message-form button[type=submit]")).click();
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".message-sent")).getText()
                .contains("will answer you at lena@example.com"), "the widget confirms the message");
        screenshot(guest, "widget-message-sent");
        assertTrue(MailServer.text(mail.mailsTo("lena@example.com", 1).get(0)).contains("We received your message")
                || mail.mailsTo("lena@example.com", 1).get(0).getSubject().equals("We received your message"));

        // The agent sees it as a message with its SLA clock, takes it and answers.
        WebDriver agent = console();
        waitFor(agent, a -> a.findElement(By.id("queue")).getText().contains("Message by email · Lena"),
                "the console lists the message");
        assertTrue(agent.findElement(By.id("queue")).getText().contains("answer within"),
                agent.findElement(By.id("queue")).getText());
        screenshot(agent, "console-message-waiting");
        agent.findElement(By.id("assist")).click();
        waitFor(agent, a -> bodies(a.findElement(By.cssSelector(".panel"))).equals(List.of("My parcel is late")),
                "the console shows her message");
        assertTrue(agent.findElement(By.cssSelector(".panel .question")).getText()
                .contains("emailed to lena@example.com"));
        agent.findElement(By.cssSelector(".panel .composer textarea")).sendKeys("Sorry! It leaves today.",
                Keys.ENTER);
        MimeMessage answer = mail.mailsTo("lena@example.com", 2).get(1);
        assertTrue(MailServer.text(answer).contains("Sorry! It leaves today."), MailServer.text(answer));

        // Her answer by email (her mail host puts it in the support mailbox) appears in the console.
        mail.answer(answer, "lena@example.com", "Thank you! Which carrier?");
        waitFor(agent, a -> bodies(a.findElement(By.cssSelector(".panel"))).equals(List.of("My parcel is late",
                "Sorry! It leaves today.", "Thank you! Which carrier?")), "her answer is in the console");
        screenshot(agent, "console-message-by-email");
    }

    @Test
    void aPhoneInTheBackgroundForThreeMinutesComesBackInItsPlace() throws Exception {
        WebDriver phone = chromium.open();
        phone.manage().window().setSize(new Dimension(390, 844));
        phone.get(shopBase + "/chat");
        waitForWidget(phone);
        widget(phone).findElement(By.cssSelector(".launcher")).click();
        startChatInstead(phone);
        widget(phone).findElement(By.cssSelector("#sb-name")).sendKeys("Grace");
        widget(phone).findElement(By.cssSelector("#sb-question")).sendKeys("Do you ship abroad?");
        widget(phone).findElement(By.cssSelector("form.start button")).click();
        waitFor(phone, p -> widget(p).findElement(By.cssSelector(".place")).getText().equals("1"), "in line");
        // Someone joins the line behind her, over a plain WebSocket.
        try (WsClient other = WsClient.connect(server.port())) {
            other.call(new Request.Identify("Hank", "Me too", "default", "chat", Map.of(), null));
            // The phone locks: the page is frozen and its connection cut; three minutes pass, far past the room
            // grace (60 s) and within the waiting grace (10 min).
            ChromeDriver driver = (ChromeDriver) phone;
            driver.executeCdpCommand("Page.setWebLifecycleState", Map.of("state", "frozen"));
            server.dropWebSockets();
            server.onDesk(() -> {
                clock.advance(180_000);
                return null;
            });
            driver.executeCdpCommand("Page.setWebLifecycleState", Map.of("state", "active"));
            waitFor(phone, p -> widget(p).findElement(By.cssSelector(".place")).getText().equals("1")
                    && widget(p).findElement(By.cssSelector(".status")).getText().isEmpty(),
                    "back, connected, first in line");
            screenshot(phone, "widget-phone-back-in-line");
            // Still first: an agent takes her before Hank.
            try (WsClient admin = WsClient.connect(server.port())) {
                admin.call(new Request.Login("admin", "admin-token-for-tests"));
                ServerMessage.Joined joined = WsClient.first(admin.call(new Request.Status(null,
                        StatusOf.AVAILABILITY, StatusIs.AVAILABLE)), ServerMessage.Joined.class);
                assertEquals("Grace", joined.guest().user());
                waitFor(phone, p -> widget(p).findElement(By.cssSelector(".agent-line")).getText()
                        .equals("You are chatting with admin."), "she is with admin");
            }
        }
    }

    @Test
    void aGuestWhoKeepsTheirPlaceIsBroughtBackByTheLinkInTheirEmail() throws Exception {
        WebDriver guest = chromium.open();
        guest.get(shopBase + "/chat");
        waitForWidget(guest);
        widget(guest).findElement(By.cssSelector(".launcher")).click();
        startChatInstead(guest);
        widget(guest).findElement(By.cssSelector("#sb-name")).sendKeys("Carla");
        widget(guest).findElement(By.cssSelector("#sb-question")).sendKeys("Where is my order?");
        widget(guest).findElement(By.cssSelector("form.start button")).click();
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".place")).getText().equals("1"), "in line");
        widget(guest).findElement(By.cssSelector("button.keep-toggle")).click();
        widget(guest).findElement(By.cssSelector("#sb-keep-email")).sendKeys("carla@example.com");
        widget(guest).findElement(By.cssSelector("form.keep-form button[type=submit]")).click();
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".kept")).getText()
                .contains("We will email carla@example.com"), "the widget says her place is kept");
        waitFor(guest, g -> widget(g).findElement(By.cssSelector(".kept")).getText()
                .contains("Your place in line: 1"), "the kept place follows the event stream");
        screenshot(guest, "widget-place-kept");
        assertTrue(MailServer.text(mail.mailsTo("carla@example.com", 1).get(0)).contains("number 1 in line"));
        // She closes the page.
        guest.get("about:blank");

        // An agent is free: she is emailed, and the link opens the widget straight into the room (another browser).
        try (WsClient admin = WsClient.connect(server.port())) {
            admin.call(new Request.Login("admin", "admin-token-for-tests"));
            admin.call(new Request.Status(null, StatusOf.AVAILABILITY, StatusIs.AVAILABLE));
            MimeMessage ready = mail.mailsTo("carla@example.com", 2).get(1);
            Matcher link = Pattern.compile(Pattern.quote(shopBase + "/chat#") + "\\S+")
                    .matcher(MailServer.text(ready));
            assertTrue(link.find(), MailServer.text(ready));
            WebDriver phone = chromium.open();
            phone.get(link.group());
            waitForWidget(phone);
            waitFor(phone, p -> widget(p).findElement(By.cssSelector(".agent-line")).getText()
                    .equals("You are chatting with admin."), "the link brought her into the room");
            assertEquals(shopBase + "/chat", phone.getCurrentUrl(), "the key left the address bar");
            ServerMessage.Joined joined = admin.await(ServerMessage.Joined.class);
            widget(phone).findElement(By.cssSelector(".composer textarea")).sendKeys("Hi, I'm back", Keys.ENTER);
            assertEquals("Hi, I'm back", admin.await(ServerMessage.Message.class).body());
            assertEquals("Carla", joined.guest().user());
            screenshot(phone, "widget-back-from-email");
        }
    }
}
