package dev.omnibus.outbox;

import dev.omnibus.EventBus;
import dev.omnibus.memory.InMemoryBroker;

/** The outbox scenarios on the in-memory broker. */
class MemoryOutboxScenariosTest extends OutboxScenarios {

  private final InMemoryBroker broker = InMemoryBroker.create();

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(broker.server());
  }

  @Override
  protected String binding() {
    return "memory";
  }
}
