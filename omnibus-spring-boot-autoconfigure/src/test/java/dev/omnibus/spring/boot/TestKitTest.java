package dev.omnibus.spring.boot;

import static dev.omnibus.test.OmnibusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.spring.boot.TestApp.OrderPlaced;
import dev.omnibus.test.BusRecorder;
import dev.omnibus.test.TestClock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** @OmnibusTest with the test kit: a recorder bean, cleared per test, and retries on a TestClock bean. */
@OmnibusTest(classes = {TestApp.class, TestKitTest.Flaky.class}, retriesOnTestClock = true, properties = {
    "omnibus.asyncapi=classpath:boot-test.yaml",
    "omnibus.server=rabbitmq"})
class TestKitTest {

  @Autowired EventBus bus;
  @Autowired EventType<OrderPlaced> orderPlaced;
  @Autowired BusRecorder events;
  @Autowired TestClock clock;

  /** Fails the first attempt at orders whose id starts with "retry-". */
  static final class Flaky {
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    @OmnibusListener(type = TestApp.PLACED, group = "flaky")
    void on(Event<OrderPlaced> event) {
      String id = event.data().orderId();
      if (id.startsWith("retry-") && seen.add(id)) {
        throw new IllegalStateException("first attempt fails");
      }
    }
  }

  @Test
  void theRecorderSeesWhatThisTestPublishedAndWhatTheListenersHandled() {
    bus.publish(orderPlaced, new OrderPlaced("kit-1", 100)).toCompletableFuture().join();

    assertThat(events).published(orderPlaced).extracting(OrderPlaced::orderId).containsExactly("kit-1");
    assertThat(events).awaitConsumed(orderPlaced, 3).extracting(OrderPlaced::orderId).containsOnly("kit-1");
    assertThat(events).hasNoDeadLetters();
  }

  @Test
  void theRecorderIsClearedBeforeEachTest() {
    bus.publish(orderPlaced, new OrderPlaced("kit-2", 100)).toCompletableFuture().join();

    assertThat(events).published(orderPlaced).extracting(OrderPlaced::orderId).containsExactly("kit-2");
  }

  @Test
  void aRetryWaitsOnTheTestClockUntilTheTestMovesIt() {
    bus.publish(orderPlaced, new OrderPlaced("retry-1", 100)).toCompletableFuture().join();

    assertThat(events).awaitFailed(orderPlaced, 1).singleElement()
        .satisfies(failure -> assertThat(failure.group()).isEqualTo("flaky"));
    await().until(() -> clock.waiting() == 1);
    assertThat(events).awaitConsumed(orderPlaced, 2);   // billing and shipping; flaky waits for its retry

    Duration waited = clock.advanceToNextBackoff();

    assertThat(waited).isPositive();
    assertThat(events).awaitConsumed(orderPlaced, 3).extracting(OrderPlaced::orderId).containsOnly("retry-1");
    assertThat(events.failed(orderPlaced)).hasSize(1);
  }
}
