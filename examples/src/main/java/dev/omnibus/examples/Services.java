package dev.omnibus.examples;

import static dev.omnibus.examples.OrderEvents.ORDER_PAID;
import static dev.omnibus.examples.OrderEvents.ORDER_PLACED;
import static dev.omnibus.examples.OrderEvents.ORDER_SHIPPED;

import dev.omnibus.EventBus;
import dev.omnibus.examples.OrderEvents.OrderPaid;
import dev.omnibus.examples.OrderEvents.OrderPlaced;
import dev.omnibus.examples.OrderEvents.OrderShipped;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The services of the example, each a few lines over its own {@link EventBus}: what a real service would hold. Each
 * consumes in its own consumer group, so each gets every event, and several instances of one service would share
 * them.
 */
public final class Services {

  private Services() {}

  /** The payment provider billing charges orders with. */
  @FunctionalInterface
  public interface Payments {
    /** Charges an order; throws while the provider cannot, so that billing gets the order again later. */
    void charge(OrderPlaced order) throws Exception;
  }

  /** Billing charges each placed order and says it is paid, with a payment provider that always accepts. */
  public static void billing(EventBus bus, Consumer<String> log) {
    billing(bus, order -> { }, log);
  }

  /**
   * Billing charges each placed order with the payment provider, then says it is paid. While the provider fails, the
   * bus's retry policy brings the order back; when it keeps failing, the order goes to dead letters, unpaid.
   */
  public static void billing(EventBus bus, Payments payments, Consumer<String> log) {
    bus.subscribe(ORDER_PLACED, "billing", event -> {
      var order = event.data();
      payments.charge(order);
      log.accept(String.format(Locale.ROOT, "billing        charged %s %.2f %s", order.orderId(),
          order.totalMinor() / 100.0, order.currency()));
      bus.publish(ORDER_PAID, new OrderPaid(order.orderId(), order.totalMinor(), order.currency()))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    });
  }

  /** Shipping ships each paid order. */
  public static void shipping(EventBus bus, Consumer<String> log) {
    bus.subscribe(ORDER_PAID, "shipping", event -> {
      String orderId = event.data().orderId();
      String tracking = "TRK-" + Integer.toHexString(orderId.hashCode()).toUpperCase(Locale.ROOT);
      log.accept("shipping       shipped " + orderId + " with tracking " + tracking);
      bus.publish(ORDER_SHIPPED, new OrderShipped(orderId, "ParcelCo", tracking))
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
    });
  }

  /** Notifications tells the customer about every step. */
  public static void notifications(EventBus bus, Consumer<String> log, Runnable onShipped) {
    bus.subscribe(ORDER_PLACED, "notifications",
        event -> log.accept("notifications  to " + event.data().customer() + ": order " + event.subject()
            + " received"));
    bus.subscribe(ORDER_PAID, "notifications",
        event -> log.accept("notifications  order " + event.subject() + " is paid"));
    bus.subscribe(ORDER_SHIPPED, "notifications", event -> {
      log.accept("notifications  order " + event.subject() + " is on its way (" + event.data().trackingCode() + ")");
      onShipped.run();
    });
  }
}
