package dev.omnibus.memory.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.ValidationException;
import dev.omnibus.ValidationMode;
import dev.omnibus.memory.InMemoryBroker;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Payload validation end to end on the in-memory broker: refused on publish, dead-lettered on receive. */
class InMemoryValidationTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  record OrderPaid(String orderId, long totalMinor, String currency) {}

  private static final EventType<OrderPaid> ORDER_PAID =
      EventType.of("com.example.orders.paid.v1", OrderPaid.class).channel("orderEvents")
          .subject(OrderPaid::orderId);

  @TempDir
  Path dir;

  private final InMemoryBroker broker = InMemoryBroker.create();

  private Path document() throws IOException {
    return Files.writeString(dir.resolve("asyncapi.yaml"), """
        asyncapi: 3.0.0
        info: {title: orders, version: '1'}
        servers:
          local: {host: %s, protocol: memory}
        channels:
          orderEvents:
            address: orders.events
            messages:
              orderPaid:
                x-omnibus-type: com.example.orders.paid.v1
                contentType: application/json
                payload:
                  type: object
                  required: [orderId, totalMinor, currency]
                  properties:
                    orderId: {type: string, minLength: 1}
                    totalMinor: {type: integer, minimum: 0}
                    currency: {type: string, enum: [EUR, USD]}
        operations:
          payOrders:
            action: send
            channel: {$ref: '#/channels/orderEvents'}
          billOrders:
            action: receive
            channel: {$ref: '#/channels/orderEvents'}
        """.formatted(broker.name()));
  }

  private EventBus bus(ValidationMode mode) throws IOException {
    return EventBus.builder().asyncApi(document()).register(ORDER_PAID).validation(mode).build();
  }

  private static CloudEvent paid(String json) {
    return CloudEventBuilder.v1().withId("e-1").withSource(URI.create("/elsewhere"))
        .withType("com.example.orders.paid.v1").withDataContentType("application/json")
        .withData(json.getBytes(StandardCharsets.UTF_8)).build();
  }

  @Test
  void aValidPayloadIsPublished() throws IOException {
    try (EventBus bus = bus(ValidationMode.ENFORCE)) {
      bus.publish(ORDER_PAID, new OrderPaid("o-1", 4599, "EUR")).toCompletableFuture().join();
    }

    assertThat(broker.published("orders.events")).singleElement()
        .extracting(CloudEvent::getType).isEqualTo("com.example.orders.paid.v1");
  }

  @Test
  void anInvalidPayloadIsRefusedListingEveryViolationAndNothingIsSent() throws IOException {
    try (EventBus bus = bus(ValidationMode.ENFORCE)) {
      assertThatThrownBy(() -> bus.publish(ORDER_PAID, new OrderPaid("", -5, "JPY")).toCompletableFuture().join())
          .isInstanceOf(CompletionException.class)
          .cause().isInstanceOf(ValidationException.class)
          .satisfies(e -> assertThat(((ValidationException) e).violations())
              .extracting(ValidationException.Violation::pointer)
              .containsExactlyInAnyOrder("/orderId", "/totalMinor", "/currency"))
          .hasMessageContaining("nothing was sent");
    }

    assertThat(broker.published("orders.events")).isEmpty();
  }

  @Test
  void warnSendsAnInvalidPayloadAnyway() throws IOException {
    try (EventBus bus = bus(ValidationMode.WARN)) {
      bus.publish(ORDER_PAID, new OrderPaid("o-1", -5, "JPY")).toCompletableFuture().join();
    }

    assertThat(broker.published("orders.events")).hasSize(1);
  }

  @Test
  void anInvalidReceivedPayloadGoesToDeadLettersWithItsViolations() throws IOException {
    try (EventBus bus = bus(ValidationMode.ENFORCE)) {
      List<OrderPaid> handled = new CopyOnWriteArrayList<>();
      bus.subscribe(ORDER_PAID, "billing", event -> handled.add(event.data()));

      broker.inject("orders.events", paid("{\"orderId\":\"o-1\",\"totalMinor\":\"ten\"}"));
      broker.inject("orders.events", paid("{\"orderId\":\"o-2\",\"totalMinor\":10,\"currency\":\"USD\"}"));

      CloudEvent deadLetter = broker.awaitPublished("orders.events.dlq", 1, WAIT).get(0);
      broker.awaitDelivered("orders.events", 2, WAIT);
      assertThat(String.valueOf(deadLetter.getExtension("dlqreason")))
          .contains("invalid payload")
          .contains("/totalMinor: string found, integer expected")
          .contains("required property 'currency' not found");
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> handled.size() == 1);
      assertThat(handled).extracting(OrderPaid::orderId).containsExactly("o-2");
    }
  }

  @Test
  void aRegisteredTypeWithoutAMessageFailsTheBuild() throws IOException {
    EventType<String> refunded = EventType.of("com.example.orders.refunded.v1", String.class).channel("orderEvents");
    Path document = document();

    assertThatThrownBy(() -> EventBus.builder().asyncApi(document).register(refunded).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("com.example.orders.refunded.v1")
        .hasMessageContaining("channel 'orderEvents'")
        .hasMessageContaining("orderPaid (type com.example.orders.paid.v1)");
  }

  @Test
  void offPublishesAnything() throws IOException {
    try (EventBus bus = bus(ValidationMode.OFF)) {
      bus.publish(ORDER_PAID, new OrderPaid("o-1", -5, "JPY")).toCompletableFuture().join();
    }

    assertThat(broker.published("orders.events")).hasSize(1);
  }
}
