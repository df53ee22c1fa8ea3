package dev.omnibus.mqtt.internal;

import dev.omnibus.spi.support.BindingReader;
import dev.omnibus.spi.support.ParsedBindings;
import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The AsyncAPI MQTT bindings ({@code mqtt}, binding versions 0.1.0 and 0.2.0; an absent {@code bindingVersion} means
 * the latest), read from the binding objects the document reader hands on as written, and checked: field types,
 * ranges, the MQTT 5 fields of 0.2.0, and the tolerant-reading rule of {@link BindingReader}. Every problem names its
 * document path ({@link Bindings#pathOf(String)} and the field).
 *
 * <p>The server binding is read with the server's settings ({@link MqttSettings#from}); channel bindings (which must
 * be empty) and operation bindings when the bus checks a destination ({@link MqttTransport#check}), and kept, so that
 * sends and subscriptions do not read them again.
 *
 * <p>Thread-safe.
 */
final class MqttBindings {

  static final String PROTOCOL = "mqtt";
  static final String LATEST = "0.2.0";
  private static final List<String> VERSIONS = List.of("0.1.0", "0.2.0");
  private static final long MAX_UINT32 = 4_294_967_295L;

  private final boolean strict;
  private final ParsedBindings<Boolean> channels;
  private final ParsedBindings<MqttOperationBinding> operations;

  private MqttBindings(boolean strict) {
    this.strict = strict;
    this.channels = new ParsedBindings<>(PROTOCOL, strict, MqttBindings::channel);
    this.operations = new ParsedBindings<>(PROTOCOL, strict, MqttBindings::operation);
  }

  /** The MQTT bindings of a server's destinations, strict when the server says so. */
  static MqttBindings of(ServerConfig server) {
    return new MqttBindings(server.strictBindings());
  }

  /** The server's MQTT binding, or {@code null}; its problems are added to the given ones. */
  static @Nullable MqttServerBinding server(ServerConfig server, List<Problem> problems) {
    BindingReader reader = new BindingReader(server.strictBindings());
    MqttServerBinding binding = server(server.bindings(), reader);
    try {
      reader.throwIfAny();
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
      return null;
    }
    return binding;
  }

  /**
   * Checks the channel and operation bindings of a destination.
   *
   * @throws ConfigurationException listing every problem of both
   */
  void check(Destination destination) {
    ParsedBindings.checkAll(() -> channels.of(destination.channelBindings()), () -> operation(destination));
  }

  /**
   * The MQTT operation binding of a destination, or {@code null}.
   *
   * @throws ConfigurationException when it has problems (a destination the bus did not check)
   */
  @Nullable MqttOperationBinding operation(Destination destination) {
    return operations.of(destination.operationBindings());
  }

  static @Nullable MqttServerBinding server(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the MQTT server binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "MQTT", VERSIONS);
    boolean v2 = BindingReader.atLeast(version, "0.2.0");
    List<String> known = new ArrayList<>(List.of("clientId", "cleanSession", "lastWill", "keepAlive",
        "bindingVersion"));
    if (v2) {
      known.addAll(List.of("sessionExpiryInterval", "maximumPacketSize"));
    }
    reader.onlyKnown(b, path, what("server", version), known);
    MqttServerBinding.LastWill lastWill = null;
    Map<String, Object> will = reader.object(b, "lastWill", path);
    if (will != null) {
      String at = BindingReader.path(path, "lastWill");
      reader.onlyKnown(will, at, "an MQTT last will", List.of("topic", "qos", "message", "retain"));
      String topic = reader.text(will, "topic", at);
      Long qos = reader.integer(will, "qos", at, 0, 2);
      String message = reader.text(will, "message", at);
      Boolean retain = reader.bool(will, "retain", at);
      if (topic == null && will.get("topic") == null) {
        reader.problem(BindingReader.path(at, "topic"), "a last will needs the topic it is published to");
      } else if (topic != null) {
        lastWill = new MqttServerBinding.LastWill(topic, qos == null ? 0 : qos.intValue(), message,
            retain != null && retain);
      }
    }
    Long keepAlive = reader.integer(b, "keepAlive", path, 0, 65_535);
    return new MqttServerBinding(reader.text(b, "clientId", path), reader.bool(b, "cleanSession", path), lastWill,
        keepAlive == null ? null : keepAlive.intValue(),
        v2 ? numberOrSchema(b, "sessionExpiryInterval", path, 0, reader) : null,
        v2 ? numberOrSchema(b, "maximumPacketSize", path, 1, reader) : null, version);
  }

  /** A channel binding, which MQTT reserves: it must be empty. */
  static @Nullable Boolean channel(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the MQTT channel binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "MQTT", VERSIONS);
    reader.onlyKnown(b, path, what("channel", version) + " (which must be empty)", List.of("bindingVersion"));
    return Boolean.TRUE;
  }

  static @Nullable MqttOperationBinding operation(Bindings bindings, BindingReader reader) {
    Map<String, Object> b = reader.binding(bindings, PROTOCOL, "the MQTT operation binding");
    if (b == null) {
      return null;
    }
    String path = bindings.pathOf(PROTOCOL);
    String version = reader.version(b, path, "MQTT", VERSIONS);
    boolean v2 = BindingReader.atLeast(version, "0.2.0");
    List<String> known = new ArrayList<>(List.of("qos", "retain", "bindingVersion"));
    if (v2) {
      known.add("messageExpiryInterval");
    }
    reader.onlyKnown(b, path, what("operation", version), known);
    Long qos = reader.integer(b, "qos", path, 0, 2);
    return new MqttOperationBinding(qos == null ? null : qos.intValue(), reader.bool(b, "retain", path),
        v2 ? numberOrSchema(b, "messageExpiryInterval", path, 0, reader) : null, version);
  }

  private static String what(String object, @Nullable String version) {
    return "the MQTT " + object + " binding " + (version == null ? LATEST : version);
  }

  /**
   * A number up to 2^32 - 1, or a schema whose {@code const}, single {@code enum} or {@code default} is the number
   * (the 0.2.0 binding allows either); {@code null} when the schema fixes no number.
   */
  private static @Nullable Long numberOrSchema(Map<String, Object> b, String field, String path, long min,
      BindingReader reader) {
    Object value = b.get(field);
    if (value instanceof Map<?, ?> schema) {
      for (String keyword : List.of("const", "default")) {
        Long fixed = BindingReader.wholeNumber(schema.get(keyword));
        if (fixed != null) {
          return fixed;
        }
      }
      if (schema.get("enum") instanceof List<?> values && values.size() == 1) {
        return BindingReader.wholeNumber(values.get(0));
      }
      return null;
    }
    return reader.integer(b, field, path, min, MAX_UINT32);
  }
}
