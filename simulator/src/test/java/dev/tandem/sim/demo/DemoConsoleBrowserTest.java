package dev.tandem.sim.demo;

import dev.tandem.hub.testing.Browsers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a newcomer does after the README's first command, in a real browser: the demo's whole loop
 * (embedded broker with the site's identities, hub, one edge agent per machine, the simulator) runs,
 * its console is opened in headless Debian Chromium with the token the demo printed, every machine is
 * listed as detecting, and the alarm of the machine the demo scripts its fault on appears within
 * seconds of the fault, with no error in the browser's console. Skipped, with a message, where
 * chromium or chromedriver is absent ({@code .ci/run} installs both).
 */
class DemoConsoleBrowserTest {
    private static final int DEVICES = 3;
    private static final Duration WAIT = Duration.ofSeconds(90);
    /** From the fault's first reading to its alarm on the page: the edge decides within a window, the page is live. */
    private static final Duration ALARM_WITHIN = Duration.ofSeconds(20);

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void theDemosConsole_listsTheFleetDetecting_andShowsTheFaultyMachinesAlarmWithinSeconds() throws Exception {
        assumeTrue(Browsers.available(), Browsers.MISSING);
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        String site = "demo-ui";
        Demo demo = new Demo(DemoConfig.builder().devices(DEVICES).duration(Duration.ofSeconds(180)).seed(42)
                .ratePerDevice(50).commissioningSamples(300).statusInterval(Duration.ofSeconds(5)).site(site).build(),
                new PrintStream(buffer, true, StandardCharsets.UTF_8));
        CompletableFuture<DemoReport> run = CompletableFuture.supplyAsync(() -> {
            try {
                return demo.run();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Path profile = Files.createTempDirectory("tandem-demo-chromium-");
        WebDriver browser = null;
        try {
            long until = System.nanoTime() + WAIT.toNanos();
            while (demo.consoleUrl().isEmpty() && !run.isDone() && System.nanoTime() < until) {
                Thread.sleep(100);
            }
            String url = demo.consoleUrl().orElseThrow(() -> new AssertionError("no console within " + WAIT + "\n" + buffer));
            String token = Files.readString(demo.consoleToken().orElseThrow()).trim();
            String faulty = site + ":" + demo.faultyDevice();

            browser = Browsers.chromium(profile);
            browser.get(url + "#token=" + token + "&device=" + faulty);
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            wait.ignoring(StaleElementReferenceException.class);
            wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "(admin)"));
            wait.until(ExpectedConditions.attributeToBe(By.id("live"), "data-state", "open"));

            // every machine commissions and is listed as detecting, without a reload
            for (int i = 1; i <= DEVICES; i++) {
                By row = By.cssSelector("#fleet tr[data-device='" + site + ":machine-0" + i + "']");
                wait.until(ExpectedConditions.attributeToBe(row, "data-state", "DETECTING"));
            }

            // the demo's rollout shows, wave by wave, once every machine runs its model
            wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#rollouts .rollout[data-rollout]")));
            assertTrue(browser.findElement(By.id("rollouts")).getText().contains("demo-refit"),
                    browser.findElement(By.id("rollouts")).getText());

            // the scripted fault begins; its alarm appears on the faulty machine within seconds
            long faultStart = demo.faultStartTs();
            long now = System.currentTimeMillis();
            assertTrue(now < faultStart, "the fleet was detecting before the fault began ("
                    + (now - faultStart) + " ms late)\n" + buffer);
            By faultAlarm = By.cssSelector("#alarms tr[data-device='" + faulty + "']");
            WebDriverWait forAlarm = new WebDriverWait(browser,
                    Duration.ofMillis(faultStart - now).plus(ALARM_WITHIN));
            forAlarm.ignoring(StaleElementReferenceException.class);
            WebElement alarm = forAlarm.until(d -> d.findElements(faultAlarm).stream()
                    .filter(r -> Long.parseLong(r.getDomAttribute("data-onset")) >= faultStart).findFirst().orElse(null));
            long shownAfter = System.currentTimeMillis() - faultStart;
            assertTrue(alarm.getText().contains("holding") || alarm.getText().contains("clear"), alarm.getText());
            System.out.printf("the faulty machine's alarm was on the page %.1f s after the fault began%n", shownAfter / 1000.0);
            assertTrue(browser.findElement(By.id("device-name")).getText().contains(faulty), "the address opened the faulty machine");

            List<LogEntry> errors = Browsers.errors(browser).stream()
                    .filter(e -> !e.getMessage().contains("/favicon.ico - Failed to load resource")).toList();
            assertTrue(errors.isEmpty(), "no error in the browser's console: " + errors);
        } finally {
            if (browser != null) {
                browser.quit();
            }
            demo.requestStop();
            Browsers.delete(profile);
        }
        DemoReport report = run.get(90, TimeUnit.SECONDS);
        String out = buffer.toString(StandardCharsets.UTF_8);
        System.out.println(out);
        assertEquals(DEVICES, report.modelsDelivered(), out);
        assertNotNull(report.scriptedFault().alarmAfterSeconds(), "the summary has the fault detected\n" + out);
        assertTrue(out.contains("scripted fault    level_shift of vibration_rms on machine-02: anomalous "), out);
    }
}
