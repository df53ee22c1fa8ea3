package dev.omnibus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.docs.DeliverySemantics.Family;
import dev.omnibus.tck.Brokers;
import dev.omnibus.test.kafka.EmbeddedKafka;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The page's dead letter addresses are the ones a real bus reports ({@code EventBus.deadLetterAddress}) on each
 * binding, so a binding that changes its rule fails here, and the retry waits read as a person writes them. The
 * RabbitMQ and MQTT checks need the brokers of the machine ({@link Brokers#assumeReachable}); Kafka runs in the JVM.
 */
class DeliverySemanticsTest {

  private static final Path DOCUMENT = Documents.fixture("dead-letters.yaml");
  private static final List<String> CHANNELS = List.of("parcels", "tracked", "labels");

  private static void assertSameAddresses(Family family, EventBus bus) {
    AsyncApiDocument document = AsyncApiDocument.load(DOCUMENT);
    for (String channel : CHANNELS) {
      assertThat(DeliverySemantics.deadLetterAddress(family, document.channels().get(channel), "billing"))
          .as("%s dead letters of channel %s", family, channel)
          .isEqualTo(bus.deadLetterAddress(channel, "billing"));
    }
  }

  @Test
  void inMemoryTheAddressesAreTheBusesOwn() {
    try (EventBus bus = EventBus.builder().asyncApi(DOCUMENT).server("local").build()) {
      assertSameAddresses(Family.MEMORY, bus);
      assertThat(bus.deadLetterAddress("parcels", "billing")).isEqualTo("bus-docs.parcels._.events.dlq");
    }
  }

  @Test
  void onKafkaTheAddressesAreTheBusesOwn() {
    try (EventBus bus = EventBus.builder().asyncApi(DOCUMENT).server(EmbeddedKafka.shared().server()).build()) {
      assertSameAddresses(Family.KAFKA, bus);
      assertThat(bus.deadLetterAddress("tracked", "billing")).isEqualTo("bus-docs.tracked.v1.dlq");
    }
  }

  @Test
  void onRabbitMqTheAddressesAreTheBusesOwn() {
    Brokers.assumeReachable("RabbitMQ", "127.0.0.1", 5672);
    try (EventBus bus = EventBus.builder().asyncApi(DOCUMENT).server("rabbit").build()) {
      assertSameAddresses(Family.RABBITMQ, bus);
      assertThat(bus.deadLetterAddress("labels", "billing")).isEqualTo("bus-docs.labels.queue.dlq");
    }
  }

  @Test
  void onMqttTheAddressesAreTheBusesOwn() {
    Brokers.assumeReachable("Mosquitto", "127.0.0.1", 1883);
    try (EventBus bus = EventBus.builder().asyncApi(DOCUMENT).server("mosquitto").build()) {
      assertSameAddresses(Family.MQTT, bus);
      assertThat(bus.deadLetterAddress("parcels", "billing")).isEqualTo("bus-docs.parcels._.events/dlq");
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
    assertThat(Family.of("kafka-secure")).isEqualTo(Family.KAFKA);
    assertThat(Family.of("AMQPS")).isEqualTo(Family.RABBITMQ);
    assertThat(Family.of("secure-mqtt")).isEqualTo(Family.MQTT);
    assertThat(Family.of("memory")).isEqualTo(Family.MEMORY);
    assertThat(Family.of("ws")).isEqualTo(Family.NONE);
  }
}
