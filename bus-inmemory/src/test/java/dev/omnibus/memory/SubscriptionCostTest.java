package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Subscription;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Subscriptions cost threads only while they have work: idle ones keep none. */
class SubscriptionCostTest {

  private static int threads() {
    return ManagementFactory.getThreadMXBean().getThreadCount();
  }

  @Test
  void aThousandIdleSubscriptionsKeepNoThreadOfTheirOwn() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).concurrency(4).build()) {
      int before = threads();
      List<Subscription> subscriptions = new ArrayList<>();
      Set<String> handled = ConcurrentHashMap.newKeySet();
      for (int i = 0; i < 1_000; i++) {
        EventType<String> type = EventType.of("dev.omnibus.test.cost", String.class).channel("c" + i);
        subscriptions.add(bus.subscribe(type, "g", event -> handled.add(event.data())));
      }

      assertThat(threads() - before).as("threads made by 1,000 idle subscriptions").isLessThan(50);

      EventType<String> first = EventType.of("dev.omnibus.test.cost", String.class).channel("c0");
      bus.publish(first, "hello").toCompletableFuture().join();
      Awaitility.await().until(() -> handled.contains("hello"));
      assertThat(subscriptions).hasSize(1_000);
    }
  }
}
