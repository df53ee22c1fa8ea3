package dev.omnibus.contract.scan;

import dev.omnibus.EventType;

/** Event types for the package scan tests; one of them is Billing's, held twice. */
public final class Shipping {

  /** A shipment. */
  public record Shipment(String orderId, String carrier) {}

  public static final EventType<Shipment> SHIPPED =
      EventType.of("com.example.shipping.shipped.v1", Shipment.class).channel("shipping");

  static final EventType<Billing.Invoice> ALSO_INVOICED = Billing.INVOICED;

  private Shipping() {}
}
