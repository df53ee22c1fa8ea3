package dev.omnibus.spi;

import dev.omnibus.envelope.HeaderConvention;
import java.util.EnumSet;
import java.util.Set;

/**
 * What a transport can do. The bus relies on it (header convention, modes) and the conformance kit gates scenarios
 * on it: a scenario whose capability is missing is skipped with the reason, never passed.
 *
 * <p>Immutable and thread-safe. Built with {@link #builder(HeaderConvention)}.
 *
 * @param convention how binary-mode attributes are named on this transport
 * @param features the features supported
 * @param maxMessageBytes the largest message the transport carries, 0 when it sets no limit of its own
 * @param publishConfirmation what "sent" means here, e.g. "acks=all written" or "publisher confirm"
 */
public record TransportCapabilities(
    HeaderConvention convention, Set<Feature> features, int maxMessageBytes, String publishConfirmation) {

  public TransportCapabilities {
    features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
    if (maxMessageBytes < 0) {
      throw new IllegalArgumentException("maxMessageBytes must be >= 0");
    }
  }

  /** What a transport may support. */
  public enum Feature {
    /** Binary content mode: attributes in headers. */
    BINARY_MODE,
    /** Structured content mode: the JSON event format as the body. */
    STRUCTURED_MODE,
    /** Subscriptions of one named group compete: each message goes to one of them. */
    CONSUMER_GROUPS,
    /** A named group keeps messages sent while none of its members is subscribed, and delivers them later. */
    DURABLE_GROUPS,
    /** Every anonymous subscription gets every message. */
    ANONYMOUS_FAN_OUT,
    /** Messages with the same key are delivered in the order sent, to one consumer at a time. */
    PER_KEY_ORDER,
    /** A nacked message is delivered again. */
    REDELIVERY,
    /** Parameterised channel addresses can be subscribed with wildcards. */
    WILDCARD_SUBSCRIPTIONS,
    /** A message sent with no subscriber anywhere is kept for a group that subscribes later. */
    RETAINS_UNCONSUMED,
    /**
     * A replayed dead letter reaches only the group that failed it, not every group of the channel
     * ({@link Transport#groupDestination}).
     */
    GROUP_REPLAY,
    /**
     * Deliveries may be settled later, from any thread and in any order: the transport keeps handing out deliveries
     * (up to {@link SubscribeOptions#prefetch()}) while earlier ones are unsettled, acknowledges each on its own (on
     * Kafka, commits only the contiguous settled prefix of a partition), and hands the unsettled ones back when the
     * subscription closes. A message of a key is still handed out after the earlier ones of that key. The bus then runs
     * up to the subscription's {@code concurrency} handlers at once, events of one key one at a time.
     */
    CONCURRENT_SETTLE,
    /**
     * The transport recognises the {@link Destination.Kind#RETRY} destinations of {@link Transport#retryDestination}
     * on send and subscribe, so that a group can retry without blocking: a failed event goes there as a copy and the
     * channel's destination moves on. Without it a non-blocking retry policy retries blocking, with a warning.
     */
    RETRY_DESTINATIONS
  }

  /** Whether a feature is supported. */
  public boolean supports(Feature feature) {
    return features.contains(feature);
  }

  /** A builder for the given header convention, with no features. */
  public static Builder builder(HeaderConvention convention) {
    return new Builder(convention);
  }

  /** Builds {@link TransportCapabilities}. Not thread-safe. */
  public static final class Builder {
    private final HeaderConvention convention;
    private final EnumSet<Feature> features = EnumSet.noneOf(Feature.class);
    private int maxMessageBytes;
    private String publishConfirmation = "sent";

    private Builder(HeaderConvention convention) {
      this.convention = convention;
    }

    /** Adds supported features. */
    public Builder supports(Feature... supported) {
      features.addAll(java.util.List.of(supported));
      return this;
    }

    /** Sets the largest message carried. */
    public Builder maxMessageBytes(int bytes) {
      this.maxMessageBytes = bytes;
      return this;
    }

    /** Says what a completed send means. */
    public Builder publishConfirmation(String description) {
      this.publishConfirmation = description;
      return this;
    }

    public TransportCapabilities build() {
      return new TransportCapabilities(convention, features, maxMessageBytes, publishConfirmation);
    }
  }
}
