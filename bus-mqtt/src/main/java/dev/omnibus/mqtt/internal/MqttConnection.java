package dev.omnibus.mqtt.internal;

import dev.omnibus.envelope.WireMessage;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One paho client, MQTT 5 or 3.1.1, behind the few operations the transport needs. Implementations call the
 * {@link Listener} on paho's callback thread, which must not be blocked for long.
 *
 * <p>Thread-safe: publish, ack and close are called from any thread.
 */
interface MqttConnection {

  /** How a connection is opened. */
  record Options(
      String clientId,
      boolean cleanStart,
      long sessionExpirySeconds,
      boolean manualAcks,
      int receiveMaximum,
      boolean withLastWill) {}

  /**
   * One message received: what the transport needs to deliver and acknowledge it. {@code subscriptionIds} are the
   * MQTT 5 Subscription Identifiers of the subscriptions it matched (empty when the subscriptions had none, and on
   * MQTT 3.1.1).
   */
  record Inbound(String topic, int id, int qos, boolean duplicate, long epoch, WireMessage message,
      List<Integer> subscriptionIds) {

    public Inbound {
      subscriptionIds = List.copyOf(subscriptionIds);
    }
  }

  /** Receives a connection's events on paho's callback thread. */
  interface Listener {
    /** A message arrived; with manual acks it must be {@link #ack acknowledged} later. */
    void onMessage(Inbound message);

    /** The connection was (re-)established; {@code reconnect} is false for the first connect. */
    default void onConnected(boolean reconnect) {}

    /** The connection was lost; paho reconnects by itself. */
    default void onLost(@Nullable Throwable cause) {}
  }

  /**
   * Connects, blocking until the broker accepted the connection or the settings' connect timeout passed; paho then
   * reconnects automatically after a loss.
   *
   * @throws Exception the client's exception when the connection failed
   */
  void connect(Listener listener) throws Exception;

  /** How many QoS 1/2 publishes may be unconfirmed at once: the broker's Receive Maximum, or the client's limit. */
  int publishWindow();

  /**
   * Publishes one message without blocking. {@code done} is called once, on paho's thread (or the caller's when the
   * publish fails at once), with {@code null} on success or the failure.
   */
  void publish(String topic, WireMessage message, int qos, boolean retain, @Nullable Long expirySeconds,
      BiConsumer<@Nullable Void, @Nullable Throwable> done);

  /**
   * Subscribes a filter, blocking until the broker's SUBACK arrived. {@code subscriptionId} above 0 is sent as the
   * MQTT 5 Subscription Identifier (see {@link #subscriptionIdentifiers()}); 0 sends none.
   *
   * @throws Exception the client's exception, or an {@link IllegalStateException} when the broker refused the filter
   */
  void subscribe(String filter, int qos, int subscriptionId, Duration timeout) throws Exception;

  /**
   * Subscribes again after a reconnect, without blocking (called on paho's callback thread). {@code done} is called
   * once, on paho's thread, with {@code null} when the broker granted the subscription, else the failure.
   */
  void resubscribe(String filter, int qos, int subscriptionId, Consumer<@Nullable Throwable> done);

  /**
   * Whether subscriptions may carry a Subscription Identifier that the broker then puts on every message they match:
   * MQTT 5 brokers that do not say otherwise in their CONNACK; never on MQTT 3.1.1. Known once connected.
   */
  boolean subscriptionIdentifiers();

  /** Unsubscribes a filter, waiting at most the timeout. */
  void unsubscribe(String filter, Duration timeout);

  /**
   * Acknowledges a message received with manual acks; ignored when the connection it arrived on is gone (the broker
   * then delivers it again on the resumed session).
   */
  void ack(Inbound message);

  /** Whether the client is connected now. */
  boolean isConnected();

  /** The connection's epoch: incremented on every (re-)connect, so acks of older connections are recognised. */
  long epoch();

  /** Disconnects (keeping a persistent session on the broker) and releases the client's threads, within the timeout. */
  void close(Duration timeout);
}
