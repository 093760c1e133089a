package dev.tandem.sim.demo;

import dev.tandem.hub.api.ApiConfig;
import dev.tandem.hub.api.HubApi;
import dev.tandem.hub.api.OperatorAuthenticator;
import dev.tandem.hub.testing.Browsers;
import dev.tandem.shared.identity.OperatorRole;
import dev.tandem.shared.identity.OperatorToken;
import dev.tandem.sim.factory.Fault;
import dev.tandem.sim.fleet.LocalFleet;
import dev.tandem.sim.fleet.LocalFleetOptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The console on the demo's loop (embedded broker, a secured throwaway site, the hub, an edge agent per
 * machine, the simulator), in headless Chromium: the fleet shows detecting, and a fault injected on one
 * machine shows as its alarm within seconds. Skipped, with a message, without chromium and chromedriver.
 */
class ConsoleInTheLoopTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void console_showsTheFleetDetecting_andTheAlarmOfTheFaultyMachine_withinSeconds() throws Exception {
        assumeTrue(Browsers.available(), Browsers.MISSING);
        OperatorToken.Issued operator = OperatorToken.issue("ops", OperatorRole.ADMIN);
        Path profile = Files.createTempDirectory("tandem-chromium-");
        WebDriver browser = null;
        try (LocalFleet fleet = LocalFleet.start(LocalFleetOptions.builder().devices(3).build());
             HubApi api = HubApi.start(fleet.hub().orElseThrow(),
                     ApiConfig.loopback(0, OperatorAuthenticator.of(List.of(operator.stored()))))) {
            browser = Browsers.chromium(profile);
            browser.get(api.url() + "/console/#token=" + operator.token());
            WebDriverWait wait = new WebDriverWait(browser, WAIT);
            wait.ignoring(StaleElementReferenceException.class);
            wait.until(d -> d.findElements(By.cssSelector("#fleet tr[data-state='DETECTING']")).size() == 3);

            String faulty = fleet.site() + ":machine-01";
            LocalFleet.Injected fault = fleet.device("machine-01")
                    .inject(Fault.levelShift("motor_current", 30).lasting(Duration.ofMinutes(10)));
            long from = fault.from().toEpochMilli();
            wait.until(d -> (Boolean) ((JavascriptExecutor) d).executeScript("return [...document.querySelectorAll("
                    + "\"#alarms tr[data-device='" + faulty + "']\")].some(r => Number(r.dataset.onset) >= " + from + ")"));
            String row = wait.until(d -> d.findElement(By.cssSelector("#alarms tr[data-device='" + faulty + "']")).getText());
            assertTrue(row.contains("Acknowledge"), row);
            assertEquals(List.of(), Browsers.errors(browser), "no error in the browser's console");
        } finally {
            if (browser != null) {
                browser.quit();
            }
            Browsers.delete(profile);
        }
    }
}
