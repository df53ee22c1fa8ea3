package dev.omnibus.test;

import static dev.omnibus.test.KitEvents.PAID;
import static dev.omnibus.test.KitEvents.PLACED;
import static dev.omnibus.test.OmnibusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.omnibus.EventBus;
import dev.omnibus.Interceptor;
import dev.omnibus.PublishException;
import dev.omnibus.RetryPolicy;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.test.BusRecorder.DeadLetter;
import dev.omnibus.test.BusRecorder.Failure;
import dev.omnibus.test.KitEvents.Paid;
import dev.omnibus.test.KitEvents.Placed;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the recorder records and how the typed assertions read it, on a bus from the fixture document. */
class BusAssertionsTest {

  /** Refuses the publish of one order id, as a broker that does not confirm would. */
  private static final Interceptor REFUSE_ORDER_X = new Interceptor() {
    @Override
    public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
      if ("x".equals(publishing.event().getSubject())) {
        return CompletableFuture.failedFuture(PublishException.of(publishing.channel(), "memory", "refused for the test"));
      }
      return next.proceed(publishing);
    }
  };

  @RegisterExtension
  final OmnibusExtension omnibus = OmnibusExtension.builder()
      .asyncApi("kit-orders.yaml")
      .source(URI.create("/billing"))
      .register(PLACED, PAID)
      .configure(bus -> bus
          .retry(RetryPolicy.attempts(3).backoff(Duration.ZERO, Duration.ZERO, 1.0))
          .intercept(REFUSE_ORDER_X))
      .build();

  @Test
  void publishedGivesTheTypedPayloadsInOrder(EventBus bus, BusRecorder events) {
    join(bus.publish(PLACED, new Placed("o-1", 100)));
    join(bus.publish(PAID, new Paid("o-1")));
    join(bus.publish(PLACED, new Placed("o-2", 200)));

    assertThat(events).published(PLACED).containsExactly(new Placed("o-1", 100), new Placed("o-2", 200));
    assertThat(events).published(PAID).singleElement().isEqualTo(new Paid("o-1"));
  }

  @Test
  void publishedEventsAreTheCloudEventsAsSent(EventBus bus, BusRecorder events) {
    join(bus.publish(PLACED, new Placed("o-1", 100)));

    assertThat(events).publishedEvents(PLACED).singleElement().satisfies(event -> {
      assertThat(event.getSubject()).isEqualTo("o-1");
      assertThat(event.getSource()).isEqualTo(URI.create("/billing"));
      assertThat(event.getDataContentType()).isEqualTo("application/json");
    });
  }

  @Test
  void aPublishIsRecordedBeforeItsStageCompletes(EventBus bus, BusRecorder events) {
    Placed order = new Placed("o-1", 100);

    CompletableFuture<Void> sent = bus.publish(PLACED, order).toCompletableFuture();

    assertThat(sent.thenApply(ignored -> events.published(PLACED)))
        .succeedsWithin(Duration.ofSeconds(10))
        .isEqualTo(List.of(order));
  }

  @Test
  void aRefusedPublishFailsWithTheBusExceptionAndIsNotRecorded(EventBus bus, BusRecorder events) {
    CompletableFuture<Void> refused = bus.publish(PLACED, new Placed("x", 1)).toCompletableFuture();

    assertThat(refused.handle((ignored, error) -> error)).succeedsWithin(Duration.ofSeconds(10))
        .isInstanceOf(PublishException.class);
    assertThat(events).published(PLACED).isEmpty();
  }

  @Test
  void consumedGivesWhatHandlersReturnedFrom(EventBus bus, BusRecorder events) {
    bus.subscribe(PLACED, "billing", event -> bus.publish(PAID, new Paid(event.data().orderId()))
        .toCompletableFuture().get(10, TimeUnit.SECONDS));

    join(bus.publish(PLACED, new Placed("o-1", 100)));

    assertThat(events).awaitConsumed(PLACED, 1).containsExactly(new Placed("o-1", 100));
    assertThat(events).awaitPublished(PAID, 1).containsExactly(new Paid("o-1"));
  }

  @Test
  void failedGivesEachAttemptWhoseHandlerThrewWithItsError(EventBus bus, BusRecorder events) {
    AtomicInteger calls = new AtomicInteger();
    bus.subscribe(PLACED, "billing", event -> {
      if (calls.incrementAndGet() < 3) {
        throw new IllegalStateException("payment provider down");
      }
    });

    join(bus.publish(PLACED, new Placed("o-1", 100)));

    assertThat(events).awaitConsumed(PLACED, 1).containsExactly(new Placed("o-1", 100));
    assertThat(events).failed(PLACED)
        .extracting(Failure::attempt, failure -> failure.error().getMessage(), Failure::group)
        .containsExactly(tuple(1, "payment provider down", "billing"), tuple(2, "payment provider down", "billing"));
  }

  @Test
  void deadLetteredGivesTheReasonAndAttemptsOfWhatWentToDeadLetters(EventBus bus, BusRecorder events) {
    bus.subscribe(PLACED, "billing", event -> {
      throw new IllegalStateException("card declined");
    });

    join(bus.publish(PLACED, new Placed("o-1", 100)));

    assertThat(events).awaitDeadLettered(PLACED, 1).singleElement().satisfies(letter -> {
      assertThat(letter.data()).isEqualTo(new Placed("o-1", 100));
      assertThat(letter.reason()).isEqualTo("handler failed 3 times");
      assertThat(letter.attempts()).isEqualTo(3);
      assertThat(letter.channel()).isEqualTo("orders");
      assertThat(letter.group()).isEqualTo("billing");
    });
    assertThat(events).failed(PLACED).hasSize(3);
  }

  @Test
  void anInvalidPayloadIsDeadLetteredAtOnceWithTheValidationReason(InMemoryBroker broker, BusRecorder events,
      EventBus bus) {
    bus.subscribe(PLACED, "billing", event -> { });

    broker.inject("kit.orders", CloudEventBuilder.v1()
        .withId("e-1")
        .withSource(URI.create("/another-service"))
        .withType(PLACED.type())
        .withDataContentType("application/json")
        .withData("{\"orderId\":\"o-1\",\"totalMinor\":-5}".getBytes(StandardCharsets.UTF_8))
        .build());

    assertThat(events).awaitDeadLettered(PLACED, 1).extracting(DeadLetter::reason).singleElement().asString()
        .startsWith("invalid payload");
    assertThat(events).consumed(PLACED).isEmpty();
  }

  @Test
  void hasNoDeadLettersFailsNamingTheDeadLetters(EventBus bus, BusRecorder events) {
    bus.subscribe(PLACED, "billing", event -> {
      throw new IllegalStateException("card declined");
    });
    join(bus.publish(PLACED, new Placed("o-1", 100)));
    events.awaitDeadLettered(PLACED, 1);

    assertThatThrownBy(() -> assertThat(events).hasNoDeadLetters())
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("dev.omnibus.test.placed (handler failed 3 times)");
  }

  @Test
  void awaitingMoreThanWasRecordedFailsSayingWhatWas(EventBus bus, BusRecorder events) {
    join(bus.publish(PAID, new Paid("o-1")));

    assertThatThrownBy(() -> events.awaitPublished(PLACED, 1, Duration.ofMillis(50)))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("Expected at least 1 events of type 'dev.omnibus.test.placed' published")
        .hasMessageContaining("got 0")
        .hasMessageContaining("published [dev.omnibus.test.paid]");
  }

  @Test
  void clearForgetsWhatWasRecorded(EventBus bus, BusRecorder events) {
    join(bus.publish(PLACED, new Placed("o-1", 100)));

    events.clear();

    assertThat(events).published(PLACED).isEmpty();
  }

  private static void join(CompletionStage<Void> stage) {
    stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
