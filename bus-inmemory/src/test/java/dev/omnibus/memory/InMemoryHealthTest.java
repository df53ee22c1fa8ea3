package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.Health;
import dev.omnibus.tck.HealthSuite;
import org.junit.jupiter.api.Test;

/**
 * The in-memory binding against the health kit: up until closed; and the simulated outage a service uses to test
 * its readiness wiring.
 */
class InMemoryHealthTest extends HealthSuite {

  private final InMemoryBroker broker = InMemoryBroker.create();

  @Override
  protected EventBus.Builder newBus() {
    return EventBus.builder().server(broker.server());
  }

  @Test
  void aSimulatedOutageMakesTheBusNotReadyWithTheReasonUntilItEnds() {
    EventBus bus = openBus("simulated");
    bus.subscribe(TEXT.channel("c"), "billing", event -> { });
    awaitReady(bus);

    broker.simulateOutage("Connection refused");

    Health down = bus.health();
    assertThat(down.ready()).isFalse();
    assertThat(down.transport().state()).isEqualTo(Health.State.RECONNECTING);
    assertThat(down.transport().lastError()).isEqualTo("Connection refused");
    assertThat(down.consumers()).singleElement().satisfies(consumer -> {
      assertThat(consumer.status().state()).isEqualTo(Health.State.STALLED);
      assertThat(consumer.status().lastError()).isEqualTo("Connection refused");
    });

    broker.endOutage();

    Health up = bus.health();
    assertThat(up.ready()).isTrue();
    assertThat(up.transport().since()).isAfterOrEqualTo(down.transport().since());
  }

  @Test
  void eventsFlowDuringASimulatedOutage() {
    EventBus bus = openBus("flowing");
    java.util.Set<String> delivered = java.util.concurrent.ConcurrentHashMap.newKeySet();
    bus.subscribe(TEXT.channel("c"), "billing", event -> delivered.add(event.data()));
    broker.simulateOutage("Connection refused");

    bus.publish(TEXT.channel("c").event("during").build()).toCompletableFuture().join();

    org.awaitility.Awaitility.await().atMost(WAIT).until(() -> delivered.contains("during"));
    assertThat(bus.health().ready()).isFalse();
  }
}
