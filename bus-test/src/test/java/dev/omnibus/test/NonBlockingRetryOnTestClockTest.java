package dev.omnibus.test;

import static dev.omnibus.test.KitEvents.PLACED;
import static dev.omnibus.test.OmnibusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.RetryPolicy;
import dev.omnibus.test.KitEvents.Placed;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Non-blocking retries wait on the test's clock as blocking ones do: the copy waits for its due time in the group's
 * retry destination while the events behind it are handled, and goes on when the test moves the clock.
 */
class NonBlockingRetryOnTestClockTest {

  private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

  @RegisterExtension
  final OmnibusExtension omnibus = OmnibusExtension.builder()
      .asyncApi("kit-orders.yaml")
      .configure(bus -> bus.retry(RetryPolicy.attempts(3).backoff(TEN_MINUTES, TEN_MINUTES, 1.0).withJitter(0)
          .nonBlocking()))
      .build();

  @Test
  void theEventsBehindAFailedOneAreHandledWhileItsRetryWaitsForTheClock(EventBus bus, TestClock clock,
      BusRecorder events) {
    AtomicInteger firstCalls = new AtomicInteger();
    bus.subscribe(PLACED, "billing", event -> {
      if (event.data().orderId().equals("o-1") && firstCalls.incrementAndGet() == 1) {
        throw new IllegalStateException("payment provider down");
      }
    });

    publish(bus, new Placed("o-1", 100));
    publish(bus, new Placed("o-2", 200));
    assertThat(events).awaitConsumed(PLACED, 1).containsExactly(new Placed("o-2", 200));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clock.waiting() == 1);
    int handledBeforeTheClockMoved = events.consumed(PLACED).size();
    clock.advance(TEN_MINUTES);

    assertThat(handledBeforeTheClockMoved).isEqualTo(1);
    assertThat(events).awaitConsumed(PLACED, 2).containsExactly(new Placed("o-2", 200), new Placed("o-1", 100));
    assertThat(events).published(PLACED).as("the retry copy is the bus's, not a publish").hasSize(2);
    assertThat(firstCalls).hasValue(2);
  }

  @Test
  void anEventFailingEveryAttemptReachesDeadLettersAsTheClockAdvances(EventBus bus, TestClock clock,
      BusRecorder events) {
    bus.subscribe(PLACED, "billing", event -> {
      throw new IllegalStateException("payment provider down");
    });

    publish(bus, new Placed("o-1", 100));
    for (int retry = 1; retry <= 2; retry++) {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clock.waiting() == 1);
      clock.advance(TEN_MINUTES);
    }

    assertThat(events).awaitDeadLettered(PLACED, 1).singleElement()
        .satisfies(letter -> assertThat(letter.reason()).isEqualTo("handler failed 3 times"));
    assertThat(events).failed(PLACED).extracting(BusRecorder.Failure::attempt).containsExactly(1, 2, 3);
  }

  private static void publish(EventBus bus, Placed order) {
    bus.publish(PLACED, order).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
