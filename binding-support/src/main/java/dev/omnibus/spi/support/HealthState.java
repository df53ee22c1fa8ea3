package dev.omnibus.spi.support;

import dev.omnibus.Health;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/**
 * The health of one connection or subscription as a binding tracks it from its client's callbacks, for
 * {@code Transport.health()} and {@code TransportSubscription.health()}: {@link #up()} when the client connected or
 * recovered, {@link #lost} when it lost the connection (with the state to report and why), {@link #closed()} when the
 * application closed it. A state change keeps the time it began; repeating a state keeps the first time. Once closed
 * it stays closed.
 *
 * <pre>{@code
 * connection.addShutdownListener(cause -> health.lost(Health.State.RECONNECTING, cause));
 * ((Recoverable) connection).addRecoveryListener(recovered -> health.up());
 * public Health.Status health() { return health.get(); }
 * }</pre>
 *
 * <p>Thread-safe and lock-free: client threads report, any thread reads.
 */
public final class HealthState {

  private final Clock clock;
  private final AtomicReference<Health.Status> status;

  /** Up from now. */
  public HealthState() {
    this(Clock.systemUTC());
  }

  /** Up from now by the given clock; for tests. */
  public HealthState(Clock clock) {
    this.clock = clock;
    this.status = new AtomicReference<>(Health.Status.up(clock.instant()));
  }

  /** The state now. */
  public Health.Status get() {
    return status.get();
  }

  /** Connected or consuming again; the last error is kept for the record until the next one. */
  public void up() {
    status.updateAndGet(current -> current.state() == Health.State.UP || current.state() == Health.State.CLOSED
        ? current : new Health.Status(Health.State.UP, current.lastError(), clock.instant()));
  }

  /**
   * Lost: {@link Health.State#RECONNECTING} for a connection, {@link Health.State#STALLED} for a subscription, with the
   * telling message of its causes ({@link Causes#message}). Ignored once closed.
   */
  public void lost(Health.State state, @Nullable Throwable cause) {
    lost(state, cause == null ? null : Causes.message(cause));
  }

  /** Lost, with a reason in words. Ignored once closed. */
  public void lost(Health.State state, @Nullable String reason) {
    if (state == Health.State.UP || state == Health.State.CLOSED) {
      throw new IllegalArgumentException("lost(...) takes RECONNECTING or STALLED, not " + state);
    }
    status.updateAndGet(current -> {
      if (current.state() == Health.State.CLOSED) {
        return current;
      }
      String error = reason != null ? reason : current.lastError();
      return current.state() == state
          ? new Health.Status(state, error, current.since())
          : new Health.Status(state, error, clock.instant());
    });
  }

  /** Closed by the application; final. */
  public void closed() {
    status.updateAndGet(current -> current.state() == Health.State.CLOSED
        ? current : new Health.Status(Health.State.CLOSED, current.lastError(), clock.instant()));
  }

  @Override
  public String toString() {
    return status.get().toString();
  }
}
