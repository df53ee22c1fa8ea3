package dev.omnibus.spi;

/**
 * A running consumption of one destination. {@link #close()} stops delivery: no handler call starts after it returns
 * (one under way may finish); unacknowledged messages are left to the broker for redelivery to other consumers of the
 * group. Idempotent, thread-safe, bounded in time.
 */
public interface TransportSubscription extends AutoCloseable {

  /**
   * Whether this subscription consumes now: {@link dev.omnibus.Health.State#UP UP},
   * {@link dev.omnibus.Health.State#STALLED STALLED} with the reason (its channel, session or consumer loop lost and
   * being re-established), or {@link dev.omnibus.Health.State#CLOSED CLOSED}. Must not block on the broker. The bus
   * reports a subscription up since it started when this says {@code null} (the default, for one that cannot stall).
   */
  default dev.omnibus.Health.@org.jspecify.annotations.Nullable Status health() {
    return null;
  }

  @Override
  void close();
}
