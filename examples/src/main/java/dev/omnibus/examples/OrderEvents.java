package dev.omnibus.examples;

import dev.omnibus.EventType;
import java.util.List;

/** The events of the orders domain, as declared in {@code asyncapi.yaml}: channel {@code orderEvents}. */
public final class OrderEvents {

  /** A customer placed an order. */
  public record OrderPlaced(String orderId, String customer, List<OrderLine> lines, long totalMinor,
      String currency) {}

  /** One line of an order. */
  public record OrderLine(String sku, int quantity) {}

  /** Billing charged an order. */
  public record OrderPaid(String orderId, long totalMinor, String currency) {}

  /** Shipping handed an order to a carrier. */
  public record OrderShipped(String orderId, String carrier, String trackingCode) {}

  public static final EventType<OrderPlaced> ORDER_PLACED =
      EventType.of("com.example.orders.placed.v1", OrderPlaced.class)
          .channel("orderEvents")
          .subject(OrderPlaced::orderId);

  public static final EventType<OrderPaid> ORDER_PAID =
      EventType.of("com.example.orders.paid.v1", OrderPaid.class)
          .channel("orderEvents")
          .subject(OrderPaid::orderId);

  public static final EventType<OrderShipped> ORDER_SHIPPED =
      EventType.of("com.example.orders.shipped.v1", OrderShipped.class)
          .channel("orderEvents")
          .subject(OrderShipped::orderId);

  private OrderEvents() {}
}
