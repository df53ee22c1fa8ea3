package dev.omnibus.docs;

import dev.omnibus.RetryPolicy;
import dev.omnibus.ValidationMode;
import dev.omnibus.asyncapi.AsyncApiChannel;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.AsyncApiMessage;
import dev.omnibus.asyncapi.AsyncApiOperation;
import dev.omnibus.asyncapi.ServerTemplate;
import dev.omnibus.docs.Page.Text;
import dev.omnibus.spi.Destination;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What Omnibus will do with the events of each channel on one server: the ordering key, the retries, the dead letter
 * channel, the concurrency and payload validation. The retry policy is the bus's own ({@link RetryPolicy#defaults()}
 * with the channel's {@code x-omnibus-retry-*} options, read through {@link AsyncApiDocument#options}); the option
 * merge is the document reader's. The dead letter addresses follow each binding's {@code Transport.deadLetter} rule;
 * {@code DeliverySemanticsTest} checks them against {@code EventBus.deadLetterAddress} of a bus on each binding.
 */
final class DeliverySemantics {

  /** The broker families Omnibus has a binding for, by server protocol. */
  enum Family {
    KAFKA("Kafka"), RABBITMQ("RabbitMQ (AMQP 0-9-1)"), MQTT("MQTT 5"), MEMORY("in-memory"), NONE("");

    final String title;

    Family(String title) {
      this.title = title;
    }

    static Family of(String protocol) {
      return switch (protocol.toLowerCase(Locale.ROOT)) {
        case "kafka", "kafka-secure" -> KAFKA;
        case "amqp", "amqps" -> RABBITMQ;
        case "mqtt", "mqtts", "secure-mqtt", "mqtt5" -> MQTT;
        case "memory" -> MEMORY;
        default -> NONE;
      };
    }
  }

  static final List<String> HEADER = List.of("Channel", "Ordering key", "Retries", "Dead letter channel",
      "Concurrency", "Validation");

  private final AsyncApiDocument document;
  private final ValidationMode validation;

  DeliverySemantics(AsyncApiDocument document, ValidationMode validation) {
    this.document = document;
    this.validation = validation;
  }

  /** What publishing and consuming mean on this server, in sentences. */
  List<Text> promises(ServerTemplate server) {
    Family family = Family.of(server.protocol());
    List<Text> out = new ArrayList<>();
    switch (family) {
      case KAFKA -> {
        out.add(Text.of("A publish completes when the broker acknowledged the record with ").mono("acks=all")
            .plain(" (idempotent producer)."));
        out.add(Text.of("A consumer group ").mono("g").plain(" is the Kafka group ").mono("g")
            .plain("; it starts at the earliest offset the first time, then at its commits. A subscription without"
                + " a group starts at the latest offset and commits nothing."));
        out.add(Text.of("A failed handling seeks back to the offset: it and every later offset come again,"
            + " nothing is skipped."));
      }
      case RABBITMQ -> {
        out.add(Text.of("A publish completes on the broker's publisher confirm; a nack, an unroutable mandatory send"
            + " or no confirm in time fails it."));
        out.add(Text.of("A consumer group ").mono("g").plain(" reads the durable queue ").mono("<address>.g")
            .plain(", bound to the exchange with the address as routing key; without a group, an exclusive"
                + " auto-delete queue."));
        out.add(Text.of("A failed handling is nacked with requeue."));
      }
      case MQTT -> {
        out.add(Text.of("A publish completes on PUBACK at QoS 1 (the default), PUBCOMP at QoS 2."));
        out.add(Text.of("A consumer group ").mono("g").plain(" is the shared subscription ")
            .mono("$share/g/<topic>").plain(" on a persistent session per member; without a group, a plain"
                + " subscription on a clean session."));
        out.add(Text.of("A failed handling is delivered again in-process, at the head of the subscription's queue."));
      }
      case MEMORY -> {
        out.add(Text.of("A publish completes when the event is enqueued in the JVM; nothing survives the process."));
        out.add(Text.of("Each consumer group has its own queue; a group that subscribes late still gets the events"
            + " retained for its addresses."));
      }
      case NONE -> out.add(Text.of("Omnibus has no binding for protocol ").mono(server.protocol())
          .plain(": a bus cannot be built on this server, so nothing below applies to it."));
    }
    if (family != Family.NONE) {
      // EnvelopeCodec: the message key is the partitionkey extension, else the subject.
      out.add(Text.of("The ordering key is the event's ").mono("partitionkey").plain(" extension, else its ")
          .mono("subject").plain("."));
      out.add(Text.of("A handler that throws gets the event again after a wait; the event keeps its partition or"
          + " queue position meanwhile (unless its retries are non-blocking), so order survives retries. After the last attempt it goes to the dead letter"
          + " channel as a CloudEvent with ").mono("dlqreason").plain(", ").mono("dlqattempts").plain(", ")
          .mono("dlqerror").plain("; malformed input and invalid payloads go there at once, without retries."));
      out.add(Text.of("Delivery is at least once: an event is acknowledged only after its handler returned, so"
          + " handlers must be idempotent (or the bus built with dedupe)."));
    }
    return out;
  }

  /** One row per channel usable on this server; none for a protocol Omnibus has no binding for. */
  List<List<Text>> rows(ServerTemplate server) {
    Family family = Family.of(server.protocol());
    List<List<Text>> rows = new ArrayList<>();
    if (family == Family.NONE) {
      return rows;
    }
    for (AsyncApiChannel channel : document.channels().values()) {
      if (!channel.availableOn(server.name())) {
        continue;
      }
      rows.add(List.of(channelCell(channel), ordering(family, channel), retries(channel),
          deadLetters(family, server, channel), concurrency(family, server, channel), validation(channel)));
    }
    return rows;
  }

  private Text channelCell(AsyncApiChannel channel) {
    Text text = new Text().link(channel.id(), PageIds.channel(channel.id()));
    boolean receives = document.operations().stream().anyMatch(operation -> operation.channelId()
        .equals(channel.id()) && operation.action() == AsyncApiOperation.Action.RECEIVE);
    boolean sends = document.operations().stream().anyMatch(operation -> operation.channelId()
        .equals(channel.id()) && operation.action() == AsyncApiOperation.Action.SEND);
    text.plain(receives && sends ? "\nsent and received" : receives ? "\nreceived" : sends ? "\nsent" : "");
    return text;
  }

  private static Text ordering(Family family, AsyncApiChannel channel) {
    Text text = new Text();
    switch (family) {
      case KAFKA -> {
        text.plain("The record key: one partition per key, in order");
        Object partitions = kafkaChannelField(channel, "partitions");
        text.plain(partitions == null ? "." : " (" + BindingWords.plain(partitions) + " partitions).");
      }
      case RABBITMQ -> text.plain("In order per queue with one consumer; the members of a group interleave.");
      case MQTT -> text.plain("In order per topic for one subscriber; not per key across a group's members.");
      default -> text.plain("Per key, one event at a time.");
    }
    if (!channel.addressParameters().isEmpty()) {
      text.plain(" Each value of ").append(parameters(channel)).plain(" is its own address.");
    }
    return text;
  }

  private static Text parameters(AsyncApiChannel channel) {
    Text text = new Text();
    List<String> names = channel.addressParameters();
    for (int i = 0; i < names.size(); i++) {
      text.plain(i == 0 ? "" : ", ").mono("{" + names.get(i) + "}");
    }
    return text;
  }

  private Text retries(AsyncApiChannel channel) {
    Map<String, String> options = document.options(channel.id(), AsyncApiOperation.Action.RECEIVE);
    RetryPolicy policy;
    try {
      policy = RetryPolicy.defaults().withOptions(options);
    } catch (IllegalArgumentException e) {
      return Text.of("The document's retry options are wrong (" + e.getMessage() + "): a bus refuses them.");
    }
    boolean own = options.keySet().stream().anyMatch(key -> key.startsWith("retry-"));
    Text text = Text.of(policy.maxAttempts() == 1 ? "1 attempt, no retry" : policy.maxAttempts() + " attempts");
    if (policy.maxAttempts() > 1) {
      // The waits without their random share: what backoffAfter gives at most.
      RetryPolicy exact = policy.withJitter(0);
      List<String> waits = new ArrayList<>();
      for (int failed = 1; failed < policy.maxAttempts() && failed <= 6; failed++) {
        waits.add(duration(exact.backoffAfter(failed)));
      }
      text.plain(", waiting up to " + String.join(", ", waits) + (policy.maxAttempts() > 7 ? "…" : ""));
      if (policy.jitter() > 0) {
        text.plain(" (less a random " + Math.round(policy.jitter() * 100) + "% at most)");
      }
    }
    if (policy.maxAttempts() > 1 && policy.isNonBlocking()) {
      text.plain("; non-blocking: a failed event waits in the group's retry destination while the channel moves on,"
          + " so order per key is given up");
    }
    text.plain(", then dead letters. ");
    if (own) {
      text.plain("From the document's ").mono("x-omnibus-retry-*").plain(".");
    } else {
      text.plain("The bus's defaults.");
    }
    return text;
  }

  /** The dead letter address, as the binding's {@code Transport.deadLetter} makes it for a group. */
  static String deadLetterAddress(Family family, AsyncApiChannel channel, String group) {
    String address = channel.address() == null ? "<address>" : channel.address();
    return switch (family) {
      // KafkaTransport.deadLetter: the topic (binding topic, else the address), parameters as '_', + ".dlq".
      case KAFKA -> {
        Object topic = kafkaChannelField(channel, "topic");
        String name = topic == null ? address : BindingWords.plain(topic);
        yield name.replaceAll("\\{[^}]+}", "_") + ".dlq";
      }
      // Topology.deadLetterAddress: "<queue>.dlq" for a queue channel, else "<address>.<group>.dlq".
      case RABBITMQ -> {
        String queue = amqpQueue(channel);
        yield (queue != null ? queue : address + "." + group) + ".dlq";
      }
      // MqttTransport.deadLetter: the topic with its parameters as '_', + "/dlq".
      case MQTT -> Destination.of(address).addressWithWildcards("_") + "/dlq";
      // Transport.deadLetter's default, which the in-memory transport keeps.
      default -> Destination.of(address).addressWithWildcards("_") + ".dlq";
    };
  }

  private static Text deadLetters(Family family, ServerTemplate server, AsyncApiChannel channel) {
    Text text = Text.code(deadLetterAddress(family, channel, "<group>"));
    if (family == Family.RABBITMQ && amqpQueue(channel) == null) {
      text.plain(", a durable queue per group, declared by the group's first dead letter.");
    } else {
      text.plain(", for every group.");
    }
    return text;
  }

  private static Text concurrency(Family family, ServerTemplate server, AsyncApiChannel channel) {
    Text text = Text.of("One event at a time per ");
    switch (family) {
      case KAFKA -> {
        text.plain("partition; a group's members share the partitions");
        Object partitions = kafkaChannelField(channel, "partitions");
        text.plain(partitions == null ? "." : ", so at most " + BindingWords.plain(partitions)
            + " work at once.");
      }
      case RABBITMQ -> text.plain("consumer; ").plain(option(server, "prefetch", "250"))
          .plain(" unacknowledged deliveries per subscription (").mono("x-omnibus-prefetch").plain(").");
      case MQTT -> text.plain("subscription; the broker pushes up to ").plain(option(server, "receive-maximum",
          "65535")).plain(" unacknowledged messages per connection (").mono("x-omnibus-receive-maximum")
          .plain("), which a group's subscriptions sharing a session share (").mono("x-omnibus-group-sessions")
          .plain(").");
      default -> text.plain("key in a group; different keys side by side.");
    }
    return text;
  }

  private Text validation(AsyncApiChannel channel) {
    boolean schemas = channel.messages().stream().map(AsyncApiMessage::payload).anyMatch(payload -> payload != null);
    if (validation == ValidationMode.OFF) {
      return Text.of("Off: payloads are not checked.");
    }
    if (!schemas) {
      return Text.of("Nothing to check: no payload schema.");
    }
    return switch (validation) {
      case WARN -> Text.of("Warn: an invalid payload is logged and goes on.");
      default -> Text.of("Enforced: an invalid payload is refused on publish and dead-lettered on receive.");
    };
  }

  private static String option(ServerTemplate server, String key, String bindingDefault) {
    String value = server.options().get(key);
    return value != null ? value : bindingDefault;
  }

  private static @Nullable Object kafkaChannelField(AsyncApiChannel channel, String field) {
    return channel.bindings().get("kafka", Map.class).map(binding -> ((Map<?, ?>) binding).get(field)).orElse(null);
  }

  private static @Nullable String amqpQueue(AsyncApiChannel channel) {
    Map<?, ?> binding = channel.bindings().get("amqp", Map.class).orElse(null);
    if (binding == null || !"queue".equals(binding.get("is"))) {
      return null;
    }
    Object queue = binding.get("queue");
    Object name = queue instanceof Map<?, ?> spec ? spec.get("name") : null;
    return name != null ? String.valueOf(name) : channel.address();
  }

  static String duration(Duration duration) {
    long millis = duration.toMillis();
    if (millis < 1000) {
      return millis + " ms";
    }
    if (millis % 1000 == 0 && millis < 120_000) {
      return millis / 1000 + " s";
    }
    if (millis < 120_000) {
      return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }
    return millis % 60_000 == 0 ? millis / 60_000 + " min" : String.format(Locale.ROOT, "%.1f min",
        millis / 60_000.0);
  }
}
