package dev.omnibus.mqtt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.OwnMosquitto;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A group member resuming a large backlog queued for its persistent session subscribes and gets all of it. The shared
 * Mosquitto queues only 1000 messages per session, so this runs on a Mosquitto of its own without that limit.
 */
class MqttBacklogTest {

  private static final int BACKLOG = 30_000;
  private static final EventType<String> TEXT = EventType.of("dev.omnibus.backlog.text", String.class).channel("c");
  private static final Duration HANDLING = Duration.ofNanos(500_000);
  private static final Duration WAIT = Duration.ofMinutes(3);

  private final List<AutoCloseable> resources = new ArrayList<>();
  private OwnMosquitto broker;

  @BeforeEach
  void startBroker() throws Exception {
    broker = OwnMosquitto.start("backlog", List.of("max_queued_messages 0"));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    broker.close();
  }

  private EventBus bus(String clientId, String topic) {
    ServerConfig server = ServerConfig.of("backlog", "mqtt", "127.0.0.1:" + broker.port())
        .withBindings(new Bindings(Map.of("mqtt",
            Map.of("clientId", clientId, "sessionExpiryInterval", MqttBroker.TEST_SESSION_EXPIRY))))
        // A short wait for a SUBACK (the backlog takes far longer than that to arrive), with room for a loaded machine.
        .withOption("connect-timeout", "3s");
    EventBus bus = EventBus.builder().server(server).channel("c", topic).source(URI.create("/backlog-test")).build();
    resources.add(bus);
    return bus;
  }

  @Test
  void aMemberResumingTensOfThousandsOfQueuedMessagesSubscribesOnceAndGetsThemAll() throws Exception {
    String topic = MqttBroker.uniqueTopic("backlog");
    String clientId = "backlog-" + UUID.randomUUID().toString().substring(0, 8);
    // The group's session exists and stays subscribed while no member is connected.
    EventBus first = bus(clientId, topic);
    first.subscribe("c", "g", event -> { });
    first.close();

    EventBus publisher = bus("backlog-publisher-" + UUID.randomUUID().toString().substring(0, 8), topic);
    List<CompletableFuture<Void>> sent = new ArrayList<>(BACKLOG);
    for (int i = 0; i < BACKLOG; i++) {
      sent.add(publisher.publish(TEXT.event("e" + i).id("e" + i).build()).toCompletableFuture());
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get();

    Set<String> received = ConcurrentHashMap.newKeySet();
    EventBus member = bus(clientId, topic);
    member.subscribe("c", "g", event -> {
      LockSupport.parkNanos(HANDLING.toNanos()); // a handler doing some work: the backlog outlasts the SUBACK wait
      received.add(event.getId());
    });

    Awaitility.await().atMost(WAIT).until(() -> received.size() == BACKLOG);
    assertThat(received).hasSize(BACKLOG);
  }
}
