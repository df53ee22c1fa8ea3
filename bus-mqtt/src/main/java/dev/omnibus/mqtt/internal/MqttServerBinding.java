package dev.omnibus.mqtt.internal;

import org.jspecify.annotations.Nullable;

/**
 * An AsyncAPI MQTT server binding, as {@link MqttBindings} read it.
 *
 * @param clientId the client id, or {@code null} for a generated one
 * @param cleanSession whether to start clean ({@code false} = persistent session), or {@code null}
 * @param lastWill the last will, or {@code null}
 * @param keepAlive the keep-alive interval in seconds, or {@code null}
 * @param sessionExpiryInterval MQTT 5 session expiry in seconds, or {@code null}
 * @param maximumPacketSize MQTT 5 maximum packet size in bytes, or {@code null}
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
public record MqttServerBinding(
    @Nullable String clientId,
    @Nullable Boolean cleanSession,
    @Nullable LastWill lastWill,
    @Nullable Integer keepAlive,
    @Nullable Long sessionExpiryInterval,
    @Nullable Long maximumPacketSize,
    @Nullable String bindingVersion) {

  /**
   * The message the broker publishes when the client goes away uncleanly.
   *
   * @param topic the topic
   * @param qos 0, 1 or 2
   * @param message the payload text, or {@code null}
   * @param retain whether it is retained
   */
  public record LastWill(String topic, int qos, @Nullable String message, boolean retain) {}
}
