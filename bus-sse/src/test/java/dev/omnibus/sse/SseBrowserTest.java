package dev.omnibus.sse;

import static dev.omnibus.sse.BridgeFixture.loopback;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.omnibus.tck.Brokers;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Real browsers: headless Chromium, driven by Selenium through Debian's chromedriver, opens a page whose
 * {@code EventSource} reads the bridge and appends every event to the page. Skipped without chromium or chromedriver
 * (failed with {@code CI=true}); Selenium Manager never runs, since the driver and the browser are given by path.
 */
class SseBrowserTest {

  private static final Duration PATIENCE = Duration.ofSeconds(60);

  /** The page: one list item per event, {@code lastEventId id}, and a count of opened connections. */
  private static final String PAGE = """
      <!doctype html>
      <html><head><meta charset="utf-8"><title>orders</title></head>
      <body>
      <ul id="events"></ul>
      <script>
        window.opens = 0;
        window.errors = 0;
        const list = document.getElementById('events');
        const source = new EventSource('%s');
        source.onopen = () => { window.opens++; };
        source.onerror = () => { window.errors++; };
        function show(text) {
          const item = document.createElement('li');
          item.textContent = text;
          list.appendChild(item);
        }
        source.addEventListener('com.example.order.placed', e => {
          const event = JSON.parse(e.data);
          show(e.lastEventId + ' ' + event.data.id + ' ' + event.type);
        });
        source.addEventListener('omnibus.reset', e => show('reset ' + e.data));
      </script>
      </body></html>
      """;

  // One browser for the class: starting Chromium is the slow part of these tests.
  private static WebDriver browser;

  private final BridgeFixture fixture = new BridgeFixture();
  private final ExecutorService executor = Executors.newCachedThreadPool();
  private HttpServer site;

  @BeforeAll
  static void startBrowser(@TempDir Path profile) throws IOException {
    String chromium = Brokers.requireTool("chromium", "chromium");
    String chromedriver = Brokers.requireTool("chromedriver", "chromium-driver");
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(chromedriver))
        .usingAnyFreePort()
        .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--user-data-dir=" + Files.createDirectories(profile.resolve("chromium")));
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stopBrowser() {
    if (browser != null) {
      browser.quit();
    }
  }

  @BeforeEach
  void startSite() throws IOException {
    site = HttpServer.create(loopback(), 0);
    site.setExecutor(executor);
    site.start();
  }

  @AfterEach
  void stop() {
    browser.get("about:blank"); // closes the page's EventSource
    if (site != null) {
      site.stop(0);
    }
    executor.shutdownNow();
    fixture.close();
  }

  private String origin(HttpServer server) {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void servePage(String streamUrl) {
    byte[] page = PAGE.formatted(streamUrl).getBytes(StandardCharsets.UTF_8);
    site.createContext("/", exchange -> {
      exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
      exchange.sendResponseHeaders(200, page.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(page);
      }
    });
  }

  private List<String> shown() {
    return browser.findElements(By.cssSelector("#events li")).stream().map(WebElement::getText).toList();
  }

  private long opens() {
    return ((Number) ((JavascriptExecutor) browser).executeScript("return window.opens")).longValue();
  }

  private void awaitShown(int count) {
    new WebDriverWait(browser, PATIENCE).until(driver -> shown().size() >= count);
  }

  @Test
  void anEventSourceReceivesEventsAndAfterADroppedConnectionResumesWithExactlyTheMissedOnes() {
    // The hook holds a reconnection until the test has published what the browser is to miss meanwhile.
    CountDownLatch reconnectMayProceed = new CountDownLatch(1);
    Queue<String> resumedFrom = new ConcurrentLinkedQueue<>();
    SseBridge bridge = SseBridge.builder(fixture.bus)
        .stream("/events/orders", "orders")
        .retry(Duration.ofMillis(100))
        .authenticate(request -> {
          request.lastEventId().ifPresent(id -> {
            resumedFrom.add(id);
            try {
              reconnectMayProceed.await();
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
          return SseAccess.granted();
        })
        .mount(site);
    try (bridge) {
      servePage("/events/orders");
      browser.get(origin(site) + "/");
      await().atMost(PATIENCE).until(() -> bridge.stats().connected() == 1);

      fixture.publish("o", 3);
      awaitShown(3);
      assertThat(shown()).containsExactly("o-1 o-1 com.example.order.placed", "o-2 o-2 com.example.order.placed",
          "o-3 o-3 com.example.order.placed");

      // The server ends the stream; the browser reconnects by itself, sending the id of the last event it saw.
      assertThat(bridge.disconnectAll()).isEqualTo(1);
      await().atMost(PATIENCE).until(() -> !resumedFrom.isEmpty());
      assertThat(resumedFrom).containsExactly("o-3");
      List<String> missed = fixture.publish("missed", 2);
      await().atMost(PATIENCE).until(() -> bridge.stats().received() == 5);
      reconnectMayProceed.countDown();

      awaitShown(5);
      fixture.publish("live", 1);
      awaitShown(6);
      assertThat(shown()).containsExactly("o-1 o-1 com.example.order.placed", "o-2 o-2 com.example.order.placed",
          "o-3 o-3 com.example.order.placed", missed.get(0) + " " + missed.get(0) + " com.example.order.placed",
          missed.get(1) + " " + missed.get(1) + " com.example.order.placed",
          "live-1 live-1 com.example.order.placed");
      assertThat(opens()).isEqualTo(2);
      assertThat(bridge.stats().accepted()).isEqualTo(2);
    }
  }

  @Test
  void aPageOfAnAllowedOriginReadsTheStreamAcrossOrigins() {
    try (SseBridge bridge = SseBridge.builder(fixture.bus)
        .stream("/events/orders", "orders")
        .allowOrigin(origin(site))
        .start(loopback())) {
      servePage("http://127.0.0.1:" + bridge.port() + "/events/orders");
      browser.get(origin(site) + "/");
      await().atMost(PATIENCE).until(() -> bridge.stats().connected() == 1);

      fixture.publish("o", 2);

      awaitShown(2);
      assertThat(shown()).containsExactly("o-1 o-1 com.example.order.placed", "o-2 o-2 com.example.order.placed");
    }
  }

  @Test
  void aPageOfAnotherOriginIsRefusedByTheBrowser() {
    try (SseBridge bridge = SseBridge.builder(fixture.bus)
        .stream("/events/orders", "orders")
        .allowOrigin("https://app.example")
        .start(loopback())) {
      servePage("http://127.0.0.1:" + bridge.port() + "/events/orders");
      browser.get(origin(site) + "/");

      // The bridge answers, but without the page's origin in Access-Control-Allow-Origin the browser fails the
      // stream and never opens it.
      new WebDriverWait(browser, PATIENCE).until(driver ->
          ((Number) ((JavascriptExecutor) driver).executeScript("return window.errors")).longValue() > 0);
      assertThat(opens()).isZero();
      assertThat(((Number) ((JavascriptExecutor) browser).executeScript("return source.readyState")).intValue())
          .isEqualTo(2); // CLOSED: no reconnection after a CORS failure
    }
  }
}
