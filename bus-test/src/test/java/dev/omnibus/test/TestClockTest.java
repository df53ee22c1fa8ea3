package dev.omnibus.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The clock on its own: time moves only when advanced, and waits end when the clock passes them. */
class TestClockTest {

  private final TestClock clock = TestClock.at(Instant.parse("2030-06-01T12:00:00Z"));

  @Test
  void timeMovesOnlyByAdvance() {
    Instant before = clock.instant();

    clock.advance(Duration.ofHours(2));

    assertThat(clock.instant()).isEqualTo(before.plus(Duration.ofHours(2)));
  }

  @Test
  void aClockInAnotherZoneSharesTheTime() {
    TestClock paris = clock.withZone(ZoneId.of("Europe/Paris"));

    clock.advance(Duration.ofMinutes(5));

    assertThat(paris.instant()).isEqualTo(clock.instant());
    assertThat(paris.getZone()).isEqualTo(ZoneId.of("Europe/Paris"));
  }

  @Test
  void aWaitEndsWhenTheClockPassesIt() {
    CompletableFuture<?> wait = clock.after(Duration.ofMinutes(10)).toCompletableFuture();

    clock.advance(Duration.ofMinutes(9));
    boolean doneEarly = wait.isDone();
    clock.advance(Duration.ofMinutes(1));

    assertThat(doneEarly).isFalse();
    assertThat(wait).isCompleted();
    assertThat(clock.waiting()).isZero();
  }

  @Test
  void aWaitOfZeroIsOverAtOnceAndStillCounted() {
    assertThat(clock.after(Duration.ZERO).toCompletableFuture()).isCompleted();
    assertThat(clock.backoffs()).containsExactly(Duration.ZERO);
  }

  @Test
  void advanceToNextBackoffMovesToTheEarliestWait() {
    CompletableFuture<?> later = clock.after(Duration.ofMinutes(10)).toCompletableFuture();
    CompletableFuture<?> sooner = clock.after(Duration.ofMinutes(3)).toCompletableFuture();

    Duration moved = clock.advanceToNextBackoff();

    assertThat(moved).isEqualTo(Duration.ofMinutes(3));
    assertThat(sooner).isCompleted();
    assertThat(later).isNotDone();
  }

  @Test
  void aCancelledWaitNoLongerWaits() {
    clock.after(Duration.ofMinutes(10)).toCompletableFuture().cancel(false);

    assertThat(clock.waiting()).isZero();
  }

  @Test
  void timeDoesNotGoBack() {
    assertThatThrownBy(() -> clock.advance(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not go back");
  }
}
