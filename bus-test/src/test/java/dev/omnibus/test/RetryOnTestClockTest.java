package dev.omnibus.test;

import static dev.omnibus.test.KitEvents.PLACED;
import static dev.omnibus.test.OmnibusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.RetryPolicy;
import dev.omnibus.test.BusRecorder.Failure;
import dev.omnibus.test.KitEvents.Placed;
import java.time.Duration;
import java.util.Collections;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A bus whose retries wait on the test's clock: ten-minute backoffs pass when the test says so, in no real time. The
 * tests assert on outcomes and on the backoffs the clock was asked for, never on elapsed time.
 */
class RetryOnTestClockTest {

  private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

  @RegisterExtension
  final OmnibusExtension omnibus = OmnibusExtension.builder()
      .asyncApi("kit-orders.yaml")
      .configure(bus -> bus.retry(RetryPolicy.attempts(5).backoff(TEN_MINUTES, TEN_MINUTES, 1.0).withJitter(0)))
      .build();

  @Test
  void aFiveAttemptRetryWithTenMinuteBackoffsReachesDeadLettersAsTheClockAdvances(EventBus bus, TestClock clock,
      BusRecorder events) {
    bus.subscribe(PLACED, "billing", event -> {
      throw new IllegalStateException("payment provider down");
    });

    publish(bus, new Placed("o-1", 100));
    for (int backoff = 1; backoff <= 4; backoff++) {
      assertThat(clock.advanceToNextBackoff()).isEqualTo(TEN_MINUTES);
    }

    assertThat(events).awaitDeadLettered(PLACED, 1).singleElement()
        .satisfies(letter -> assertThat(letter.reason()).isEqualTo("handler failed 5 times"));
    assertThat(events).failed(PLACED).extracting(Failure::attempt).containsExactly(1, 2, 3, 4, 5);
    assertThat(clock.backoffs()).containsExactlyElementsOf(Collections.nCopies(4, TEN_MINUTES));
    assertThat(clock.instant()).isEqualTo(TestClock.create().instant().plus(TEN_MINUTES.multipliedBy(4)));
  }

  @Test
  void aRetryWaitsUntilTheClockHasPassedItsWholeBackoff(EventBus bus, TestClock clock, BusRecorder events) {
    AtomicInteger calls = new AtomicInteger();
    bus.subscribe(PLACED, "billing", event -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("payment provider down");
      }
    });
    publish(bus, new Placed("o-1", 100));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clock.waiting() == 1);

    clock.advance(TEN_MINUTES.minusSeconds(1));
    int waitingBeforeTheLastSecond = clock.waiting();
    clock.advance(Duration.ofSeconds(1));

    assertThat(waitingBeforeTheLastSecond).isEqualTo(1);
    assertThat(events).awaitConsumed(PLACED, 1).containsExactly(new Placed("o-1", 100));
    assertThat(calls).hasValue(2);
  }

  @Test
  void closingTheBusCutsAWaitingRetryShort(EventBus bus, TestClock clock, BusRecorder events) {
    bus.subscribe(PLACED, "billing", event -> {
      throw new IllegalStateException("payment provider down");
    });
    publish(bus, new Placed("o-1", 100));
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> clock.waiting() == 1);

    bus.close();

    assertThat(clock.waiting()).isZero();
    assertThat(events).failed(PLACED).hasSize(1);
    assertThat(events).hasNoDeadLetters();
  }

  private static void publish(EventBus bus, Placed order) {
    bus.publish(PLACED, order).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
