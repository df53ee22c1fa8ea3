/** Implementation of the MQTT binding; not an API: nothing outside {@code bus-mqtt} may use it. */
@NullMarked
package dev.omnibus.mqtt.internal;

import org.jspecify.annotations.NullMarked;
