/** Implementation of the Kafka binding. Not an API: nothing outside {@code bus-kafka} may use these types. */
@NullMarked
package dev.omnibus.kafka.internal;

import org.jspecify.annotations.NullMarked;
