package dev.omnibus.kafka;

import static dev.omnibus.kafka.KafkaFixture.WAIT;
import static dev.omnibus.kafka.KafkaFixture.binary;
import static dev.omnibus.kafka.KafkaFixture.event;
import static dev.omnibus.kafka.KafkaFixture.join;
import static dev.omnibus.kafka.KafkaFixture.onePartition;
import static dev.omnibus.kafka.KafkaFixture.text;
import static dev.omnibus.kafka.KafkaFixture.uniqueTopic;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.Health;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.test.kafka.EmbeddedKafka;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A shared anonymous consumer (no group, so no heartbeats) on a broker of this class's own that stops and starts again:
 * its subscriptions turn stalled while the broker is away, up again after, and go on from where they were.
 */
class KafkaAnonymousHealthTest {

  private static @Nullable EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.startPrivate("omnibus-kafka-anonymous-health-");
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.discard();
    }
  }

  @Test
  void aSharedAnonymousSubscriptionIsStalledWhileTheBrokerIsAwayAndGoesOnAfterwards() {
    EmbeddedKafka broker = java.util.Objects.requireNonNull(kafka);
    try (Transport transport = new KafkaTransportProvider().open(
        ServerConfig.of("anonymous-health", "kafka", broker.bootstrapServers()))) {
      Destination destination = onePartition(uniqueTopic("anonymous-health"));
      List<String> received = new CopyOnWriteArrayList<>();
      TransportSubscription subscription = transport.subscribe(destination, SubscribeOptions.group(null), delivery -> {
        received.add(text(delivery.message().body()));
        delivery.ack();
      });
      join(transport.send(destination, binary(event("before"))));
      Awaitility.await().atMost(WAIT).until(() -> received.contains("before"));
      assertThat(subscription.health().state()).isEqualTo(Health.State.UP);

      try {
        broker.stop();
        Awaitility.await().atMost(WAIT).until(() -> subscription.health().state() == Health.State.STALLED);
        assertThat(subscription.health().lastError()).contains("no answer from the Kafka cluster", "no fetch response");
      } finally {
        broker.start();
      }
      Awaitility.await().atMost(WAIT).until(() -> subscription.health().state() == Health.State.UP);
      join(transport.send(destination, binary(event("after"))));
      Awaitility.await().atMost(WAIT).until(() -> received.contains("after"));
      assertThat(received).containsExactly("before", "after");
    }
  }
}
