package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders.Order;

/** A receiver that forwards to the probe of the run under way; a side is opened once and measured many times. */
final class Switch implements Side.Receiver {

  private volatile Side.Receiver current = order -> { };

  void to(Side.Receiver receiver) {
    current = receiver;
  }

  @Override
  public void received(Order order) {
    current.received(order);
  }
}
