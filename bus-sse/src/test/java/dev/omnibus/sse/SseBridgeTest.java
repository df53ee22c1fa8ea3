package dev.omnibus.sse;

import static dev.omnibus.sse.BridgeFixture.NOTE;
import static dev.omnibus.sse.BridgeFixture.PLACED;
import static dev.omnibus.sse.BridgeFixture.SHIPPED;
import static dev.omnibus.sse.BridgeFixture.loopback;
import static dev.omnibus.sse.BridgeFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.omnibus.sse.BridgeFixture.Note;
import dev.omnibus.sse.BridgeFixture.OrderPlaced;
import dev.omnibus.sse.BridgeFixture.OrderShipped;
import dev.omnibus.sse.EventStreamClient.SseEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The bridge over the in-memory binding, read by the JDK's HttpClient as a browser reads a stream. */
class SseBridgeTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final BridgeFixture fixture = new BridgeFixture();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<AutoCloseable> closing = new ArrayList<>();

  @BeforeAll
  static void patience() {
    // Shared CI machines may be slow; no assertion depends on how long anything takes.
    Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable resource : closing) {
      resource.close();
    }
    fixture.close();
  }

  private SseBridge start(SseBridge.Builder builder) {
    SseBridge bridge = builder.start(loopback());
    closing.add(0, bridge);
    return bridge;
  }

  private EventStreamClient connect(SseBridge bridge, String pathAndQuery, Map<String, String> headers) {
    EventStreamClient client = EventStreamClient.open(http, uri(bridge, pathAndQuery), headers);
    closing.add(client);
    return client;
  }

  private EventStreamClient connect(SseBridge bridge, String pathAndQuery) {
    return connect(bridge, pathAndQuery, Map.of());
  }

  /** Connects and waits until the bridge counts the stream, so that events published next reach it. */
  private EventStreamClient connected(SseBridge bridge, String pathAndQuery) {
    int before = bridge.stats().connected();
    EventStreamClient client = connect(bridge, pathAndQuery);
    await().until(() -> bridge.stats().connected() > before);
    return client;
  }

  @Test
  void eachEventIsItsIdItsTypeAndTheStructuredCloudEventOnOneLine() throws IOException {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders"));
    EventStreamClient client = connected(bridge, "/events/orders");

    fixture.publish("o", 1);

    await().until(() -> client.eventCount() == 1);
    SseEvent event = client.events().get(0);
    assertThat(event.id()).isEqualTo("o-1");
    assertThat(event.event()).isEqualTo("com.example.order.placed");
    assertThat(event.data()).doesNotContain("\n");
    JsonNode json = JSON.readTree(event.data());
    assertThat(json.get("specversion").asText()).isEqualTo("1.0");
    assertThat(json.get("id").asText()).isEqualTo("o-1");
    assertThat(json.get("type").asText()).isEqualTo("com.example.order.placed");
    assertThat(json.get("source").asText()).isEqualTo("/sse-test");
    assertThat(json.get("subject").asText()).isEqualTo(BridgeFixture.KEY);
    assertThat(json.get("data").get("id").asText()).isEqualTo("o-1");
    assertThat(json.get("data").get("total").asLong()).isEqualTo(1);
    assertThat(client.status()).isEqualTo(200);
    assertThat(client.headers().firstValue("Content-Type")).hasValue("text/event-stream; charset=utf-8");
    assertThat(client.retry()).isEqualTo("2000");
  }

  @Test
  void aStreamWithoutLastEventIdStartsWithTheNextEvent() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders"));
    fixture.publish("before", 2);
    await().until(() -> bridge.stats().received() == 2);

    EventStreamClient client = connected(bridge, "/events/orders");
    fixture.publish("after", 1);

    await().until(() -> bridge.stats().delivered() == 1);
    await().untilAsserted(() -> assertThat(client.ids()).containsExactly("after-1"));
  }

  @Test
  void streamsShowWhatTheirFilterAndTheClientsQueryLetThrough() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus)
        .stream("/events/orders", "orders")
        .stream("/events/placed", "orders", event -> event.getType().equals(PLACED.type())));
    EventStreamClient placed = connected(bridge, "/events/placed");
    EventStreamClient shipped = connected(bridge, "/events/orders?type=" + SHIPPED.type());
    EventStreamClient second = connected(bridge, "/events/orders?subject=o-2");

    fixture.bus.publish(PLACED.event(new OrderPlaced("o-1", 10)).id("p-1").build()).toCompletableFuture().join();
    fixture.bus.publish(SHIPPED.event(new OrderShipped("o-1")).id("s-1").build()).toCompletableFuture().join();
    fixture.bus.publish(PLACED.event(new OrderPlaced("o-2", 20)).id("p-2").build()).toCompletableFuture().join();

    // Every event went through the filters once the three were received; four frames in all pass them.
    await().until(() -> bridge.stats().received() == 3 && bridge.stats().delivered() == 4);
    await().untilAsserted(() -> {
      assertThat(placed.ids()).containsExactlyInAnyOrder("p-1", "p-2"); // two subjects: no order between them
      assertThat(shipped.ids()).containsExactly("s-1");
      assertThat(second.ids()).containsExactly("p-2");
    });
  }

  @Test
  void aClientResumesAfterItsLastEventIdFromTheReplayBuffer() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders").replay(100));
    fixture.publish("o", 5);
    await().until(() -> bridge.stats().received() == 5);

    EventStreamClient client = connect(bridge, "/events/orders", Map.of("Last-Event-ID", "o-2"));
    await().until(() -> client.eventCount() == 3);
    fixture.bus.publish(PLACED.event(new OrderPlaced("o-6", 6)).id("o-6").build()).toCompletableFuture().join();

    await().until(() -> bridge.stats().delivered() == 4);
    await().untilAsserted(() -> assertThat(client.ids()).containsExactly("o-3", "o-4", "o-5", "o-6"));
    assertThat(client.events()).extracting(SseEvent::event).containsOnly(PLACED.type());
  }

  @Test
  void theLastEventIdMayComeAsAQueryParameterSinceEventSourceCannotSetHeaders() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders"));
    fixture.publish("o", 5);
    await().until(() -> bridge.stats().received() == 5);

    EventStreamClient client = connect(bridge, "/events/orders?lastEventId=o-4");

    await().until(() -> bridge.stats().delivered() == 1);
    await().untilAsserted(() -> assertThat(client.ids()).containsExactly("o-5"));
  }

  @Test
  void anUnknownLastEventIdGetsAResetNoticeThenTheWholeBuffer() throws IOException {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders").replay(3));
    fixture.publish("o", 5);
    await().until(() -> bridge.stats().received() == 5);

    EventStreamClient client = connect(bridge, "/events/orders", Map.of("Last-Event-ID", "o-1"));

    await().until(() -> client.eventCount() == 4);
    SseEvent reset = client.events().get(0);
    assertThat(reset.event()).isEqualTo("omnibus.reset");
    JsonNode notice = JSON.readTree(reset.data());
    assertThat(notice.get("lastEventId").asText()).isEqualTo("o-1");
    assertThat(notice.get("replayed").asInt()).isEqualTo(3);
    assertThat(client.events().subList(1, 4)).extracting(SseEvent::id).containsExactly("o-3", "o-4", "o-5");
  }

  @Test
  void anIdleStreamCarriesHeartbeatComments() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders")
        .heartbeat(Duration.ofMillis(20)));

    EventStreamClient client = connect(bridge, "/events/orders");

    // The first comment opens the stream; the others are heartbeats.
    await().until(() -> client.comments() >= 4);
    assertThat(client.events()).isEmpty();
    assertThat(client.ended()).isFalse();
  }

  @Test
  void theAuthenticationHookRefusesAStreamOrNarrowsIt() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders")
        .authenticate(request -> request.query("token")
            .map(token -> SseAccess.granted(event -> event.getId().startsWith(token + "-")))
            .orElse(SseAccess.denied(401, "a token is required"))));

    EventStreamClient anonymous = connect(bridge, "/events/orders");
    assertThat(anonymous.status()).isEqualTo(401);
    await().until(anonymous::ended);
    assertThat(bridge.stats().refused()).isEqualTo(1);

    EventStreamClient alice = connected(bridge, "/events/orders?token=alice");
    fixture.publish("alice", 2);
    fixture.publish("bob", 2);

    await().until(() -> bridge.stats().received() == 4 && bridge.stats().delivered() == 2);
    await().untilAsserted(() -> assertThat(alice.ids()).containsExactly("alice-1", "alice-2"));
  }

  @Test
  void aHookThatThrowsRefusesWith500() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders")
        .authenticate(request -> {
          throw new IllegalStateException("token service down");
        }));

    assertThat(connect(bridge, "/events/orders").status()).isEqualTo(500);
    assertThat(bridge.stats().accepted()).isZero();
  }

  @Test
  void crossOriginReadsAreAllowedForListedOriginsOnly() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders")
        .allowOrigin("https://app.example"));

    EventStreamClient listed = connect(bridge, "/events/orders", Map.of("Origin", "https://app.example"));
    EventStreamClient other = connect(bridge, "/events/orders", Map.of("Origin", "https://elsewhere.example"));

    assertThat(listed.headers().firstValue("Access-Control-Allow-Origin")).hasValue("https://app.example");
    assertThat(listed.headers().firstValue("Access-Control-Allow-Credentials")).hasValue("true");
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void aClientThatStopsReadingIsDisconnectedWhileTheOthersGetEveryEvent() throws IOException {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders")
        .clientQueue(8).replay(16));
    EventStreamClient reader = connected(bridge, "/events/orders");
    try (Socket stalled = new Socket()) {
      stalled.setReceiveBufferSize(1024);
      stalled.connect(new InetSocketAddress("127.0.0.1", bridge.port()));
      OutputStream request = stalled.getOutputStream();
      request.write(("GET /events/orders HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      request.flush();
      await().until(() -> bridge.stats().connected() == 2);

      // The reader keeps up (each event is awaited before the next), the stalled client reads nothing: once the
      // socket buffers are full its writer blocks, its queue overflows, and it is dropped.
      String text = "x".repeat(64 * 1024);
      List<String> published = new ArrayList<>();
      while (bridge.stats().dropped() == 0 && published.size() < 5_000) {
        String id = "n-" + (published.size() + 1);
        fixture.bus.publish(NOTE.event(new Note(id, text)).id(id).build()).toCompletableFuture().join();
        published.add(id);
        await().pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(2))
            .until(() -> reader.eventCount() == published.size());
      }
      System.out.println("[sse] the stalled client was dropped after " + published.size() + " events of 64 KiB");
      // Fewer than the queue holds: the reader, all caught up, cannot fall behind with these.
      published.addAll(fixture.publish("after-drop", 5));

      await().until(() -> bridge.stats().connected() == 1);
      await().untilAsserted(() -> assertThat(reader.ids()).isEqualTo(published));
      assertThat(bridge.stats().dropped()).isEqualTo(1);
      assertThat(reader.ended()).isFalse();
    }
  }

  @Test
  void disconnectAllEndsTheStreamsAndTheBridgeKeepsServing() {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders"));
    EventStreamClient first = connected(bridge, "/events/orders");

    assertThat(bridge.disconnectAll()).isEqualTo(1);

    await().until(first::ended);
    await().until(() -> bridge.stats().connected() == 0);
    EventStreamClient second = connected(bridge, "/events/orders");
    fixture.publish("o", 1);
    await().untilAsserted(() -> assertThat(second.ids()).containsExactly("o-1"));
    assertThat(first.ids()).isEmpty();
  }

  @Test
  void closeEndsEveryStreamStopsItsServerAndIsIdempotent() {
    SseBridge bridge = SseBridge.builder(fixture.bus).stream("/events/orders", "orders").start(loopback());
    EventStreamClient first = connected(bridge, "/events/orders");
    EventStreamClient second = connected(bridge, "/events/orders");

    bridge.close();
    bridge.close();

    await().until(() -> first.ended() && second.ended());
    assertThat(bridge.stats().connected()).isZero();
    assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(uri(bridge, "/events/orders")).build(),
        HttpResponse.BodyHandlers.discarding())).isInstanceOf(IOException.class);
  }

  @Test
  void mountedOnTheApplicationsServerItServesItsPathsUntilClosed() throws Exception {
    HttpServer server = HttpServer.create(loopback(), 0);
    server.createContext("/health", exchange -> {
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    server.start();
    try {
      SseBridge bridge = SseBridge.builder(fixture.bus).stream("/events/orders", "orders").mount(server);
      EventStreamClient client = connected(bridge, "/events/orders");
      fixture.publish("o", 1);
      await().untilAsserted(() -> assertThat(client.ids()).containsExactly("o-1"));

      bridge.close();

      await().until(client::ended);
      assertThat(get(bridge, "/events/orders")).isEqualTo(404);
      assertThat(get(bridge, "/health")).isEqualTo(200);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void onlyItsOwnPathIsAStreamAndOnlyGetReadsIt() throws Exception {
    SseBridge bridge = start(SseBridge.builder(fixture.bus).stream("/events/orders", "orders"));

    assertThat(get(bridge, "/events/orders/more")).isEqualTo(404);
    HttpResponse<Void> post = http.send(HttpRequest.newBuilder(uri(bridge, "/events/orders"))
        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
    assertThat(post.statusCode()).isEqualTo(405);
  }

  private int get(SseBridge bridge, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(bridge, path)).build(), HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  @Nested
  class Configuration {

    @Test
    void aStreamNeedsAnAbsolutePathOfItsOwn() {
      SseBridge.Builder builder = SseBridge.builder(fixture.bus).stream("/events", "orders");

      assertThatThrownBy(() -> builder.stream("events", "orders")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("starts with '/'");
      assertThatThrownBy(() -> builder.stream("/events", "payments")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Two streams at /events");
    }

    @Test
    void aBridgeWithoutStreamsIsRefused() {
      assertThatThrownBy(() -> SseBridge.builder(fixture.bus).start(loopback()))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("stream(path, channel)");
    }

    @Test
    void aRefusalIsAnHttpErrorStatus() {
      assertThatThrownBy(() -> SseAccess.denied(200, "ok")).isInstanceOf(IllegalArgumentException.class);
      assertThat(SseAccess.denied(403, "no").status()).hasValue(403);
      assertThat(SseAccess.granted().isGranted()).isTrue();
    }
  }
}
