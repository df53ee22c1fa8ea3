package dev.omnibus.spi.binding;

import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * AsyncAPI Kafka channel binding.
 *
 * @param topic the topic name when it differs from the channel address, or {@code null}
 * @param partitions the number of partitions to create the topic with, or {@code null}
 * @param replicas the replication factor to create the topic with, or {@code null}
 * @param topicConfiguration topic configs ({@code cleanup.policy}, {@code retention.ms}...) as strings
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
public record KafkaChannelBinding(
    @Nullable String topic,
    @Nullable Integer partitions,
    @Nullable Integer replicas,
    Map<String, String> topicConfiguration,
    @Nullable String bindingVersion) {

  public KafkaChannelBinding {
    topicConfiguration = Map.copyOf(topicConfiguration);
  }
}
