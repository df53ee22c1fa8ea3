package dev.omnibus.kafka;

import static dev.omnibus.kafka.KafkaFixture.binary;
import static dev.omnibus.kafka.KafkaFixture.event;
import static dev.omnibus.kafka.KafkaFixture.join;
import static dev.omnibus.kafka.KafkaFixture.onePartition;
import static dev.omnibus.kafka.KafkaFixture.text;
import static dev.omnibus.kafka.KafkaFixture.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A broker restart on the same port and data: the embedded broker supports it (for fault suites), and a transport
 * and its subscription carry on across it without losing what was published.
 */
class KafkaRestartTest {

  @Test
  void publishingAndConsumingCarryOnAcrossABrokerRestart() throws Exception {
    Path data = Files.createTempDirectory("omnibus-kafka-restart-").resolve("data");
    EmbeddedKafka kafka = EmbeddedKafka.create(0, 0, data, Map.of());
    kafka.start();
    try (KafkaFixture fixture = new KafkaFixture(kafka)) {
      Transport transport = fixture.transport();
      Destination destination = onePartition(uniqueTopic("restart"));
      List<String> received = new CopyOnWriteArrayList<>();
      transport.subscribe(destination, SubscribeOptions.group("g-" + UUID.randomUUID()), delivery -> {
        received.add(text(delivery.message().body()));
        delivery.ack();
      });
      join(transport.send(destination, binary(event("before"))));
      Awaitility.await().atMost(KafkaFixture.WAIT).until(() -> received.contains("before"));

      kafka.stop();
      kafka.start();

      join(transport.send(destination, binary(event("after"))));
      Awaitility.await().atMost(KafkaFixture.WAIT).until(() -> received.contains("after"));
      assertThat(received).containsExactly("before", "after");
      assertThat(fixture.readRaw(destination.address(), 2)).hasSize(2);
    } finally {
      kafka.stop();
    }
  }
}
