package dev.omnibus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.asyncapi.AsyncApiDocument;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The page's dead letter addresses and retry waits are the bus's own. */
class DeliverySemanticsTest {

  @Test
  void theInMemoryDeadLetterAddressIsTheOneABusReports() {
    AsyncApiDocument document = Documents.shipping();
    try (EventBus bus = EventBus.builder().asyncApi(Documents.fixture("shipping.yaml")).server("local").build()) {
      assertThat(DeliverySemantics.deadLetterAddress(DeliverySemantics.Family.MEMORY,
          document.channels().get("parcels"), "tracking"))
          .isEqualTo(bus.deadLetterAddress("parcels", "tracking"))
          .isEqualTo("parcels._.events.dlq");
    }
  }

  @Test
  void durationsReadAsAPersonWritesThem() {
    assertThat(DeliverySemantics.duration(Duration.ofMillis(100))).isEqualTo("100 ms");
    assertThat(DeliverySemantics.duration(Duration.ofMillis(1500))).isEqualTo("1.5 s");
    assertThat(DeliverySemantics.duration(Duration.ofSeconds(5))).isEqualTo("5 s");
    assertThat(DeliverySemantics.duration(Duration.ofMinutes(10))).isEqualTo("10 min");
  }

  @Test
  void protocolsMapToTheBindingsOmnibusHas() {
    assertThat(DeliverySemantics.Family.of("kafka-secure")).isEqualTo(DeliverySemantics.Family.KAFKA);
    assertThat(DeliverySemantics.Family.of("AMQPS")).isEqualTo(DeliverySemantics.Family.RABBITMQ);
    assertThat(DeliverySemantics.Family.of("secure-mqtt")).isEqualTo(DeliverySemantics.Family.MQTT);
    assertThat(DeliverySemantics.Family.of("memory")).isEqualTo(DeliverySemantics.Family.MEMORY);
    assertThat(DeliverySemantics.Family.of("ws")).isEqualTo(DeliverySemantics.Family.NONE);
  }
}
