package dev.omnibus.mqtt.faults;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.jspecify.annotations.Nullable;

/**
 * The fault suite's plain client for malformed input: QoS 1 MQTT 5 publishes without user properties, even ones plain
 * text, odd ones with the structured content type but a body that is not JSON. One paho client, connected on first
 * use and replaced once when a publish fails: after a broker restart paho 1.2.5 can keep a stale in-flight count ("Too
 * many publishes in progress"). Thread-safe.
 */
final class MalformedPublisher implements AutoCloseable {

  private final String serverUri;
  private final Duration wait;
  private @Nullable MqttAsyncClient client;

  /** A publisher to {@code host:port}, waiting at most {@code wait} for each PUBACK. */
  MalformedPublisher(String hostAndPort, Duration wait) {
    this.serverUri = "tcp://" + hostAndPort;
    this.wait = wait;
  }

  /** Publishes the {@code index}th malformed message to the address. */
  synchronized void publish(String address, int index) throws MqttException {
    boolean structured = index % 2 == 1;
    MqttProperties properties = new MqttProperties();
    properties.setContentType(structured ? "application/cloudevents+json" : "text/plain");
    byte[] body = ((structured ? "{not json " : "not a cloud event ") + index).getBytes(StandardCharsets.UTF_8);
    try {
      client().publish(address, new MqttMessage(body, 1, false, properties)).waitForCompletion(wait.toMillis());
    } catch (MqttException e) {
      close();
      client().publish(address, new MqttMessage(body, 1, false, properties)).waitForCompletion(wait.toMillis());
    }
  }

  private MqttAsyncClient client() throws MqttException {
    if (client == null || !client.isConnected()) {
      close();
      MqttAsyncClient created = new MqttAsyncClient(serverUri,
          "omnibus-faults-plain-" + UUID.randomUUID().toString().substring(0, 8), new MemoryPersistence());
      MqttConnectionOptions options = new MqttConnectionOptions();
      options.setCleanStart(true);
      created.connect(options).waitForCompletion(10_000);
      client = created;
    }
    return client;
  }

  /** Closes the client, if any; the next publish connects a new one. */
  @Override
  public synchronized void close() throws MqttException {
    if (client != null) {
      MqttAsyncClient closing = client;
      client = null;
      if (closing.isConnected()) {
        closing.disconnectForcibly(5_000);
      }
      closing.close(true);
    }
  }
}
