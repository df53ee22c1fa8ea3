package dev.omnibus.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.binding.AmqpChannelBinding;
import dev.omnibus.spi.binding.AmqpOperationBinding;
import dev.omnibus.spi.binding.KafkaChannelBinding;
import dev.omnibus.spi.binding.KafkaOperationBinding;
import dev.omnibus.spi.binding.KafkaServerBinding;
import dev.omnibus.spi.binding.MqttOperationBinding;
import dev.omnibus.spi.binding.MqttServerBinding;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the {@code bindings} of a server, channel, operation or message. Kafka (0.1.0–0.5.0), AMQP 0-9-1
 * (0.1.0–0.3.0) and MQTT (0.1.0–0.2.0) bindings are checked against their binding version (an absent
 * {@code bindingVersion} means the latest) and become the typed records of {@code dev.omnibus.spi.binding}; message
 * bindings and other protocols' bindings are kept as plain values. Every wrong field is a problem with its path.
 */
final class BindingParser {

  /** Which object the bindings belong to. */
  enum Kind {
    SERVER("server"),
    CHANNEL("channel"),
    OPERATION("operation"),
    MESSAGE("message");

    final String word;

    Kind(String word) {
      this.word = word;
    }
  }

  static final String KAFKA_LATEST = "0.5.0";
  static final String AMQP_LATEST = "0.3.0";
  static final String MQTT_LATEST = "0.2.0";
  private static final List<String> KAFKA_VERSIONS = List.of("0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0");
  private static final List<String> AMQP_VERSIONS = List.of("0.1.0", "0.2.0", "0.3.0");
  private static final List<String> MQTT_VERSIONS = List.of("0.1.0", "0.2.0");
  private static final Set<String> SCHEMA_KEYWORDS = Set.of("type", "enum", "const", "$ref", "properties", "items",
      "allOf", "anyOf", "oneOf", "not", "format", "pattern", "description", "title", "default", "examples",
      "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
      "required", "additionalProperties", "patternProperties", "if", "then", "else", "contains", "$schema", "$id",
      "fields", "name", "namespace", "symbols", "discriminator", "externalDocs", "deprecated", "readOnly",
      "writeOnly", "propertyNames", "dependencies", "minItems", "maxItems", "uniqueItems", "minProperties",
      "maxProperties", "contentEncoding", "contentMediaType", "example");

  private static final Logger LOG = LoggerFactory.getLogger(BindingParser.class);

  private final Json json;
  private final String origin;
  private boolean strict;

  BindingParser(Json json, String origin) {
    this.json = json;
    this.origin = origin;
  }

  /**
   * Whether a field a binding does not define is a problem ({@code x-omnibus-strict-bindings: true}) instead of a
   * warning. Wrong types and values of the fields Omnibus uses are problems either way.
   */
  void strict(boolean strict) {
    this.strict = strict;
  }

  /**
   * Unknown fields of a binding object: Springwolf and the AsyncAPI examples write fields the binding's schema does
   * not have (an AMQP {@code replyTo} after 0.2.0...). Omnibus does not use them, so they are a warning naming
   * their path, or a problem in strict mode.
   */
  private void onlyKnown(JsonNode object, String path, String what, List<String> known) {
    if (strict) {
      json.onlyKnown(object, path, what, known);
      return;
    }
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name) && !name.startsWith("x-")) {
        LOG.warn("{}: '{}' is not a field of {} (known: {}) in {}; Omnibus ignores it (set"
            + " x-omnibus-strict-bindings: true at the top of the document to refuse it)", Paths.of(path, name), name,
            what, String.join(", ", known), origin);
      }
    }
  }

  /** Parses an inlined {@code bindings} object; {@code null} means none. */
  Bindings parse(@Nullable JsonNode bindings, String path, Kind kind) {
    if (bindings == null || bindings.isNull() || bindings.isMissingNode()) {
      return Bindings.none();
    }
    if (RefResolver.isRef(bindings)) {
      return Bindings.none(); // a $ref that could not be followed, already reported where it is written
    }
    if (!bindings.isObject()) {
      json.problems().add(path, "bindings must be an object keyed by protocol (kafka, amqp, mqtt...), not "
          + RefResolver.kind(bindings));
      return Bindings.none();
    }
    Map<String, Object> byProtocol = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = bindings.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String protocol = entry.getKey();
      JsonNode value = entry.getValue();
      String at = Paths.of(path, protocol);
      if (value.isNull() || protocol.startsWith("x-") || RefResolver.isRef(value)) {
        continue;
      }
      if (!value.isObject()) {
        json.problems().add(at, "a " + protocol + " " + kind.word + " binding must be an object, not "
            + RefResolver.kind(value));
        continue;
      }
      Object parsed;
      switch (protocol) {
        case "kafka":
          parsed = kafka(value, at, kind);
          break;
        case "amqp":
          parsed = amqp(value, at, kind);
          break;
        case "mqtt":
          parsed = mqtt(value, at, kind);
          break;
        default:
          parsed = Json.plain(value);
      }
      if (parsed != null) {
        byProtocol.put(protocol, parsed);
      }
    }
    return new Bindings(byProtocol);
  }

  private @Nullable String version(JsonNode binding, String path, String protocol, List<String> known) {
    JsonNode value = binding.get("bindingVersion");
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      json.problems().add(Paths.of(path, "bindingVersion"), "must be a string such as '" + known.get(known.size() - 1)
          + "', not " + RefResolver.kind(value));
      return null;
    }
    if (!known.contains(value.asText())) {
      json.problems().add(Paths.of(path, "bindingVersion"), "'" + value.asText() + "' is not a " + protocol
          + " binding version Omnibus knows (" + String.join(", ", known) + "); use one of them, or leave"
          + " bindingVersion out for the latest");
    }
    return value.asText();
  }

  private static boolean atLeast(@Nullable String version, String minimum) {
    return version == null || version.compareTo(minimum) >= 0;
  }

  // ---------------------------------------------------------------- Kafka

  private @Nullable Object kafka(JsonNode b, String path, Kind kind) {
    String version = version(b, path, "Kafka", KAFKA_VERSIONS);
    String what = "the Kafka " + kind.word + " binding " + (version == null ? KAFKA_LATEST : version);
    switch (kind) {
      case SERVER: {
        onlyKnown(b, path, what, List.of("schemaRegistryUrl", "schemaRegistryVendor", "bindingVersion"));
        String url = json.text(b, "schemaRegistryUrl", path);
        String vendor = json.text(b, "schemaRegistryVendor", path);
        if (vendor != null && url == null) {
          json.problems().add(Paths.of(path, "schemaRegistryVendor"),
              "schemaRegistryVendor must not be given without schemaRegistryUrl; add the registry's URL");
        }
        return new KafkaServerBinding(url, vendor, version);
      }
      case CHANNEL: {
        List<String> known = new ArrayList<>(List.of("topic", "partitions", "replicas", "bindingVersion"));
        if (atLeast(version, "0.4.0")) {
          known.add("topicConfiguration");
        }
        onlyKnown(b, path, what, known);
        String topic = json.text(b, "topic", path);
        Long partitions = json.integer(b, "partitions", path, 1, Integer.MAX_VALUE);
        Long replicas = json.integer(b, "replicas", path, 1, Short.MAX_VALUE);
        Map<String, String> config = topicConfiguration(json.object(b, "topicConfiguration", path),
            Paths.of(path, "topicConfiguration"));
        return new KafkaChannelBinding(topic, partitions == null ? null : partitions.intValue(),
            replicas == null ? null : replicas.intValue(), config, version);
      }
      case OPERATION: {
        onlyKnown(b, path, what, List.of("groupId", "clientId", "bindingVersion"));
        String groupId = schemaValue(b, "groupId", path);
        String clientId = schemaValue(b, "clientId", path);
        return new KafkaOperationBinding(groupId, clientId, version);
      }
      case MESSAGE:
      default: {
        List<String> known = new ArrayList<>(List.of("key", "bindingVersion"));
        if (atLeast(version, "0.3.0")) {
          known.addAll(List.of("schemaIdLocation", "schemaIdPayloadEncoding", "schemaLookupStrategy"));
        }
        onlyKnown(b, path, what, known);
        JsonNode key = b.get("key");
        if (key != null && !key.isNull() && !looksLikeSchema(key)) {
          json.problems().add(Paths.of(path, "key"), "must be a schema of the record key (e.g. {type: string}),"
              + " not " + describe(key));
        }
        String location = json.text(b, "schemaIdLocation", path);
        if (location != null && !location.equals("header") && !location.equals("payload")) {
          json.problems().add(Paths.of(path, "schemaIdLocation"), "must be 'header' or 'payload', not '"
              + location + "'");
        }
        json.text(b, "schemaIdPayloadEncoding", path);
        json.text(b, "schemaLookupStrategy", path);
        return Json.plain(b);
      }
    }
  }

  private Map<String, String> topicConfiguration(@Nullable JsonNode config, String path) {
    Map<String, String> out = new LinkedHashMap<>();
    if (config == null) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      JsonNode value = entry.getValue();
      String at = Paths.of(path, name);
      if (value.isNull()) {
        continue;
      }
      switch (name) {
        case "cleanup.policy": {
          List<String> policies = new ArrayList<>();
          JsonNode items = value.isArray() ? value : null;
          if (items == null) {
            json.problems().add(at, "must be a list of 'delete' and/or 'compact', not " + RefResolver.kind(value));
            continue;
          }
          for (JsonNode item : items) {
            if (!item.isTextual() || !(item.asText().equals("delete") || item.asText().equals("compact"))) {
              json.problems().add(at, "may only contain 'delete' and 'compact', not " + describe(item));
            } else {
              policies.add(item.asText());
            }
          }
          out.put(name, String.join(",", policies));
          break;
        }
        case "retention.ms":
        case "retention.bytes":
          putInteger(out, config, name, path, -1);
          break;
        case "delete.retention.ms":
        case "max.message.bytes":
          putInteger(out, config, name, path, 0);
          break;
        case "confluent.key.schema.validation":
        case "confluent.value.schema.validation": {
          Boolean flag = json.bool(config, name, path);
          if (flag != null) {
            out.put(name, flag.toString());
          }
          break;
        }
        default:
          out.put(name, value.isValueNode() ? value.asText() : value.toString());
      }
    }
    return out;
  }

  private void putInteger(Map<String, String> out, JsonNode config, String name, String path, long min) {
    Long number = json.integer(config, name, path, min, Long.MAX_VALUE);
    if (number != null) {
      out.put(name, number.toString());
    }
  }

  /**
   * The value of a field the binding gives as a schema (Kafka {@code groupId}, {@code clientId}): its
   * {@code const}, or its single {@code enum} value; {@code null} when the schema fixes no value. A plain string is
   * accepted as the value itself.
   */
  private @Nullable String schemaValue(JsonNode b, String field, String path) {
    JsonNode schema = b.get(field);
    String at = Paths.of(path, field);
    if (schema == null || schema.isNull()) {
      return null;
    }
    if (schema.isTextual()) {
      return schema.asText();
    }
    if (!looksLikeSchema(schema) || !schema.isObject()) {
      json.problems().add(at, "must be a schema such as {type: string, const: my-" + field + "}, not "
          + describe(schema));
      return null;
    }
    JsonNode constant = schema.get("const");
    if (constant != null && !constant.isNull()) {
      if (!constant.isValueNode()) {
        json.problems().add(Paths.of(at, "const"), "must be a string, not " + RefResolver.kind(constant));
        return null;
      }
      return constant.asText();
    }
    JsonNode values = schema.get("enum");
    if (values != null && !values.isNull()) {
      if (!values.isArray() || values.size() != 1 || !values.get(0).isValueNode()) {
        json.problems().add(Paths.of(at, "enum"), "must hold exactly one value (Omnibus needs one " + field
            + "); use const: <value>, or give the value at runtime");
        return null;
      }
      return values.get(0).asText();
    }
    return null;
  }

  // ---------------------------------------------------------------- AMQP

  private @Nullable Object amqp(JsonNode b, String path, Kind kind) {
    String version = version(b, path, "AMQP", AMQP_VERSIONS);
    String what = "the AMQP " + kind.word + " binding " + (version == null ? AMQP_LATEST : version);
    switch (kind) {
      case SERVER:
        onlyKnown(b, path, what + " (which must be empty)", List.of("bindingVersion"));
        return Json.plain(b);
      case CHANNEL: {
        onlyKnown(b, path, what, List.of("is", "exchange", "queue", "bindingVersion"));
        String is = json.text(b, "is", path);
        AmqpChannelBinding.Is kindOfAddress = AmqpChannelBinding.Is.ROUTING_KEY;
        if ("queue".equals(is)) {
          kindOfAddress = AmqpChannelBinding.Is.QUEUE;
        } else if (is != null && !is.equals("routingKey")) {
          json.problems().add(Paths.of(path, "is"), "must be 'routingKey' or 'queue', not '" + is + "'");
        }
        JsonNode exchangeNode = json.object(b, "exchange", path);
        JsonNode queueNode = json.object(b, "queue", path);
        if (atLeast(version, "0.2.0")) {
          if (kindOfAddress == AmqpChannelBinding.Is.QUEUE && exchangeNode != null) {
            json.problems().add(Paths.of(path, "exchange"), "a channel with 'is: queue' names a queue, not an"
                + " exchange; remove 'exchange', or use 'is: routingKey' and remove 'queue'");
          }
          if (kindOfAddress == AmqpChannelBinding.Is.ROUTING_KEY && queueNode != null) {
            json.problems().add(Paths.of(path, "queue"), "a channel with 'is: routingKey' (the default) publishes"
                + " to an exchange, it does not name a queue; remove 'queue', or set 'is: queue' and remove"
                + " 'exchange'");
          }
        }
        AmqpChannelBinding.Exchange exchange = null;
        if (exchangeNode != null) {
          String at = Paths.of(path, "exchange");
          String type = json.text(exchangeNode, "type", at);
          if (type != null && !List.of("topic", "direct", "fanout", "default", "headers").contains(type)) {
            json.problems().add(Paths.of(at, "type"), "must be topic, direct, fanout, default or headers, not '"
                + type + "'");
          }
          exchange = new AmqpChannelBinding.Exchange(name255(exchangeNode, at), type,
              json.bool(exchangeNode, "durable", at), json.bool(exchangeNode, "autoDelete", at),
              json.text(exchangeNode, "vhost", at));
        }
        AmqpChannelBinding.Queue queue = null;
        if (queueNode != null) {
          String at = Paths.of(path, "queue");
          queue = new AmqpChannelBinding.Queue(name255(queueNode, at), json.bool(queueNode, "durable", at),
              json.bool(queueNode, "exclusive", at), json.bool(queueNode, "autoDelete", at),
              json.text(queueNode, "vhost", at));
        }
        return new AmqpChannelBinding(kindOfAddress, exchange, queue, version);
      }
      case OPERATION: {
        List<String> known = new ArrayList<>(List.of("expiration", "userId", "cc", "priority", "deliveryMode",
            "mandatory", "bcc", "timestamp", "ack", "bindingVersion"));
        if (!atLeast(version, "0.3.0")) {
          known.add("replyTo");
          json.text(b, "replyTo", path);
        }
        onlyKnown(b, path, what, known);
        Long expiration = json.integer(b, "expiration", path, 0, Long.MAX_VALUE);
        Long priority = json.integer(b, "priority", path, Integer.MIN_VALUE, Integer.MAX_VALUE);
        Long deliveryMode = json.integer(b, "deliveryMode", path, Long.MIN_VALUE, Long.MAX_VALUE);
        if (deliveryMode != null && deliveryMode != 1 && deliveryMode != 2) {
          json.problems().add(Paths.of(path, "deliveryMode"), "must be 1 (transient) or 2 (persistent), not "
              + deliveryMode);
          deliveryMode = null;
        }
        return new AmqpOperationBinding(expiration, json.text(b, "userId", path), json.texts(b, "cc", path),
            priority == null ? null : priority.intValue(), deliveryMode == null ? null : deliveryMode.intValue(),
            json.bool(b, "mandatory", path), json.texts(b, "bcc", path), json.bool(b, "timestamp", path),
            json.bool(b, "ack", path), version);
      }
      case MESSAGE:
      default:
        onlyKnown(b, path, what, List.of("contentEncoding", "messageType", "bindingVersion"));
        json.text(b, "contentEncoding", path);
        json.text(b, "messageType", path);
        return Json.plain(b);
    }
  }

  private @Nullable String name255(JsonNode object, String path) {
    String name = json.text(object, "name", path);
    if (name != null && name.length() > 255) {
      json.problems().add(Paths.of(path, "name"), "must be at most 255 characters long, not " + name.length());
      return null;
    }
    return name;
  }

  // ---------------------------------------------------------------- MQTT

  private @Nullable Object mqtt(JsonNode b, String path, Kind kind) {
    String version = version(b, path, "MQTT", MQTT_VERSIONS);
    String what = "the MQTT " + kind.word + " binding " + (version == null ? MQTT_LATEST : version);
    boolean v2 = atLeast(version, "0.2.0");
    switch (kind) {
      case SERVER: {
        List<String> known = new ArrayList<>(List.of("clientId", "cleanSession", "lastWill", "keepAlive",
            "bindingVersion"));
        if (v2) {
          known.addAll(List.of("sessionExpiryInterval", "maximumPacketSize"));
        }
        onlyKnown(b, path, what, known);
        MqttServerBinding.LastWill lastWill = null;
        JsonNode will = json.object(b, "lastWill", path);
        if (will != null) {
          String at = Paths.of(path, "lastWill");
          onlyKnown(will, at, "an MQTT last will", List.of("topic", "qos", "message", "retain"));
          String topic = json.text(will, "topic", at);
          Long qos = json.integer(will, "qos", at, 0, 2);
          String message = json.text(will, "message", at);
          Boolean retain = json.bool(will, "retain", at);
          if (topic == null && !Json.present(will, "topic")) {
            json.problems().add(Paths.of(at, "topic"), "a last will needs the topic it is published to");
          } else if (topic != null) {
            lastWill = new MqttServerBinding.LastWill(topic, qos == null ? 0 : qos.intValue(), message,
                retain != null && retain);
          }
        }
        Long keepAlive = json.integer(b, "keepAlive", path, 0, 65_535);
        return new MqttServerBinding(json.text(b, "clientId", path), json.bool(b, "cleanSession", path), lastWill,
            keepAlive == null ? null : keepAlive.intValue(),
            v2 ? numberOrSchema(b, "sessionExpiryInterval", path, 0, 4_294_967_295L) : null,
            v2 ? numberOrSchema(b, "maximumPacketSize", path, 1, 4_294_967_295L) : null, version);
      }
      case CHANNEL:
        onlyKnown(b, path, what + " (which must be empty)", List.of("bindingVersion"));
        return Json.plain(b);
      case OPERATION: {
        List<String> known = new ArrayList<>(List.of("qos", "retain", "bindingVersion"));
        if (v2) {
          known.add("messageExpiryInterval");
        }
        onlyKnown(b, path, what, known);
        Long qos = json.integer(b, "qos", path, 0, 2);
        return new MqttOperationBinding(qos == null ? null : qos.intValue(), json.bool(b, "retain", path),
            v2 ? numberOrSchema(b, "messageExpiryInterval", path, 0, 4_294_967_295L) : null, version);
      }
      case MESSAGE:
      default: {
        List<String> known = new ArrayList<>(List.of("bindingVersion"));
        if (v2) {
          known.addAll(List.of("payloadFormatIndicator", "correlationData", "contentType", "responseTopic"));
          json.integer(b, "payloadFormatIndicator", path, 0, 1);
          json.text(b, "contentType", path);
          JsonNode topic = b.get("responseTopic");
          if (topic != null && !topic.isNull() && !topic.isTextual() && !looksLikeSchema(topic)) {
            json.problems().add(Paths.of(path, "responseTopic"), "must be a topic or a schema, not "
                + describe(topic));
          }
        }
        onlyKnown(b, path, what, known);
        return Json.plain(b);
      }
    }
  }

  /** A number, or a schema whose {@code const}, single {@code enum} or {@code default} is the number. */
  private @Nullable Long numberOrSchema(JsonNode b, String field, String path, long min, long max) {
    JsonNode value = b.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (value.isObject()) {
      for (String keyword : List.of("const", "default")) {
        JsonNode fixed = value.get(keyword);
        if (fixed != null && fixed.isIntegralNumber()) {
          return fixed.longValue();
        }
      }
      JsonNode values = value.get("enum");
      if (values != null && values.isArray() && values.size() == 1 && values.get(0).isIntegralNumber()) {
        return values.get(0).longValue();
      }
      return null;
    }
    return json.integer(b, field, path, min, max);
  }

  private static boolean looksLikeSchema(JsonNode node) {
    if (node.isBoolean()) {
      return true;
    }
    if (!node.isObject()) {
      return false;
    }
    if (node.isEmpty()) {
      return true;
    }
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (SCHEMA_KEYWORDS.contains(name) || name.startsWith("x-")) {
        return true;
      }
    }
    return false;
  }

  private static String describe(JsonNode node) {
    if (node.isValueNode()) {
      return RefResolver.kind(node) + " (" + node.asText() + ")";
    }
    return node.isObject() ? "an object without any schema keyword (" + node + ")" : RefResolver.kind(node);
  }
}
