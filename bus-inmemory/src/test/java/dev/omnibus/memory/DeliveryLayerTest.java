package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.RetryPolicy;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retries, dead letters and dedupe, the same for every binding, shown on the in-memory broker. */
class DeliveryLayerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class).channel("notes");
  private static final RetryPolicy FAST = RetryPolicy.attempts(3).backoff(Duration.ZERO, Duration.ZERO, 1.0);

  @Test
  void aGroupsOwnRetryPolicyDecidesItsAttempts() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).retry(FAST)
        .retry("patient", RetryPolicy.attempts(4).backoff(Duration.ZERO, Duration.ZERO, 1.0)).build()) {
      AtomicInteger hasty = new AtomicInteger();
      AtomicInteger patient = new AtomicInteger();
      bus.subscribe(NOTE, "hasty", event -> {
        hasty.incrementAndGet();
        throw new IllegalStateException("no");
      });
      bus.subscribe(NOTE, "patient", event -> {
        patient.incrementAndGet();
        throw new IllegalStateException("no");
      });
      bus.publish(NOTE, "x").toCompletableFuture().join();

      broker.awaitPublished("notes.dlq", 2, WAIT);
      assertThat(hasty).hasValue(3);
      assertThat(patient).hasValue(4);
    }
  }

  @Test
  void theDocumentsRetryOptionsApplyWhenTheBuilderSetsNone(@TempDir Path dir) throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    Path document = dir.resolve("asyncapi.yaml");
    Files.writeString(document, """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          local: {host: %s, protocol: memory}
        channels:
          notes:
            address: notes
        operations:
          readNotes:
            action: receive
            channel: {$ref: '#/channels/notes'}
            x-omnibus-retry-max-attempts: 2
            x-omnibus-retry-initial-backoff: 0ms
            x-omnibus-retry-max-backoff: 0ms
        """.formatted(broker.name()));
    try (EventBus bus = EventBus.builder().asyncApi(document).validation(dev.omnibus.ValidationMode.OFF).build()) {
      AtomicInteger attempts = new AtomicInteger();
      bus.subscribe(NOTE, "g", event -> {
        attempts.incrementAndGet();
        throw new IllegalStateException("no");
      });
      bus.publish(NOTE, "x").toCompletableFuture().join();
      CloudEvent deadLetter = broker.awaitPublished("notes.dlq", 1, WAIT).get(0);
      assertThat(attempts).hasValue(2);
      assertThat(deadLetter.getExtension("dlqattempts")).hasToString("2");
    }
  }

  @Test
  void anUnreadableRetryOptionIsAConfigurationErrorWithItsPath(@TempDir Path dir) throws Exception {
    Path document = dir.resolve("asyncapi.yaml");
    Files.writeString(document, """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          local: {host: somewhere, protocol: memory}
        channels:
          notes:
            address: notes
            x-omnibus-retry-max-attempts: lots
        """);
    assertThatThrownBy(() -> EventBus.builder().asyncApi(document).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("channels.notes")
        .hasMessageContaining("x-omnibus-retry-max-attempts");
  }

  @Test
  void withDedupeARedeliveredDuplicateReachesTheHandlerOnce() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).dedupe(Duration.ofMinutes(5)).build()) {
      List<String> handled = new CopyOnWriteArrayList<>();
      bus.subscribe(NOTE, "g", event -> handled.add(event.id()));
      CloudEvent event = CloudEventBuilder.v1().withId("same").withSource(URI.create("/producer"))
          .withType(NOTE.type()).withDataContentType("text/plain").withData("x".getBytes()).build();
      broker.inject("notes", event);
      broker.inject("notes", event);
      broker.inject("notes", CloudEventBuilder.v1(event).withId("other").build());

      broker.awaitDelivered("notes", 3, WAIT);
      assertThat(handled).containsExactly("same", "other");
    }
  }

  @Test
  void withoutDedupeADuplicateIsHandledTwiceAsAtLeastOnceAllows() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
      List<String> handled = new CopyOnWriteArrayList<>();
      bus.subscribe(NOTE, "g", event -> handled.add(event.id()));
      CloudEvent event = CloudEventBuilder.v1().withId("same").withSource(URI.create("/producer"))
          .withType(NOTE.type()).withDataContentType("text/plain").withData("x".getBytes()).build();
      broker.inject("notes", event);
      broker.inject("notes", event);
      Awaitility.await().atMost(WAIT).until(() -> handled.size() == 2);
      assertThat(handled).containsExactly("same", "same");
    }
  }

  @Test
  void aFailedEventIsNotRememberedSoItsRetryIsHandled() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).retry(FAST).dedupe(Duration.ofMinutes(5))
        .build()) {
      AtomicInteger calls = new AtomicInteger();
      List<String> handled = new CopyOnWriteArrayList<>();
      bus.subscribe(NOTE, "g", event -> {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("first try fails");
        }
        handled.add(event.data());
      });
      bus.publish(NOTE, "x").toCompletableFuture().join();
      Awaitility.await().atMost(WAIT).until(() -> handled.size() == 1);
      assertThat(calls).hasValue(2);
    }
  }
}
