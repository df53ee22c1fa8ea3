package dev.omnibus;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * How often a failing handler gets an event again, and how long it waits in between: exponential backoff with jitter.
 * After {@link #maxAttempts()} the event goes to the dead letter channel.
 *
 * <pre>{@code
 * EventBus.builder()
 *     .retry(RetryPolicy.attempts(5).backoff(Duration.ofMillis(200), Duration.ofSeconds(10), 2.0))
 *     .retry("billing", RetryPolicy.attempts(10));   // one group gets its own
 * }</pre>
 *
 * <p>The wait before attempt n+1 is {@code min(maxBackoff, initialBackoff * multiplier^(n-1))}, scaled by a random
 * factor in {@code [1 - jitter, 1]} so that consumers failing together do not retry together.
 *
 * <p>Two modes ({@link Mode}). {@linkplain Mode#BLOCKING Blocking}, the default: while it waits, the event's partition
 * or queue position (or, with concurrency, its key's lane) is held, so per-key order survives retries.
 * {@linkplain Mode#NON_BLOCKING Non-blocking} ({@link #nonBlocking()}): a copy of the failed event goes to the group's
 * retry destination and the partition or queue moves on; order per key is given up (docs/delivery.md, "Two retry
 * modes").
 *
 * <pre>{@code
 * EventBus.builder().retry("billing", RetryPolicy.attempts(5).nonBlocking());
 * }</pre>
 *
 * @param maxAttempts how many times a handler gets an event, at least 1
 * @param initialBackoff the wait after the first failure
 * @param maxBackoff the longest wait
 * @param multiplier how much each wait grows, at least 1
 * @param jitter the random share taken off each wait, 0 to 1
 * @param mode whether a retry holds the event's place (blocking) or moves on (non-blocking)
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier,
    double jitter, Mode mode) {

  /** How a consumer waits for a failed event's next attempt. */
  public enum Mode {
    /**
     * The consumer holds the event, and its partition or queue (with concurrency, its key), until the next attempt:
     * order per key is kept; the events behind it wait.
     */
    BLOCKING,
    /**
     * The consumer publishes a copy of the event to its group's retry destination, acknowledges the original and
     * moves on; the copy is handled when its backoff has passed. Order per key is given up. Needs a consumer group
     * and a transport with {@link dev.omnibus.spi.TransportCapabilities.Feature#RETRY_DESTINATIONS}; elsewhere the
     * consumer retries blocking, with a warning.
     */
    NON_BLOCKING
  }

  /**
   * What the waits between attempts are measured by: real time, unless a test gives its own clock with
   * {@link EventBus.Builder#backoff(Timer)}, so that a retry with a backoff of minutes is tested without waiting.
   *
   * <pre>{@code
   * TestClock clock = TestClock.create();                 // dev.omnibus:bus-test
   * EventBus bus = EventBus.builder().server(broker.server()).backoff(clock).build();
   * clock.advance(Duration.ofMinutes(10));                // a retry waiting 10 minutes goes on now
   * }</pre>
   *
   * <p>Implementations must be thread-safe: each consumer calls {@link #after(Duration)} from its own thread.
   */
  @FunctionalInterface
  public interface Timer {

    /**
     * A stage that completes once {@code delay} has passed. The consumer holds the failed event (and its partition or
     * queue position) until the stage completes or the subscription stops, whichever comes first; a stage that
     * fails counts as elapsed. Called on the consumer's thread.
     */
    CompletionStage<?> after(Duration delay);

    /** Real time: the default of every bus. */
    static Timer realTime() {
      return delay -> new CompletableFuture<Void>().completeOnTimeout(null, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private static final RetryPolicy DEFAULTS =
      new RetryPolicy(5, Duration.ofMillis(100), Duration.ofSeconds(5), 2.0, 0.5);

  /** A blocking policy. */
  public RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, double multiplier, double jitter) {
    this(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, Mode.BLOCKING);
  }

  public RetryPolicy {
    Objects.requireNonNull(mode, "mode");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be >= 1, was " + maxAttempts);
    }
    if (initialBackoff.isNegative() || maxBackoff.isNegative()) {
      throw new IllegalArgumentException("backoffs must not be negative");
    }
    if (maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException("maxBackoff must be >= initialBackoff");
    }
    if (multiplier < 1.0) {
      throw new IllegalArgumentException("multiplier must be >= 1, was " + multiplier);
    }
    if (jitter < 0.0 || jitter > 1.0) {
      throw new IllegalArgumentException("jitter must be between 0 and 1, was " + jitter);
    }
  }

  /** 5 attempts, 100 ms doubling up to 5 s, half of each wait random. */
  public static RetryPolicy defaults() {
    return DEFAULTS;
  }

  /** The defaults with another number of attempts. */
  public static RetryPolicy attempts(int maxAttempts) {
    return new RetryPolicy(maxAttempts, DEFAULTS.initialBackoff, DEFAULTS.maxBackoff, DEFAULTS.multiplier,
        DEFAULTS.jitter);
  }

  /** This policy with other backoffs. */
  public RetryPolicy backoff(Duration initialBackoff, Duration maxBackoff, double multiplier) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, mode);
  }

  /** This policy with another jitter. */
  public RetryPolicy withJitter(double jitter) {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, mode);
  }

  /** This policy retrying without blocking: failed events wait in the group's retry destination ({@link Mode}). */
  public RetryPolicy nonBlocking() {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, Mode.NON_BLOCKING);
  }

  /** This policy retrying in place, holding the event's partition or queue: the default ({@link Mode}). */
  public RetryPolicy blocking() {
    return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, multiplier, jitter, Mode.BLOCKING);
  }

  /** Whether this policy retries without blocking. */
  public boolean isNonBlocking() {
    return mode == Mode.NON_BLOCKING;
  }

  /** The wait after the given failed attempt (1 = the first). */
  public Duration backoffAfter(int failedAttempt) {
    double base = initialBackoff.toNanos() * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    double capped = Math.min(base, (double) maxBackoff.toNanos());
    double factor = 1.0 - jitter * ThreadLocalRandom.current().nextDouble();
    return Duration.ofNanos((long) (capped * factor));
  }

  /**
   * This policy overridden by {@code x-omnibus-retry-*} options of a document: {@code retry-max-attempts},
   * {@code retry-initial-backoff}, {@code retry-max-backoff} (durations such as {@code 200ms}, {@code 2s} or
   * {@code PT1S}), {@code retry-multiplier}, {@code retry-jitter}, {@code retry-mode} ({@code blocking} or
   * {@code non-blocking}).
   *
   * @throws IllegalArgumentException naming the option whose value is not understood
   */
  public RetryPolicy withOptions(Map<String, String> options) {
    int attempts = maxAttempts;
    Duration initial = initialBackoff;
    Duration max = maxBackoff;
    double factor = multiplier;
    double random = jitter;
    Mode waiting = mode;
    for (Map.Entry<String, String> option : options.entrySet()) {
      String value = option.getValue().trim();
      try {
        switch (option.getKey()) {
          case "retry-max-attempts" -> attempts = Integer.parseInt(value);
          case "retry-initial-backoff" -> initial = parseDuration(value);
          case "retry-max-backoff" -> max = parseDuration(value);
          case "retry-multiplier" -> factor = Double.parseDouble(value);
          case "retry-jitter" -> random = Double.parseDouble(value);
          case "retry-mode" -> waiting = parseMode(value);
          default -> {
            // not a retry option
          }
        }
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("x-omnibus-" + option.getKey() + ": cannot read '" + value + "'", e);
      }
    }
    if (max.compareTo(initial) < 0) {
      max = initial;
    }
    return new RetryPolicy(attempts, initial, max, factor, random, waiting);
  }

  private static Mode parseMode(String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "blocking" -> Mode.BLOCKING;
      case "non-blocking", "nonblocking" -> Mode.NON_BLOCKING;
      default -> throw new IllegalArgumentException("retry-mode is blocking or non-blocking");
    };
  }

  static Duration parseDuration(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    if (value.startsWith("p")) {
      return Duration.parse(value.toUpperCase(Locale.ROOT));
    }
    if (value.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(value.substring(0, value.length() - 2).trim()));
    }
    if (value.endsWith("s")) {
      return Duration.ofMillis(Math.round(Double.parseDouble(value.substring(0, value.length() - 1).trim()) * 1000));
    }
    if (value.endsWith("m")) {
      return Duration.ofSeconds(Long.parseLong(value.substring(0, value.length() - 1).trim()) * 60);
    }
    return Duration.ofMillis(Long.parseLong(value));
  }
}
