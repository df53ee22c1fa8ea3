package dev.omnibus.micrometer;

/** The metrics on the in-memory binding. */
class InMemoryMetricsTest extends MetricsContract {

  @Override
  TestBroker broker() {
    return TestBroker.memory();
  }
}
