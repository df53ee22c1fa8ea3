/**
 * The Kafka binding of Omnibus: protocols {@code kafka} and {@code kafka-secure}, CloudEvents in binary mode
 * ({@code ce_} headers, {@code content-type} header) or structured mode, as the CloudEvents Kafka protocol binding says.
 * Users add the jar; {@link dev.omnibus.kafka.KafkaTransportProvider} is found by {@link java.util.ServiceLoader}.
 */
@NullMarked
package dev.omnibus.kafka;

import org.jspecify.annotations.NullMarked;
