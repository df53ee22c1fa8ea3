/**
 * The MQTT binding of Omnibus: CloudEvents over MQTT 5 (binary mode in user properties, structured mode) and MQTT 3.1.1
 * (structured mode), with paho. Add the jar; {@link dev.omnibus.mqtt.MqttTransportProvider} serves the AsyncAPI
 * protocols {@code mqtt}, {@code mqtts} and {@code secure-mqtt}.
 */
@NullMarked
package dev.omnibus.mqtt;

import org.jspecify.annotations.NullMarked;
