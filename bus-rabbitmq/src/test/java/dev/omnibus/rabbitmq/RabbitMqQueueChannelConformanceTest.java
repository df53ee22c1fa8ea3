package dev.omnibus.rabbitmq;

import dev.omnibus.EventBus;
import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.tck.TransportConformanceSuite;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The RabbitMQ binding against the conformance kit with AsyncAPI {@code is: queue} channels: every channel is a
 * durable queue named by its address, sent to through the default exchange, and every subscriber competes on it
 * whatever its group. The kit's group fan-out and anonymous fan-out scenarios are skipped because such a channel
 * cannot do them: the kit reads the capabilities of its channels from the bus ({@code EventBus.capabilities(channel)}),
 * which are the binding's own for such a destination.
 */
class RabbitMqQueueChannelConformanceTest extends TransportConformanceSuite {

  private static final TrackingProvider PROVIDER = new TrackingProvider();

  @BeforeAll
  static void brokerIsThere() {
    RabbitMqBroker.assumeReachable();
  }

  @AfterAll
  static void deleteQueues() throws Exception {
    try (RabbitMqBroker broker = new RabbitMqBroker()) {
      PROVIDER.deleteQueues(broker);
    }
  }

  private static Bindings queueBinding(String address) {
    return new Bindings(Map.of("amqp", Map.of("is", "queue", "queue", Map.of("name", address, "durable", true,
        "exclusive", false, "autoDelete", false))));
  }

  private static Destination destination(String address) {
    return new Destination(address, address, Mode.BINARY, queueBinding(address), Bindings.none(), Map.of());
  }

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(RabbitMqBroker.server("tck-queue")).transport(PROVIDER);
  }

  @Override
  protected EventBus.Builder withChannel(EventBus.Builder builder, String channelId, String address) {
    return builder.channel(channelId, address, queueBinding(address));
  }

  @Override
  protected Destination rawDestination(String address, Mode mode) {
    return destination(address).withMode(mode);
  }
}
