package dev.omnibus.mqtt.internal;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.support.OptionReader;
import dev.omnibus.spi.support.PublishWindow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Everything the MQTT binding takes from one AsyncAPI server, validated: where to connect, which protocol version,
 * credentials, the {@code mqtt} server binding and the {@code x-omnibus-*} tuning options.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows no secret.
 *
 * @param serverName the server's name in the document, for messages
 * @param uri the paho server URI, {@code tcp://host:port} or {@code ssl://host:port}
 * @param version the MQTT protocol version spoken
 * @param username the user name, or {@code null}
 * @param password the password, or {@code null}
 * @param clientId the server binding's {@code clientId}: the publishing client's id and the base of group members' ids
 * @param persistentGroups whether group subscriptions use persistent sessions (not when {@code cleanSession: true})
 * @param keepAliveSeconds the keep-alive interval
 * @param sessionExpirySeconds the session expiry of group sessions (MQTT 5)
 * @param lastWill the last will of the publishing client, or {@code null}
 * @param maximumPacketSize the largest packet this client accepts (MQTT 5), or {@code null}
 * @param maxInFlight the publish window upper bound; the broker's Receive Maximum may lower it
 * @param receiveMaximum how many unacknowledged messages a subscription lets the broker push
 * @param groupSessions how many sessions a group's subscriptions of one member index share
 *     ({@code x-omnibus-group-sessions}); 0: a session per filter
 * @param maxRedeliveries how often a nacked message is delivered again in-process before it is left to the broker
 * @param connectTimeout how long connecting and subscribing may take ({@code x-omnibus-connect-timeout})
 * @param closeTimeout how long closing waits for handlers and disconnects ({@code x-omnibus-close-timeout})
 * @param held how many sends may be held while the publish window is full or the client reconnects
 *     ({@code x-omnibus-max-held-sends}), and for how long ({@code x-omnibus-send-hold-timeout})
 */
public record MqttSettings(
    String serverName,
    String uri,
    MqttVersion version,
    @Nullable String username,
    @Nullable String password,
    @Nullable String clientId,
    boolean persistentGroups,
    int keepAliveSeconds,
    long sessionExpirySeconds,
    MqttServerBinding.@Nullable LastWill lastWill,
    @Nullable Long maximumPacketSize,
    int maxInFlight,
    int receiveMaximum,
    int groupSessions,
    int maxRedeliveries,
    Duration connectTimeout,
    Duration closeTimeout,
    PublishWindow.Limits held) {

  /** The MQTT protocol versions spoken. */
  public enum MqttVersion {
    /** MQTT 5.0: binary and structured mode. */
    V5,
    /** MQTT 3.1.1: structured mode only. */
    V3_1_1,
    /** MQTT 3.1 (protocol level 3): structured mode only. */
    V3_1;

    /** Whether this is MQTT 5, the only version with properties. */
    public boolean hasProperties() {
      return this == V5;
    }
  }

  /** The session expiry of group sessions when the server binding sets none: one day. */
  static final long DEFAULT_SESSION_EXPIRY_SECONDS = 86_400;

  private static final int MQTT_MAX_RECEIVE = 65_535;

  /** Paho's MQTT 3 client, an optional dependency of bus-mqtt: only 3.1.1 and 3.1 servers need it. */
  static final String PAHO_V3_ARTIFACT = "org.eclipse.paho:org.eclipse.paho.client.mqttv3";

  /**
   * Reads and validates a server.
   *
   * @throws ConfigurationException listing every problem found, each with its document path
   */
  public static MqttSettings from(ServerConfig server) {
    String path = "servers." + server.name();
    List<ConfigurationException.Problem> problems = new ArrayList<>();

    boolean tls = switch (server.protocol()) {
      case "mqtts", "secure-mqtt" -> true;
      case "mqtt" -> false;
      default -> {
        problems.add(new ConfigurationException.Problem(path + ".protocol", "protocol '" + server.protocol()
            + "' is not MQTT: bus-mqtt serves mqtt, mqtts and secure-mqtt"));
        yield false;
      }
    };
    MqttVersion version = parseVersion(server.protocolVersion(), path, problems);
    if (!version.hasProperties() && !pahoV3Present()) {
      problems.add(new ConfigurationException.Problem(path + ".protocolVersion", "MQTT "
          + (version == MqttVersion.V3_1 ? "3.1" : "3.1.1") + " needs paho's MQTT 3 client, an optional dependency of"
          + " bus-mqtt: add " + PAHO_V3_ARTIFACT + " to the application's dependencies, or use protocolVersion 5"));
    }

    String host = server.hostName();
    if (host.isBlank()) {
      problems.add(new ConfigurationException.Problem(path + ".host", "the host is empty"));
    }
    int port = server.port().orElse(tls ? 8883 : 1883);
    String uri = (tls ? "ssl://" : "tcp://") + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;

    MqttServerBinding binding = MqttBindings.server(server, problems);
    String bindingPath = path + ".bindings.mqtt";
    String clientId = null;
    boolean persistentGroups = true;
    int keepAlive = 60;
    long sessionExpiry = DEFAULT_SESSION_EXPIRY_SECONDS;
    MqttServerBinding.LastWill lastWill = null;
    Long maximumPacketSize = null;
    if (binding != null) {
      if (binding.clientId() != null) {
        clientId = binding.clientId();
        if (clientId.isBlank() || clientId.length() > 200) {
          problems.add(new ConfigurationException.Problem(bindingPath + ".clientId",
              "clientId must be 1 to 200 characters"));
        }
      }
      if (Boolean.TRUE.equals(binding.cleanSession())) {
        persistentGroups = false;
      }
      if (binding.keepAlive() != null) {
        keepAlive = binding.keepAlive();
        if (keepAlive < 0 || keepAlive > 65_535) {
          problems.add(new ConfigurationException.Problem(bindingPath + ".keepAlive",
              "keepAlive must be 0 to 65535 seconds, was " + keepAlive));
        }
      }
      if (binding.sessionExpiryInterval() != null) {
        sessionExpiry = binding.sessionExpiryInterval();
        if (sessionExpiry < 0 || sessionExpiry > 4_294_967_295L) {
          problems.add(new ConfigurationException.Problem(bindingPath + ".sessionExpiryInterval",
              "sessionExpiryInterval must be 0 to 4294967295 seconds, was " + sessionExpiry));
        } else if (sessionExpiry == 0) {
          // A session that ends with the connection cannot keep a group's messages: same as cleanSession true.
          persistentGroups = false;
        }
      }
      lastWill = binding.lastWill();
      if (lastWill != null) {
        if (lastWill.qos() < 0 || lastWill.qos() > 2) {
          problems.add(new ConfigurationException.Problem(bindingPath + ".lastWill.qos",
              "qos must be 0, 1 or 2, was " + lastWill.qos()));
        }
        if (!Topics.isValidTopicName(lastWill.topic())) {
          problems.add(new ConfigurationException.Problem(bindingPath + ".lastWill.topic",
              "'" + lastWill.topic() + "' is not a topic name: it must be non-empty, without + or #"));
        }
      }
      maximumPacketSize = binding.maximumPacketSize();
      if (maximumPacketSize != null && (maximumPacketSize < 1 || maximumPacketSize > 4_294_967_295L)) {
        problems.add(new ConfigurationException.Problem(bindingPath + ".maximumPacketSize",
            "maximumPacketSize must be 1 to 4294967295 bytes, was " + maximumPacketSize));
      }
    }

    OptionReader options = OptionReader.of(server);
    int maxInFlight = options.integer("max-in-flight", MQTT_MAX_RECEIVE, 1, MQTT_MAX_RECEIVE);
    int receiveMaximum = options.integer("receive-maximum", MQTT_MAX_RECEIVE, 1, MQTT_MAX_RECEIVE);
    // A constant of a deployment: changing it moves group filters to sessions of other client ids (see GroupSessions).
    int groupSessions = options.integer("group-sessions", GroupSessions.SLOTS, 0, 64);
    int maxRedeliveries = options.integer("max-redeliveries", 20, 0, 1_000_000);
    Duration connectTimeout =
        options.duration("connect-timeout", Duration.ofSeconds(10), "connect-timeout-seconds");
    Duration closeTimeout = options.duration("close-timeout", Duration.ofSeconds(5), "close-timeout-seconds");
    PublishWindow.Limits held = PublishWindow.Limits.read(options);
    problems.addAll(options.problems());

    String username = server.credentials().username();
    String password = server.credentials().password();
    if (username == null && password == null && !server.security().isEmpty()
        && server.security().stream().allMatch(scheme -> scheme.type().equalsIgnoreCase("userPassword"))) {
      String env = "OMNIBUS_" + server.name().toUpperCase(Locale.ROOT).replace('-', '_');
      problems.add(new ConfigurationException.Problem(path + ".security", "the server requires a user name and "
          + "password: give them to the builder or set " + env + "_USERNAME and " + env + "_PASSWORD"));
    }

    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
    return new MqttSettings(server.name(), uri, version, username, password, clientId, persistentGroups, keepAlive,
        sessionExpiry, lastWill, maximumPacketSize, maxInFlight, receiveMaximum, groupSessions, maxRedeliveries, connectTimeout,
        closeTimeout, held);
  }

  /** Whether paho's MQTT 3 client is on the class path (it is optional: MQTT 5 applications usually lack it). */
  private static boolean pahoV3Present() {
    try {
      Class.forName("org.eclipse.paho.client.mqttv3.MqttAsyncClient", false, MqttSettings.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static MqttVersion parseVersion(
      @Nullable String declared, String path, List<ConfigurationException.Problem> problems) {
    if (declared == null || declared.isBlank()) {
      return MqttVersion.V5;
    }
    switch (declared.trim().toLowerCase(Locale.ROOT)) {
      case "5", "5.0", "5.0.0", "v5":
        return MqttVersion.V5;
      case "3", "3.1.1", "4", "v3.1.1":
        return MqttVersion.V3_1_1;
      case "3.1":
        return MqttVersion.V3_1;
      default:
        problems.add(new ConfigurationException.Problem(path + ".protocolVersion", "MQTT protocolVersion '"
            + declared + "' is not supported: use 5 (the default) or 3.1.1"));
        return MqttVersion.V5;
    }
  }

  /** Whether the connection uses TLS. */
  public boolean tls() {
    return uri.startsWith("ssl://");
  }

  @Override
  public String toString() {
    return "MqttSettings[server=" + serverName + ", uri=" + uri + ", version=" + version + ", username="
        + (username == null ? "absent" : "present") + ", password=" + (password == null ? "absent" : "present")
        + ", clientId=" + clientId + "]";
  }
}
