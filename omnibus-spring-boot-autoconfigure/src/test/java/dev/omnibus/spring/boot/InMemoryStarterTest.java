package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spring.boot.TestApp.OrderCancelled;
import dev.omnibus.spring.boot.TestApp.OrderPlaced;
import dev.omnibus.spring.boot.TestApp.Received;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import tools.jackson.databind.json.JsonMapper;

@OmnibusTest(classes = TestApp.class, properties = {
    "omnibus.asyncapi=classpath:boot-test.yaml",
    "omnibus.server=rabbitmq",
    "spring.jackson.property-naming-strategy=SNAKE_CASE"})
class InMemoryStarterTest {

  @Autowired EventBus bus;
  @Autowired EventType<OrderPlaced> orderPlaced;
  @Autowired Received received;
  @Autowired JsonMapper mapper;
  @Autowired OmnibusHealthIndicator health;
  @Autowired TestApp.PublishLog publishLog;

  @Test
  void runsOnAnInMemoryBrokerWhateverTheServerProperty() {
    assertThat(bus.server().protocol()).isEqualTo("memory");
  }

  @Test
  void aListenerMethodGetsThePublishedEvent() {
    bus.publish(orderPlaced, new OrderPlaced("m-1", 100)).toCompletableFuture().join();

    await().untilAsserted(() -> assertThat(received.billing).contains("m-1"));
  }

  @Test
  void anEventHandlerBeanGetsThePublishedEvent() {
    bus.publish(orderPlaced, new OrderPlaced("h-1", 100)).toCompletableFuture().join();

    await().untilAsserted(() -> assertThat(received.shipping).contains("h-1"));
  }

  @Test
  void aPayloadListenerOfATypeDeclaredByItsAnnotationGetsThePayload() {
    EventType<OrderCancelled> cancelled = EventType.of(TestApp.CANCELLED, OrderCancelled.class).channel("orders")
        .codec(JacksonPayloadCodec.of(OrderCancelled.class, mapper));

    bus.publish(cancelled, new OrderCancelled("c-1", "out of stock")).toCompletableFuture().join();

    await().untilAsserted(() -> assertThat(received.audit).contains("c-1:out of stock"));
  }

  @Test
  void payloadsOfEventTypeBeansAreWrittenWithBootsCustomisedMapper() {
    List<String> raw = new CopyOnWriteArrayList<>();
    try (var subscription = bus.subscribe("orders", null,
        event -> raw.add(new String(event.getData().toBytes(), StandardCharsets.UTF_8)))) {
      bus.publish(orderPlaced, new OrderPlaced("j-1", 250)).toCompletableFuture().join();

      await().untilAsserted(() -> assertThat(raw).anySatisfy(json ->
          assertThat(json).contains("\"order_id\":\"j-1\"").contains("\"total_minor\":250")));
    }
  }

  @Test
  void interceptorBeansWrapEveryPublish() {
    bus.publish(orderPlaced, new OrderPlaced("i-1", 100)).toCompletableFuture().join();

    assertThat(publishLog.types).contains(TestApp.PLACED);
  }

  @Test
  void healthIsUpWithTheServerWhileConsuming() {
    Health result = health.health(true);

    assertThat(result.getStatus()).isEqualTo(Status.UP);
    assertThat(result.getDetails()).containsEntry("protocol", "memory").containsEntry("server", "rabbitmq")
        .containsEntry("subscriptions", 3);
  }
}
