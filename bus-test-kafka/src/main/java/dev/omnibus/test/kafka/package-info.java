/**
 * A real Kafka for tests, inside the test JVM: {@link dev.omnibus.test.kafka.EmbeddedKafka} (a JUnit 5 extension), and
 * {@link dev.omnibus.test.kafka.LocalKafka} to run one for development.
 */
@NullMarked
package dev.omnibus.test.kafka;

import org.jspecify.annotations.NullMarked;
