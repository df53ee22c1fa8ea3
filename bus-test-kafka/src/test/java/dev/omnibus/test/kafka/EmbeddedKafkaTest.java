package dev.omnibus.test.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The extension gives a test the JVM's broker, which answers plain Kafka clients at its bootstrap address. */
@ExtendWith(EmbeddedKafka.class)
class EmbeddedKafkaTest {

  @Test
  void aTestGetsTheJvmsBrokerRunningAtItsBootstrapAddress(EmbeddedKafka kafka) throws Exception {
    try (Admin admin = kafka.admin()) {
      admin.createTopics(List.of(new NewTopic("kit.topic", 1, (short) 1))).all().get(60, TimeUnit.SECONDS);

      // The controller has the topic once createTopics returns; the broker's metadata cache, which listTopics reads,
      // follows a moment later (seen empty on a loaded machine).
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      Set<String> names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      while (!names.contains("kit.topic") && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(50);
        names = admin.listTopics().names().get(60, TimeUnit.SECONDS);
      }
      assertThat(names).contains("kit.topic");
    }
    assertThat(kafka).isSameAs(EmbeddedKafka.shared());
    assertThat(kafka.bootstrapServers()).matches("[^:]+:\\d+(,.+)?");
  }

  @Test
  void itsServerIsAKafkaServerAtTheBootstrapAddress(EmbeddedKafka kafka) {
    assertThat(kafka.server().protocol()).isEqualTo("kafka");
    assertThat(kafka.server().host()).isEqualTo(kafka.bootstrapServers());
  }
}
