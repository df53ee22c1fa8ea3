package dev.omnibus.sse;

import static dev.omnibus.sse.BridgeFixture.PLACED;
import static dev.omnibus.sse.BridgeFixture.loopback;
import static dev.omnibus.sse.BridgeFixture.uri;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.omnibus.EventBus;
import dev.omnibus.sse.BridgeFixture.OrderPlaced;
import dev.omnibus.sse.EventStreamClient.SseEvent;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.Brokers;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The bridge over the RabbitMQ binding, against the machine's broker (skipped without it, failed with CI=true). */
class SseRabbitMqTest {

  private static final String HOST = env("OMNIBUS_RABBITMQ_HOST", "127.0.0.1");
  private static final int PORT = Integer.parseInt(env("OMNIBUS_RABBITMQ_PORT", "5672"));
  private static final String USERNAME = env("OMNIBUS_RABBITMQ_USERNAME", "guest");
  private static final String PASSWORD = env("OMNIBUS_RABBITMQ_PASSWORD", "guest");

  private final String address = "omnibus-it.sse." + UUID.randomUUID().toString().substring(0, 8);
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private EventBus bus;

  @BeforeAll
  static void patience() {
    // Shared CI machines may be slow; no assertion depends on how long anything takes.
    Awaitility.setDefaultTimeout(Duration.ofSeconds(30));
  }

  @BeforeEach
  void connect() {
    Brokers.assumeReachable("RabbitMQ", HOST, PORT);
    bus = EventBus.builder()
        .server(ServerConfig.of("rabbitmq", "amqp", HOST + ":" + PORT)
            .withCredentials(Credentials.of(USERNAME, PASSWORD)))
        .channel("orders", address)
        .source(URI.create("/sse-test"))
        .build();
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (bus == null) {
      return;
    }
    bus.close();
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(HOST);
    factory.setPort(PORT);
    factory.setUsername(USERNAME);
    factory.setPassword(PASSWORD);
    try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
      channel.exchangeDelete(address);
    }
  }

  @Test
  void browsersReadAChannelCarriedByRabbitMqAndResumeFromTheBuffer() throws Exception {
    try (SseBridge bridge = SseBridge.builder(bus).stream("/events/orders", "orders").start(loopback())) {
      EventStreamClient live = EventStreamClient.open(http, uri(bridge, "/events/orders"));
      await().until(() -> bridge.stats().connected() == 1);

      for (int i = 1; i <= 3; i++) {
        bus.publish(PLACED.event(new OrderPlaced("o-" + i, i)).id("o-" + i).subject(BridgeFixture.KEY).build())
            .toCompletableFuture().join();
      }

      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(live.ids()).containsExactly("o-1", "o-2", "o-3"));
      SseEvent first = live.events().get(0);
      assertThat(first.event()).isEqualTo(PLACED.type());
      assertThat(new ObjectMapper().readTree(first.data()).get("data").get("id").asText()).isEqualTo("o-1");

      EventStreamClient resumed = EventStreamClient.open(http, uri(bridge, "/events/orders"),
          Map.of("Last-Event-ID", "o-1"));
      await().untilAsserted(() -> assertThat(resumed.ids()).containsExactly("o-2", "o-3"));
      live.close();
      resumed.close();
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
