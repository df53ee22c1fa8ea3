package dev.omnibus.kafka;

import dev.omnibus.EventBus;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.HealthOutageSuite;
import dev.omnibus.test.kafka.EmbeddedKafka;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The Kafka binding against the health kit, on a Kafka broker of this class's own inside the test JVM (KRaft, one
 * combined node; the shared embedded broker of the other tests is never stopped): the outage stops it, the recovery
 * starts it again on the same ports and log directory.
 */
class KafkaHealthTest extends HealthOutageSuite {

  private static @Nullable Path directory;
  private static @Nullable EmbeddedKafka kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    directory = Files.createTempDirectory("omnibus-kafka-health-");
    kafka = EmbeddedKafka.create(0, 0, directory.resolve("data"), Map.of());
    kafka.start();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    try {
      if (kafka != null) {
        kafka.stop();
      }
    } finally {
      if (directory != null) {
        try (var paths = Files.walk(directory)) {
          paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
      }
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
