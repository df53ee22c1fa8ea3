package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spi.ServerConfig;
import io.cloudevents.CloudEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the bus does above any transport, shown on the in-memory broker. */
class EventBusBehaviourTest {

  record Reading(String sensor, double celsius) {}

  private static final EventType<Reading> READING = EventType.of("com.example.reading", Reading.class)
      .channel("readings")
      .parameter("sensor", Reading::sensor);

  @Test
  void aBusWithoutServerSaysHowToGiveOne() {
    assertThatThrownBy(() -> EventBus.builder().build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("asyncApi(")
        .hasMessageContaining("server(");
  }

  @Test
  void aProtocolWithoutBindingOnTheClasspathNamesTheArtifactToAdd() {
    assertThatThrownBy(() -> EventBus.builder().server(ServerConfig.of("prod", "kafka", "localhost:9092")).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("No transport for protocol 'kafka' (server 'prod')")
        .hasMessageContaining("add dev.omnibus:bus-kafka to the classpath");
  }

  @Test
  void anEventTypeWithoutChannelIsRefusedWithWhatToDo() {
    EventType<String> orphan = EventType.of("com.example.orphan", String.class);
    try (EventBus bus = EventBus.builder().server(InMemoryBroker.create().server()).build()) {
      assertThatThrownBy(() -> bus.publish(orphan, "x").toCompletableFuture().join())
          .hasCauseInstanceOf(ConfigurationException.class)
          .hasMessageContaining(".channel(");
      assertThatThrownBy(() -> bus.subscribe(orphan, "g", event -> { }))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining(".channel(");
    }
  }

  @Test
  void channelParametersAreFilledFromThePayloadAndSubscribedWithWildcards() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).channel("readings", "sensors.{sensor}.readings")
        .build()) {
      List<Event<Reading>> received = new CopyOnWriteArrayList<>();
      bus.subscribe(READING, "g", received::add);

      bus.publish(READING, new Reading("kitchen", 21.5)).toCompletableFuture().join();
      bus.publish(READING, new Reading("cellar", 12.0)).toCompletableFuture().join();

      assertThat(broker.published("sensors.kitchen.readings")).hasSize(1);
      assertThat(broker.published("sensors.cellar.readings")).hasSize(1);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);
      assertThat(received).extracting(event -> event.data().sensor()).containsExactlyInAnyOrder("kitchen", "cellar");
    }
  }

  @Test
  void aMissingParameterFailsThePublishAndSaysHowToMapIt() {
    EventType<String> unmapped = EventType.of("com.example.text", String.class).channel("readings");
    try (EventBus bus = EventBus.builder().server(InMemoryBroker.create().server())
        .channel("readings", "sensors.{sensor}.readings").build()) {
      assertThatThrownBy(() -> bus.publish(unmapped, "x").toCompletableFuture().join())
          .isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(ConfigurationException.class)
          .hasMessageContaining("EventType.parameter(\"sensor\"");
    }
  }

  @Test
  void aDocumentChannelWithoutAddressMustBeGivenOneAtRuntime(@TempDir Path dir) throws Exception {
    Path document = dir.resolve("asyncapi.yaml");
    Files.writeString(document, """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          local: {host: %s, protocol: memory}
        channels:
          replies:
            address: null
          known:
            address: known.events
        """.formatted(InMemoryBroker.create().name()));
    EventType<String> reply = EventType.of("com.example.reply", String.class).channel("replies");
    try (EventBus bus = EventBus.builder().asyncApi(document).build()) {
      assertThatThrownBy(() -> bus.subscribe(reply, "g", event -> { }))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("channels.replies.address")
          .hasMessageContaining(".channel(\"replies\"");
      assertThatThrownBy(() -> bus.subscribe(reply.channel("unknown"), "g", event -> { }))
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("known");
    }
    try (EventBus bus = EventBus.builder().asyncApi(document).channel("replies", "replies.for.me").build()) {
      bus.publish(reply, "pong").toCompletableFuture().join();
      assertThat(bus.server().protocol()).isEqualTo("memory");
    }
  }

  @Test
  void aServerIsChosenByOmnibusServerWhenTheBuilderNamesNone(@TempDir Path dir) throws Exception {
    Path document = dir.resolve("asyncapi.yaml");
    Files.writeString(document, """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          one: {host: broker-one, protocol: memory}
          two: {host: broker-two, protocol: memory}
        channels: {}
        """);
    try (EventBus bus = EventBus.builder().asyncApi(document)
        .environment(Map.of("OMNIBUS_SERVER", "two")::get).build()) {
      assertThat(bus.server().name()).isEqualTo("two");
      assertThat(bus.server().host()).isEqualTo("broker-two");
    }
    assertThatThrownBy(() -> EventBus.builder().asyncApi(document).environment(name -> null).server("three")
        .build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("one")
        .hasMessageContaining("two");
  }

  @Test
  void rawSubscribersSeeEveryTypeOfTheChannel() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
      List<CloudEvent> seen = new CopyOnWriteArrayList<>();
      bus.subscribe("mixed", null, seen::add);
      bus.publish(EventType.of("a.type", String.class).channel("mixed"), "a").toCompletableFuture().join();
      bus.publish(EventType.of("b.type", byte[].class).channel("mixed"), new byte[] {1}).toCompletableFuture().join();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
      assertThat(seen).extracting(CloudEvent::getType).containsExactly("a.type", "b.type");
    }
  }

  @Test
  void closingTheLastSubscriptionOfAGroupLeavesItsEventsForTheNextMember() {
    InMemoryBroker broker = InMemoryBroker.create();
    EventType<String> note = EventType.of("com.example.note", String.class).channel("notes");
    try (EventBus first = EventBus.builder().server(broker.server()).build();
        EventBus second = EventBus.builder().server(broker.server()).build()) {
      List<String> handled = new CopyOnWriteArrayList<>();
      var subscription = first.subscribe(note, "g", event -> handled.add(event.data()));
      first.publish(note, "before").toCompletableFuture().join();
      broker.awaitDelivered("notes", 1, Duration.ofSeconds(10));
      subscription.close();
      for (int i = 0; i < 50; i++) {
        first.publish(note, "after" + i).toCompletableFuture().join();
      }
      List<String> later = new CopyOnWriteArrayList<>();
      second.subscribe(note, "g", event -> later.add(event.data()));
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> later.size() == 50);
      assertThat(handled).containsExactly("before");
    }
  }

  @Test
  void aHandlerFinishingDuringCloseCanStillPublishWhatItsWorkProduces() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    EventType<String> order = EventType.of("com.example.order", String.class).channel("orders");
    EventType<String> paid = EventType.of("com.example.paid", String.class).channel("payments");
    EventBus billing = EventBus.builder().server(broker.server()).build();
    java.util.concurrent.CountDownLatch handling = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    billing.subscribe(order, "billing", event -> {
      handling.countDown();
      release.await(10, java.util.concurrent.TimeUnit.SECONDS);
      billing.publish(paid, event.data()).toCompletableFuture().get(10, java.util.concurrent.TimeUnit.SECONDS);
    });
    try (EventBus shop = EventBus.builder().server(broker.server()).build()) {
      shop.publish(order, "o-1").toCompletableFuture().join();
    }
    assertThat(handling.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    var closing = java.util.concurrent.CompletableFuture.runAsync(billing::close);
    release.countDown();
    closing.get(20, java.util.concurrent.TimeUnit.SECONDS);

    assertThat(broker.published("payments")).hasSize(1);
    assertThat(broker.deliveredCount("orders")).isEqualTo(1);
    assertThatThrownBy(() -> billing.publish(paid, "late").toCompletableFuture().join())
        .hasCauseInstanceOf(dev.omnibus.TransportClosedException.class);
  }
}
