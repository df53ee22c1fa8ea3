package dev.omnibus.micrometer;

/** The metrics on the Kafka binding, against a broker inside the test JVM. */
class KafkaMetricsTest extends MetricsContract {

  @Override
  TestBroker broker() {
    return TestBroker.kafka();
  }
}
