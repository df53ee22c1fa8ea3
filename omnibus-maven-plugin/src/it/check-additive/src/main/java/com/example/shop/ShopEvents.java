package com.example.shop;

import dev.omnibus.EventType;
import java.util.Optional;

/**
 * Version 2 of the shop's event types, additive only: a new currency, an optional note on OrderPlaced and a new
 * OrderCancelled event (src/contract/asyncapi.yaml is version 1's export).
 */
public final class ShopEvents {

  public enum Currency { EUR, USD, GBP }

  public record OrderPlaced(String orderId, long totalMinor, Currency currency, Optional<String> note) {}

  public record OrderPaid(String orderId, long totalMinor) {}

  public record OrderCancelled(String orderId, String reason) {}

  public static final EventType<OrderPlaced> ORDER_PLACED =
      EventType.of("com.example.shop.order-placed.v1", OrderPlaced.class).channel("orders");

  public static final EventType<OrderPaid> ORDER_PAID =
      EventType.of("com.example.shop.order-paid.v1", OrderPaid.class).channel("orders");

  public static final EventType<OrderCancelled> ORDER_CANCELLED =
      EventType.of("com.example.shop.order-cancelled.v1", OrderCancelled.class).channel("orders");

  private ShopEvents() {}
}
