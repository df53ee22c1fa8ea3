package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.Interceptor.Outcome;
import dev.omnibus.Interceptor.Reason;
import dev.omnibus.Interceptor.Result;
import dev.omnibus.RetryPolicy;
import dev.omnibus.ValidationException;
import dev.omnibus.envelope.WireMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What the chain is told beyond publish and handling (issue 15): the server and address of each publish and handling,
 * and the outcome of every delivery, which metrics and tracing read.
 */
class InterceptorOutcomeTest {

  record Order(String id) {}

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<Order> PLACED = EventType.of("com.example.order.placed", Order.class)
      .channel("orders").subject(Order::id);
  private static final EventType<Order> PAID = EventType.of("com.example.order.paid", Order.class)
      .channel("orders").subject(Order::id);

  private final InMemoryBroker broker = InMemoryBroker.create();
  private final List<Outcome> outcomes = new CopyOnWriteArrayList<>();
  private final List<String> seen = new CopyOnWriteArrayList<>();
  private final Interceptor recorder = new Interceptor() {
    @Override
    public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
      seen.add("publish " + publishing.kind() + " " + publishing.server().protocol() + " "
          + Thread.currentThread().getName());
      return next.proceed(publishing);
    }

    @Override
    public void aroundHandle(Handling handling, HandleChain next) throws Exception {
      seen.add("handle " + handling.server().protocol() + " " + handling.address());
      next.proceed(handling);
    }

    @Override
    public void onOutcome(Outcome outcome) {
      seen.add("outcome " + outcome.result() + " " + Thread.currentThread().getName());
      outcomes.add(outcome);
    }
  };

  private EventBus.Builder bus() {
    return EventBus.builder().server(broker.server()).channel("orders", "orders.placed").intercept(recorder);
  }

  private Outcome awaitOutcome(int count) {
    Awaitility.await().atMost(WAIT).until(() -> outcomes.size() >= count);
    return outcomes.get(count - 1);
  }

  @Test
  void aHandledEventIsToldWithItsChannelGroupServerAndAttempt() {
    try (EventBus bus = bus().build()) {
      bus.subscribe(PLACED, "billing", event -> { });
      bus.publish(PLACED, new Order("o-1")).toCompletableFuture().join();
      Outcome outcome = awaitOutcome(1);
      assertThat(outcome.result()).isEqualTo(Result.HANDLED);
      assertThat(outcome.channel()).isEqualTo("orders");
      assertThat(outcome.group()).isEqualTo("billing");
      assertThat(outcome.server().protocol()).isEqualTo("memory");
      assertThat(outcome.attempt()).isEqualTo(1);
      assertThat(outcome.event()).isNotNull();
      assertThat(outcome.reason()).isNull();
      assertThat(outcome.error()).isNull();
    }
  }

  @Test
  void publishAndHandlingCarryTheServerAndTheHandlingItsAddress() {
    try (EventBus bus = bus().build()) {
      bus.subscribe(PLACED, "billing", event -> { });
      bus.publish(PLACED, new Order("o-1")).toCompletableFuture().join();
      awaitOutcome(1);
    }
    assertThat(seen.get(0)).startsWith("publish EVENT memory");
    assertThat(seen.get(1)).isEqualTo("handle memory orders.placed");
  }

  @Test
  void anEventTheDedupeStoreKnowsIsToldAsADuplicateNotAsHandled() {
    AtomicInteger handled = new AtomicInteger();
    try (EventBus bus = bus().dedupe(Duration.ofMinutes(1)).build()) {
      bus.subscribe(PLACED, "billing", event -> handled.incrementAndGet());
      Event<Order> event = PLACED.event(new Order("o-1")).id("same-id").build();
      bus.publish(event).toCompletableFuture().join();
      awaitOutcome(1);
      bus.publish(event).toCompletableFuture().join();
      assertThat(awaitOutcome(2).result()).isEqualTo(Result.DUPLICATE);
    }
    assertThat(outcomes.get(0).result()).isEqualTo(Result.HANDLED);
    assertThat(handled).hasValue(1);
  }

  @Test
  void aFailingHandlerIsToldRetriedThenDeadLetteredAsExhausted() {
    try (EventBus bus = bus().retry(RetryPolicy.attempts(2).backoff(Duration.ofMillis(1), Duration.ofMillis(1), 1))
        .build()) {
      bus.subscribe(PLACED, "billing", event -> {
        throw new IllegalStateException("boom");
      });
      bus.publish(PLACED, new Order("o-1")).toCompletableFuture().join();
      Outcome last = awaitOutcome(2);
      assertThat(outcomes.get(0).result()).isEqualTo(Result.RETRIED);
      assertThat(outcomes.get(0).handlerFailed()).isTrue();
      assertThat(outcomes.get(0).error()).hasMessage("boom");
      assertThat(last.result()).isEqualTo(Result.DEAD_LETTERED);
      assertThat(last.reason()).isEqualTo(Reason.EXHAUSTED);
      assertThat(last.attempt()).isEqualTo(2);
      assertThat(last.handlerFailed()).isTrue();
    }
  }

  @Test
  void aDeadLetterIsPublishedThroughTheChainOnTheConsumerThreadBeforeItsOutcomeIsTold() {
    try (EventBus bus = bus().maxAttempts(1).build()) {
      bus.subscribe(PLACED, "billing", event -> {
        throw new IllegalStateException("boom");
      });
      bus.publish(PLACED, new Order("o-1")).toCompletableFuture().join();
      awaitOutcome(1);
    }
    String deadLetter = seen.stream().filter(line -> line.startsWith("publish DEAD_LETTER")).findFirst().orElseThrow();
    String outcome = seen.stream().filter(line -> line.startsWith("outcome")).findFirst().orElseThrow();
    assertThat(seen.indexOf(deadLetter)).isLessThan(seen.indexOf(outcome));
    String thread = deadLetter.substring(deadLetter.lastIndexOf(' ') + 1);
    assertThat(outcome).isEqualTo("outcome DEAD_LETTERED " + thread);
  }

  @Test
  void aRefusalByAnInterceptorIsToldWithItsReason() {
    Interceptor validation = new Interceptor() {
      @Override
      public void aroundHandle(Handling handling, HandleChain next) {
        throw ValidationException.received(handling.event().getType(), handling.channel(),
            List.of(new ValidationException.Violation("/id", "too short")));
      }
    };
    try (EventBus bus = bus().intercept(validation).build()) {
      bus.subscribe(PLACED, "billing", event -> { });
      bus.publish(PLACED, new Order("o-1")).toCompletableFuture().join();
      Outcome outcome = awaitOutcome(1);
      assertThat(outcome.result()).isEqualTo(Result.DEAD_LETTERED);
      assertThat(outcome.reason()).isEqualTo(Reason.INVALID);
      assertThat(outcome.handlerFailed()).isFalse();
      assertThat(outcome.error()).isInstanceOf(ValidationException.class);
    }
  }

  @Test
  void anUndecodablePayloadIsToldAsUndecodable() {
    EventType<String> text = EventType.of("com.example.order.placed", String.class).channel("orders");
    try (EventBus bus = bus().build()) {
      bus.subscribe(PLACED, "billing", event -> { });
      bus.publish(text, "not an order").toCompletableFuture().join();
      assertThat(awaitOutcome(1).reason()).isEqualTo(Reason.UNDECODABLE);
    }
  }

  @Test
  void aMessageThatIsNotACloudEventIsToldAsMalformedWithoutAnEvent() {
    try (EventBus bus = bus().build()) {
      bus.subscribe(PLACED, "billing", event -> { });
      broker.inject("orders.placed", new WireMessage(Map.of(), "text/plain",
          "hello".getBytes(StandardCharsets.UTF_8), null));
      Outcome outcome = awaitOutcome(1);
      assertThat(outcome.result()).isEqualTo(Result.DEAD_LETTERED);
      assertThat(outcome.reason()).isEqualTo(Reason.MALFORMED);
      assertThat(outcome.event()).isNull();
    }
  }

  @Test
  void anEventNoHandlerOfTheConsumerTakesIsToldAsSkipped() {
    try (EventBus bus = bus().build()) {
      bus.subscribe(PLACED, "billing", event -> { });
      bus.publish(PAID, new Order("o-1")).toCompletableFuture().join();
      assertThat(awaitOutcome(1).result()).isEqualTo(Result.SKIPPED);
    }
  }

  @Test
  void anErrorEscapingTheHandlerIsToldAsRequeuedAndTheEventComesAgain() {
    AtomicInteger calls = new AtomicInteger();
    try (EventBus bus = bus().build()) {
      bus.subscribe(PLACED, "billing", event -> {
        if (calls.incrementAndGet() == 1) {
          throw new AssertionError("an Error, not an Exception");
        }
      });
      bus.publish(PLACED, new Order("o-1")).toCompletableFuture().join();
      assertThat(awaitOutcome(2).result()).isEqualTo(Result.HANDLED);
    }
    assertThat(outcomes.get(0).result()).isEqualTo(Result.REQUEUED);
    assertThat(outcomes.get(0).error()).isInstanceOf(AssertionError.class);
  }

  @Test
  void anInterceptorFailingOnTheOutcomeChangesNothing() {
    Interceptor broken = new Interceptor() {
      @Override
      public void onOutcome(Outcome outcome) {
        throw new IllegalStateException("metrics backend down");
      }
    };
    AtomicInteger handled = new AtomicInteger();
    String deadLetters;
    try (EventBus bus = EventBus.builder().server(broker.server()).channel("orders", "orders.placed")
        .intercept(broken).intercept(recorder).build()) {
      deadLetters = bus.deadLetterAddress("orders", "billing");
      bus.subscribe(PLACED, "billing", event -> handled.incrementAndGet());
      bus.publish(PLACED, new Order("o-1")).toCompletableFuture().join();
      assertThat(awaitOutcome(1).result()).isEqualTo(Result.HANDLED);
    }
    assertThat(handled).hasValue(1);
    assertThat(broker.published(deadLetters)).isEmpty();
  }
}
