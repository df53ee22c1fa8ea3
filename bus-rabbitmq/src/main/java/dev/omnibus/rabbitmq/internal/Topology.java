package dev.omnibus.rabbitmq.internal;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.support.OptionReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps destinations onto RabbitMQ exchanges, queues and bindings (DESIGN §6, README "Topology"):
 *
 * <ul>
 *   <li>no AMQP channel binding, or {@code is: routingKey}: publish to the binding's exchange (else the server's
 *       {@code x-omnibus-exchange}, a durable topic exchange {@code omnibus}) with routing key = the address; a group
 *       consumes the durable queue {@code <address>.<group>}, an anonymous subscription an exclusive auto-delete
 *       queue the bus names ({@code omnibus.anonymous.<uuid>.<n>}), both bound with the address ({@code {param}}
 *       segments become {@code *});
 *   <li>{@code is: queue}: publish to the default exchange with routing key = the queue name; every subscription, of
 *       whatever group, consumes that one queue.
 * </ul>
 *
 * <p>A replayed dead letter of a group goes to that group's queue alone, through the default exchange
 * ({@link #groupQueue}).
 *
 * <p>Immutable and thread-safe.
 */
final class Topology {

  private static final String DLQ_SUFFIX = ".dlq";
  /**
   * The option of a dead letter destination the binding makes itself ({@link #deadLetterOptions}) whose queue
   * {@code <queue>.dlq} it keeps: its value is the group. Not an {@code x-omnibus-} key: no document sets it.
   */
  static final String KEPT_OPTION = "omnibus.kept-dead-letters";
  private static final String RETRY_SUFFIX = ".retry";

  private final RabbitMqSettings settings;
  private final AmqpBindings bindings;

  Topology(RabbitMqSettings settings, AmqpBindings bindings) {
    this.settings = settings;
    this.bindings = bindings;
  }

  /** An exchange; the name {@code ""} is the default exchange, which is never declared. */
  record ExchangeSpec(String name, String type, boolean durable, boolean autoDelete) {
    boolean isDefault() {
      return name.isEmpty();
    }
  }

  /**
   * A queue; the name {@code ""} is an anonymous subscription's private queue, which the {@link Declarer} names.
   * {@code arguments} are its {@code x-arguments} ({@link QueuePolicy#arguments}), empty for a classic queue.
   */
  record QueueSpec(String name, boolean durable, boolean exclusive, boolean autoDelete, Map<String, Object> arguments) {
    QueueSpec {
      arguments = Map.copyOf(arguments);
    }

    /** A queue without arguments: classic, or exclusive (a private queue, which cannot be a quorum queue). */
    QueueSpec(String name, boolean durable, boolean exclusive, boolean autoDelete) {
      this(name, durable, exclusive, autoDelete, Map.of());
    }

    /** An anonymous subscription's private queue: exclusive, auto-delete, named when declared. */
    boolean anonymous() {
      return name.isEmpty();
    }

    /** {@code quorum queue 'orders.billing'} or {@code queue 'orders.billing'}, for messages. */
    String describe() {
      return ("quorum".equals(arguments.get("x-queue-type")) ? "quorum queue '" : "queue '") + name + "'";
    }
  }

  /**
   * Where a send goes. {@code queue} is the queue a queue channel declares before publishing, else null; {@code kept}
   * is a queue that must be bound to {@code exchange} with {@code routingKey} before the first send, else null: a
   * group's dead letter queue, which keeps the group's dead letters until someone reads them.
   */
  record Route(ExchangeSpec exchange, String routingKey, @Nullable QueueSpec queue, @Nullable QueueSpec kept) {
    Route(ExchangeSpec exchange, String routingKey, @Nullable QueueSpec queue) {
      this(exchange, routingKey, queue, null);
    }
  }

  /**
   * What a subscription consumes: {@code queue}, bound to {@code exchange} with {@code bindingKey} when the exchange
   * is not the default one; {@code deadLetters} is the durable queue kept for the group's dead letters, or null.
   */
  record Source(ExchangeSpec exchange, QueueSpec queue, String bindingKey, @Nullable QueueSpec deadLetters) {
    boolean bound() {
      return !exchange.isDefault();
    }
  }

  /**
   * Where a send to this destination goes. The address is concrete, but for a group's queue
   * ({@link #groupQueue}), which is sent to through the default exchange and never declared: the group declared it.
   */
  Route route(Destination destination) {
    if (destination.kind() == Destination.Kind.GROUP) {
      return new Route(defaultExchange(), destination.address(), null);
    }
    if (destination.kind() == Destination.Kind.RETRY) {
      return new Route(defaultExchange(), destination.address(), retryQueueSpec(destination));
    }
    if (destination.kind() == Destination.Kind.REPLY) {
      // A requester's queue, named in the request's reply_to: its own inbox, a foreign client's queue, or RabbitMQ's
      // direct reply-to pseudo-queue. Not declared here; a reply to a requester that is gone is dropped by the broker.
      return new Route(defaultExchange(), destination.address(), null);
    }
    AmqpChannelBinding binding = binding(destination);
    QueueSpec queue = queueOf(destination, binding);
    if (queue != null) {
      return new Route(defaultExchange(), queue.name(), queue);
    }
    ExchangeSpec exchange = exchangeOf(destination, binding);
    if (destination.isDeadLetters() && destination.options().containsKey(KEPT_OPTION)) {
      // A group's dead letter queue, declared and bound by its first dead letter rather than when the group
      // subscribes: most groups never dead-letter, and a durable queue and binding each cost the broker milliseconds.
      return new Route(exchange, destination.address(), null, new QueueSpec(destination.address(), true, false, false,
          policy(destination).arguments(null)));
    }
    return new Route(exchange, destination.address(), null);
  }

  /** Whether the destination is one queue (is: queue, or the default exchange) rather than a routing key. */
  boolean isQueue(Destination destination) {
    return queueOf(destination, binding(destination)) != null;
  }

  /** What a subscription to this destination consumes. */
  Source source(Destination destination, @Nullable String group) {
    if (destination.kind() == Destination.Kind.RETRY) {
      return new Source(defaultExchange(), retryQueueSpec(destination), destination.address(), null);
    }
    if (destination.kind() == Destination.Kind.REPLY) {
      // This bus's reply inbox: a queue of its own, gone with its connection.
      return new Source(defaultExchange(), new QueueSpec(destination.address(), false, true, true),
          destination.address(), null);
    }
    AmqpChannelBinding binding = binding(destination);
    QueueSpec queue = queueOf(destination, binding);
    if (queue != null) {
      if (destination.isPattern()) {
        throw ConfigurationException.of(bindingPath(destination), "channel '" + destination.channel()
            + "' is a queue ('" + queue.name() + "'): a queue cannot be subscribed with parameters "
            + destination.parameters() + "; give concrete values or use is: routingKey on a topic exchange");
      }
      // is: queue: one queue, every subscriber competes on it whatever its group (README "Topology"). A quorum queue
      // dead-letters to <queue>.dlq by itself, which must exist by then; a classic one's is declared when first sent to.
      QueuePolicy policy = policy(destination);
      QueueSpec deadLetters = policy.quorum() && !destination.isDeadLetters()
          ? new QueueSpec(queue.name() + DLQ_SUFFIX, true, false, false, policy.arguments(null)) : null;
      return new Source(defaultExchange(), queue, queue.name(), deadLetters);
    }
    ExchangeSpec exchange = exchangeOf(destination, binding);
    String bindingKey = destination.address();
    if (destination.isPattern()) {
      if (!exchange.type().equals("topic")) {
        throw ConfigurationException.of(bindingPath(destination) + ".exchange.type", "channel '"
            + destination.channel() + "' has parameters " + destination.parameters() + " but exchange '"
            + exchange.name() + "' is of type " + exchange.type() + ": wildcard subscriptions need a topic exchange");
      }
      bindingKey = destination.addressWithWildcards("*");
    }
    if (group == null) {
      // Always a classic queue: quorum queues cannot be exclusive, and one consumer's private copy needs no replicas.
      return new Source(exchange, new QueueSpec("", false, true, true), bindingKey, null);
    }
    String name = groupQueueName(destination.address(), group);
    checkName(destination, name, "queue");
    QueuePolicy policy = policy(destination);
    // A quorum queue dead-letters to <queue>.dlq by itself, which must exist by then; a classic one's is declared by
    // the group's first dead letter (route).
    QueueSpec deadLetters = policy.quorum() && !destination.isDeadLetters()
        ? new QueueSpec(name + DLQ_SUFFIX, true, false, false, policy.arguments(null)) : null;
    return new Source(exchange, durableQueue(destination, policy, name), bindingKey, deadLetters);
  }

  /**
   * The queue only one group of a channel reads, for a replayed dead letter: {@code <address>.<group>}, the address
   * as the group subscribed it; for an {@code is: queue} channel, the channel itself, since its one queue is all its
   * subscribers have, whatever their group.
   */
  Destination groupQueue(Destination channel, String group) {
    if (isQueue(channel)) {
      return channel;
    }
    // Without the operation's bindings: its cc or bcc routing keys would reach other queues from the default exchange.
    return new Destination(channel.channel(), groupQueueName(channel.address(), group), channel.mode(),
        channel.channelBindings(), Bindings.none(), Map.of(), Destination.Kind.GROUP);
  }

  /**
   * A group's retry queue, {@code <queue>.retry}: a durable queue of the group's own, sent to and consumed through the
   * default exchange, so that no other group's binding reaches it; for an {@code is: queue} channel the channel's
   * queue's, which all its subscribers share.
   */
  Destination retryQueue(Destination origin, String group) {
    AmqpChannelBinding binding = binding(origin);
    QueueSpec queue = queueOf(origin, binding);
    String name = (queue != null ? queue.name() : groupQueueName(origin.address(), group)) + RETRY_SUFFIX;
    checkName(origin, name, "queue");
    // No bindings of the channel apply (as Destination.retries), but its queue type does.
    return new Destination(origin.channel(), name, origin.mode(), Bindings.none(), Bindings.none(),
        policy(origin).asOptions(), Destination.Kind.RETRY);
  }

  /**
   * The options of a dead letter destination of this channel: its queue type, so that the dead letter queue (declared
   * when a quorum group subscribes, else when first sent to) is of the channel's type; and, for a group of a channel
   * that is not one queue, {@link #KEPT_OPTION}: its dead letters are kept in {@code <queue>.dlq}, bound to the
   * channel's exchange.
   */
  Map<String, String> deadLetterOptions(Destination origin, @Nullable String group) {
    Map<String, String> options = policy(origin).asOptions();
    if (group == null || isQueue(origin)) {
      return options;
    }
    Map<String, String> kept = new HashMap<>(options);
    kept.put(KEPT_OPTION, group);
    return Map.copyOf(kept);
  }

  /** A retry queue {@code <queue>.retry}; a quorum one dead-letters to {@code <queue>.dlq}, the group's. */
  private QueueSpec retryQueueSpec(Destination retries) {
    String address = retries.address();
    String base = address.endsWith(RETRY_SUFFIX) ? address.substring(0, address.length() - RETRY_SUFFIX.length())
        : address;
    return new QueueSpec(address, true, false, false, policy(retries).arguments(base + DLQ_SUFFIX));
  }

  /**
   * The queue policy of a destination: {@code x-omnibus-queue-type} and {@code -delivery-limit} of the channel or its
   * operation, else the binding's queue object's {@code x-queue-type}, else the server's.
   *
   * @throws ConfigurationException when an option is wrong, the channel option and the binding disagree, or a quorum
   *     queue would redeliver fewer times than the channel's {@code x-omnibus-retry-max-attempts} asks
   */
  QueuePolicy policy(Destination destination) {
    OptionReader options = OptionReader.of(destination);
    QueuePolicy policy = QueuePolicy.read(options, settings.queues());
    List<ConfigurationException.Problem> problems = new ArrayList<>(options.problems());
    AmqpChannelBinding binding = binding(destination);
    QueuePolicy.Type declared = binding == null || binding.queue() == null ? null : binding.queue().queueType();
    if (declared != null) {
      if (options.has(QueuePolicy.TYPE_OPTION) && declared != policy.type()) {
        problems.add(new ConfigurationException.Problem(options.pathOf(QueuePolicy.TYPE_OPTION), "says "
            + policy.type().name().toLowerCase(Locale.ROOT) + " but " + bindingPath(destination)
            + ".queue.x-queue-type says " + declared.name().toLowerCase(Locale.ROOT) + ": keep one of them"));
      }
      policy = policy.withType(declared);
    }
    if (policy.quorum() && options.has("retry-max-attempts")) {
      try {
        int attempts = Integer.parseInt(destination.option("retry-max-attempts", "1").trim());
        if (attempts > policy.deliveryLimit() + 1) {
          problems.add(new ConfigurationException.Problem(options.pathOf(QueuePolicy.LIMIT_OPTION), "a quorum queue "
              + "with delivery limit " + policy.deliveryLimit() + " dead-letters an event after "
              + (policy.deliveryLimit() + 1) + " deliveries, before the " + attempts + " attempts of "
              + options.pathOf("retry-max-attempts") + ": set x-omnibus-delivery-limit to at least " + (attempts - 1)));
        }
      } catch (NumberFormatException e) {
        // the bus reports a malformed retry option itself
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
    return policy;
  }

  /**
   * A named durable queue of this destination under its policy: a quorum queue dead-letters what exceeds its delivery
   * limit to {@code <queue>.dlq}, unless it is a dead letter queue itself.
   */
  private static QueueSpec durableQueue(Destination destination, QueuePolicy policy, String name) {
    return new QueueSpec(name, true, false, false,
        policy.arguments(destination.isDeadLetters() ? null : name + DLQ_SUFFIX));
  }

  /** The dead letter address of a destination consumed by a group: {@code <queue>.dlq} (DESIGN §6). */
  String deadLetterAddress(Destination destination, @Nullable String group) {
    AmqpChannelBinding binding = binding(destination);
    QueueSpec queue = queueOf(destination, binding);
    if (queue != null) {
      return queue.name() + DLQ_SUFFIX;
    }
    return (group == null ? destination.address() : groupQueueName(destination.address(), group)) + DLQ_SUFFIX;
  }

  /** The durable queue of a consumer group: {@code <address>.<group>}, the address as written (with its braces). */
  static String groupQueueName(String address, String group) {
    return address + "." + group;
  }

  private @Nullable AmqpChannelBinding binding(Destination destination) {
    return bindings.channel(destination);
  }

  private @Nullable QueueSpec queueOf(Destination destination, @Nullable AmqpChannelBinding binding) {
    if (binding == null) {
      return null;
    }
    if (binding.is() == AmqpChannelBinding.Is.QUEUE) {
      AmqpChannelBinding.Queue queue = binding.queue();
      String name = queue == null || queue.name() == null ? destination.address() : queue.name();
      QueuePolicy policy = policy(destination);
      if (destination.isDeadLetters()) {
        // The dead letter channel of a queue channel is a queue of its own (deadLetterAddress above).
        return durableQueue(destination, policy, destination.address());
      }
      if (queue != null) {
        checkVirtualHost(destination, queue.vhost(), ".queue.vhost");
      }
      checkName(destination, name, "queue");
      boolean durable = queue == null || queue.durable() == null || queue.durable();
      boolean exclusive = queue != null && Boolean.TRUE.equals(queue.exclusive());
      boolean autoDelete = queue != null && Boolean.TRUE.equals(queue.autoDelete());
      if (policy.quorum() && (!durable || exclusive || autoDelete)) {
        throw ConfigurationException.of(bindingPath(destination) + ".queue", "queue '" + name + "' is a quorum "
            + "queue, which RabbitMQ keeps durable and never exclusive or auto-delete: set durable: true, exclusive: "
            + "false, autoDelete: false, or make it a classic queue");
      }
      if (!policy.quorum()) {
        return new QueueSpec(name, durable, exclusive, autoDelete);
      }
      return durableQueue(destination, policy, name);
    }
    AmqpChannelBinding.Exchange exchange = binding.exchange();
    if (exchange != null && "default".equalsIgnoreCase(exchange.type())) {
      // The default exchange routes by queue name: the address names a queue, as with is: queue.
      return durableQueue(destination, policy(destination), destination.address());
    }
    return null;
  }

  private ExchangeSpec exchangeOf(Destination destination, @Nullable AmqpChannelBinding binding) {
    AmqpChannelBinding.Exchange exchange = binding == null ? null : binding.exchange();
    if (exchange == null) {
      return new ExchangeSpec(destination.option("exchange", settings.exchange()), "topic", true, false);
    }
    checkVirtualHost(destination, exchange.vhost(), ".exchange.vhost");
    String name = exchange.name() == null || exchange.name().isEmpty() ? settings.exchange() : exchange.name();
    checkName(destination, name, "exchange");
    String type = exchange.type() == null ? "topic" : exchange.type().toLowerCase(Locale.ROOT);
    if (!type.equals("topic") && !type.equals("direct") && !type.equals("fanout") && !type.equals("headers")) {
      throw ConfigurationException.of(bindingPath(destination) + ".exchange.type",
          "exchange type '" + exchange.type() + "' is not one of topic, direct, fanout, default, headers");
    }
    return new ExchangeSpec(name, type, exchange.durable() == null || exchange.durable(),
        Boolean.TRUE.equals(exchange.autoDelete()));
  }

  private void checkVirtualHost(Destination destination, @Nullable String vhost, String field) {
    // One connection serves one virtual host: a binding naming another one cannot be honoured silently.
    if (vhost != null && !vhost.equals(settings.virtualHost())) {
      throw ConfigurationException.of(bindingPath(destination) + field, "virtual host '" + vhost
          + "' differs from the server's '" + settings.virtualHost() + "' (its pathname): select a server whose "
          + "pathname is /" + vhost + " or drop the vhost from the binding");
    }
  }

  private static void checkName(Destination destination, String name, String what) {
    if (name.length() > 255) {
      throw ConfigurationException.of(bindingPath(destination), what + " name '" + name.substring(0, 40)
          + "...' is longer than the 255 characters AMQP allows");
    }
  }

  private static ExchangeSpec defaultExchange() {
    return new ExchangeSpec("", "direct", true, false);
  }

  private static String bindingPath(Destination destination) {
    return "channels." + destination.channel() + ".bindings.amqp";
  }
}
