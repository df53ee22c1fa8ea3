package dev.omnibus.test;

import dev.omnibus.RetryPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A clock that moves only when the test says so, and that the bus's retries wait on: a retry with a ten-minute backoff
 * goes on when the test {@link #advance(Duration) advances} the clock ten minutes, not ten minutes later. It is a
 * {@link Clock} too, so the code under test can read the same time.
 *
 * <pre>{@code
 * TestClock clock = TestClock.create();
 * EventBus bus = EventBus.builder().server(broker.server()).backoff(clock).build();  // OmnibusExtension does this
 * // a handler fails: its retry waits on the clock
 * clock.advanceToNextBackoff();        // the retry goes on now
 * assertThat(clock.backoffs()).containsExactly(Duration.ofMinutes(10));
 * }</pre>
 *
 * <p>Starts at {@value #START}. Thread-safe: consumers' threads ask for waits while the test advances the clock.
 */
public final class TestClock extends Clock implements RetryPolicy.Timer {

  /** Where a clock made by {@link #create()} starts. */
  public static final String START = "2030-01-01T00:00:00Z";

  /** How long {@link #advanceToNextBackoff()} waits for a retry to start waiting. */
  static final Duration WAIT = Duration.ofSeconds(10);

  private final State state;
  private final ZoneId zone;

  private TestClock(State state, ZoneId zone) {
    this.state = state;
    this.zone = zone;
  }

  /** A clock at {@value #START}, in UTC. */
  public static TestClock create() {
    return at(Instant.parse(START));
  }

  /** A clock at the given instant, in UTC. */
  public static TestClock at(Instant start) {
    return new TestClock(new State(Objects.requireNonNull(start, "start")), ZoneOffset.UTC);
  }

  @Override
  public Instant instant() {
    synchronized (state) {
      return state.now;
    }
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** This clock seen in another zone: the same time, advanced together. */
  @Override
  public TestClock withZone(ZoneId zone) {
    return new TestClock(state, Objects.requireNonNull(zone, "zone"));
  }

  /**
   * Moves the clock forward and lets every wait that is then over go on, the earliest first.
   *
   * @throws IllegalArgumentException when {@code duration} is negative: time does not go back
   */
  public void advance(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("A clock does not go back: advance by zero or more, not " + duration);
    }
    List<Wait> due = new ArrayList<>();
    synchronized (state) {
      state.now = state.now.plus(duration);
      state.pending.sort(Comparator.comparing(Wait::until));
      for (Wait wait : List.copyOf(state.pending)) {
        if (!wait.until().isAfter(state.now)) {
          state.pending.remove(wait);
          due.add(wait);
        }
      }
    }
    // Outside the lock: completing a wait wakes its consumer, which may ask for the next wait at once.
    due.forEach(wait -> wait.done().complete(null));
  }

  /**
   * Waits (at most 10 s of real time) until a retry waits on this clock, then advances the clock to the end of the
   * earliest wait, so that retry goes on.
   *
   * @return how far the clock moved
   * @throws AssertionError when no retry started waiting in time
   */
  public Duration advanceToNextBackoff() {
    Duration step;
    synchronized (state) {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (state.pending.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("No retry waited on the test clock within " + WAIT + " (backoffs so far: "
              + state.backoffs + "); did a handler fail, and was the bus built with this clock?");
        }
        waitOn(left);
      }
      Instant earliest = state.pending.stream().map(Wait::until).min(Comparator.naturalOrder()).orElseThrow();
      step = Duration.between(state.now, earliest);
    }
    advance(step.isNegative() ? Duration.ZERO : step);
    return step;
  }

  /** How many retries wait on this clock now. */
  public int waiting() {
    synchronized (state) {
      return state.pending.size();
    }
  }

  /** Every wait asked of this clock so far, in order: the backoffs the retry policy chose. */
  public List<Duration> backoffs() {
    synchronized (state) {
      return List.copyOf(state.backoffs);
    }
  }

  /**
   * A wait of {@code delay} on this clock: completes when the clock is advanced past it (at once for a delay of zero).
   * What the bus calls between attempts; a stage the bus cancels (its subscription stopped) stops waiting.
   */
  @Override
  public CompletionStage<?> after(Duration delay) {
    Objects.requireNonNull(delay, "delay");
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (state) {
      state.backoffs.add(delay);
      if (delay.isNegative() || delay.isZero()) {
        done.complete(null);
      } else {
        Wait wait = new Wait(state.now.plus(delay), done);
        state.pending.add(wait);
        done.whenComplete((ignored, error) -> forget(wait));
      }
      state.notifyAll();
    }
    return done;
  }

  private void forget(Wait wait) {
    synchronized (state) {
      state.pending.remove(wait);
    }
  }

  private void waitOn(long nanos) {
    try {
      state.wait(Math.max(1, nanos / 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for a retry to wait on the test clock", e);
    }
  }

  @Override
  public String toString() {
    return "TestClock[" + instant() + ", " + waiting() + " waiting]";
  }

  /** What the clocks of one {@link #withZone} family share; its monitor is their lock. */
  private static final class State {
    Instant now;
    final List<Wait> pending = new ArrayList<>();
    final List<Duration> backoffs = new ArrayList<>();

    State(Instant now) {
      this.now = now;
    }
  }

  private record Wait(Instant until, CompletableFuture<Void> done) {}
}
