package dev.omnibus.examples;

import static dev.omnibus.examples.OrderEvents.ORDER_PAID;
import static dev.omnibus.examples.OrderEvents.ORDER_PLACED;
import static dev.omnibus.test.OmnibusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.examples.OrderEvents.OrderLine;
import dev.omnibus.examples.OrderEvents.OrderPaid;
import dev.omnibus.examples.OrderEvents.OrderPlaced;
import dev.omnibus.test.BusRecorder;
import dev.omnibus.test.OmnibusExtension;
import dev.omnibus.test.kafka.EmbeddedKafka;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The billing handler on a real Kafka inside the test JVM: the same kit and assertions as on memory, the bus on the
 * in-JVM broker, and a topic of its own per test so that tests do not see each other's orders.
 */
class BillingOnKafkaTest {

  @RegisterExtension
  final OmnibusExtension omnibus = OmnibusExtension.builder()
      .asyncApi("asyncapi.yaml")
      .source(URI.create("/examples/billing"))
      .server(() -> EmbeddedKafka.shared().server())
      .configure(bus -> bus.channel("orderEvents", "orders.events." + UUID.randomUUID()))
      .build();

  @Test
  void chargesAPlacedOrderAndSaysItIsPaid(EventBus bus, BusRecorder events) {
    Services.billing(bus, line -> { });

    bus.publish(ORDER_PLACED, new OrderPlaced("order-1", "ada@example.com", List.of(new OrderLine("sku-1", 2)), 4599,
        "EUR")).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();

    // A consumer group joins Kafka in seconds, not milliseconds: a longer wait than the kit's 10 s default.
    assertThat(events.awaitPublished(ORDER_PAID, 1, Duration.ofSeconds(60)))
        .containsExactly(new OrderPaid("order-1", 4599, "EUR"));
    assertThat(events).awaitConsumed(ORDER_PLACED, 1).hasSize(1);
  }
}
