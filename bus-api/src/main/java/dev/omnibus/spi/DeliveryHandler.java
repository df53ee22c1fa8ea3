package dev.omnibus.spi;

/**
 * Receives the deliveries of one subscription. Called by the transport on its consumer thread, one delivery at a time
 * per ordering unit; the bus's implementation acknowledges each delivery before it returns.
 */
@FunctionalInterface
public interface DeliveryHandler {

  /** Handles one delivery. Must not throw; a throwing handler's delivery is nacked for redelivery by the transport. */
  void onDelivery(Delivery delivery);
}
