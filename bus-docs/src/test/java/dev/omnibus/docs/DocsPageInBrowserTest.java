package dev.omnibus.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.tck.Brokers;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The generated page in a real browser: Debian's headless Chromium, driven through its own chromedriver (never one
 * Selenium Manager would download). The page loads with no console error, shows its sections and tables, and a
 * document's markup stays text. Skipped without chromium and chromedriver, failed without them when {@code CI=true}.
 * With {@code -Domnibus.docs.screenshot=<file.png>} it saves a screenshot of the example's page there.
 */
class DocsPageInBrowserTest {

  private static ChromeDriverService service;
  private static ChromeDriver browser;
  private static Path profile;

  @TempDir
  Path pages;

  @BeforeAll
  static void startBrowser() throws IOException {
    String chromium = Brokers.requireTool("chromium", "chromium");
    String chromedriver = Brokers.requireTool("chromedriver", "chromium-driver");
    profile = Files.createTempDirectory("omnibus-docs-chromium");
    service = new ChromeDriverService.Builder().usingDriverExecutable(new File(chromedriver)).usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + profile, "--window-size=1280,1000");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowser() throws IOException {
    if (browser != null) {
      browser.quit();
    }
    if (service != null) {
      service.stop();
    }
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
      }
    }
  }

  private List<LogEntry> open(AsyncApiDocs docs, String name) {
    Path html = docs.write(pages.resolve(name)).get(0);
    browser.get(html.toUri().toString());
    return browser.manage().logs().get(LogType.BROWSER).getAll();
  }

  @Test
  void theExamplesPageLoadsWithoutAConsoleErrorAndShowsItsSections() throws IOException {
    List<LogEntry> console = open(AsyncApiDocs.of(AsyncApiDocument.load(Documents.example())), "example");

    assertThat(console).filteredOn(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).isEmpty();
    assertThat(browser.getTitle()).isEqualTo("Orders 1.0.0");
    assertThat(browser.findElement(By.tagName("h1")).getText()).isEqualTo("Orders 1.0.0");
    assertThat(browser.findElements(By.cssSelector("main h2"))).extracting(WebElement::getText)
        .containsExactly("Servers", "Channels", "Operations", "Messages", "Delivery semantics");
    assertThat(browser.findElement(By.id("channel-orderEvents")).getText()).isEqualTo("orderEvents");
    assertThat(browser.findElements(By.cssSelector("#delivery ~ table thead")).get(0).getText())
        .contains("Ordering key", "Retries", "Dead letter channel", "Concurrency", "Validation");
    assertThat(browser.findElement(By.tagName("main")).getText())
        .contains("orders.events.dlq", "orders.events/dlq", "orders.events.<group>.dlq",
            "\"currency\" : \"EUR\"", "5 attempts");
    // The contents link to the sections: following one scrolls the page, nothing is fetched.
    browser.findElement(By.cssSelector("nav a[href='#delivery']")).click();
    assertThat(browser.getCurrentUrl()).endsWith("#delivery");
    assertThat(browser.manage().logs().get(LogType.BROWSER).getAll())
        .filteredOn(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).isEmpty();
    screenshotIfAsked();
  }

  @Test
  void markupInTheDocumentShowsAsTextAndRunsNothing() {
    List<LogEntry> console = open(AsyncApiDocs.of(Documents.shipping()), "shipping");

    assertThat(console).filteredOn(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue()).isEmpty();
    assertThat(browser.findElements(By.tagName("script"))).isEmpty();
    assertThatThrownBy(() -> browser.switchTo().alert()).isInstanceOf(NoAlertPresentException.class);
    assertThat(browser.findElement(By.tagName("h1")).getText())
        .isEqualTo("Shipping <script>alert(\"title\")</script> 2.1.0");
    assertThat(browser.findElement(By.tagName("main")).getText())
        .contains("Parcels on their way. <script>alert(\"x\")</script> & friends.");
  }

  private static void screenshotIfAsked() throws IOException {
    String target = System.getProperty("omnibus.docs.screenshot");
    if (target == null || target.isBlank()) {
      return;
    }
    browser.navigate().to(browser.getCurrentUrl().replaceAll("#.*$", ""));
    long height = ((Number) ((JavascriptExecutor) browser)
        .executeScript("return document.documentElement.scrollHeight")).longValue();
    browser.manage().window().setSize(new Dimension(1280, (int) Math.min(height, 7000)));
    Path shot = browser.getScreenshotAs(OutputType.FILE).toPath();
    Path file = Path.of(target).toAbsolutePath();
    Files.createDirectories(file.getParent());
    Files.copy(shot, file, StandardCopyOption.REPLACE_EXISTING);
    System.out.println("[omnibus] screenshot of the example's documentation: " + file);
  }
}
