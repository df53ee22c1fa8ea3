package dev.omnibus.spi.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Counting the sends under way, for flush. */
class InFlightTest {

  private final InFlight inFlight = new InFlight();

  @Test
  void withNothingUnderWayAwaitReturnsTrueAtOnce() {
    assertThat(inFlight.await(Duration.ZERO)).isTrue();
  }

  @Test
  void aTrackedSendCountsUntilItsStageCompletes() {
    CompletableFuture<Void> send = new CompletableFuture<>();

    inFlight.track(send);
    assertThat(inFlight.count()).isEqualTo(1);
    assertThat(inFlight.await(Duration.ZERO)).isFalse();

    send.complete(null);
    assertThat(inFlight.count()).isZero();
    assertThat(inFlight.await(Duration.ZERO)).isTrue();
  }

  @Test
  void aFailedSendEndsToo() {
    CompletableFuture<Void> send = new CompletableFuture<>();
    inFlight.track(send);

    send.completeExceptionally(new IllegalStateException("refused"));

    assertThat(inFlight.count()).isZero();
  }

  @Test
  void awaitWakesUpWhenTheLastSendEnds() throws Exception {
    CompletableFuture<Void> send = new CompletableFuture<>();
    inFlight.track(send);
    AtomicBoolean flushed = new AtomicBoolean();
    Thread flusher = new Thread(() -> flushed.set(inFlight.await(Duration.ofMinutes(1))));
    flusher.start();

    send.complete(null);
    flusher.join();

    assertThat(flushed).isTrue();
  }

  @Test
  void beginAndEndArePaired() {
    inFlight.begin();
    inFlight.begin();
    inFlight.end();

    assertThat(inFlight.count()).isEqualTo(1);
  }

  @Test
  void moreEndsThanBeginsIsAMistake() {
    assertThatThrownBy(inFlight::end).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anInterruptedAwaitReturnsAndKeepsTheInterrupt() {
    inFlight.begin();
    Thread.currentThread().interrupt();
    try {
      assertThat(inFlight.await(Duration.ofMinutes(1))).isFalse();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
