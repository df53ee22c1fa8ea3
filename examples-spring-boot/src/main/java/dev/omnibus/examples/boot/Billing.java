package dev.omnibus.examples.boot;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.examples.boot.OrderEvents.OrderPaid;
import dev.omnibus.examples.boot.OrderEvents.OrderPlaced;
import dev.omnibus.spring.boot.OmnibusListener;
import org.springframework.stereotype.Component;

/**
 * Charges each placed order and publishes that it was paid. In the {@code billing} group: with several instances of
 * the service, each order is charged by one of them. Throwing would get the event again, then dead-letter it.
 */
@Component
public class Billing {

  private final EventBus bus;
  private final EventType<OrderPaid> orderPaid;
  private final Ledger ledger;

  Billing(EventBus bus, EventType<OrderPaid> orderPaid, Ledger ledger) {
    this.bus = bus;
    this.orderPaid = orderPaid;
    this.ledger = ledger;
  }

  @OmnibusListener(type = OrderEvents.PLACED, group = "billing")
  void charge(Event<OrderPlaced> event) {
    OrderPlaced order = event.data();
    ledger.charged(order.orderId());
    bus.publish(orderPaid, new OrderPaid(order.orderId(), order.totalMinor(), order.currency()))
        .toCompletableFuture().join();
  }
}
