package dev.omnibus.mqtt;

import static org.assertj.core.api.Assumptions.assumeThat;

import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Map;
import java.util.UUID;

/**
 * The machine's Mosquitto for tests: {@code MQTT_HOST} and {@code MQTT_PORT}, by default 127.0.0.1:1883. When it is
 * unreachable, tests are skipped with the reason, or fail when {@code CI=true}.
 */
public final class MqttBroker {

  public static final String HOST = env("MQTT_HOST", "127.0.0.1");
  public static final int PORT = Integer.parseInt(env("MQTT_PORT", "1883"));
  /** Sessions created by tests expire after ten minutes, so the broker does not keep them for a day. */
  static final long TEST_SESSION_EXPIRY = 600;

  private MqttBroker() {}

  /** Skips the calling test (or fails it on CI) when the broker does not answer. */
  public static void assumeReachable() {
    boolean reachable;
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(HOST, PORT), 2000);
      reachable = true;
    } catch (IOException e) {
      reachable = false;
    }
    String reason = "no MQTT broker at " + HOST + ":" + PORT + " (set MQTT_HOST/MQTT_PORT or start Mosquitto)";
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      if (!reachable) {
        throw new AssertionError(reason);
      }
      return;
    }
    assumeThat(reachable).as(reason).isTrue();
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
