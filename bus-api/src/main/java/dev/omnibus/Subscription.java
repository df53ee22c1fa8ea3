package dev.omnibus;

import org.jspecify.annotations.Nullable;

/**
 * A running subscription. {@link #close()} stops delivery to its handler: no call starts after it returns; an event
 * being handled finishes, and events not yet acknowledged go back to the broker for another member of the group.
 * Idempotent, thread-safe and bounded in time.
 */
public interface Subscription extends AutoCloseable {

  /** The channel subscribed to. */
  String channel();

  /** The consumer group, or {@code null} for an anonymous subscription. */
  @Nullable String group();

  @Override
  void close();
}
