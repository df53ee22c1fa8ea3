package dev.omnibus.micrometer;

/** The metrics on the RabbitMQ binding, against the machine's broker. */
class RabbitMqMetricsTest extends MetricsContract {

  @Override
  TestBroker broker() {
    return TestBroker.rabbitMq();
  }
}
