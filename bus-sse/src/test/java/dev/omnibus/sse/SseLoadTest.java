package dev.omnibus.sse;

import static dev.omnibus.sse.BridgeFixture.PLACED;
import static dev.omnibus.sse.BridgeFixture.loopback;
import static dev.omnibus.sse.BridgeFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.sse.BridgeFixture.OrderPlaced;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Five hundred concurrent SSE clients on loopback, in this JVM (the JDK's HttpClient, one connection each), counting
 * what each got. Nothing here measures time: the assertions are about which events arrived, in which order.
 */
class SseLoadTest {

  private static final int CLIENTS = 500;
  private static final Duration PATIENCE = Duration.ofMinutes(3);

  private final BridgeFixture fixture = new BridgeFixture();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private final List<EventStreamClient> clients = new ArrayList<>();

  @AfterEach
  void closeAll() {
    clients.forEach(EventStreamClient::close);
    fixture.close();
  }

  private void connectAll(SseBridge bridge) {
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(EventStreamClient.open(http, uri(bridge, "/events/orders")));
    }
    await().atMost(PATIENCE).until(() -> bridge.stats().connected() == CLIENTS);
  }

  /**
   * Publishes without waiting for each confirmation, as a busy service does, then waits for them all. One subject, so
   * one ordering key: the bus delivers them in this order.
   */
  private List<String> publish(int count) {
    List<String> ids = new ArrayList<>();
    List<CompletableFuture<Void>> confirmations = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String id = "o-" + i;
      ids.add(id);
      confirmations.add(fixture.bus.publish(PLACED.event(new OrderPlaced(id, i)).id(id).subject(BridgeFixture.KEY).build())
          .toCompletableFuture());
    }
    CompletableFuture.allOf(confirmations.toArray(CompletableFuture[]::new)).join();
    return ids;
  }

  @Test
  void fiveHundredClientsEachGetEveryEventInOrderWhenTheirQueuesHoldTheBurst() {
    int events = 200;
    try (SseBridge bridge = SseBridge.builder(fixture.bus).stream("/events/orders", "orders")
        .clientQueue(events).start(loopback())) {
      connectAll(bridge);

      List<String> published = publish(events);

      // A queue as large as the burst cannot overflow, whatever the speed of a reader: nobody is dropped.
      await().atMost(PATIENCE).until(() -> clients.stream().allMatch(client -> client.eventCount() == events));
      for (EventStreamClient client : clients) {
        assertThat(client.ids()).isEqualTo(published);
        assertThat(client.ended()).isFalse();
      }
      SseStats stats = bridge.stats();
      assertThat(stats.dropped()).isZero();
      assertThat(stats.connected()).isEqualTo(CLIENTS);
      assertThat(stats.delivered()).isEqualTo((long) CLIENTS * events);
      report("queue " + events + ", " + events + " events", stats);
    }
  }

  @Test
  void withQueuesSmallerThanTheBurstTheClientsThatFallBehindAreDroppedAndTheOthersGetEverything() {
    // -Domnibus.sse.load.events=2000 -Domnibus.sse.load.queue=4 for a harder run by hand.
    int events = Integer.getInteger("omnibus.sse.load.events", 200);
    int queue = Integer.getInteger("omnibus.sse.load.queue", 16);
    try (SseBridge bridge = SseBridge.builder(fixture.bus).stream("/events/orders", "orders")
        .clientQueue(queue).start(loopback())) {
      connectAll(bridge);

      List<String> published = publish(events);

      // Each client either gets everything or is dropped; which ones depends on the machine, not on the bus.
      await().atMost(PATIENCE).until(() -> clients.stream()
          .allMatch(client -> client.ended() || client.eventCount() == events));
      await().atMost(PATIENCE).until(() -> bridge.stats().connected()
          == clients.stream().filter(client -> !client.ended()).count());
      long ended = 0;
      for (EventStreamClient client : clients) {
        List<String> ids = client.ids();
        // What a dropped client got is still a prefix of the channel, in order, without gaps or duplicates.
        assertThat(ids).isEqualTo(published.subList(0, ids.size()));
        if (client.ended()) {
          ended++;
        } else {
          assertThat(ids).hasSize(events);
        }
      }
      SseStats stats = bridge.stats();
      assertThat(stats.dropped()).isEqualTo(ended);
      assertThat(stats.connected()).isEqualTo(CLIENTS - ended);
      assertThat(stats.received()).isEqualTo(events);
      report("queue " + queue + ", " + events + " events", stats);
    }
  }

  private void report(String run, SseStats stats) {
    long received = clients.stream().mapToLong(EventStreamClient::eventCount).sum();
    System.out.printf("[sse load] %d clients, %s: %d events read by the clients, %d written by the bridge,"
        + " %d clients dropped, %d still connected%n", CLIENTS, run, received, stats.delivered(), stats.dropped(),
        stats.connected());
  }
}
