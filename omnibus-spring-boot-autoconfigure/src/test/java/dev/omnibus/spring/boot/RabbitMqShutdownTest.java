package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** A normal stop in the middle of a backlog loses nothing: the next instance of the group gets the rest. */
class RabbitMqShutdownTest {

  static final Set<String> HANDLED = ConcurrentHashMap.newKeySet();
  static final CountDownLatch FIRST_UNDER_WAY = new CountDownLatch(1);
  static final CountDownLatch RELEASE = new CountDownLatch(1);

  @BeforeAll
  static void rabbitMqIsUp() {
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

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class SlowService {
    @Bean
    EventType<TestApp.OrderPlaced> orderPlaced() {
      return EventType.of(TestApp.PLACED, TestApp.OrderPlaced.class).channel("orders");
    }

    @Bean
    Object slowListener() {
      return new Object() {
        @OmnibusListener(type = TestApp.PLACED, group = "${shutdown.group}")
        void on(Event<TestApp.OrderPlaced> event) throws InterruptedException {
          FIRST_UNDER_WAY.countDown();
          RELEASE.await(30, TimeUnit.SECONDS);
          HANDLED.add(event.data().orderId());
        }
      };
    }
  }

  private static ConfigurableApplicationContext start(String group) {
    return new SpringApplicationBuilder(SlowService.class).web(WebApplicationType.NONE)
        .properties("omnibus.asyncapi=classpath:boot-test.yaml", "omnibus.server=rabbitmq",
            "omnibus.credentials.rabbitmq.username=guest", "omnibus.credentials.rabbitmq.password=guest",
            "shutdown.group=" + group)
        .run();
  }

  @Test
  void eventsNotHandledWhenTheContextStopsGoToTheNextInstanceOfTheGroup() throws Exception {
    String group = "boot-shutdown-" + UUID.randomUUID();
    ConfigurableApplicationContext first = start(group);
    EventBus bus = first.getBean(EventBus.class);
    @SuppressWarnings("unchecked")
    EventType<TestApp.OrderPlaced> type = first.getBean(EventType.class);
    for (int i = 0; i < 10; i++) {
      bus.publish(type, new TestApp.OrderPlaced("s-" + i, i)).toCompletableFuture().join();
    }
    assertThat(FIRST_UNDER_WAY.await(20, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> stopping = CompletableFuture.runAsync(first::close);
    RELEASE.countDown();
    stopping.get(60, TimeUnit.SECONDS);

    try (ConfigurableApplicationContext second = start(group)) {
      await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
          assertThat(HANDLED).containsAll(IntStream.range(0, 10).mapToObj(i -> "s-" + i).toList()));
    }
  }
}
