package dev.omnibus.contract.scan;

import dev.omnibus.EventType;

/** Event types for the package scan tests. */
public final class Billing {

  /** An invoice. */
  public record Invoice(String orderId, long totalMinor) {}

  public static final EventType<Invoice> INVOICED =
      EventType.of("com.example.billing.invoiced.v1", Invoice.class).channel("billing");

  private Billing() {}
}
