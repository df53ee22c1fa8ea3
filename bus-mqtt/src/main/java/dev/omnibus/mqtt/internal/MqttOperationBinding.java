package dev.omnibus.mqtt.internal;

import org.jspecify.annotations.Nullable;

/**
 * An AsyncAPI MQTT operation binding, as {@link MqttBindings} read it.
 *
 * @param qos 0, 1 or 2, or {@code null} for the default (1)
 * @param retain whether messages are retained, or {@code null} (false)
 * @param messageExpiryInterval MQTT 5 message expiry in seconds, or {@code null}
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
record MqttOperationBinding(
    @Nullable Integer qos, @Nullable Boolean retain, @Nullable Long messageExpiryInterval,
    @Nullable String bindingVersion) {}
