package dev.omnibus.test;

import static dev.omnibus.test.KitEvents.PAID;
import static dev.omnibus.test.KitEvents.PLACED;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.RetryPolicy;
import dev.omnibus.test.KitEvents.Paid;
import dev.omnibus.test.KitEvents.Placed;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an earlier test set off and the bus finishes after {@link BusRecorder#clear()} stays out of the new record, as a
 * Boot test's recorder, cleared before each test on a context Spring keeps, needs.
 */
class BusRecorderClearTest {

  @RegisterExtension
  final OmnibusExtension omnibus = OmnibusExtension.builder()
      .asyncApi("kit-orders.yaml")
      .register(PLACED, PAID)
      .configure(bus -> bus.retry(RetryPolicy.attempts(2).backoff(Duration.ZERO, Duration.ZERO, 1.0)))
      .build();

  private final CountDownLatch started = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);

  @Test
  void aHandlingThatEndsAfterTheClearIsNotRecordedNorWhatItsHandlerPublished(EventBus bus, BusRecorder events)
      throws InterruptedException {
    bus.subscribe(PLACED, "billing", event -> {
      holdBefore(event.data());
      join(bus.publish(PAID, new Paid(event.data().orderId())));
    });

    clearWhileBeforeIsHandled(bus, events);

    assertThat(events.awaitPublished(PAID, 1)).containsExactly(new Paid("after"));
    assertThat(events.published(PLACED)).containsExactly(new Placed("after", 200));
  }

  @Test
  void aFailureAndDeadLetterAfterTheClearOfAnEarlierEventAreNotRecorded(EventBus bus, BusRecorder events)
      throws InterruptedException {
    bus.subscribe(PLACED, "billing", event -> {
      if (holdBefore(event.data())) {
        throw new IllegalStateException("fails after the clear");
      }
    });

    clearWhileBeforeIsHandled(bus, events);

    assertThat(events.failed(PLACED)).isEmpty();
    assertThat(events.deadLettered(PLACED)).isEmpty();
  }

  @Test
  void anEventPublishedAgainAfterTheClearIsRecordedAgain(EventBus bus, BusRecorder events) {
    join(bus.publish(PLACED.event(new Placed("o-1", 100)).id("same-id").build()));

    events.clear();
    join(bus.publish(PLACED.event(new Placed("o-1", 100)).id("same-id").build()));

    assertThat(events.publishedEvents(PLACED)).extracting(CloudEvent::getId).containsExactly("same-id");
  }

  /** In the handler: holds the order "before" until the test released it; whether it was that order. */
  private boolean holdBefore(Placed order) throws InterruptedException {
    if (!order.orderId().equals("before")) {
      return false;
    }
    started.countDown();
    release.await();
    return true;
  }

  /**
   * Publishes "before", clears the recorder while its handler is held, releases it and publishes "after"; returns once
   * "after" was handled, which one subscription does only once "before" was (one event at a time, in order).
   */
  private void clearWhileBeforeIsHandled(EventBus bus, BusRecorder events) throws InterruptedException {
    join(bus.publish(PLACED, new Placed("before", 100)));
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    events.clear();
    release.countDown();
    join(bus.publish(PLACED, new Placed("after", 200)));

    assertThat(events.awaitConsumed(PLACED, 1)).containsExactly(new Placed("after", 200));
  }

  private static void join(CompletionStage<Void> stage) {
    stage.toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
