package io.switchboard.server;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.JavascriptExecutor;
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
 * Debian's headless Chromium through chromedriver, for the browser tests: browsers (each with a profile of its own),
 * the widget's shadow root, waiting for a condition with a deadline, screenshots to {@code target/screenshots}.
 * Without Chromium the tests are skipped, except under CI ({@code CI} set), where they fail: {@code .ci/run} installs
 * it.
 */
final class Chromium implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Path SHOTS = Path.of("target", "screenshots");

    private final Path profiles;
    private final List<WebDriver> drivers = new ArrayList<>();

    private Chromium(Path profiles) {
        this.profiles = profiles;
    }

    /** Browsers whose profiles live under {@code profiles}; the test is skipped (or, under CI, fails) without them. */
    static Chromium start(Path profiles) throws IOException {
        boolean present = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!present && System.getenv("CI") != null) {
            throw new AssertionError("CI needs " + CHROMIUM + " and " + CHROMEDRIVER + " (.ci/run installs them)");
        }
        Assumptions.assumeTrue(present, "no Chromium here: apt install chromium chromium-driver");
        Files.createDirectories(SHOTS);
        return new Chromium(profiles);
    }

    /** A new browser (a person of its own: its own profile, storage and cookies) in a 1280×860 window. */
    WebDriver open() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,860",
                "--user-data-dir=" + profiles.resolve("chromium-" + drivers.size()));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        WebDriver driver = new ChromeDriver(service, options);
        drivers.add(driver);
        return driver;
    }

    @Override
    public void close() {
        drivers.forEach(WebDriver::quit);
    }

    /** The widget's script is loaded {@code async}: its launcher appears some time after the page. */
    static void waitForWidget(WebDriver driver) {
        waitFor(driver, d -> !d.findElements(By.id("switchboard-widget")).isEmpty()
                && !widget(d).findElements(By.cssSelector(".launcher")).isEmpty(), "the widget is on the page");
    }

    /** The widget's shadow root, where everything of it lives. */
    static SearchContext widget(WebDriver driver) {
        return driver.findElement(By.id("switchboard-widget")).getShadowRoot();
    }

    /** The message bodies of a console panel, in order. */
    static List<String> bodies(WebElement panel) {
        List<String> bodies = new ArrayList<>();
        for (WebElement body : panel.findElements(By.cssSelector(".messages li .body"))) {
            bodies.add(body.getText());
        }
        return bodies;
    }

    /** The message texts of the widget, in order (not its system lines). */
    static List<String> guestBodies(WebDriver driver) {
        List<String> bodies = new ArrayList<>();
        for (WebElement item : widget(driver).findElements(By.cssSelector(".messages li:not(.system) .text"))) {
            bodies.add(item.getText());
        }
        return bodies;
    }

    /** The widget's system lines (who joined or left, how it ended), in order. */
    static List<String> guestLines(WebDriver driver) {
        List<String> lines = new ArrayList<>();
        for (WebElement item : widget(driver).findElements(By.cssSelector(".messages li.system"))) {
            lines.add(item.getText());
        }
        return lines;
    }

    /** For each element, whether it has the class. */
    static List<Boolean> classes(List<WebElement> elements, String name) {
        List<Boolean> has = new ArrayList<>();
        for (WebElement element : elements) {
            has.add(List.of(element.getAttribute("class").split(" ")).contains(name));
        }
        return has;
    }

    static Object js(WebDriver driver, String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Waits for a condition, with a deadline; a screenshot of the page when it does not come. */
    static void waitFor(WebDriver driver, Function<WebDriver, Boolean> condition, String what) {
        try {
            new WebDriverWait(driver, WAIT).ignoring(org.openqa.selenium.NoSuchElementException.class)
                    .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                    .until(condition::apply);
        } catch (org.openqa.selenium.TimeoutException e) {
            screenshot(driver, "failed");
            throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what, e);
        }
    }

    static void screenshot(WebDriver driver, String name) {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        try {
            Files.copy(shot.toPath(), SHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void available(WebDriver console) {
        new Select(console.findElement(By.id("availability"))).selectByValue("available");
    }

    static void startChat(WebDriver guest, String name, String question) {
        waitForWidget(guest);
        if (!widget(guest).findElement(By.cssSelector(".panel")).isDisplayed()) {
            widget(guest).findElement(By.cssSelector(".launcher")).click();
        }
        WebElement nameField = widget(guest).findElement(By.cssSelector("#sb-name"));
        nameField.clear();
        nameField.sendKeys(name);
        widget(guest).findElement(By.cssSelector("#sb-question")).sendKeys(question);
        widget(guest).findElement(By.cssSelector("form.start button")).click();
        waitFor(guest, g -> !widget(g).findElements(By.cssSelector(".place")).isEmpty()
                && widget(g).findElement(By.cssSelector(".place")).isDisplayed()
                || widget(g).findElement(By.cssSelector(".agent-line")).getText().startsWith("You are chatting"),
                "the chat started");
    }

    /** Types a message and sends it, once the composer is there to type in (as a person would). */
    static void say(WebDriver guest, String text) {
        waitFor(guest, g -> {
            java.util.List<WebElement> boxes = widget(g).findElements(By.cssSelector(".composer textarea"));
            return !boxes.isEmpty() && boxes.get(0).isDisplayed() && boxes.get(0).isEnabled();
        }, "the composer can be typed in");
        widget(guest).findElement(By.cssSelector(".composer textarea")).sendKeys(text, Keys.ENTER);
    }

    static WebElement panel(WebDriver console) {
        return console.findElement(By.cssSelector(".panel:not([hidden])"));
    }

    /** Signs a console in as {@code user} (whose token is {@code user-token-for-tests}) and waits until it is. */
    static void signIn(WebDriver console, String base, String user) {
        console.get(base + "/console");
        console.findElement(By.id("user")).sendKeys(user);
        console.findElement(By.id("token")).sendKeys(user + "-token-for-tests", Keys.ENTER);
        waitFor(console, c -> c.findElement(By.id("who")).getText().startsWith(user), "the console signed in");
    }
}
