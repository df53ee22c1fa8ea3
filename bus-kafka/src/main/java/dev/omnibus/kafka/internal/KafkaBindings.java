package dev.omnibus.kafka.internal;

import dev.omnibus.spi.support.BindingReader;
import dev.omnibus.spi.support.ParsedBindings;
import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The AsyncAPI Kafka bindings ({@code kafka}, binding versions 0.1.0 to 0.5.0; an absent {@code bindingVersion} means
 * the latest), read from the binding objects the document reader hands on as written, and checked: field types,
 * ranges, schema-valued fields, and the tolerant-reading rule of {@link BindingReader}. Every problem names its
 * document path ({@link Bindings#pathOf(String)} and the field).
 *
 * <p>The server binding is read when the transport opens; channel and operation bindings when the bus checks a
 * destination ({@link KafkaTransport#check}), and kept, so that sends and subscriptions do not read them again.
 *
 * <p>Thread-safe.
 */
final class KafkaBindings {

  static final String PROTOCOL = "kafka";
  static final String LATEST = "0.5.0";
  private static final List<String> VERSIONS = List.of("0.1.0", "0.2.0", "0.3.0", "0.4.0", "0.5.0");

  private final boolean strict;
  private final ParsedBindings<KafkaChannelBinding> channels;
  private final ParsedBindings<KafkaOperationBinding> operations;

  private KafkaBindings(boolean strict) {
    this.strict = strict;
    this.channels = new ParsedBindings<>(PROTOCOL, strict, KafkaBindings::channel);
    this.operations = new ParsedBindings<>(PROTOCOL, strict, KafkaBindings::operation);
  }

  /** The Kafka bindings of a server's destinations, strict when the server says so. */
  static KafkaBindings of(ServerConfig server) {
    return new KafkaBindings(server.strictBindings());
  }

  /**
   * The server's Kafka binding, or {@code null} when it has none.
   *
   * @throws ConfigurationException listing every problem of the binding
   */
  @Nullable KafkaServerBinding server(ServerConfig server) {
    BindingReader reader = new BindingReader(strict);
    KafkaServerBinding binding = server(server.bindings(), reader);
    reader.throwIfAny();
    return binding;
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
   * The Kafka channel binding of a destination, or {@code null}.
   *
   * @throws ConfigurationException when it has problems (a destination the bus did not check)
   */
  @Nullable KafkaChannelBinding channel(Destination destination) {
    return channels.of(destination.channelBindings());
  }

  /**
   * The Kafka operation binding of a destination, or {@code null}.
   *
   * @throws ConfigurationException when it has problems (a destination the bus did not check)
   */
  @Nullable KafkaOperationBinding operation(Destination destination) {
    return operations.of(destination.operationBindings());
  }

  static @Nullable KafkaServerBinding server(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the Kafka server binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "Kafka", VERSIONS);
    reader.onlyKnown(b, path, what("server", version), List.of("schemaRegistryUrl", "schemaRegistryVendor",
        "bindingVersion"));
    String url = reader.text(b, "schemaRegistryUrl", path);
    String vendor = reader.text(b, "schemaRegistryVendor", path);
    if (vendor != null && url == null) {
      reader.problem(BindingReader.path(path, "schemaRegistryVendor"),
          "schemaRegistryVendor must not be given without schemaRegistryUrl; add the registry's URL");
    }
    return new KafkaServerBinding(url, vendor, version);
  }

  static @Nullable KafkaChannelBinding channel(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the Kafka channel binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "Kafka", VERSIONS);
    List<String> known = new ArrayList<>(List.of("topic", "partitions", "replicas", "bindingVersion"));
    if (BindingReader.atLeast(version, "0.4.0")) {
      known.add("topicConfiguration");
    }
    reader.onlyKnown(b, path, what("channel", version), known);
    String topic = reader.text(b, "topic", path);
    Long partitions = reader.integer(b, "partitions", path, 1, Integer.MAX_VALUE);
    Long replicas = reader.integer(b, "replicas", path, 1, Short.MAX_VALUE);
    Map<String, String> config = topicConfiguration(reader.object(b, "topicConfiguration", path),
        BindingReader.path(path, "topicConfiguration"), reader);
    return new KafkaChannelBinding(topic, partitions == null ? null : partitions.intValue(),
        replicas == null ? null : replicas.intValue(), config, version);
  }

  static @Nullable KafkaOperationBinding operation(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the Kafka operation binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "Kafka", VERSIONS);
    reader.onlyKnown(b, path, what("operation", version), List.of("groupId", "clientId", "bindingVersion"));
    String groupId = schemaValue(b, "groupId", path, reader);
    String clientId = schemaValue(b, "clientId", path, reader);
    return new KafkaOperationBinding(groupId, clientId, version);
  }

  private static String what(String object, @Nullable String version) {
    return "the Kafka " + object + " binding " + (version == null ? LATEST : version);
  }

  private static Map<String, String> topicConfiguration(@Nullable Map<String, Object> config, String path,
      BindingReader reader) {
    Map<String, String> out = new LinkedHashMap<>();
    if (config == null) {
      return out;
    }
    for (Map.Entry<String, Object> entry : config.entrySet()) {
      String name = entry.getKey();
      Object value = entry.getValue();
      String at = BindingReader.path(path, name);
      if (value == null) {
        continue;
      }
      switch (name) {
        case "cleanup.policy" -> {
          if (!(value instanceof List<?> items)) {
            reader.problem(at, "must be a list of 'delete' and/or 'compact', not " + BindingReader.kind(value));
            continue;
          }
          List<String> policies = new ArrayList<>();
          for (Object item : items) {
            if ("delete".equals(item) || "compact".equals(item)) {
              policies.add((String) item);
            } else {
              reader.problem(at, "may only contain 'delete' and 'compact', not " + BindingReader.describe(item));
            }
          }
          out.put(name, String.join(",", policies));
        }
        case "retention.ms", "retention.bytes" -> putInteger(out, config, name, path, -1, reader);
        case "delete.retention.ms", "max.message.bytes" -> putInteger(out, config, name, path, 0, reader);
        case "confluent.key.schema.validation", "confluent.value.schema.validation" -> {
          Boolean flag = reader.bool(config, name, path);
          if (flag != null) {
            out.put(name, flag.toString());
          }
        }
        default -> {
          // Other topic configs are passed to Kafka as written; a list is Kafka's comma-separated list.
          if (value instanceof List<?> items && items.stream().allMatch(BindingReader::isScalar)) {
            out.put(name, String.join(",", items.stream().map(String::valueOf).toList()));
          } else if (BindingReader.isScalar(value)) {
            out.put(name, String.valueOf(value));
          } else {
            reader.problem(at, "must be a value (a string, number, boolean or list of them), not "
                + BindingReader.kind(value));
          }
        }
      }
    }
    return out;
  }

  private static void putInteger(Map<String, String> out, Map<String, Object> config, String name, String path,
      long min, BindingReader reader) {
    Long number = reader.integer(config, name, path, min, Long.MAX_VALUE);
    if (number != null) {
      out.put(name, number.toString());
    }
  }

  /**
   * The value of a field the binding gives as a schema ({@code groupId}, {@code clientId}): its {@code const}, or its
   * single {@code enum} value; {@code null} when the schema fixes no value. A plain string is taken as the value.
   */
  private static @Nullable String schemaValue(Map<String, Object> b, String field, String path,
      BindingReader reader) {
    Object schema = b.get(field);
    String at = BindingReader.path(path, field);
    if (schema == null) {
      return null;
    }
    if (schema instanceof String text) {
      return text;
    }
    if (!(schema instanceof Map<?, ?> object) || !BindingReader.looksLikeSchema(schema)) {
      reader.problem(at, "must be a schema such as {type: string, const: my-" + field + "}, not "
          + BindingReader.describe(schema));
      return null;
    }
    Object constant = object.get("const");
    if (constant != null) {
      if (!BindingReader.isScalar(constant)) {
        reader.problem(BindingReader.path(at, "const"), "must be a string, not " + BindingReader.kind(constant));
        return null;
      }
      return String.valueOf(constant);
    }
    Object values = object.get("enum");
    if (values != null) {
      if (!(values instanceof List<?> list) || list.size() != 1 || !BindingReader.isScalar(list.get(0))) {
        reader.problem(BindingReader.path(at, "enum"), "must hold exactly one value (Omnibus needs one " + field
            + "); use const: <value>, or give the value at runtime");
        return null;
      }
      return String.valueOf(list.get(0));
    }
    return null;
  }
}
