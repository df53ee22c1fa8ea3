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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Non-blocking retries as the bus does them, beyond what the conformance kit checks on every binding: what a retry
 * copy carries, and where the bus retries blocking instead (an anonymous subscription, a copy the broker did not
 * take). One consumer, one key, "first" failing once, then "second": a non-blocking retry of "first" waits on a timer
 * that lets it go only once "second" was handled (a blocking one could never get there), a blocking retry waits on a
 * timer that lets it go at once and keeps the order.
 */
class NonBlockingRetryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> TEXT = EventType.of("dev.omnibus.test.text", String.class)
      .channel("orders").subject(text -> "one-key");
  private static final RetryPolicy NON_BLOCKING = RetryPolicy.attempts(5).nonBlocking();

  private final InMemoryBroker broker = InMemoryBroker.create();
  private final List<EventBus> buses = new CopyOnWriteArrayList<>();
  private final List<Interceptor.Publishing> retries = new CopyOnWriteArrayList<>();
  private final List<String> order = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Void> secondHandled = new CompletableFuture<>();
  /** Records the retry copies the bus publishes. */
  private final Interceptor recorder = new Interceptor() {
    @Override
    public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
      if (publishing.kind() == Kind.RETRY) {
        retries.add(publishing);
      }
      return next.proceed(publishing);
    }
  };

  @AfterEach
  void close() {
    buses.forEach(EventBus::close);
  }

  /** A bus whose retries wait until "second" was handled. */
  private EventBus gatedBus(RetryPolicy retry, UnaryOperator<EventBus.Builder> more) {
    return bus(retry, builder -> more.apply(builder.backoff(delay -> secondHandled)));
  }

  /** A bus whose retries wait for nothing. */
  private EventBus immediateBus(RetryPolicy retry, UnaryOperator<EventBus.Builder> more) {
    return bus(retry, builder -> more.apply(builder.backoff(delay -> CompletableFuture.completedFuture(null))));
  }

  private EventBus bus(RetryPolicy retry, UnaryOperator<EventBus.Builder> more) {
    EventBus bus = more.apply(EventBus.builder().server(broker.server()).channel("orders", "orders.placed")
        .retry(retry).intercept(recorder)).build();
    buses.add(bus);
    return bus;
  }

  /** Subscribes a handler failing "first" once, publishes "first" then "second", and returns the handling order. */
  private List<String> handlingOrder(EventBus bus, @Nullable String group) {
    AtomicInteger firstCalls = new AtomicInteger();
    EventHandler<String> handler = event -> {
      if (event.data().equals("first") && firstCalls.incrementAndGet() == 1) {
        throw new IllegalStateException("fails once");
      }
      order.add(event.data());
      if (event.data().equals("second")) {
        secondHandled.complete(null);
      }
    };
    bus.subscribe(TEXT, group, handler);
    bus.publish(TEXT, "first").toCompletableFuture().join();
    bus.publish(TEXT, "second").toCompletableFuture().join();
    Awaitility.await().atMost(WAIT).until(() -> order.size() == 2);
    return order;
  }

  @Test
  void aGroupMovesOnAndHandlesTheRetryLater() {
    assertThat(handlingOrder(gatedBus(NON_BLOCKING, b -> b), "billing")).containsExactly("second", "first");
  }

  @Test
  void withConcurrencyARetryNoLongerHoldsItsKey() {
    assertThat(handlingOrder(gatedBus(NON_BLOCKING, b -> b.concurrency(4)), "billing"))
        .containsExactly("second", "first");
  }

  @Test
  void theDocumentCanAskForNonBlockingRetries(@TempDir Path dir) throws Exception {
    Path document = dir.resolve("asyncapi.yaml");
    Files.writeString(document, """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        servers:
          local: {host: %s, protocol: memory}
        channels:
          orders:
            address: orders.placed
        operations:
          consumeOrders:
            action: receive
            channel: {$ref: '#/channels/orders'}
            x-omnibus-retry-mode: non-blocking
        """.formatted(broker.name()));
    EventBus bus = EventBus.builder().asyncApi(document).environment(name -> null).backoff(delay -> secondHandled)
        .intercept(recorder).build();
    buses.add(bus);

    assertThat(handlingOrder(bus, "billing")).containsExactly("second", "first");
    assertThat(retries).singleElement().extracting(Interceptor.Publishing::address)
        .isEqualTo("orders.placed.billing.retry");
  }

  @Test
  void theDefaultRetryKeepsTheOrder() {
    assertThat(handlingOrder(immediateBus(NON_BLOCKING.blocking(), b -> b), "billing"))
        .containsExactly("first", "second");
    assertThat(retries).isEmpty();
  }

  @Test
  void withConcurrencyABlockingRetryHoldsItsKey() {
    assertThat(handlingOrder(immediateBus(NON_BLOCKING.blocking(), b -> b.concurrency(4)), "billing"))
        .containsExactly("first", "second");
    assertThat(retries).isEmpty();
  }

  @Test
  void aRetryCopyCarriesItsAttemptDueTimeAndGroupToTheGroupsRetryDestination() {
    handlingOrder(gatedBus(NON_BLOCKING, b -> b), "billing");

    assertThat(retries).singleElement().satisfies(retry -> {
      assertThat(retry.address()).isEqualTo("orders.placed.billing.retry");
      CloudEvent copy = retry.event();
      assertThat(copy.getExtension("retryattempt")).hasToString("2");
      assertThat(copy.getExtension("retrygroup")).hasToString("billing");
      assertThat(OffsetDateTime.parse(copy.getExtension("retrynotbefore").toString())).isNotNull();
    });
  }

  @Test
  void anAnonymousSubscriptionRetriesBlocking() {
    assertThat(handlingOrder(immediateBus(NON_BLOCKING, b -> b), null)).containsExactly("first", "second");
    assertThat(retries).isEmpty();
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

    assertThat(handlingOrder(immediateBus(NON_BLOCKING, b -> b.intercept(brokerRefusesRetries)), "billing"))
        .containsExactly("first", "second");
    assertThat(refused).hasValue(1);
  }
}
