package dev.omnibus.spi;

import dev.omnibus.envelope.WireMessage;
import java.util.concurrent.CompletionStage;

/**
 * A connection to one broker (one resolved AsyncAPI server). Owned by one bus, which closes it.
 *
 * <p>Thread-safe: {@link #send} and {@link #subscribe} are called from any application thread, concurrently.
 */
public interface Transport extends AutoCloseable {

  /**
   * Sends one message to a destination whose address is concrete (no parameters left).
   *
   * <p>Does not block beyond brief flow control; the stage completes when the broker has confirmed the message as
   * {@link TransportCapabilities#publishConfirmation()} says, and fails with a {@link dev.omnibus.PublishException}
   * (never a raw client exception), or a {@link dev.omnibus.TransportClosedException} once closed.
   */
  java.util.concurrent.CompletionStage<Void> send(Destination destination, WireMessage message);

  /**
   * Starts consuming a destination. Deliveries reach the handler on a thread of the transport; the handler is called
   * for one delivery at a time per ordering unit (partition, queue, topic), so that per-key order holds, and each
   * delivery is acknowledged with {@link Delivery#ack()} or {@link Delivery#nack(boolean)} exactly once.
   *
   * <p>May block until the subscription is established on the broker, so that a message sent after this method
   * returned reaches an anonymous subscription. A named group ({@link SubscribeOptions#group()}) shares the messages
   * among all subscriptions of that group on the broker; an anonymous one gets every message sent after it started.
   *
   * @throws dev.omnibus.TransportClosedException when the transport is closed
   */
  TransportSubscription subscribe(Destination destination, SubscribeOptions options, DeliveryHandler handler);

  /** What this transport can do; the bus and the conformance kit rely on it. Constant for the transport's life. */
  TransportCapabilities capabilities();

  /**
   * Waits until every send accepted so far has completed, at most the given time. Returns whether all completed.
   * Called by the bus while closing; the default waits for nothing.
   */
  default boolean flush(java.time.Duration timeout) {
    return true;
  }

  /**
   * Closes subscriptions and connections. Idempotent, thread-safe and bounded in time; unacknowledged deliveries are
   * left to the broker for redelivery. Sends after close fail with {@link dev.omnibus.TransportClosedException}.
   */
  @Override
  void close();

  /**
   * The address of the dead letter channel for a destination consumed by a group (DESIGN §6): {@code <address>.dlq}
   * by default; RabbitMQ uses {@code <queue>.dlq}, MQTT {@code <topic>/dlq}.
   */
  default String deadLetterAddress(Destination destination, @org.jspecify.annotations.Nullable String group) {
    return destination.address() + ".dlq";
  }

  /** Convenience for implementations: a stage already failed with the given exception. */
  static CompletionStage<Void> failed(RuntimeException failure) {
    return java.util.concurrent.CompletableFuture.failedFuture(failure);
  }
}
