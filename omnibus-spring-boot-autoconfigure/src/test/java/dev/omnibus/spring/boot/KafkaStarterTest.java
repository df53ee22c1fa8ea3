package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spring.boot.TestApp.OrderPlaced;
import dev.omnibus.spring.boot.TestApp.Received;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import dev.omnibus.test.BusRecorder;
import static dev.omnibus.test.OmnibusAssertions.assertThat;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The starter on a Kafka broker inside the test JVM, its address as a server variable property. */
@ExtendWith(EmbeddedKafka.class)
@Import(OmnibusTestKitConfiguration.class)
@SpringBootTest(classes = TestApp.class, properties = {
    "omnibus.asyncapi=classpath:boot-test.yaml",
    "omnibus.server=kafka",
    "omnibus.test.group=boot-${random.uuid}"})
class KafkaStarterTest {

  @DynamicPropertySource
  static void kafka(DynamicPropertyRegistry registry) {
    registry.add("omnibus.variables.bootstrap", () -> EmbeddedKafka.shared().bootstrapServers());
  }

  @Autowired EventBus bus;
  @Autowired EventType<OrderPlaced> orderPlaced;
  @Autowired Received received;
  @Autowired BusRecorder events;
  @Autowired OmnibusHealthIndicator health;

  @Test
  void listenersGetWhatTheBeanPublishesThroughKafka() {
    assertThat(bus.server().protocol()).isEqualTo("kafka");

    bus.publish(orderPlaced, new OrderPlaced("k-1", 100)).toCompletableFuture().join();

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(received.billing).contains("k-1");
      assertThat(received.shipping).contains("k-1");
    });
  }

  @Test
  void theTestKitsRecorderSeesThePublishAndTheHandlings() {
    bus.publish(orderPlaced, new OrderPlaced("rec-1", 100)).toCompletableFuture().join();

    assertThat(events).published(orderPlaced).extracting(OrderPlaced::orderId).containsExactly("rec-1");
    assertThat(events).awaitConsumed(orderPlaced, 2).extracting(OrderPlaced::orderId).containsOnly("rec-1");
  }

  @Test
  void healthIsUpWithTheTransportAndTheConsumers() {
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(health.health(true).getStatus()).isEqualTo(Status.UP));
    assertThat(health.health(true).getDetails()).containsKeys("transport", "consumers")
        .containsEntry("protocol", bus.server().protocol());
  }
}
