package dev.omnibus.rabbitmq.internal;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An AsyncAPI AMQP 0-9-1 operation binding, as {@link AmqpBindings} read it.
 *
 * @param expiration message TTL in milliseconds, or {@code null}
 * @param userId the user id property, or {@code null}
 * @param cc extra routing keys, may be empty
 * @param priority the message priority, or {@code null}
 * @param deliveryMode 1 (transient) or 2 (persistent), or {@code null} for persistent
 * @param mandatory whether an unroutable message is an error, or {@code null}
 * @param bcc extra routing keys not sent as headers, may be empty
 * @param timestamp whether to set the timestamp property, or {@code null}
 * @param ack whether the consumer acknowledges, or {@code null}
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
record AmqpOperationBinding(
    @Nullable Long expiration,
    @Nullable String userId,
    List<String> cc,
    @Nullable Integer priority,
    @Nullable Integer deliveryMode,
    @Nullable Boolean mandatory,
    List<String> bcc,
    @Nullable Boolean timestamp,
    @Nullable Boolean ack,
    @Nullable String bindingVersion) {

  /** Copies the lists. */
  AmqpOperationBinding {
    cc = List.copyOf(cc);
    bcc = List.copyOf(bcc);
  }
}
