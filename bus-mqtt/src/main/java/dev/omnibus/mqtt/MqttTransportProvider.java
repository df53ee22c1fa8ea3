package dev.omnibus.mqtt;

import dev.omnibus.mqtt.internal.MqttTransport;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportProvider;
import java.util.Set;

/**
 * Opens MQTT transports for the AsyncAPI protocols {@code mqtt} (plain TCP, port 1883 by default), {@code mqtts} and
 * {@code secure-mqtt} (TLS, port 8883 by default). The server's {@code protocolVersion} chooses the protocol: absent or
 * {@code 5} speaks MQTT 5 (CloudEvents binary and structured mode), {@code 3.1.1} (or {@code 3}) speaks MQTT 3.1.1 with
 * structured mode only, as the CloudEvents MQTT binding requires, with paho's MQTT 3 client
 * ({@code org.eclipse.paho:org.eclipse.paho.client.mqttv3}), an optional dependency the application adds for it.
 *
 * <p>Found with {@link java.util.ServiceLoader}. Stateless and thread-safe.
 */
public final class MqttTransportProvider implements TransportProvider {

  private static final Set<String> PROTOCOLS = Set.of("mqtt", "mqtts", "secure-mqtt");

  /** For {@link java.util.ServiceLoader}. */
  public MqttTransportProvider() {}

  @Override
  public Set<String> protocols() {
    return PROTOCOLS;
  }

  /**
   * Validates the server's settings and bindings, connects the transport's publishing client (blocking up to the
   * connect timeout) and returns the transport.
   *
   * @throws dev.omnibus.ConfigurationException listing every problem in the settings, or when the broker cannot be
   *     reached or refuses the connection
   */
  @Override
  public Transport open(ServerConfig server) {
    return MqttTransport.open(server);
  }
}
