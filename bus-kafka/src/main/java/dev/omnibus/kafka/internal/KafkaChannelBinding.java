package dev.omnibus.kafka.internal;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An AsyncAPI Kafka channel binding, as {@link KafkaBindings} read it.
 *
 * @param topic the topic name when it differs from the channel address, or {@code null}
 * @param partitions the number of partitions to create the topic with, or {@code null}
 * @param replicas the replication factor to create the topic with, or {@code null}
 * @param topicConfiguration topic configs ({@code cleanup.policy}, {@code retention.ms}...) as strings
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
record KafkaChannelBinding(
    @Nullable String topic,
    @Nullable Integer partitions,
    @Nullable Integer replicas,
    Map<String, String> topicConfiguration,
    @Nullable String bindingVersion) {

  /** Copies the configuration. */
  KafkaChannelBinding {
    topicConfiguration = Map.copyOf(topicConfiguration);
  }
}
