package dev.omnibus.opentelemetry;

/** The tracing on the in-memory binding. */
class InMemoryTracingTest extends TracingContract {

  @Override
  TestBroker broker() {
    return TestBroker.memory();
  }
}
