package dev.omnibus.spi;

import dev.omnibus.envelope.WireMessage;
import java.util.Optional;
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
   * The dead letter channel of a destination as consumed by a group (or anonymously): where the bus sends the events
   * that consumer could not handle, as a {@link Destination.Kind#DEAD_LETTERS} destination the transport recognises by
   * its kind, never by its name. By default {@code <address>.dlq} with every {@code {param}} segment replaced by
   * {@code _} (one dead letter channel per channel); RabbitMQ uses {@code <queue>.dlq}, MQTT {@code <topic>/dlq}.
   *
   * <p>Called from any thread; must not block on the broker.
   */
  default Destination deadLetter(Destination origin, @org.jspecify.annotations.Nullable String group) {
    return Destination.deadLetters(origin.channel(), origin.addressWithWildcards("_") + ".dlq", origin.mode());
  }

  /**
   * Where one group of a channel parks the events it retries without blocking ({@code RetryPolicy.nonBlocking()}): a
   * {@link Destination.Kind#RETRY} destination the transport recognises by its kind on {@link #send} and
   * {@link #subscribe} (subscribed with the same group), one per channel and group, kept while the group is away as
   * the group's own messages are. By default {@code <address>.<group>.retry} with every {@code {param}} segment
   * replaced by {@code _}. Used only when the transport declares
   * {@link TransportCapabilities.Feature#RETRY_DESTINATIONS}.
   *
   * <p>Called from any thread; must not block on the broker.
   *
   * @param origin the channel's destination as the group subscribed it (its address may hold {@code {param}} segments)
   * @param group the consumer group
   */
  default Destination retryDestination(Destination origin, String group) {
    return Destination.retries(origin.channel(), origin.addressWithWildcards("_") + "." + group + ".retry",
        origin.mode());
  }

  /**
   * A requester's reply inbox: a {@link Destination.Kind#REPLY} destination that only this bus reads, subscribed once
   * per bus without a group, whose address requests carry in their {@code replyto} extension (and in the protocol's
   * own reply-to field where there is one). Replies to other requesters that reach it anyway (a shared reply topic)
   * are ignored by the bus, which tells its own by the correlation id. By default {@code omnibus.replies.<inboxId>}.
   * A binding overrides it where a fresh address per bus would cost the broker a lasting resource (a Kafka topic per
   * bus, say), or where the broker has an inbox of its own.
   *
   * <p>Called from any thread; must not block on the broker.
   *
   * @param inboxId a short random id, unique to the bus
   * @param mode how replies are encoded
   */
  default Destination replyInbox(String inboxId, dev.omnibus.envelope.Mode mode) {
    return Destination.replies("omnibus-replies", "omnibus.replies." + inboxId, mode);
  }

  /**
   * Where a responder sends the reply to a request whose {@code replyto} names {@code address} and that names no
   * channel of the bus: a {@link Destination.Kind#REPLY} destination that {@link #send} delivers to whoever reads that
   * address (on RabbitMQ the queue of that name, through the default exchange).
   *
   * @param address the request's reply-to address
   * @param mode how the reply is encoded
   */
  default Destination replyDestination(String address, dev.omnibus.envelope.Mode mode) {
    return Destination.replies("omnibus-replies", address, mode);
  }

  /**
   * A destination that reaches only the consumers of one group of a channel, where the broker can address one group:
   * the bus sends a replayed dead letter there ({@code EventBus.replay}), so that the groups that handled the event do
   * not get it again. Empty where the broker cannot address one group (a Kafka topic, an MQTT shared subscription):
   * the replay then reaches every group of the channel. The default is empty. A transport that answers declares
   * {@link TransportCapabilities.Feature#GROUP_REPLAY} and recognises the destination on {@link #send} by its
   * {@link Destination.Kind#GROUP} kind (or returns one it sends to as any other, such as the one queue of a channel
   * whose subscribers all compete on it).
   *
   * <p>Called from any thread; must not block on the broker.
   *
   * @param channelDestination the channel's destination for sending, its address the one the group subscribed (which
   *     may hold {@code {param}} segments: the group consumed them all)
   * @param group the group that failed the event (a dead letter's {@code dlqgroup})
   */
  default Optional<Destination> groupDestination(Destination channelDestination, String group) {
    return Optional.empty();
  }

  /**
   * What this transport can do for one destination; by default {@link #capabilities()}. A binding whose channels
   * differ (a RabbitMQ {@code is: queue} channel has no fan-out to separate groups) says so here, and
   * {@code EventBus.capabilities(channel)} reports it.
   */
  default TransportCapabilities capabilities(Destination destination) {
    return capabilities();
  }

  /**
   * Checks the bindings and options of a destination the bus will use, when the bus is built: the binding parses its
   * own protocol's channel and operation bindings ({@link Destination#channelBindings()},
   * {@link Destination#operationBindings()}) and reports every problem with its document path
   * ({@link Bindings#pathOf(String)} and the field), so a wrong binding fails at start rather than on the first send.
   * A field the binding does not define is a warning naming its path, or a problem when the server's
   * {@link ServerConfig#strictBindings()} is set. The default accepts everything.
   *
   * <p>Called on the thread building the bus, once for each channel's send and receive destination; must not block
   * on the broker.
   *
   * @throws dev.omnibus.ConfigurationException listing every problem of the destination
   */
  default void check(Destination destination) {}

  /**
   * The state of the connection to the broker now: {@link dev.omnibus.Health.State#UP UP},
   * {@link dev.omnibus.Health.State#RECONNECTING RECONNECTING} with the error that broke it (also when the first
   * connection has not been made yet), or {@link dev.omnibus.Health.State#CLOSED CLOSED}. Must not block on the broker:
   * the bus calls it on every health probe. {@code null} (the default, for a transport without a connection, such as
   * memory) lets the bus report it up since it opened, and closed once the bus is closed.
   */
  default dev.omnibus.Health.@org.jspecify.annotations.Nullable Status health() {
    return null;
  }

  /** Convenience for implementations: a stage already failed with the given exception. */
  static CompletionStage<Void> failed(RuntimeException failure) {
    return java.util.concurrent.CompletableFuture.failedFuture(failure);
  }
}
