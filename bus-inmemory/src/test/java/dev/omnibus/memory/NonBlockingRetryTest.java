package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventHandler;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.PublishException;
import dev.omnibus.RetryPolicy;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Non-blocking retries as the bus does them, beyond what the conformance kit checks on every binding: what a retry
 * copy carries on the wire, and where the bus retries blocking instead (an anonymous subscription, a copy the broker
 * did not take). Order tells the two modes apart: one consumer, one key, the first event failing once; blocking
 * handles it before the second, non-blocking after.
 */
class NonBlockingRetryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> TEXT = EventType.of("dev.omnibus.test.text", String.class)
      .channel("orders").subject(text -> "one-key");
  private static final RetryPolicy NON_BLOCKING = RetryPolicy.attempts(5)
      .backoff(Duration.ofMillis(1), Duration.ofMillis(5), 2.0).nonBlocking();

  private final InMemoryBroker broker = InMemoryBroker.create();
  private final List<EventBus> buses = new CopyOnWriteArrayList<>();
  private final List<Interceptor.Publishing> published = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    buses.forEach(EventBus::close);
  }

  private EventBus bus(RetryPolicy retry, Interceptor... interceptors) {
    EventBus.Builder builder = EventBus.builder().server(broker.server()).channel("orders", "orders.placed")
        .retry(retry);
    for (Interceptor interceptor : interceptors) {
      builder.intercept(interceptor);
    }
    EventBus bus = builder.build();
    buses.add(bus);
    return bus;
  }

  /** Subscribes a handler failing "first" once, publishes "first" then "second", and returns the handling order. */
  private static List<String> handlingOrder(EventBus bus, @Nullable String group) {
    List<String> order = new CopyOnWriteArrayList<>();
    AtomicInteger firstCalls = new AtomicInteger();
    EventHandler<String> handler = event -> {
      if (event.data().equals("first") && firstCalls.incrementAndGet() == 1) {
        throw new IllegalStateException("fails once");
      }
      order.add(event.data());
    };
    if (group == null) {
      bus.subscribe(TEXT, handler);
    } else {
      bus.subscribe(TEXT, group, handler);
    }
    bus.publish(TEXT, "first").toCompletableFuture().join();
    bus.publish(TEXT, "second").toCompletableFuture().join();
    Awaitility.await().atMost(WAIT).until(() -> order.size() == 2);
    return order;
  }

  @Test
  void aGroupMovesOnAndHandlesTheRetryLater() {
    assertThat(handlingOrder(bus(NON_BLOCKING), "billing")).containsExactly("second", "first");
  }

  @Test
  void withConcurrencyARetryNoLongerHoldsItsKey() {
    EventBus bus = EventBus.builder().server(broker.server()).channel("orders", "orders.placed").retry(NON_BLOCKING)
        .concurrency(4).build();
    buses.add(bus);
    assertThat(handlingOrder(bus, "billing")).containsExactly("second", "first");
  }

  @Test
  void withConcurrencyABlockingRetryHoldsItsKey() {
    EventBus bus = EventBus.builder().server(broker.server()).channel("orders", "orders.placed")
        .retry(NON_BLOCKING.blocking()).concurrency(4).build();
    buses.add(bus);
    assertThat(handlingOrder(bus, "billing")).containsExactly("first", "second");
  }

  @Test
  void theDefaultRetryKeepsTheOrder() {
    assertThat(handlingOrder(bus(NON_BLOCKING.blocking()), "billing")).containsExactly("first", "second");
  }

  @Test
  void aRetryCopyCarriesItsAttemptDueTimeAndGroupToTheGroupsRetryDestination() {
    Interceptor recorder = new Interceptor() {
      @Override
      public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
        if (publishing.kind() == Kind.RETRY) {
          published.add(publishing);
        }
        return next.proceed(publishing);
      }
    };
    EventBus bus = bus(NON_BLOCKING, recorder);

    handlingOrder(bus, "billing");

    assertThat(published).singleElement().satisfies(retry -> {
      assertThat(retry.address()).isEqualTo("orders.placed.billing.retry");
      CloudEvent copy = retry.event();
      assertThat(copy.getExtension("retryattempt")).hasToString("2");
      assertThat(copy.getExtension("retrygroup")).hasToString("billing");
      assertThat(java.time.OffsetDateTime.parse(copy.getExtension("retrynotbefore").toString())).isNotNull();
    });
  }

  @Test
  void anAnonymousSubscriptionRetriesBlocking() {
    assertThat(handlingOrder(bus(NON_BLOCKING), null)).containsExactly("first", "second");
  }

  @Test
  void aRetryCopyTheBrokerDidNotTakeIsRetriedBlockingSoNothingIsLost() {
    AtomicInteger refused = new AtomicInteger();
    Interceptor brokerRefusesRetries = new Interceptor() {
      @Override
      public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
        if (publishing.kind() == Kind.RETRY) {
          refused.incrementAndGet();
          return CompletableFuture.failedFuture(PublishException.of(publishing.channel(), "memory", "refused"));
        }
        return next.proceed(publishing);
      }
    };

    assertThat(handlingOrder(bus(NON_BLOCKING, brokerRefusesRetries), "billing")).containsExactly("first", "second");
    assertThat(refused).hasValue(1);
  }
}
