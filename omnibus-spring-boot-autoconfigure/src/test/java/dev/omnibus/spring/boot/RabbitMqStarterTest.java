package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spring.boot.TestApp.OrderPlaced;
import dev.omnibus.spring.boot.TestApp.Received;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/** The starter on the machine's RabbitMQ (127.0.0.1:5672), credentials from Boot properties. */
@SpringBootTest(classes = TestApp.class, properties = {
    "omnibus.asyncapi=classpath:boot-test.yaml",
    "omnibus.server=rabbitmq",
    "omnibus.credentials.rabbitmq.username=guest",
    "omnibus.credentials.rabbitmq.password=guest",
    "omnibus.test.group=boot-${random.uuid}"})
class RabbitMqStarterTest {

  @Autowired EventBus bus;
  @Autowired EventType<OrderPlaced> orderPlaced;
  @Autowired Received received;

  @Test
  void listenersGetWhatTheBeanPublishesThroughRabbitMq() {
    assertThat(bus.server().protocol()).isEqualTo("amqp");

    bus.publish(orderPlaced, new OrderPlaced("r-1", 100)).toCompletableFuture().join();

    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
      assertThat(received.billing).contains("r-1");
      assertThat(received.shipping).contains("r-1");
    });
  }
}
