package dev.omnibus.rabbitmq.internal;

import dev.omnibus.spi.support.BindingReader;
import dev.omnibus.spi.support.ParsedBindings;
import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The AsyncAPI AMQP 0-9-1 bindings ({@code amqp}, binding versions 0.1.0 to 0.3.0; an absent {@code bindingVersion}
 * means the latest), read from the binding objects the document reader hands on as written, and checked: field types,
 * ranges, the {@code is}/{@code queue}/{@code exchange} rules, and the tolerant-reading rule of
 * {@link BindingReader}. Every problem names its document path ({@link Bindings#pathOf(String)} and the field).
 *
 * <p>The server binding (which must be empty) is checked when the transport opens; channel and operation bindings
 * when the bus checks a destination ({@link RabbitMqTransport#check}), and kept, so that sends and subscriptions do
 * not read them again.
 *
 * <p>Thread-safe.
 */
final class AmqpBindings {

  static final String PROTOCOL = "amqp";
  static final String LATEST = "0.3.0";
  private static final List<String> VERSIONS = List.of("0.1.0", "0.2.0", "0.3.0");
  private static final List<String> EXCHANGE_TYPES = List.of("topic", "direct", "fanout", "default", "headers");

  private final boolean strict;
  private final ParsedBindings<AmqpChannelBinding> channels;
  private final ParsedBindings<AmqpOperationBinding> operations;

  private AmqpBindings(boolean strict) {
    this.strict = strict;
    this.channels = new ParsedBindings<>(PROTOCOL, strict, AmqpBindings::channel);
    this.operations = new ParsedBindings<>(PROTOCOL, strict, AmqpBindings::operation);
  }

  /**
   * The AMQP bindings of a server's destinations, strict when the server says so, after checking the server's own
   * AMQP binding (which the binding reserves: it must be empty).
   *
   * @throws ConfigurationException listing every problem of the server binding
   */
  static AmqpBindings of(ServerConfig server) {
    BindingReader reader = new BindingReader(server.strictBindings());
    server(server.bindings(), reader);
    reader.throwIfAny();
    return new AmqpBindings(server.strictBindings());
  }

  /**
   * Checks the channel and operation bindings of a destination.
   *
   * @throws ConfigurationException listing every problem of both
   */
  void check(Destination destination) {
    ParsedBindings.checkAll(() -> channel(destination), () -> operation(destination));
  }

  /**
   * The AMQP channel binding of a destination, or {@code null}.
   *
   * @throws ConfigurationException when it has problems (a destination the bus did not check)
   */
  @Nullable AmqpChannelBinding channel(Destination destination) {
    return channels.of(destination.channelBindings());
  }

  /**
   * The AMQP operation binding of a destination, or {@code null}.
   *
   * @throws ConfigurationException when it has problems (a destination the bus did not check)
   */
  @Nullable AmqpOperationBinding operation(Destination destination) {
    return operations.of(destination.operationBindings());
  }

  /** A server binding, which AMQP reserves: it must be empty. */
  static @Nullable Boolean server(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the AMQP server binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "AMQP", VERSIONS);
    reader.onlyKnown(b, path, what("server", version) + " (which must be empty)", List.of("bindingVersion"));
    return Boolean.TRUE;
  }

  static @Nullable AmqpChannelBinding channel(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the AMQP channel binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "AMQP", VERSIONS);
    reader.onlyKnown(b, path, what("channel", version), List.of("is", "exchange", "queue", "bindingVersion"));
    String is = reader.text(b, "is", path);
    AmqpChannelBinding.Is kindOfAddress = AmqpChannelBinding.Is.ROUTING_KEY;
    if ("queue".equals(is)) {
      kindOfAddress = AmqpChannelBinding.Is.QUEUE;
    } else if (is != null && !is.equals("routingKey")) {
      reader.problem(BindingReader.path(path, "is"), "must be 'routingKey' or 'queue', not '" + is + "'");
    }
    Map<String, Object> exchangeObject = reader.object(b, "exchange", path);
    Map<String, Object> queueObject = reader.object(b, "queue", path);
    if (BindingReader.atLeast(version, "0.2.0")) {
      // The binding's JSON Schema forbids both from 0.2.0 on; 0.1.0 allowed them.
      if (kindOfAddress == AmqpChannelBinding.Is.QUEUE && exchangeObject != null) {
        reader.problem(BindingReader.path(path, "exchange"), "a channel with 'is: queue' names a queue, not an"
            + " exchange; remove 'exchange', or use 'is: routingKey' and remove 'queue'");
      }
      if (kindOfAddress == AmqpChannelBinding.Is.ROUTING_KEY && queueObject != null) {
        reader.problem(BindingReader.path(path, "queue"), "a channel with 'is: routingKey' (the default) publishes"
            + " to an exchange, it does not name a queue; remove 'queue', or set 'is: queue' and remove 'exchange'");
      }
    }
    AmqpChannelBinding.Exchange exchange = null;
    if (exchangeObject != null) {
      String at = BindingReader.path(path, "exchange");
      reader.onlyKnown(exchangeObject, at, "an AMQP exchange", List.of("name", "type", "durable", "autoDelete",
          "vhost"));
      String type = reader.text(exchangeObject, "type", at);
      if (type != null && !EXCHANGE_TYPES.contains(type)) {
        reader.problem(BindingReader.path(at, "type"), "must be topic, direct, fanout, default or headers, not '"
            + type + "'");
      }
      exchange = new AmqpChannelBinding.Exchange(name255(exchangeObject, at, reader), type,
          reader.bool(exchangeObject, "durable", at), reader.bool(exchangeObject, "autoDelete", at),
          reader.text(exchangeObject, "vhost", at));
    }
    AmqpChannelBinding.Queue queue = null;
    if (queueObject != null) {
      String at = BindingReader.path(path, "queue");
      reader.onlyKnown(queueObject, at, "an AMQP queue", List.of("name", "durable", "exclusive", "autoDelete",
          "vhost"));
      queue = new AmqpChannelBinding.Queue(name255(queueObject, at, reader), reader.bool(queueObject, "durable", at),
          reader.bool(queueObject, "exclusive", at), reader.bool(queueObject, "autoDelete", at),
          reader.text(queueObject, "vhost", at), queueType(queueObject, at, reader));
    }
    return new AmqpChannelBinding(kindOfAddress, exchange, queue, version);
  }

  static @Nullable AmqpOperationBinding operation(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the AMQP operation binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "AMQP", VERSIONS);
    List<String> known = new ArrayList<>(List.of("expiration", "userId", "cc", "priority", "deliveryMode",
        "mandatory", "bcc", "timestamp", "ack", "bindingVersion"));
    if (!BindingReader.atLeast(version, "0.3.0")) {
      known.add("replyTo");
      reader.text(b, "replyTo", path);
    }
    reader.onlyKnown(b, path, what("operation", version), known);
    Long expiration = reader.integer(b, "expiration", path, 0, Long.MAX_VALUE);
    Long priority = reader.integer(b, "priority", path, Integer.MIN_VALUE, Integer.MAX_VALUE);
    Long deliveryMode = reader.integer(b, "deliveryMode", path, Long.MIN_VALUE, Long.MAX_VALUE);
    if (deliveryMode != null && deliveryMode != 1 && deliveryMode != 2) {
      reader.problem(BindingReader.path(path, "deliveryMode"), "must be 1 (transient) or 2 (persistent), not "
          + deliveryMode);
      deliveryMode = null;
    }
    return new AmqpOperationBinding(expiration, reader.text(b, "userId", path), reader.texts(b, "cc", path),
        priority == null ? null : priority.intValue(), deliveryMode == null ? null : deliveryMode.intValue(),
        reader.bool(b, "mandatory", path), reader.texts(b, "bcc", path), reader.bool(b, "timestamp", path),
        reader.bool(b, "ack", path), version);
  }

  /**
   * The extension {@code x-queue-type} of a queue object: RabbitMQ's queue argument, which the binding itself does not
   * define; {@code classic} or {@code quorum}.
   */
  private static QueuePolicy.@Nullable Type queueType(Map<String, Object> queue, String path, BindingReader reader) {
    String type = reader.text(queue, "x-queue-type", path);
    if (type == null) {
      return null;
    }
    for (QueuePolicy.Type known : QueuePolicy.Type.values()) {
      if (known.name().equalsIgnoreCase(type.trim())) {
        return known;
      }
    }
    reader.problem(BindingReader.path(path, "x-queue-type"), "'" + type + "' is not a queue type the binding declares:"
        + " write classic or quorum (streams are not supported)");
    return null;
  }

  private static String what(String object, @Nullable String version) {
    return "the AMQP " + object + " binding " + (version == null ? LATEST : version);
  }

  private static @Nullable String name255(Map<String, Object> object, String path, BindingReader reader) {
    String name = reader.text(object, "name", path);
    if (name != null && name.length() > 255) {
      reader.problem(BindingReader.path(path, "name"), "must be at most 255 characters long, not " + name.length());
      return null;
    }
    return name;
  }
}
