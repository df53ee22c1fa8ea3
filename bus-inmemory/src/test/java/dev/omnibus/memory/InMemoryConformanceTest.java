package dev.omnibus.memory;

import dev.omnibus.EventBus;
import dev.omnibus.tck.TransportConformanceSuite;

/** The in-memory binding against the conformance kit, each scenario on a broker of its own. */
class InMemoryConformanceTest extends TransportConformanceSuite {

  private final InMemoryBroker broker = InMemoryBroker.create();

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(broker.server());
  }
}
