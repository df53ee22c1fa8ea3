package dev.omnibus.test;

import dev.omnibus.EventType;

/** The events of the kit's own tests, as declared in {@code kit-orders.yaml}. */
final class KitEvents {

  record Placed(String orderId, long totalMinor) {}

  record Paid(String orderId) {}

  static final EventType<Placed> PLACED = EventType.of("dev.omnibus.test.placed", Placed.class)
      .channel("orders")
      .subject(Placed::orderId);

  static final EventType<Paid> PAID = EventType.of("dev.omnibus.test.paid", Paid.class)
      .channel("orders")
      .subject(Paid::orderId);

  private KitEvents() {}
}
