package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Health;
import dev.omnibus.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A member of a group takes the deliveries it was given in batches; when it leaves with a batch not yet handled, the
 * group's other members get those events, each key's events still in order and none lost.
 */
class MemberHandOverTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class).channel("notes");
  private static final int KEYS = 10;
  private static final int PER_KEY = 5;

  @Test
  void aMemberLeavingWithDeliveriesPendingHandsThemToTheOthersInOrderPerKey() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    List<String> handled = new CopyOnWriteArrayList<>();
    CountDownLatch blocked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (EventBus first = EventBus.builder().server(broker.server()).build();
        EventBus second = EventBus.builder().server(broker.server()).build()) {
      Subscription leaving = first.subscribe(NOTE, "g", event -> {
        handled.add(event.subject() + "/" + event.data());
        if (blocked.getCount() > 0) {
          // The first event holds this member while every key's next events are handed to it.
          blocked.countDown();
          release.await(10, TimeUnit.SECONDS);
        }
      });
      for (int n = 0; n < PER_KEY; n++) {
        for (int key = 0; key < KEYS; key++) {
          first.publish(NOTE.event(Integer.toString(n)).subject("k" + key).build()).toCompletableFuture().join();
        }
      }
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      List<String> byTheOther = new CopyOnWriteArrayList<>();
      second.subscribe(NOTE, "g", event -> {
        byTheOther.add(event.subject() + "/" + event.data());
        handled.add(event.subject() + "/" + event.data());
      });

      CompletableFuture<Void> closing = CompletableFuture.runAsync(leaving::close);
      Awaitility.await().atMost(WAIT).until(() -> consumerState(first) == Health.State.CLOSED);
      release.countDown();
      closing.get(20, TimeUnit.SECONDS);

      Awaitility.await().atMost(WAIT).until(() -> handled.size() >= KEYS * PER_KEY);
      assertThat(handled).hasSize(KEYS * PER_KEY);
      // Stopped while its handler was held, the leaving member handled nothing after that first event.
      assertThat(byTheOther).hasSize(KEYS * PER_KEY - 1);
      for (int key = 0; key < KEYS; key++) {
        List<String> expected = new ArrayList<>();
        for (int n = 0; n < PER_KEY; n++) {
          expected.add("k" + key + "/" + n);
        }
        String prefix = "k" + key + "/";
        assertThat(handled.stream().filter(entry -> entry.startsWith(prefix)).toList())
            .as("events of key k%d in the order handled", key).containsExactlyElementsOf(expected);
      }
    }
  }

  private static Health.State consumerState(EventBus bus) {
    return bus.health().consumers().stream()
        .filter(consumer -> consumer.channel().equals("notes"))
        .map(consumer -> consumer.status().state())
        .findFirst()
        .orElse(Health.State.CLOSED);
  }
}
