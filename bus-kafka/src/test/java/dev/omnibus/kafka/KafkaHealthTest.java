package dev.omnibus.kafka;

import dev.omnibus.EventBus;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.HealthOutageSuite;
import dev.omnibus.test.kafka.EmbeddedKafka;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Kafka binding against the health kit, on a Kafka broker of this class's own inside the test JVM (KRaft, one
 * combined node; the shared embedded broker of the other tests is never stopped): the outage stops it, the recovery
 * starts it again on the same ports and log directory.
 */
class KafkaHealthTest extends HealthOutageSuite {

  private static @Nullable EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.startPrivate("omnibus-kafka-health-");
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.discard();
    }
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("health", "kafka", broker().bootstrapServers()));
  }

  @Override
  protected String binding() {
    return "kafka";
  }

  @Override
  protected void stopBroker() {
    broker().stop();
  }

  @Override
  protected void startBroker() {
    broker().start();
  }

  private static EmbeddedKafka broker() {
    return java.util.Objects.requireNonNull(kafka, "the broker starts before the tests");
  }
}
