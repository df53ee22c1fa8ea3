package dev.omnibus.rabbitmq.internal;

import dev.omnibus.spi.support.OptionReader;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The kind of the durable queues the binding declares for a channel (its group queues, their retry and dead letter
 * queues, an {@code is: queue} channel's queue): classic, or quorum (replicated by Raft over the nodes of a cluster).
 * Read from {@code x-omnibus-queue-type} and {@code x-omnibus-delivery-limit} on the server (the default of every
 * channel), on a channel or on its receive operation; an AMQP channel binding's queue object may say
 * {@code x-queue-type} too.
 *
 * <p>A quorum queue gets these arguments ({@link #arguments}):
 *
 * <ul>
 *   <li>{@code x-queue-type: quorum};
 *   <li>{@code x-delivery-limit}: after that many redeliveries (a handler's nack, or a consumer gone without
 *       acknowledging, e.g. a process crashing on a poison message) the broker dead-letters the message instead of
 *       delivering it forever;
 *   <li>{@code x-dead-letter-exchange: ""} and {@code x-dead-letter-routing-key: <queue>.dlq}: such a message goes to
 *       the group's dead letter queue, where the bus puts its own dead letters;
 *   <li>{@code x-dead-letter-strategy: at-least-once} with {@code x-overflow: reject-publish} (which at-least-once
 *       dead-lettering requires; without a length limit it never rejects): the broker keeps the message until the
 *       dead letter queue has confirmed it, so dead-lettering loses nothing even when a node fails meanwhile.
 * </ul>
 *
 * <p>A dead letter queue gets {@code x-queue-type: quorum} alone: nothing is dead-lettered from it.
 *
 * <p>Immutable and thread-safe.
 *
 * @param type the queue type
 * @param deliveryLimit how many times a quorum queue redelivers a message before dead-lettering it
 */
public record QueuePolicy(Type type, int deliveryLimit) {

  /** The delivery limit of quorum queues when no {@code x-omnibus-delivery-limit} says otherwise. */
  public static final int DEFAULT_DELIVERY_LIMIT = 20;

  /** Classic queues, as RabbitMQ declares them without arguments. */
  public static final QueuePolicy DEFAULT = new QueuePolicy(Type.CLASSIC, DEFAULT_DELIVERY_LIMIT);

  static final String TYPE_OPTION = "queue-type";
  static final String LIMIT_OPTION = "delivery-limit";

  /** The queue types the binding declares. */
  public enum Type {
    /** RabbitMQ's classic queue, on one node: lost with that node's disk. */
    CLASSIC,
    /** A quorum queue, replicated on (by default) every node of the cluster, available while a majority runs. */
    QUORUM
  }

  /**
   * Reads {@code queue-type} and {@code delivery-limit}, with {@code defaults} for what is not given. Problems are left
   * in the reader.
   */
  static QueuePolicy read(OptionReader options, QueuePolicy defaults) {
    Type type = options.choice(TYPE_OPTION, defaults.type());
    int limit = options.integer(LIMIT_OPTION, defaults.deliveryLimit(), 1, Integer.MAX_VALUE);
    return new QueuePolicy(type, limit);
  }

  /** Whether the queues are quorum queues. */
  public boolean quorum() {
    return type == Type.QUORUM;
  }

  /** This policy with another type. */
  QueuePolicy withType(Type other) {
    return new QueuePolicy(other, deliveryLimit);
  }

  /**
   * The {@code x-arguments} of a durable queue declared under this policy; none for a classic queue.
   *
   * @param deadLetterQueue the queue where the broker dead-letters what exceeds the delivery limit, or {@code null}
   *     for a queue that is itself a dead letter queue
   */
  Map<String, Object> arguments(@Nullable String deadLetterQueue) {
    if (!quorum()) {
      return Map.of();
    }
    Map<String, Object> arguments = new LinkedHashMap<>();
    arguments.put("x-queue-type", "quorum");
    if (deadLetterQueue != null) {
      arguments.put("x-delivery-limit", deliveryLimit);
      arguments.put("x-dead-letter-exchange", "");
      arguments.put("x-dead-letter-routing-key", deadLetterQueue);
      arguments.put("x-dead-letter-strategy", "at-least-once");
      arguments.put("x-overflow", "reject-publish");
    }
    return arguments;
  }

  /**
   * The options that carry this policy to a destination the binding makes itself (a dead letter or retry
   * destination), so that its queue is declared as the channel's are.
   */
  Map<String, String> asOptions() {
    return Map.of(TYPE_OPTION, type.name().toLowerCase(Locale.ROOT), LIMIT_OPTION, Integer.toString(deliveryLimit));
  }

  @Override
  public String toString() {
    return quorum() ? "quorum (delivery limit " + deliveryLimit + ")" : "classic";
  }
}
