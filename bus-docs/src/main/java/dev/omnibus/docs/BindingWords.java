package dev.omnibus.docs;

import dev.omnibus.docs.Page.Text;
import dev.omnibus.spi.Bindings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * AsyncAPI bindings in words: "Kafka topic {@code orders}, 6 partitions, replication factor 3". The Kafka, AMQP and
 * MQTT bindings' fields are said in sentences; another protocol's, and fields these do not know, are listed as
 * written. Only says what the document writes: whether a binding accepts it is the broker binding's check when a bus
 * is built.
 */
final class BindingWords {

  /** Which object the bindings belong to. */
  enum Owner { SERVER, CHANNEL, OPERATION, MESSAGE }

  private BindingWords() {}

  /** One line per protocol, protocols in name order; empty without bindings. */
  static List<Text> describe(Bindings bindings, Owner owner) {
    List<Text> lines = new ArrayList<>();
    new TreeMap<>(bindings.byProtocol()).forEach((protocol, binding) -> {
      Text line = new Text().strong(protocolName(protocol)).plain(": ");
      if (!(binding instanceof Map<?, ?> fields)) {
        lines.add(line.plain("written as ").mono(String.valueOf(binding)).plain("."));
        return;
      }
      Map<String, Object> rest = new TreeMap<>();
      fields.forEach((key, value) -> rest.put(String.valueOf(key), value));
      Object version = rest.remove("bindingVersion");
      List<Text> sentences = switch (protocol) {
        case "kafka" -> kafka(rest, owner);
        case "amqp" -> amqp(rest, owner);
        case "mqtt", "mqtt5" -> mqtt(rest, owner);
        default -> new ArrayList<>();
      };
      rest.forEach((key, value) -> sentences.add(Text.code(key).plain(": ").mono(plain(value)).plain(".")));
      if (sentences.isEmpty()) {
        sentences.add(Text.of("declared with no fields."));
      }
      for (int i = 0; i < sentences.size(); i++) {
        line.plain(i == 0 ? "" : " ").append(sentences.get(i));
      }
      if (version != null) {
        line.plain(" (binding version " + plain(version) + ")");
      }
      lines.add(line);
    });
    return lines;
  }

  static String protocolName(String protocol) {
    return switch (protocol) {
      case "kafka", "kafka-secure" -> "Kafka";
      case "amqp", "amqps" -> "AMQP 0-9-1";
      case "mqtt", "mqtts", "secure-mqtt" -> "MQTT";
      case "mqtt5" -> "MQTT 5";
      case "memory" -> "in-memory";
      case "ws", "wss" -> "WebSocket";
      case "http", "https" -> "HTTP";
      default -> protocol;
    };
  }

  // ------------------------------------------------------------------ Kafka

  private static List<Text> kafka(Map<String, Object> fields, Owner owner) {
    List<Text> out = kafkaSentences(fields, owner);
    if (!out.isEmpty()) {
      out.set(0, capitalised(out.get(0)));
    }
    return out;
  }

  private static List<Text> kafkaSentences(Map<String, Object> fields, Owner owner) {
    List<Text> out = new ArrayList<>();
    switch (owner) {
      case SERVER -> {
        take(fields, "schemaRegistryUrl", value -> out.add(Text.of("schema registry at ").mono(value).plain(".")));
        take(fields, "schemaRegistryVendor", value -> out.add(Text.of("Registry vendor ").mono(value).plain(".")));
      }
      case CHANNEL -> {
        take(fields, "topic", value -> out.add(Text.of("topic ").mono(value).plain(".")));
        take(fields, "partitions", value -> out.add(Text.of(value + " partitions.")));
        take(fields, "replicas", value -> out.add(Text.of("Replication factor " + value + ".")));
        Object configuration = fields.remove("topicConfiguration");
        if (configuration instanceof Map<?, ?> settings && !settings.isEmpty()) {
          Text text = Text.of("Topic configuration:");
          settings.forEach((key, value) -> text.plain(" ").mono(key + "=" + plain(value)));
          out.add(text.plain("."));
        }
      }
      case OPERATION -> {
        take(fields, "groupId", value -> out.add(Text.of("consumer group id ").mono(value)
            .plain(" (Omnibus checks it; the group is the one a service subscribes with).")));
        take(fields, "clientId", value -> out.add(Text.of("Client id ").mono(value).plain(".")));
      }
      case MESSAGE -> {
        take(fields, "key", value -> out.add(Text.of("the record key is ").mono(value)
            .plain(" (Omnibus keys records by the event's subject).")));
        take(fields, "schemaIdLocation", value -> out.add(Text.of("Schema id in the " + value + ".")));
        take(fields, "schemaIdPayloadEncoding", value -> out.add(Text.of("Schema id encoding ").mono(value)
            .plain(".")));
        take(fields, "schemaLookupStrategy", value -> out.add(Text.of("Schema lookup strategy ").mono(value)
            .plain(".")));
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ AMQP

  private static List<Text> amqp(Map<String, Object> fields, Owner owner) {
    List<Text> out = new ArrayList<>();
    switch (owner) {
      case CHANNEL -> {
        Object is = fields.remove("is");
        Object exchange = fields.remove("exchange");
        Object queue = fields.remove("queue");
        if ("queue".equals(is)) {
          Text text = Text.of("the address names a queue");
          if (queue instanceof Map<?, ?> spec) {
            text.append(named(" ", spec)).append(qualities(spec));
          }
          out.add(text.plain("; consumers read it, senders send to it through the default exchange."));
        } else {
          Text text = Text.of("messages are published");
          if (exchange instanceof Map<?, ?> spec) {
            text.plain(" to exchange").append(named(" ", spec));
            if (spec.get("type") != null) {
              text.plain(" (" + plain(spec.get("type")) + ")");
            }
            text.append(qualities(spec));
          }
          out.add(text.plain("; the channel address is the routing key."));
          if (queue instanceof Map<?, ?> spec) {
            out.add(Text.of("Queue").append(named(" ", spec)).append(qualities(spec)).plain("."));
          }
        }
      }
      case OPERATION -> {
        take(fields, "deliveryMode", value -> out.add(Text.of("1".equals(value) ? "transient (non-persistent)"
            : "2".equals(value) ? "persistent" : "delivery mode " + value).plain(" messages.")));
        take(fields, "priority", value -> out.add(Text.of("Priority " + value + ".")));
        take(fields, "expiration", value -> out.add(Text.of("Messages expire after " + value + " ms.")));
        take(fields, "mandatory", value -> out.add(Text.of("true".equals(value)
            ? "An unroutable message is returned (mandatory)." : "An unroutable message is dropped.")));
        take(fields, "userId", value -> out.add(Text.of("User id ").mono(value).plain(".")));
        take(fields, "cc", value -> out.add(Text.of("Also routed to (cc) ").mono(value).plain(".")));
        take(fields, "bcc", value -> out.add(Text.of("Also routed to (bcc) ").mono(value).plain(".")));
        take(fields, "timestamp", value -> out.add(Text.of("true".equals(value) ? "Messages carry a timestamp."
            : "Messages carry no timestamp.")));
        take(fields, "ack", value -> out.add(Text.of("true".equals(value) ? "Consumers acknowledge."
            : "Consumers do not acknowledge (ack: false).")));
      }
      case MESSAGE -> {
        take(fields, "contentEncoding", value -> out.add(Text.of("content encoding ").mono(value).plain(".")));
        take(fields, "messageType", value -> out.add(Text.of("Message type ").mono(value).plain(".")));
      }
      case SERVER -> {
        // AMQP defines no server binding fields: whatever is written is listed as written.
      }
    }
    if (!out.isEmpty()) {
      out.set(0, capitalised(out.get(0)));
    }
    return out;
  }

  private static Text named(String before, Map<?, ?> spec) {
    Object name = spec.get("name");
    return name == null ? new Text() : Text.of(before).mono(plain(name));
  }

  private static Text qualities(Map<?, ?> spec) {
    List<String> words = new ArrayList<>();
    if (spec.get("durable") != null) {
      words.add(Boolean.TRUE.equals(spec.get("durable")) ? "durable" : "not durable");
    }
    if (Boolean.TRUE.equals(spec.get("exclusive"))) {
      words.add("exclusive");
    }
    if (Boolean.TRUE.equals(spec.get("autoDelete"))) {
      words.add("deleted when unused");
    }
    if (spec.get("vhost") != null) {
      words.add("virtual host " + plain(spec.get("vhost")));
    }
    return words.isEmpty() ? new Text() : Text.of(", " + String.join(", ", words));
  }

  // ------------------------------------------------------------------ MQTT

  private static List<Text> mqtt(Map<String, Object> fields, Owner owner) {
    List<Text> out = new ArrayList<>();
    switch (owner) {
      case SERVER -> {
        take(fields, "clientId", value -> out.add(Text.of("client id ").mono(value).plain(".")));
        take(fields, "cleanSession", value -> out.add(Text.of("true".equals(value) ? "Clean sessions."
            : "Persistent sessions (cleanSession: false).")));
        take(fields, "keepAlive", value -> out.add(Text.of("Keep-alive " + value + " s.")));
        take(fields, "sessionExpiryInterval", value -> out.add(Text.of("Sessions expire after ")
            .mono(value).plain(" s.")));
        take(fields, "maximumPacketSize", value -> out.add(Text.of("Largest packet ").mono(value)
            .plain(" bytes.")));
        Object will = fields.remove("lastWill");
        if (will instanceof Map<?, ?> spec) {
          Text text = Text.of("Last will on ").mono(plain(spec.get("topic")));
          if (spec.get("qos") != null) {
            text.plain(" at QoS " + plain(spec.get("qos")));
          }
          out.add(text.plain(Boolean.TRUE.equals(spec.get("retain")) ? ", retained." : "."));
        }
      }
      case OPERATION, MESSAGE -> {
        take(fields, "qos", value -> out.add(Text.of("QoS " + value + " (" + switch (value) {
          case "0" -> "at most once";
          case "1" -> "at least once";
          case "2" -> "exactly once";
          default -> "unknown level";
        } + ").")));
        take(fields, "retain", value -> out.add(Text.of("true".equals(value) ? "The broker retains the last message."
            : "Not retained.")));
        take(fields, "messageExpiryInterval", value -> out.add(Text.of("Messages expire after ")
            .mono(value).plain(" s.")));
        take(fields, "payloadFormatIndicator", value -> out.add(Text.of("1".equals(value) ? "UTF-8 payload."
            : "Unspecified payload bytes.")));
        take(fields, "responseTopic", value -> out.add(Text.of("Response topic ").mono(value)
            .plain(".")));
        take(fields, "contentType", value -> out.add(Text.of("Content type ").mono(value).plain(".")));
        take(fields, "correlationData", value -> out.add(Text.of("Correlation data ").mono(value)
            .plain(".")));
      }
      case CHANNEL -> {
        // MQTT defines no channel binding fields: whatever is written is listed as written.
      }
    }
    if (!out.isEmpty()) {
      out.set(0, capitalised(out.get(0)));
    }
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private interface Sentence {
    void say(String value);
  }

  private static void take(Map<String, Object> fields, String name, Sentence sentence) {
    Object value = fields.remove(name);
    if (value != null) {
      sentence.say(plain(value));
    }
  }

  static String plain(Object value) {
    if (value instanceof Map<?, ?> map) {
      Object constant = map.get("const");
      if (constant != null) {
        return plain(constant);
      }
      Object values = map.get("enum");
      if (values instanceof List<?> list && list.size() == 1) {
        return plain(list.get(0));
      }
      if (map.get("default") != null) {
        return plain(map.get("default"));
      }
      Object type = map.get("type");
      if (type != null && map.size() == 1) {
        return "any " + plain(type);
      }
    }
    if (value instanceof Double number && number == Math.rint(number) && !Double.isInfinite(number)) {
      return String.valueOf(number.longValue());
    }
    return value instanceof String text ? text : Json.compact(value);
  }

  private static Text capitalised(Text text) {
    Page.Run first = text.runs().isEmpty() ? null : text.runs().get(0);
    if (first == null || first.style() != Page.Style.PLAIN || first.text().isEmpty()) {
      return text;
    }
    Text out = Text.of(Character.toUpperCase(first.text().charAt(0)) + first.text().substring(1));
    for (int i = 1; i < text.runs().size(); i++) {
      Page.Run run = text.runs().get(i);
      switch (run.style()) {
        case CODE -> out.mono(run.text());
        case STRONG -> out.strong(run.text());
        case LINK -> out.link(run.text(), run.target());
        default -> out.plain(run.text());
      }
    }
    return out;
  }
}
