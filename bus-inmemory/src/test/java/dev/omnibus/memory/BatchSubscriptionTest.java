package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.Interceptor.Outcome;
import dev.omnibus.Interceptor.Result;
import dev.omnibus.RetryPolicy;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportProvider;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Batch handlers: bounds of a batch, the outcome of each event, dedupe, and a close in the middle of batches. */
class BatchSubscriptionTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class).channel("notes");
  private static final RetryPolicy FAST = RetryPolicy.attempts(3).backoff(Duration.ZERO, Duration.ZERO, 1.0);

  private static void publish(EventBus bus, int count) {
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sent.add(bus.publish(NOTE, "n" + i).toCompletableFuture());
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
  }

  @Test
  void noBatchHoldsMoreThanItsSizeAndEveryEventArrivesOnceInPublishOrder() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
      List<Integer> sizes = new CopyOnWriteArrayList<>();
      List<String> seen = new CopyOnWriteArrayList<>();
      CountDownLatch release = new CountDownLatch(1);
      bus.subscribeBatch(NOTE, "g", 10, Duration.ofMillis(200), batch -> {
        // The first batch waits until every event was published, so the ones behind it fill whole batches.
        release.await(20, TimeUnit.SECONDS);
        sizes.add(batch.events().size());
        batch.events().forEach(event -> seen.add(event.data()));
      });
      publish(bus, 95);
      release.countDown();

      Awaitility.await().atMost(WAIT).until(() -> seen.size() >= 95);
      assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween(1, 10));
      assertThat(sizes).as("full batches while events wait").contains(10);
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 95; i++) {
        expected.add("n" + i);
      }
      assertThat(seen).containsExactlyElementsOf(expected);
    }
  }

  @Test
  void aBatchThatDoesNotFillIsHandedOutOnceItsWaitPassed() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
      List<List<String>> batches = new CopyOnWriteArrayList<>();
      bus.subscribeBatch(NOTE, "g", 100, Duration.ofMillis(50), batch ->
          batches.add(batch.events().stream().map(Event::data).toList()));
      publish(bus, 3);

      Awaitility.await().atMost(WAIT).until(() -> batches.stream().mapToInt(List::size).sum() == 3);
      assertThat(batches).allSatisfy(batch -> assertThat(batch).hasSizeLessThan(100));
    }
  }

  @Test
  void aFailedEventIsRetriedAloneThenDeadLetteredWhileTheOthersAreAcknowledged() {
    InMemoryBroker broker = InMemoryBroker.create();
    List<Outcome> outcomes = new CopyOnWriteArrayList<>();
    try (EventBus bus = EventBus.builder().server(broker.server()).retry(FAST)
        .intercept(new Interceptor() {
          @Override
          public void onOutcome(Outcome outcome) {
            outcomes.add(outcome);
          }
        }).build()) {
      List<List<String>> batches = new CopyOnWriteArrayList<>();
      CountDownLatch release = new CountDownLatch(1);
      bus.subscribeBatch(NOTE, "g", 5, Duration.ofSeconds(30), batch -> {
        release.await(20, TimeUnit.SECONDS);
        batches.add(batch.events().stream().map(Event::data).toList());
        for (Event<String> event : batch.events()) {
          if (event.data().equals("n2")) {
            batch.fail(event, new IllegalStateException("n2 is bad"));
          }
        }
      });
      publish(bus, 5);
      release.countDown();

      CloudEvent deadLetter = broker.awaitPublished("notes.dlq", 1, WAIT).get(0);
      assertThat(new String(deadLetter.getData().toBytes())).contains("n2");
      assertThat(deadLetter.getExtension("dlqattempts")).hasToString("3");
      assertThat(String.valueOf(deadLetter.getExtension("dlqerror"))).contains("n2 is bad");
      Awaitility.await().atMost(WAIT).until(() -> outcomes.size() >= 7);
      assertThat(batches).as("the first batch, then n2 alone twice").endsWith(List.of("n2"), List.of("n2"));
      assertThat(outcomes).filteredOn(o -> o.result() == Result.HANDLED).hasSize(4);
      assertThat(outcomes).filteredOn(o -> o.result() == Result.RETRIED).hasSize(2)
          .allSatisfy(o -> assertThat(o.event().getData().toBytes()).asString().isEqualTo("n2"));
      assertThat(outcomes).filteredOn(o -> o.result() == Result.DEAD_LETTERED).singleElement()
          .satisfies(o -> assertThat(o.reason()).isEqualTo(Interceptor.Reason.EXHAUSTED));
      assertThat(broker.published("notes.dlq")).hasSize(1);
    }
  }

  @Test
  void aHandlerThatThrowsFailsEveryEventOfItsBatchOnce() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).retry(FAST).build()) {
      List<List<String>> batches = new CopyOnWriteArrayList<>();
      CountDownLatch release = new CountDownLatch(1);
      AtomicInteger calls = new AtomicInteger();
      bus.subscribeBatch(NOTE, "g", 3, Duration.ofSeconds(30), batch -> {
        release.await(20, TimeUnit.SECONDS);
        batches.add(batch.events().stream().map(Event::data).toList());
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("the database is down");
        }
      });
      publish(bus, 3);
      release.countDown();

      Awaitility.await().atMost(WAIT).until(() -> batches.size() >= 4);
      assertThat(batches).containsExactly(List.of("n0", "n1", "n2"), List.of("n0"), List.of("n1"), List.of("n2"));
      assertThat(broker.published("notes.dlq")).isEmpty();
    }
  }

  @Test
  void theDedupeSkipsDuplicatesAcrossAndWithinBatches() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).dedupe(Duration.ofMinutes(1)).build()) {
      List<String> seen = Collections.synchronizedList(new ArrayList<>());
      CountDownLatch release = new CountDownLatch(1);
      bus.subscribeBatch(NOTE, "g", 10, Duration.ofMillis(200), batch -> {
        release.await(20, TimeUnit.SECONDS);
        batch.events().forEach(event -> seen.add(event.id()));
      });
      URI source = URI.create("/test");
      for (String id : List.of("a", "b", "a", "c", "b")) {
        bus.publish(NOTE.event("x").id(id).source(source).build()).toCompletableFuture().join();
      }
      release.countDown();
      Awaitility.await().atMost(WAIT).until(() -> seen.size() >= 3);
      bus.publish(NOTE.event("x").id("a").source(source).build()).toCompletableFuture().join();
      bus.publish(NOTE.event("x").id("d").source(source).build()).toCompletableFuture().join();

      Awaitility.await().atMost(WAIT).until(() -> seen.contains("d"));
      assertThat(seen).containsExactly("a", "b", "c", "d");
    }
  }

  @Test
  void closingInTheMiddleOfBatchesLosesNoEvent() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    Map<String, Integer> handled = new ConcurrentHashMap<>();
    CountDownLatch inside = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    EventBus first = EventBus.builder().server(broker.server()).build();
    first.subscribeBatch(NOTE, "g", 4, Duration.ofSeconds(30), batch -> {
      inside.countDown();
      release.await(20, TimeUnit.SECONDS);
      batch.events().forEach(event -> handled.merge(event.data(), 1, Integer::sum));
    });
    publish(first, 20);
    assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();
    // The first batch is being handled while others wait collected: close while it runs, then let it finish.
    Thread closing = closeWhileTheBatchRuns(first::close);
    release.countDown();
    closing.join(20_000);
    assertThat(closing.isAlive()).isFalse();
    assertThat(handled).as("the batch under way finished").hasSize(4);

    try (EventBus second = EventBus.builder().server(broker.server()).build()) {
      second.subscribeBatch(NOTE, "g", 4, Duration.ofMillis(20), batch ->
          batch.events().forEach(event -> handled.merge(event.data(), 1, Integer::sum)));
      Awaitility.await().atMost(WAIT).until(() -> handled.size() == 20);
    }
    assertThat(handled.keySet()).hasSize(20);
  }

  @Test
  void closingTheBatchSubscriptionAloneHandsItsCollectedEventsBackWithoutLosingAny() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create();
    EventType<String> other = EventType.of("com.example.other", String.class).channel("notes");
    try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
      bus.subscribe(other, "g", event -> {});
      List<String> handled = new CopyOnWriteArrayList<>();
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      dev.omnibus.Subscription batches = bus.subscribeBatch(NOTE, "g", 4, Duration.ofSeconds(30), batch -> {
        inside.countDown();
        release.await(20, TimeUnit.SECONDS);
        batch.events().forEach(event -> handled.add(event.data()));
      });
      publish(bus, 12);
      assertThat(inside.await(20, TimeUnit.SECONDS)).isTrue();

      Thread closing = closeWhileTheBatchRuns(batches::close);
      release.countDown();
      closing.join(20_000);
      assertThat(closing.isAlive()).isFalse();

      // The batch under way finished; the rest came back and, its handler gone from a group that stays, went to
      // dead letters (from where replay() brings them back), as a plain handler's events would.
      Awaitility.await().atMost(WAIT).until(() ->
          handled.size() + broker.published("notes.dlq").size() >= 12);
      assertThat(handled).hasSize(4);
      List<String> all = new ArrayList<>(handled);
      broker.published("notes.dlq").forEach(deadLetter -> all.add(new String(deadLetter.getData().toBytes())));
      assertThat(all).hasSize(12).doesNotHaveDuplicates();
      assertThat(broker.published("notes.dlq")).allSatisfy(deadLetter ->
          assertThat(deadLetter.getExtension("dlqreason").toString()).startsWith("no handler left"));
    }
  }

  @Test
  void anEventCannotBeFailedAfterTheHandlerReturned() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
      List<dev.omnibus.BatchHandler.Batch<String>> kept = new CopyOnWriteArrayList<>();
      bus.subscribeBatch(NOTE, "g", 10, Duration.ZERO, kept::add);
      publish(bus, 1);
      Awaitility.await().atMost(WAIT).until(() -> !kept.isEmpty());

      dev.omnibus.BatchHandler.Batch<String> batch = kept.get(0);
      assertThatThrownBy(() -> batch.fail(batch.events().get(0), new IllegalStateException("late")))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("returned already");
    }
  }

  /**
   * Starts closing on a thread of its own and returns once that thread waits for the batch under way to finish
   * (closing marks the collector stopped before it waits, so no later batch starts).
   */
  private static Thread closeWhileTheBatchRuns(Runnable close) {
    Thread closing = new Thread(close, "closing");
    closing.start();
    Awaitility.await().atMost(WAIT).until(() -> closing.getState() == Thread.State.TIMED_WAITING
        && java.util.Arrays.stream(closing.getStackTrace()).anyMatch(frame -> frame.getMethodName().equals("join")));
    return closing;
  }

  @Test
  void oneHandlerPerTypeAndGroupAndSizesInRange() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
      bus.subscribe(NOTE, "g", event -> {});
      assertThatThrownBy(() -> bus.subscribeBatch(NOTE, "g", 10, Duration.ofMillis(10), batch -> {}))
          .isInstanceOf(ConfigurationException.class).hasMessageContaining("already has a handler");
      assertThatIllegalArgumentException().isThrownBy(() ->
          bus.subscribeBatch(NOTE, "h", 0, Duration.ofMillis(10), batch -> {}));
      assertThatIllegalArgumentException().isThrownBy(() ->
          bus.subscribeBatch(NOTE, "h", 10, Duration.ofMillis(-1), batch -> {}));
    }
  }

  @Test
  void anEventFromAnotherBatchCannotBeFailed() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
      List<Throwable> refused = new CopyOnWriteArrayList<>();
      bus.subscribeBatch(NOTE, "g", 10, Duration.ZERO, batch -> {
        try {
          batch.fail(NOTE.event("stranger").build(), new IllegalStateException("no"));
        } catch (IllegalArgumentException e) {
          refused.add(e);
        }
      });
      publish(bus, 1);
      Awaitility.await().atMost(WAIT).until(() -> !refused.isEmpty());
      assertThat(broker.published("notes.dlq")).isEmpty();
    }
  }

  @Test
  void anEventAnInterceptorRefusesIsDeadLetteredAndNeverReachesABatch() {
    InMemoryBroker broker = InMemoryBroker.create();
    List<String> admitted = new CopyOnWriteArrayList<>();
    Interceptor refuseBad = new Interceptor() {
      @Override
      public void aroundHandle(Interceptor.Handling handling, HandleChain next) throws Exception {
        admitted.add(new String(handling.event().getData().toBytes()));
        if (new String(handling.event().getData().toBytes()).equals("n1")) {
          throw new IllegalArgumentException("n1 is refused");
        }
        next.proceed(handling);
      }
    };
    try (EventBus bus = EventBus.builder().server(broker.server()).intercept(refuseBad).build()) {
      List<String> seen = new CopyOnWriteArrayList<>();
      bus.subscribeBatch(NOTE, "g", 10, Duration.ofMillis(50), batch ->
          batch.events().forEach(event -> seen.add(event.data())));
      publish(bus, 3);

      CloudEvent deadLetter = broker.awaitPublished("notes.dlq", 1, WAIT).get(0);
      Awaitility.await().atMost(WAIT).until(() -> seen.size() >= 2);
      assertThat(new String(deadLetter.getData().toBytes())).isEqualTo("n1");
      assertThat(deadLetter.getExtension("dlqreason").toString()).startsWith("refused before handling");
      assertThat(seen).containsExactly("n0", "n2");
      assertThat(admitted).as("each event passed the chain on its own").containsExactly("n0", "n1", "n2");
    }
  }

  @Test
  void aBindingThatCannotSettleLaterGetsBatchesOfOne() {
    InMemoryBroker broker = InMemoryBroker.create();
    TransportProvider inOrderOnly = new TransportProvider() {
      @Override
      public Set<String> protocols() {
        return Set.of("memory");
      }

      @Override
      public Transport open(ServerConfig server) {
        return new SettlesInOrder(new InMemoryTransportProvider().open(server));
      }
    };
    try (EventBus bus = EventBus.builder().server(broker.server()).transport(inOrderOnly).build()) {
      assertThat(bus.capabilities("notes").supports(Feature.CONCURRENT_SETTLE)).isFalse();
      List<Integer> sizes = new CopyOnWriteArrayList<>();
      List<String> seen = new CopyOnWriteArrayList<>();
      bus.subscribeBatch(NOTE, "g", 10, Duration.ofSeconds(30), batch -> {
        sizes.add(batch.events().size());
        batch.events().forEach(event -> seen.add(event.data()));
      });
      publish(bus, 5);

      Awaitility.await().atMost(WAIT).until(() -> seen.size() >= 5);
      assertThat(sizes).containsOnly(1);
      assertThat(seen).containsExactly("n0", "n1", "n2", "n3", "n4");
    }
  }

  /** The in-memory transport, saying it cannot settle deliveries out of order. */
  private record SettlesInOrder(Transport delegate) implements ForwardingTransport {
    @Override
    public TransportCapabilities capabilities() {
      TransportCapabilities all = delegate.capabilities();
      Set<Feature> features = EnumSet.noneOf(Feature.class);
      features.addAll(all.features());
      features.remove(Feature.CONCURRENT_SETTLE);
      return new TransportCapabilities(all.convention(), features, all.maxMessageBytes(), all.publishConfirmation());
    }
  }
}
