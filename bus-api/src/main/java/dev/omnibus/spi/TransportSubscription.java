package dev.omnibus.spi;

/**
 * A running consumption of one destination. {@link #close()} stops delivery: no handler call starts after it returns
 * (one under way may finish); unacknowledged messages are left to the broker for redelivery to other consumers of the
 * group. Idempotent, thread-safe, bounded in time.
 */
public interface TransportSubscription extends AutoCloseable {

  @Override
  void close();
}
