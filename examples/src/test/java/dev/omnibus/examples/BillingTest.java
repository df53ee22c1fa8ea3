package dev.omnibus.examples;

import static dev.omnibus.examples.OrderEvents.ORDER_PAID;
import static dev.omnibus.examples.OrderEvents.ORDER_PLACED;
import static dev.omnibus.test.OmnibusAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.RetryPolicy;
import dev.omnibus.examples.OrderEvents.OrderLine;
import dev.omnibus.examples.OrderEvents.OrderPaid;
import dev.omnibus.examples.OrderEvents.OrderPlaced;
import dev.omnibus.test.BusRecorder;
import dev.omnibus.test.BusRecorder.Failure;
import dev.omnibus.test.OmnibusExtension;
import dev.omnibus.test.TestClock;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The billing service's handler, tested as users test theirs: with the test kit, on the service's own AsyncAPI
 * document, an in-memory broker per test, and retries that wait on the test's clock.
 */
class BillingTest {

  private static final OrderPlaced ORDER =
      new OrderPlaced("order-1", "ada@example.com", List.of(new OrderLine("sku-1", 2)), 4599, "EUR");

  @RegisterExtension
  final OmnibusExtension omnibus = OmnibusExtension.builder()
      .asyncApi("asyncapi.yaml")
      .source(URI.create("/examples/billing"))
      .register(ORDER_PLACED, ORDER_PAID)
      // Billing's policy: the payment provider gets minutes to come back, not milliseconds.
      .configure(bus -> bus.retry("billing",
          RetryPolicy.attempts(5).backoff(Duration.ofMinutes(1), Duration.ofMinutes(30), 2.0).withJitter(0)))
      .build();

  @Test
  void chargesAPlacedOrderAndSaysItIsPaid(EventBus bus, BusRecorder events) {
    Services.billing(bus, line -> { });

    publish(bus, ORDER);

    assertThat(events).awaitPublished(ORDER_PAID, 1).containsExactly(new OrderPaid("order-1", 4599, "EUR"));
    assertThat(events).awaitConsumed(ORDER_PLACED, 1).containsExactly(ORDER);
  }

  @Test
  void retriesWhileThePaymentProviderIsDownAndChargesOnceItIsBack(EventBus bus, TestClock clock, BusRecorder events) {
    AtomicInteger charges = new AtomicInteger();
    Services.billing(bus, order -> {
      if (charges.incrementAndGet() <= 2) {
        throw new IllegalStateException("payment provider unavailable");
      }
    }, line -> { });

    publish(bus, ORDER);
    clock.advanceToNextBackoff();
    clock.advanceToNextBackoff();

    assertThat(events).awaitPublished(ORDER_PAID, 1).containsExactly(new OrderPaid("order-1", 4599, "EUR"));
    assertThat(events).failed(ORDER_PLACED).extracting(Failure::attempt).containsExactly(1, 2);
    assertThat(clock.backoffs()).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2));
    assertThat(events).hasNoDeadLetters();
  }

  @Test
  void anOrderGoesToDeadLettersUnpaidWhenThePaymentProviderStaysDown(EventBus bus, TestClock clock,
      BusRecorder events) {
    Services.billing(bus, order -> {
      throw new IllegalStateException("payment provider unavailable");
    }, line -> { });

    publish(bus, ORDER);
    for (int retry = 1; retry <= 4; retry++) {
      clock.advanceToNextBackoff();
    }

    assertThat(events).awaitDeadLettered(ORDER_PLACED, 1).singleElement().satisfies(letter -> {
      assertThat(letter.data()).isEqualTo(ORDER);
      assertThat(letter.reason()).isEqualTo("handler failed 5 times");
      assertThat(letter.group()).isEqualTo("billing");
    });
    assertThat(clock.backoffs()).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4),
        Duration.ofMinutes(8));
    assertThat(events).published(ORDER_PAID).isEmpty();
  }

  private static void publish(EventBus bus, OrderPlaced order) {
    bus.publish(ORDER_PLACED, order).toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
  }
}
