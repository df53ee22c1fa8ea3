package dev.omnibus.mqtt.internal;

import dev.omnibus.envelope.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An MQTT 5 connection with paho's mqttv5 client: CloudEvents attributes travel as user properties. Thread-safe. */
final class Paho5Connection implements MqttConnection {

  private static final String REPLY_TO = "replyto";
  private static final String CORRELATION_ID = "correlationid";

  private static final Logger LOG = LoggerFactory.getLogger(Paho5Connection.class);
  private static final int MQTT_MAX_RECEIVE = 65_535;
  private static final int FIRST_FAILURE_REASON = 0x80;
  /** The longest wait between two reconnect attempts. */
  static final int MAX_RECONNECT_DELAY_SECONDS = 2;

  private final MqttSettings settings;
  private final Options options;
  private final MqttAsyncClient client;
  // Incremented when a connection is lost: acks carry the epoch they arrived in, and an ack of a message of a lost
  // connection must not be sent on the new one, where its packet id may name another message.
  private final AtomicLong epoch = new AtomicLong();
  /** Messages received so far: a subscribe waiting for its SUBACK goes on waiting while they come. */
  private final AtomicLong arrivals = new AtomicLong();
  private volatile int publishWindow = MQTT_MAX_RECEIVE;
  /** What the CONNACK said of Subscription Identifiers (absent: available). */
  private volatile boolean subscriptionIdentifiers;

  Paho5Connection(MqttSettings settings, Options options) throws MqttException {
    this.settings = settings;
    this.options = options;
    // Memory persistence: paho's default writes files into the working directory.
    this.client = new MqttAsyncClient(settings.uri(), options.clientId(), new MemoryPersistence());
    client.setManualAcks(options.manualAcks());
  }

  @Override
  public void connect(Listener listener) throws Exception {
    MqttConnectionOptions connect = new MqttConnectionOptions();
    connect.setCleanStart(options.cleanStart());
    connect.setSessionExpiryInterval(options.sessionExpirySeconds());
    connect.setKeepAliveInterval(settings.keepAliveSeconds());
    connect.setConnectionTimeout((int) Math.max(1, settings.connectTimeout().toSeconds()));
    connect.setAutomaticReconnect(true);
    // Paho 1.2.5 ignores setAutomaticReconnectDelay: its back-off doubles from 1 s up to getMaxReconnectDelay (128 s
    // by default), in one static field shared by every client of the JVM, so one client's failed attempts lengthen
    // all the others' waits. A broker that does not restore shared subscriptions across a restart (Mosquitto) drops a
    // group's messages until its members are back and subscribed, so every client tries again at least every 2 s:
    // measured on a 5 s Mosquitto outage, a group member came back 14 s after the broker, and the group lost 4,194 of
    // 10,000 events.
    connect.setAutomaticReconnectDelay(1, MAX_RECONNECT_DELAY_SECONDS);
    connect.setMaxReconnectDelay(MAX_RECONNECT_DELAY_SECONDS * 1000);
    // Stock Mosquitto sends a subscriber at most its Receive Maximum unacknowledged messages and queues only 1000
    // more, dropping the rest: a large Receive Maximum keeps a slow handler's backlog in flight rather than dropped.
    connect.setReceiveMaximum(options.receiveMaximum());
    if (settings.maximumPacketSize() != null) {
      connect.setMaximumPacketSize(settings.maximumPacketSize());
    }
    if (settings.username() != null) {
      connect.setUserName(settings.username());
    }
    if (settings.password() != null) {
      connect.setPassword(settings.password().getBytes(StandardCharsets.UTF_8));
    }
    var will = settings.lastWill();
    if (options.withLastWill() && will != null) {
      byte[] payload = will.message() == null ? new byte[0] : will.message().getBytes(StandardCharsets.UTF_8);
      connect.setWill(will.topic(), new MqttMessage(payload, will.qos(), will.retain(), new MqttProperties()));
    }
    client.setCallback(new Callback(listener));
    IMqttToken token = client.connect(connect);
    token.waitForCompletion(settings.connectTimeout().toMillis());
    MqttProperties connack = token.getResponseProperties();
    if (connack != null && !options.cleanStart()) {
      groupSessionWarnings(settings.serverName(), options.clientId(), options.sessionExpirySeconds(), connack)
          .forEach(LOG::warn);
    }
    subscriptionIdentifiers = connack == null || connack.isSubscriptionIdentifiersAvailable();
    Integer serverReceiveMaximum = connack == null ? null : connack.getReceiveMaximum();
    publishWindow = Math.min(settings.maxInFlight(),
        serverReceiveMaximum == null || serverReceiveMaximum <= 0 ? MQTT_MAX_RECEIVE : serverReceiveMaximum);
  }

  /**
   * What a broker's CONNACK says against a group member's persistent session, as warnings. How many messages the
   * broker queues for a session while its member is away (Mosquitto's {@code max_queued_messages}, HiveMQ's
   * {@code max-queue-size}, both 1000 by default, beyond which they drop) is not in the CONNACK: that cannot be
   * detected, only configured.
   */
  static List<String> groupSessionWarnings(String serverName, String clientId, long sessionExpirySeconds,
      MqttProperties connack) {
    List<String> warnings = new ArrayList<>(2);
    if (!connack.isSharedSubscriptionAvailable()) {
      warnings.add("MQTT server '" + serverName + "' announces no shared subscriptions (CONNACK): consumer groups "
          + "($share/<group>/...) will be refused. Enable shared subscriptions on the broker.");
    }
    Long granted = connack.getSessionExpiryInterval();
    if (granted != null && granted < sessionExpirySeconds) {
      warnings.add("MQTT server '" + serverName + "' keeps the session of group member '" + clientId + "' " + granted
          + " s after it disconnects, not the " + sessionExpirySeconds + " s asked (sessionExpiryInterval): what is "
          + "published to the group while no member is connected for longer is lost. Raise the broker's session "
          + "expiry limit.");
    }
    return warnings;
  }

  @Override
  public int publishWindow() {
    return publishWindow;
  }

  /**
   * MQTT 5's Response Topic and Correlation Data as the CloudEvents extensions {@code replyto} and
   * {@code correlationid} of a binary-mode event whose sender set only those (a plain MQTT requester or responder);
   * the extensions win where both are there.
   */
  static Map<String, String> withReplyProperties(Map<String, String> headers, MqttProperties properties) {
    String responseTopic = properties.getResponseTopic();
    byte[] correlationData = properties.getCorrelationData();
    if (responseTopic == null && correlationData == null) {
      return headers;
    }
    String prefix = headers.containsKey("specversion") ? "" : headers.containsKey("ce-specversion") ? "ce-" : null;
    if (prefix == null) {
      return headers;
    }
    Map<String, String> with = new LinkedHashMap<>(headers);
    if (responseTopic != null && !with.containsKey("replyto") && !with.containsKey("ce-replyto")) {
      with.put(prefix + REPLY_TO, responseTopic);
    }
    if (correlationData != null && !with.containsKey("correlationid") && !with.containsKey("ce-correlationid")) {
      with.put(prefix + CORRELATION_ID, new String(correlationData, StandardCharsets.UTF_8));
    }
    return with;
  }

  @Override
  public void publish(String topic, WireMessage message, int qos, boolean retain, @Nullable Long expirySeconds,
      BiConsumer<@Nullable Void, @Nullable Throwable> done) {
    MqttProperties properties = new MqttProperties();
    if (message.contentType() != null) {
      properties.setContentType(message.contentType());
    }
    if (!message.headers().isEmpty()) {
      List<UserProperty> userProperties = new ArrayList<>(message.headers().size());
      message.headers().forEach((name, value) -> userProperties.add(new UserProperty(name, value)));
      properties.setUserProperties(userProperties);
    }
    if (expirySeconds != null) {
      properties.setMessageExpiryInterval(expirySeconds);
    }
    // A request's reply address and correlation id also as MQTT 5's Response Topic and Correlation Data.
    String replyTo = message.headers().get(REPLY_TO);
    if (replyTo != null) {
      properties.setResponseTopic(replyTo);
    }
    String correlationId = message.headers().get(CORRELATION_ID);
    if (correlationId != null) {
      properties.setCorrelationData(correlationId.getBytes(StandardCharsets.UTF_8));
    }
    byte[] payload = message.body() == null ? new byte[0] : message.body();
    try {
      client.publish(topic, new MqttMessage(payload, qos, retain, properties), null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          int[] reasons = token.getReasonCodes();
          if (reasons != null && reasons.length > 0 && reasons[0] >= FIRST_FAILURE_REASON) {
            done.accept(null, new IllegalStateException("the broker refused the message with reason code 0x"
                + Integer.toHexString(reasons[0])));
          } else {
            done.accept(null, null);
          }
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

  @Override
  public void subscribe(String filter, int qos, int subscriptionId, Duration timeout) throws Exception {
    IMqttToken token = client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, qos)}, null, null,
        subscribeProperties(subscriptionId));
    SubackWait.await(token::waitForCompletion, token::isComplete, arrivals::get, timeout);
    int[] reasons = token.getReasonCodes();
    if (reasons != null && reasons.length > 0 && reasons[0] >= FIRST_FAILURE_REASON) {
      throw new IllegalStateException("the broker refused the subscription to '" + filter + "' with reason code 0x"
          + Integer.toHexString(reasons[0]));
    }
    if (reasons != null && reasons.length > 0 && reasons[0] < qos) {
      // The SUBACK's reason code is the QoS granted: at QoS 0 the broker neither keeps nor redelivers messages.
      LOG.warn("MQTT server '{}' granted QoS {} instead of {} for '{}': messages to it may be lost (the broker's "
          + "maximum QoS)", settings.serverName(), reasons[0], qos, filter);
    }
  }

  @Override
  public void resubscribe(String filter, int qos, int subscriptionId, Consumer<@Nullable Throwable> done) {
    try {
      // Not the overload with a per-subscription message listener: paho 1.2.5 fails on a null one.
      client.subscribe(new MqttSubscription[] {new MqttSubscription(filter, qos)}, null, new MqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          int[] reasons = token.getReasonCodes();
          if (reasons != null && reasons.length > 0 && reasons[0] >= FIRST_FAILURE_REASON) {
            onFailure(token, new IllegalStateException("the broker refused the subscription to '" + filter
                + "' with reason code 0x" + Integer.toHexString(reasons[0])));
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
      }, subscribeProperties(subscriptionId));
    } catch (MqttException | RuntimeException e) {
      LOG.warn("Resubscribing '{}' on MQTT server '{}' failed: {}", filter, settings.serverName(), e.toString());
      done.accept(e);
    }
  }

  private static MqttProperties subscribeProperties(int subscriptionId) {
    MqttProperties properties = new MqttProperties();
    if (subscriptionId > 0) {
      properties.setSubscriptionIdentifier(subscriptionId);
    }
    return properties;
  }

  @Override
  public boolean subscriptionIdentifiers() {
    return subscriptionIdentifiers;
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
      // The connection went away: the broker delivers the message again on the resumed session.
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

  private final class Callback implements MqttCallback {
    private final Listener listener;

    Callback(Listener listener) {
      this.listener = listener;
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      epoch.incrementAndGet();
      listener.onLost(response.getException());
      if (response.getReturnCode() == 0x8E) {
        LOG.warn("MQTT server '{}' ended the session of client '{}': another client connected with the same id. "
            + "Give each instance its own clientId in the server binding.", settings.serverName(), options.clientId());
      }
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      LOG.warn("MQTT error on server '{}', client '{}': {}", settings.serverName(), options.clientId(),
          exception.toString());
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      arrivals.incrementAndGet();
      MqttProperties properties = message.getProperties();
      Map<String, String> headers = Map.of();
      String contentType = null;
      List<Integer> subscriptionIds = List.of();
      if (properties != null) {
        subscriptionIds = properties.getSubscriptionIdentifiers();
        contentType = properties.getContentType();
        List<UserProperty> userProperties = properties.getUserProperties();
        if (userProperties != null && !userProperties.isEmpty()) {
          Map<String, String> copy = new LinkedHashMap<>(userProperties.size() * 2);
          // MQTT allows a name to repeat; the first occurrence counts, as with a reader of the first header.
          for (UserProperty property : userProperties) {
            copy.putIfAbsent(property.getKey(), property.getValue());
          }
          headers = copy;
        }
        headers = withReplyProperties(headers, properties);
      }
      byte[] payload = message.getPayload();
      WireMessage wire = new WireMessage(headers, contentType, payload.length == 0 ? null : payload, null);
      listener.onMessage(
          new Inbound(topic, message.getId(), message.getQos(), message.isDuplicate(), epoch.get(), wire,
              subscriptionIds));
    }

    @Override
    public void deliveryComplete(IMqttToken token) {
      // Publishes complete through their own action listeners.
    }

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      listener.onConnected(reconnect);
    }

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {
      // No enhanced authentication.
    }
  }
}
