package dev.omnibus.mqtt.internal;

import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An MQTT 3.1.1 (or 3.1) connection with paho's mqttv3 client. MQTT 3 has no properties: only structured-mode events
 * can travel, and every received message is read as {@code application/cloudevents+json}. Thread-safe.
 */
final class Paho3Connection implements MqttConnection {

  private static final Logger LOG = LoggerFactory.getLogger(Paho3Connection.class);
  private static final int SUBACK_FAILURE = 0x80;
  // MQTT 3 has no Receive Maximum: paho's own in-flight limit bounds the publish window.
  private static final int MAX_IN_FLIGHT = 1000;

  private final MqttSettings settings;
  private final Options options;
  private final MqttAsyncClient client;
  private final AtomicLong epoch = new AtomicLong();
  /** Messages received so far: a subscribe waiting for its SUBACK goes on waiting while they come. */
  private final AtomicLong arrivals = new AtomicLong();
  private final int publishWindow;

  Paho3Connection(MqttSettings settings, Options options) throws MqttException {
    this.settings = settings;
    this.options = options;
    this.client = new MqttAsyncClient(settings.uri(), options.clientId(), new MemoryPersistence());
    client.setManualAcks(options.manualAcks());
    this.publishWindow = Math.min(settings.maxInFlight(), MAX_IN_FLIGHT);
  }

  @Override
  public void connect(Listener listener) throws Exception {
    MqttConnectOptions connect = new MqttConnectOptions();
    connect.setMqttVersion(settings.version() == MqttSettings.MqttVersion.V3_1
        ? MqttConnectOptions.MQTT_VERSION_3_1 : MqttConnectOptions.MQTT_VERSION_3_1_1);
    connect.setCleanSession(options.cleanStart());
    connect.setKeepAliveInterval(settings.keepAliveSeconds());
    connect.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    connect.setAutomaticReconnect(true);
    // As for MQTT 5 (see Paho5Connection): back soon after a broker restart, so a group subscribes again quickly.
    connect.setMaxReconnectDelay(Paho5Connection.MAX_RECONNECT_DELAY_SECONDS * 1000);
    connect.setMaxInflight(publishWindow);
    if (settings.username() != null) {
      connect.setUserName(settings.username());
    }
    if (settings.password() != null) {
      connect.setPassword(settings.password().toCharArray());
    }
    var will = settings.lastWill();
    if (options.withLastWill() && will != null) {
      byte[] payload = will.message() == null ? new byte[0] : will.message().getBytes(StandardCharsets.UTF_8);
      connect.setWill(will.topic(), payload, will.qos(), will.retain());
    }
    client.setCallback(new Callback(listener));
    client.connect(connect).waitForCompletion(settings.connectTimeout().toMillis());
  }

  @Override
  public int publishWindow() {
    return publishWindow;
  }

  @Override
  public void publish(String topic, WireMessage message, int qos, boolean retain, @Nullable Long expirySeconds,
      BiConsumer<@Nullable Void, @Nullable Throwable> done) {
    if (!message.headers().isEmpty() || !isStructured(message.contentType())) {
      done.accept(null, new IllegalArgumentException("MQTT " + (settings.version() == MqttSettings.MqttVersion.V3_1
          ? "3.1" : "3.1.1") + " has no properties: only structured-mode (application/cloudevents+json) events can "
          + "be sent, but this one is in binary mode"));
      return;
    }
    MqttMessage mqtt = new MqttMessage(message.body() == null ? new byte[0] : message.body());
    mqtt.setQos(qos);
    mqtt.setRetained(retain);
    try {
      client.publish(topic, mqtt, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          done.accept(null, null);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
          done.accept(null, failure);
        }
      });
    } catch (MqttException | RuntimeException e) {
      done.accept(null, e);
    }
  }

  private static boolean isStructured(@Nullable String contentType) {
    return contentType != null && contentType.regionMatches(true, 0, "application/cloudevents", 0, 23);
  }

  @Override
  public void subscribe(String filter, int qos, int subscriptionId, Duration timeout) throws Exception {
    IMqttToken token = client.subscribe(filter, qos);
    SubackWait.await(token::waitForCompletion, token::isComplete, arrivals::get, timeout);
    int[] granted = token.getGrantedQos();
    if (granted != null && granted.length > 0 && granted[0] >= SUBACK_FAILURE) {
      throw new IllegalStateException("the broker refused the subscription to '" + filter + "'");
    }
  }

  @Override
  public void resubscribe(String filter, int qos, int subscriptionId, Consumer<@Nullable Throwable> done) {
    try {
      client.subscribe(filter, qos, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          int[] granted = token.getGrantedQos();
          if (granted != null && granted.length > 0 && granted[0] >= SUBACK_FAILURE) {
            onFailure(token, new IllegalStateException("the broker refused the subscription to '" + filter + "'"));
            return;
          }
          LOG.debug("Resubscribed {} after reconnecting", filter);
          done.accept(null);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
          LOG.warn("Resubscribing '{}' on MQTT server '{}' failed: {}", filter, settings.serverName(),
              failure.toString());
          done.accept(failure);
        }
      });
    } catch (MqttException | RuntimeException e) {
      LOG.warn("Resubscribing '{}' on MQTT server '{}' failed: {}", filter, settings.serverName(), e.toString());
      done.accept(e);
    }
  }

  /** MQTT 3.1.1 has no properties, so no Subscription Identifiers: {@code subscriptionId} is ignored. */
  @Override
  public boolean subscriptionIdentifiers() {
    return false;
  }

  @Override
  public void unsubscribe(String filter, Duration timeout) {
    try {
      client.unsubscribe(filter).waitForCompletion(timeout.toMillis());
    } catch (MqttException | RuntimeException e) {
      LOG.debug("Unsubscribing {} failed: {}", filter, e.toString());
    }
  }

  @Override
  public void ack(Inbound message) {
    if (message.qos() == 0 || message.epoch() != epoch.get()) {
      return;
    }
    try {
      client.messageArrivedComplete(message.id(), message.qos());
    } catch (MqttException | RuntimeException e) {
      LOG.debug("Acknowledging message {} failed: {}", message.id(), e.toString());
    }
  }

  @Override
  public boolean isConnected() {
    return client.isConnected();
  }

  @Override
  public long epoch() {
    return epoch.get();
  }

  @Override
  public void close(Duration timeout) {
    epoch.incrementAndGet();
    try {
      if (client.isConnected()) {
        client.disconnect(timeout.toMillis()).waitForCompletion(timeout.toMillis());
      }
    } catch (MqttException | RuntimeException e) {
      LOG.debug("Disconnecting {} failed: {}", options.clientId(), e.toString());
    }
    try {
      client.close(true);
    } catch (MqttException | RuntimeException e) {
      LOG.debug("Closing client {} failed: {}", options.clientId(), e.toString());
    }
  }

  private final class Callback implements MqttCallbackExtended {
    private final Listener listener;

    Callback(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void connectionLost(Throwable cause) {
      epoch.incrementAndGet();
      listener.onLost(cause);
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      arrivals.incrementAndGet();
      byte[] payload = message.getPayload();
      // MQTT 3 carries no content type: the CloudEvents MQTT binding makes structured JSON the only mode.
      WireMessage wire = new WireMessage(Map.of(), EnvelopeCodec.STRUCTURED_CONTENT_TYPE,
          payload.length == 0 ? null : payload, null);
      listener.onMessage(
          new Inbound(topic, message.getId(), message.getQos(), message.isDuplicate(), epoch.get(), wire, List.of()));
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // Publishes complete through their own action listeners.
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      listener.onConnected(reconnect);
    }
  }
}
