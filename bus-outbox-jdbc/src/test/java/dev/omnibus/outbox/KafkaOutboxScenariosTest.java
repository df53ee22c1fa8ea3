package dev.omnibus.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.test.kafka.EmbeddedKafka;
import java.time.Duration;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The outbox scenarios on a Kafka broker of this class's own, inside the test JVM (bus-test-kafka's KRaft node): it
 * is private to the JVM, so the broker-restart scenario runs here with the others, not only with {@code -Pfaults}.
 */
class KafkaOutboxScenariosTest extends OutboxScenarios {

  private static @Nullable EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.startPrivate("omnibus-outbox-kafka-");
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.discard();
    }
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("outbox", "kafka", broker().bootstrapServers()));
  }

  @Override
  protected String binding() {
    return "kafka";
  }

  @Test
  void aRelayProcessKilledMidFlushLosesNothing() throws Exception {
    relayProcessKilledMidFlush("kafka", broker().bootstrapServers());
  }

  /**
   * The broker stops while the relay runs and events keep being committed; it starts again on the same port and
   * data. The relay's publishes of the meantime fail or wait, and the rows wait with them until the broker is back.
   */
  @Test
  void aBrokerRestartWhileTheRelayRunsLosesNothing() throws Exception {
    relay(bus()).start();
    for (int i = 0; i < 100; i++) {
      businessTransaction(List.of(new Order("o-" + (i % 10), i)), true);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> postgres.count("SELECT count(*) FROM " + postgres.outbox
        + " WHERE status = 'SENT'") > 0);

    try {
      broker().stop();
      for (int i = 100; i < 200; i++) {
        businessTransaction(List.of(new Order("o-" + (i % 10), i)), true);
      }
    } finally {
      broker().start();
    }

    assertThat(report("broker-restart").lost()).isZero();
  }

  private static EmbeddedKafka broker() {
    if (kafka == null) {
      throw new IllegalStateException("the broker was not started");
    }
    return kafka;
  }
}
