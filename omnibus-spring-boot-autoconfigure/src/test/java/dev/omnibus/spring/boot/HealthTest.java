package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
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
}
