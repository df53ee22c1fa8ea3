package dev.omnibus.mqtt.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SubackWaitTest {

  private static final Duration SLICE = Duration.ofMillis(1);

  @Test
  void aSilentBrokerTimesOutAfterOneTimeout() {
    assertThatThrownBy(() -> SubackWait.await(millis -> { }, () -> false, () -> 0, SLICE))
        .isInstanceOf(SubackWait.TimedOut.class).hasMessageContaining("no SUBACK and no message");
  }

  @Test
  void theWaitGoesOnWhileMessagesArrive() {
    AtomicLong arrivals = new AtomicLong();
    AtomicInteger waits = new AtomicInteger();
    // Each slice sees messages arrive; the SUBACK comes after the fifth slice.
    SubackWait.Waiter waiter = millis -> {
      waits.incrementAndGet();
      arrivals.addAndGet(100);
    };

    assertThatCode(() -> SubackWait.await(waiter, () -> waits.get() >= 5, arrivals::get, SLICE))
        .doesNotThrowAnyException();
  }

  @Test
  void aFailedSubscribeIsTheClientsFailureNotATimeout() {
    IllegalStateException refused = new IllegalStateException("refused");
    assertThatThrownBy(() -> SubackWait.await(millis -> {
      throw refused;
    }, () -> true, () -> 0, SLICE)).isSameAs(refused);
  }
}
