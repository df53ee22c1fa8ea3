package dev.omnibus.mqtt;

import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import dev.omnibus.tck.Brokers;
import java.util.Map;
import java.util.UUID;

/**
 * The machine's Mosquitto for tests: {@code MQTT_HOST} and {@code MQTT_PORT}, by default 127.0.0.1:1883. When it is
 * unreachable, tests are skipped saying how to install and start it, or fail when {@code CI=true} (the rule of {@link Brokers}).
 */
public final class MqttBroker {

  public static final String HOST = env("MQTT_HOST", "127.0.0.1");
  public static final int PORT = Integer.parseInt(env("MQTT_PORT", "1883"));
  /** Sessions created by tests expire after ten minutes, so the broker does not keep them for a day. */
  static final long TEST_SESSION_EXPIRY = 600;

  private MqttBroker() {}

  /** What to do when the broker is not reachable. */
  public static final String REMEDY = "Install and start it: " + Brokers.INSTALL + " && sudo service mosquitto start"
      + " (or point MQTT_HOST/MQTT_PORT at one)";

  /** Skips the calling test (or fails it with {@code CI=true}) when the broker does not answer. */
  public static void assumeReachable() {
    Brokers.assumeReachable("Mosquitto", HOST, PORT, REMEDY);
  }

  /** The paho URI of the broker. */
  static String uri() {
    return "tcp://" + HOST + ":" + PORT;
  }

  /** A server for MQTT 5 (protocolVersion null) or another version, with short test sessions. */
  static ServerConfig server(String name, @org.jspecify.annotations.Nullable String protocolVersion) {
    return server(name, protocolVersion, HOST + ":" + PORT);
  }

  /** As {@link #server(String, String)}, at another {@code host:port} (a proxy in front of the broker). */
  static ServerConfig server(String name, @org.jspecify.annotations.Nullable String protocolVersion, String host) {
    return ServerConfig.of(name, "mqtt", host)
        .withProtocolVersion(protocolVersion)
        .withBindings(new Bindings(Map.of("mqtt",
            Map.of("sessionExpiryInterval", TEST_SESSION_EXPIRY))));
  }

  /** A unique topic under a test prefix. */
  public static String uniqueTopic(String name) {
    return "omnibus-test/" + name + "/" + UUID.randomUUID();
  }

  private static String env(String name, String defaultValue) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? defaultValue : value;
  }
}
