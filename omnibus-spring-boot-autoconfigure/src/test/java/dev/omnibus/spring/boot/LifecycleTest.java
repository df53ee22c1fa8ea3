package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.TransportClosedException;
import dev.omnibus.spring.boot.TestApp.OrderPlaced;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class LifecycleTest {

  private static ConfigurableApplicationContext run(Class<?>... sources) {
    return new SpringApplicationBuilder(sources).web(org.springframework.boot.WebApplicationType.NONE)
        .properties("omnibus.asyncapi=classpath:boot-test.yaml", "omnibus.in-memory=true", "omnibus.server=memory")
        .run();
  }

  @Test
  void consumersStartWithTheContextAndStopBeforeTheBusCloses() {
    ConfigurableApplicationContext context = run(TestApp.class);
    EventBus bus = context.getBean(EventBus.class);
    OmnibusConsumers consumers = context.getBean(OmnibusConsumers.class);
    assertThat(consumers.isRunning()).isTrue();

    context.close();

    assertThat(consumers.isRunning()).isFalse();
    assertThat(consumers.subscriptionCount()).isZero();
    EventType<OrderPlaced> type = EventType.of(TestApp.PLACED, OrderPlaced.class).channel("orders");
    assertThatThrownBy(() -> bus.publish(type, new OrderPlaced("x", 1)).toCompletableFuture().join())
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(TransportClosedException.class);
  }

  @Test
  void healthIsOutOfServiceOnceTheConsumersStopped() {
    try (ConfigurableApplicationContext context = run(TestApp.class)) {
      OmnibusHealthIndicator health = context.getBean(OmnibusHealthIndicator.class);

      context.getBean(OmnibusConsumers.class).stop();

      assertThat(health.health(false).getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
    }
  }

  @Test
  void aListenerOfAnUndeclaredTypeWithoutChannelFailsTheStartWithWhatToDo() {
    assertThatThrownBy(() -> run(TestApp.class, Undeclared.class).close())
        .hasRootCauseInstanceOf(ConfigurationException.class)
        .rootCause().hasMessageContaining("com.example.unknown.v1").hasMessageContaining("declare an EventType bean");
  }

  @Configuration(proxyBeanMethods = false)
  static class Undeclared {
    @Bean
    Object undeclaredListener() {
      return new Object() {
        @OmnibusListener(type = "com.example.unknown.v1")
        void on(OrderPlaced placed) {}
      };
    }
  }
}
