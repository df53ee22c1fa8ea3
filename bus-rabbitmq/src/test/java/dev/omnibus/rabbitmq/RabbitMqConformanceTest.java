package dev.omnibus.rabbitmq;

import dev.omnibus.EventBus;
import dev.omnibus.tck.TransportConformanceSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The RabbitMQ binding against the conformance kit with the default topology: channels without an AMQP binding, sent
 * to the durable topic exchange {@code omnibus} with the address as routing key; groups consume
 * {@code <address>.<group>}, anonymous subscriptions exclusive server-named queues.
 */
class RabbitMqConformanceTest extends TransportConformanceSuite {

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

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(RabbitMqBroker.server("tck")).transport(PROVIDER);
  }
}
