package dev.tandem.hub.api;

import dev.tandem.hub.CloudHub;
import dev.tandem.hub.fleet.DeviceId;
import dev.tandem.hub.testing.Browsers;
import dev.tandem.hub.testing.Hubs;
import dev.tandem.hub.testing.Signals;
import dev.tandem.hub.testing.TestClient;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.shared.testing.MosquittoBroker;
import dev.tandem.shared.topic.Topics;
import dev.tandem.shared.wire.Alarm;
import dev.tandem.shared.wire.DeviceStatus;
import dev.tandem.shared.wire.Escalation;
import dev.tandem.shared.wire.ModelAssignment;
import dev.tandem.shared.wire.Verdict;
import dev.tandem.shared.wire.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console in a real browser (headless Debian Chromium through chromedriver) against a real hub on a
 * real broker: an operator logs in with a token, watches a device appear and its escalations judged,
 * sees its alarm and acknowledges it. Skipped, with a message, where chromium or chromedriver is not
 * installed ({@code .ci/run} installs both).
 */
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(45);
    private static final String SITE = Signals.site();
    private static final OperatorToken.Issued ADMIN = OperatorToken.issue("alice", OperatorRole.ADMIN);
    private static final OperatorToken.Issued VIEWER = OperatorToken.issue("bob", OperatorRole.READ_ONLY);

    private static MosquittoBroker broker;
    private static CloudHub hub;
    private static HubApi api;
    private static TestClient device;
    private static WebDriver browser;
    private static Path profile;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(Browsers.available(), Browsers.MISSING);
        broker = MosquittoBroker.start();
        hub = CloudHub.start(Hubs.config(broker.address()));
        assertTrue(hub.awaitConnected(WAIT));
        api = HubApi.start(hub, ApiConfig.loopback(0, OperatorAuthenticator.of(List.of(ADMIN.stored(), VIEWER.stored()))));
        device = TestClient.connect(broker.url())
                .subscribe(Topics.allDevices(SITE, Topics.Kind.MODEL))
                .subscribe(Topics.allDevices(SITE, Topics.Kind.VERDICTS));
        profile = Files.createTempDirectory("tandem-chromium-");
        browser = Browsers.chromium(profile);
    }

    @AfterAll
    static void stop() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (device != null) {
            device.close();
        }
        if (api != null) {
            api.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (broker != null) {
            broker.close();
        }
        Browsers.delete(profile);
    }

    @Test
    void operator_logsIn_seesADeviceAppearWithItsReadingsAndVerdicts_andAcknowledgesItsAlarm() throws IOException {
        String id = SITE + ":line-1";
        open();
        WebDriverWait wait = waiting();

        // a token the hub does not know is refused on the page
        logIn("tdm_not-a-token-of-this-site");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("login-error"), "not one of"));
        logIn(ADMIN.token());
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "alice (admin)"));
        wait.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "open"));
        wait.until(ExpectedConditions.attributeToBe(By.id("fleet"), "data-ready", "true"));
        By row = By.cssSelector("tr[data-device='" + id + "']");
        assertTrue(browser.findElements(row).isEmpty(), "not there before it reports");

        // the device commissions and reports: it appears without a reload (live events)
        Hubs.commission(device, SITE, "line-1");
        ModelAssignment model = Hubs.awaitModel(device, SITE, "line-1");
        status("line-1", DeviceStatus.State.DETECTING,
                hub.lineage().current(new DeviceId(SITE, "line-1")).orElseThrow().version(), 500, 0, 2);
        wait.until(ExpectedConditions.attributeToBe(row, "data-state", "DETECTING"));
        String shown = text(row);
        assertTrue(shown.contains("0.4 %") && shown.contains("generic"), shown);

        // its escalations are judged: the chart shows the readings they carried and both verdicts
        wait.until(d -> {
            d.findElement(row).click();
            return true;
        });
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("lineage"), "(current)"));
        Escalation normal = Signals.normalEscalation(SITE, "line-1", 1_000, model.contextSize());
        Escalation anomalous = Signals.anomalousEscalation(SITE, "line-1", 1_020, model.contextSize(), 5);
        Hubs.send(device, normal);
        Hubs.send(device, anomalous);
        Verdict v = Hubs.awaitVerdict(device, anomalous.id(), WAIT);
        assertNotNull(v, "the hub answered the anomalous escalation");
        wait.until(ExpectedConditions.attributeToBe(By.id("chart"), "data-escalations", "2"));
        assertEquals(String.valueOf(Hubs.COMMISSIONING_SAMPLES + 2 * model.contextSize()), waiting().until(d -> d.findElement(By.id("chart"))
                .getDomAttribute("data-points")));
        assertFalse(browser.findElements(By.cssSelector("#chart canvas")).isEmpty(), "a chart is drawn");

        // the device raises an alarm: it appears, holding, and the admin acknowledges it
        long onset = anomalous.samples().get(anomalous.samples().size() - 5).ts();
        alarm("line-1", "ep-1", Alarm.Phase.ONSET, onset);
        By alarmRow = By.cssSelector("#alarms tr[data-device='" + id + "']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(alarmRow, "holding"));
        wait.until(d -> {
            d.findElement(alarmRow).findElement(By.cssSelector("button.ack")).click();
            return true;
        });
        wait.until(ExpectedConditions.attributeToBe(alarmRow, "data-acked", "true"));
        assertTrue(text(alarmRow).contains("alice at"), text(alarmRow));
        assertEquals("alice", hub.alarms().recent(1, new DeviceId(SITE, "line-1")).get(0).ackedBy(),
                "the acknowledgement is the hub's, not only the page's");

        // the episode clears
        alarm("line-1", "ep-1", Alarm.Phase.CLEAR, onset + 5_000);
        wait.until(ExpectedConditions.textToBePresentInElementLocated(alarmRow, "clear at"));
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target/console.png"), ((ChromeDriver) browser).getScreenshotAs(OutputType.BYTES));
        assertNoBrowserErrors();
    }

    @Test
    void readOnlyOperator_seesAlarms_butCannotAcknowledgeThem() {
        alarm("line-2", "ep-9", Alarm.Phase.ONSET, 1_700_000_000_000L);
        open();
        logIn(VIEWER.token());
        WebDriverWait wait = waiting();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "bob (read-only)"));
        By alarmRow = By.cssSelector("#alarms tr[data-device='" + SITE + ":line-2']");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(alarmRow, "holding"));
        int buttons = wait.until(d -> d.findElement(alarmRow).findElements(By.cssSelector("button.ack")).size());
        assertEquals(0, buttons, "no acknowledge button for a read-only operator");
        assertNoBrowserErrors();
    }

    @Test
    void anAddressWithTheTokenInItsFragment_signsIn_opensTheDevice_andForgetsTheFragment() {
        status("line-3", DeviceStatus.State.COMMISSIONING, null, 0, 0, 0);
        assertTrue(dev.tandem.hub.testing.TestWait.until(WAIT, () -> hub.fleet().view(new DeviceId(SITE, "line-3"))
                .isPresent()));
        browser.get(api.url() + "/");
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.get("about:blank"); // a new document: only the fragment would differ from the page open
        browser.get(api.url() + "/console/#token=" + VIEWER.token() + "&device=" + SITE + ":line-3");
        WebDriverWait wait = waiting();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "bob (read-only)"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("device-name"), SITE + ":line-3"));
        assertEquals("", ((JavascriptExecutor) browser).executeScript("return location.hash"));
        assertNoBrowserErrors();
    }

    @Test
    void aRolloutPlannedOverTheApi_appearsWaveByWave_withEachDevicesAction_andFollowsItsStartLive() throws Exception {
        Hubs.commission(device, SITE, "line-4");
        Hubs.awaitModel(device, SITE, "line-4");
        open();
        logIn(VIEWER.token());
        WebDriverWait wait = waiting();
        wait.until(ExpectedConditions.attributeToBe(By.id("rollouts"), "data-ready", "true"));

        HttpResponse<String> created = post("/api/v1/rollouts", "{\"name\": \"console-check\", "
                + "\"recipe\": \"default:threshold-quantile=0.99\", \"target\": {\"site\": \"" + SITE
                + "\", \"devices\": [\"line-4\"]}, \"waves\": [\"100%\"], \"start\": false, "
                + "\"gate\": {\"shadowSeconds\": 1, \"timeoutSeconds\": 600}, \"watchdog\": {\"watchSeconds\": 0}}");
        assertEquals(201, created.statusCode(), created.body());
        String id = Wire.mapper().readTree(created.body()).get("id").asText();

        // it appears without a reload, with its wave and the device's action in it
        By rollout = By.cssSelector("#rollouts .rollout[data-rollout='" + id + "']");
        By action = By.cssSelector("#rollouts .rollout[data-rollout='" + id + "'] tr[data-wave='0'] "
                + "span.action[data-device='" + SITE + ":line-4']");
        wait.until(ExpectedConditions.presenceOfElementLocated(action));
        wait.until(ExpectedConditions.attributeToBe(action, "data-state", "SCHEDULED"));
        wait.until(ExpectedConditions.attributeToBe(rollout, "data-state", "READY"));
        assertTrue(text(rollout).contains("console-check"), text(rollout));
        assertTrue(text(rollout).contains("wave - of 1") || text(rollout).contains("wave – of 1"), text(rollout));

        // started over the API: the page follows it (the wave under way, then the device's action moving on)
        HttpResponse<String> started = post("/api/v1/rollouts/" + id + "/start", "");
        assertEquals(200, started.statusCode(), started.body());
        wait.until(d -> !"READY".equals(d.findElement(rollout).getDomAttribute("data-state")));
        wait.until(d -> !"SCHEDULED".equals(d.findElement(action).getDomAttribute("data-state")));
        assertTrue(text(rollout).contains("wave 1 of 1"), text(rollout));
        assertNoBrowserErrors();
    }

    // --- helpers

    private static HttpResponse<String> post(String path, String body) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        return http.send(HttpRequest.newBuilder(URI.create(api.url() + path))
                .header("Authorization", "Bearer " + ADMIN.token()).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * The console with nothing remembered (the token lives in the tab's sessionStorage), cleared from a page of
     * the hub that runs no console script ({@code /metrics}, open on loopback): cleared from the console itself,
     * a sign-in still under way would store the token again.
     */
    private static void open() {
        browser.get(api.url() + "/metrics");
        ((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
        browser.get(api.url() + "/");
        new WebDriverWait(browser, WAIT).until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
        // the browser's log is read once: what the /metrics page logged (its favicon's 404) goes here
        List<LogEntry> before = Browsers.errors(browser).stream()
                .filter(e -> !e.getMessage().contains("/favicon.ico - Failed to load resource")).toList();
        assertTrue(before.isEmpty(), before::toString);
    }

    /** A bounded wait that looks again when the page re-rendered what it held (live updates replace rows). */
    private static WebDriverWait waiting() {
        WebDriverWait wait = new WebDriverWait(browser, WAIT);
        wait.ignoring(StaleElementReferenceException.class);
        return wait;
    }

    private static String text(By by) {
        return waiting().until(d -> d.findElement(by).getText());
    }

    private static void logIn(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        browser.findElement(By.id("login-btn")).click();
    }

    private static void assertNoBrowserErrors() {
        List<LogEntry> errors = Browsers.errors(browser).stream()
                // the deliberately refused token of the login check
                .filter(e -> !e.getMessage().contains("/api/v1/status - Failed to load resource: the server responded "
                        + "with a status of 401"))
                .toList();
        assertTrue(errors.isEmpty(), errors::toString);
    }

    private static void status(String name, DeviceStatus.State state, String model, long windows, long onsets,
                               long escalations) {
        device.publish(Topics.of(SITE, name, Topics.Kind.STATUS), Wire.encode(new DeviceStatus(DeviceStatus.VERSION,
                SITE, name, state, model, windows, onsets, 0, 0, null, escalations, System.currentTimeMillis())));
    }

    private static void alarm(String name, String episode, Alarm.Phase phase, long ts) {
        device.publish(Topics.of(SITE, name, Topics.Kind.ALARMS), Wire.encode(new Alarm(Alarm.VERSION, SITE, name,
                episode, phase, 1, ts, ts - (phase == Alarm.Phase.ONSET ? 0 : 5_000), phase == Alarm.Phase.ONSET ? 0 : 5_000,
                5, 2.5, 3.0, List.of(1, 4), Alarm.Source.HUB, "tiny-x")));
    }
}
