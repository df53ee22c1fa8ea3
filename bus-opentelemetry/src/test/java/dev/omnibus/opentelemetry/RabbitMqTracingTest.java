package dev.omnibus.opentelemetry;

/** The tracing on the RabbitMQ binding, against the machine's broker. */
class RabbitMqTracingTest extends TracingContract {

  @Override
  TestBroker broker() {
    return TestBroker.rabbitMq();
  }
}
