package dev.omnibus.rabbitmq;

import dev.omnibus.EventBus;
import dev.omnibus.tck.TransportConformanceSuite;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The RabbitMQ binding against the conformance kit with quorum queues: the server says
 * {@code x-omnibus-queue-type: quorum}, so every group queue, retry queue and dead letter queue is a quorum queue (with
 * the delivery limit and dead-lettering the binding sets); anonymous subscriptions keep their exclusive classic queues,
 * which a quorum queue cannot be. On the machine's single node a quorum queue has one replica: this checks the
 * binding's behaviour on such queues, not replication (RabbitMqClusterFaultTest does that on a cluster of its own).
 */
class RabbitMqQuorumConformanceTest extends TransportConformanceSuite {

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
    return EventBus.builder().server(RabbitMqBroker.server("tck-quorum").withOption("queue-type", "quorum"))
        .transport(PROVIDER);
  }
}
