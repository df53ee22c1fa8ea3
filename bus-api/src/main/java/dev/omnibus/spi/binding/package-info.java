/**
 * The AsyncAPI protocol bindings Omnibus understands, as typed records (asyncapi/bindings: Kafka 0.5.0, AMQP 0-9-1
 * 0.3.0, MQTT 0.2.0; an absent {@code bindingVersion} means the latest). Found in
 * {@link dev.omnibus.spi.Bindings} under the protocol names {@code kafka}, {@code amqp} and {@code mqtt}.
 */
@NullMarked
package dev.omnibus.spi.binding;

import org.jspecify.annotations.NullMarked;
