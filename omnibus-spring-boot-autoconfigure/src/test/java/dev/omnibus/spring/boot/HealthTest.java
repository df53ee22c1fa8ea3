package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.Health.Consumer;
import dev.omnibus.Health.State;
import dev.omnibus.memory.InMemoryBroker;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;

/** The health indicator reports EventBus.health(): the transport and each consumer. */
class HealthTest {

  private static ConfigurableApplicationContext run() {
    return new SpringApplicationBuilder(TestApp.class).web(WebApplicationType.NONE)
        .properties("omnibus.asyncapi=classpath:boot-test.yaml", "omnibus.in-memory=true", "omnibus.server=memory")
        .run();
  }

  @Test
  @SuppressWarnings("unchecked")
  void upWithTheTransportAndEachConsumerWhenTheBusIsReady() {
    try (ConfigurableApplicationContext context = run()) {
      Health health = context.getBean(OmnibusHealthIndicator.class).health(true);

      assertThat(health.getStatus()).isEqualTo(Status.UP);
      assertThat(health.getDetails()).containsEntry("server", "memory").containsEntry("protocol", "memory");
      assertThat((Map<String, Object>) health.getDetails().get("transport")).containsEntry("state", "UP")
          .containsKey("since").doesNotContainKey("lastError");
      assertThat((List<Map<String, Object>>) health.getDetails().get("consumers"))
          .anySatisfy(consumer -> assertThat(consumer).containsEntry("channel", "orders")
              .containsEntry("group", "billing").containsEntry("state", "UP"))
          .anySatisfy(consumer -> assertThat(consumer).containsEntry("group", "shipping-shipping"))
          .anySatisfy(consumer -> assertThat(consumer).containsEntry("group", "audit-audit"));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void outOfServiceWithTheTransportClosedOnceTheBusIsClosed() {
    try (ConfigurableApplicationContext context = run()) {
      OmnibusHealthIndicator indicator = context.getBean(OmnibusHealthIndicator.class);

      context.getBean(EventBus.class).close();

      Health health = indicator.health(true);
      assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
      assertThat((Map<String, Object>) health.getDetails().get("transport")).containsEntry("state", "CLOSED");
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void downWithTheReasonWhileTheBrokerIsOutThenUpAgain() {
    try (ConfigurableApplicationContext context = run()) {
      OmnibusHealthIndicator indicator = context.getBean(OmnibusHealthIndicator.class);
      // omnibus.in-memory gives each context a broker of its own, named by the bus's server address.
      InMemoryBroker broker = InMemoryBroker.named(context.getBean(EventBus.class).server().host());

      broker.simulateOutage("Connection refused");
      Health down;
      try {
        down = indicator.health(true);
      } finally {
        broker.endOutage();
      }

      assertThat(down.getStatus()).isEqualTo(Status.DOWN);
      assertThat((Map<String, Object>) down.getDetails().get("transport")).containsEntry("state", "RECONNECTING")
          .containsEntry("lastError", "Connection refused");
      assertThat(indicator.health(true).getStatus()).isEqualTo(Status.UP);
    }
  }

  private static final Instant SINCE = Instant.parse("2030-01-01T00:00:00Z");

  private static Health describe(dev.omnibus.Health health, boolean consuming) {
    Health.Builder builder = new Health.Builder();
    OmnibusHealthIndicator.describe(health, "broker:5672", consuming, health.consumers().size(), builder);
    return builder.build();
  }

  private static dev.omnibus.Health.Status up() {
    return dev.omnibus.Health.Status.up(SINCE);
  }

  @Test
  @SuppressWarnings("unchecked")
  void downWithTheErrorWhileTheTransportReconnects() {
    dev.omnibus.Health reconnecting = new dev.omnibus.Health("rabbitmq", "amqp",
        dev.omnibus.Health.Status.of(State.RECONNECTING, "Connection refused", SINCE),
        List.of(new Consumer("orders", "billing", up())));

    Health health = describe(reconnecting, true);

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat((Map<String, Object>) health.getDetails().get("transport")).containsEntry("state", "RECONNECTING")
        .containsEntry("lastError", "Connection refused").containsEntry("since", "2030-01-01T00:00:00Z");
  }

  @Test
  @SuppressWarnings("unchecked")
  void downNamingTheConsumerThatStalled() {
    dev.omnibus.Health stalled = new dev.omnibus.Health("kafka", "kafka", up(), List.of(
        new Consumer("orders", "billing", up()),
        new Consumer("orders", "shipping", dev.omnibus.Health.Status.of(State.STALLED, "consumer loop died", SINCE))));

    Health health = describe(stalled, true);

    assertThat(health.getStatus()).isEqualTo(Status.DOWN);
    assertThat((List<Map<String, Object>>) health.getDetails().get("consumers"))
        .anySatisfy(consumer -> assertThat(consumer).containsEntry("group", "shipping")
            .containsEntry("state", "STALLED").containsEntry("lastError", "consumer loop died"))
        .anySatisfy(consumer -> assertThat(consumer).containsEntry("group", "billing").containsEntry("state", "UP"));
  }

  @Test
  void outOfServiceWhileTheListenersDoNotRunThoughTheConnectionIsUp() {
    dev.omnibus.Health idle = new dev.omnibus.Health("memory", "memory", up(), List.of());

    assertThat(describe(idle, false).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    assertThat(describe(idle, true).getStatus()).isEqualTo(Status.UP);
  }
}
