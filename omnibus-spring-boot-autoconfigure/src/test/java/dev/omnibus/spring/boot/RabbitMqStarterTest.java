package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spring.boot.TestApp.OrderPlaced;
import dev.omnibus.spring.boot.TestApp.Received;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import dev.omnibus.test.BusRecorder;
import static dev.omnibus.test.OmnibusAssertions.assertThat;

/** The starter on the machine's RabbitMQ (127.0.0.1:5672), credentials from Boot properties. */
@Import(OmnibusTestKitConfiguration.class)
@SpringBootTest(classes = TestApp.class, properties = {
    "omnibus.asyncapi=classpath:boot-test.yaml",
    "omnibus.server=rabbitmq",
    "omnibus.credentials.rabbitmq.username=guest",
    "omnibus.credentials.rabbitmq.password=guest",
    "omnibus.test.group=boot-${random.uuid}"})
class RabbitMqStarterTest {

  @BeforeAll
  static void rabbitMqIsUp() {
    // As the bindings' tests: without a broker, skip here and fail on CI (CI=true), where .ci/run starts one.
    boolean up;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", 5672), 2000);
      up = true;
    } catch (IOException e) {
      up = false;
    }
    if (!"true".equals(System.getenv("CI"))) {
      Assumptions.assumeTrue(up, "RabbitMQ is not running on 127.0.0.1:5672");
    }
  }

  @Autowired EventBus bus;
  @Autowired EventType<OrderPlaced> orderPlaced;
  @Autowired Received received;
  @Autowired BusRecorder events;
  @Autowired OmnibusHealthIndicator health;

  @Test
  void listenersGetWhatTheBeanPublishesThroughRabbitMq() {
    assertThat(bus.server().protocol()).isEqualTo("amqp");

    bus.publish(orderPlaced, new OrderPlaced("r-1", 100)).toCompletableFuture().join();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(received.billing).contains("r-1");
      assertThat(received.shipping).contains("r-1");
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
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(health.health(true).getStatus()).isEqualTo(Status.UP));
    assertThat(health.health(true).getDetails()).containsKeys("transport", "consumers")
        .containsEntry("protocol", bus.server().protocol());
  }
}
