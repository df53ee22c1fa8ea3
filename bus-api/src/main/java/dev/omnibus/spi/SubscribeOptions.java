package dev.omnibus.spi;

import org.jspecify.annotations.Nullable;

/**
 * How to consume a destination.
 *
 * @param group the consumer group sharing the messages, or {@code null} for an anonymous subscription that gets every
 *     message sent after it started
 * @param prefetch how many unacknowledged messages the broker may push at once (0 = the transport's default)
 */
public record SubscribeOptions(@Nullable String group, int prefetch) {

  public SubscribeOptions {
    if (group != null && group.isBlank()) {
      throw new IllegalArgumentException("group must not be blank; use null for an anonymous subscription");
    }
    if (prefetch < 0) {
      throw new IllegalArgumentException("prefetch must be >= 0, was " + prefetch);
    }
  }

  /** Options for a group (or anonymous, with {@code null}) and the transport's default prefetch. */
  public static SubscribeOptions group(@Nullable String group) {
    return new SubscribeOptions(group, 0);
  }
}
