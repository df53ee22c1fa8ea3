package dev.omnibus.kafka;

import dev.omnibus.EventBus;
import dev.omnibus.envelope.Mode;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.TransportConformanceSuite;
import java.util.Map;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The conformance kit with every channel declared through a Kafka channel binding: a {@code topic} other than the
 * address, two partitions and a topic configuration, as an AsyncAPI document would give them.
 */
@ExtendWith(EmbeddedKafka.class)
class KafkaTopicBindingConformanceTest extends TransportConformanceSuite {

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("tck", "kafka", EmbeddedKafka.shared().bootstrapServers()));
  }

  @Override
  protected EventBus.Builder withChannel(EventBus.Builder builder, String channelId, String address) {
    return builder.channel(channelId, address, bindings(address));
  }

  /** Dead letters go to {@code <topic>.dlq} itself, a topic of no binding. */
  @Override
  protected EventBus.Builder withDeadLetterChannel(EventBus.Builder builder, String channelId, String address) {
    return builder.channel(channelId, address);
  }

  @Override
  protected Destination rawDestination(String address, Mode mode) {
    return new Destination(address, address, mode, bindings(address), Bindings.none(), Map.of());
  }

  private static Bindings bindings(String address) {
    Map<String, Object> binding = Map.of("topic", address + ".topic", "partitions", 2, "replicas", 1,
        "topicConfiguration", Map.of("retention.ms", 86_400_000), "bindingVersion", "0.5.0");
    return new Bindings(Map.of("kafka", binding));
  }
}
