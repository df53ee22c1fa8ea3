package dev.omnibus.kafka;

import dev.omnibus.EventBus;
import dev.omnibus.test.kafka.EmbeddedKafka;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.tck.TransportConformanceSuite;
import org.junit.jupiter.api.extension.ExtendWith;

/** The Kafka binding passes the conformance kit on a real (embedded) broker, channels named by their address. */
@ExtendWith(EmbeddedKafka.class)
class KafkaConformanceTest extends TransportConformanceSuite {

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(ServerConfig.of("tck", "kafka", EmbeddedKafka.shared().bootstrapServers()));
  }
}
