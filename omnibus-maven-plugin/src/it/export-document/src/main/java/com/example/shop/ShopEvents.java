package com.example.shop;

import dev.omnibus.EventType;

/** The shop's event types, found by the plugin through their package. */
public final class ShopEvents {

  public enum Currency { EUR, USD }

  public record OrderPlaced(String orderId, long totalMinor, Currency currency) {}

  public record OrderPaid(String orderId, long totalMinor) {}

  public static final EventType<OrderPlaced> ORDER_PLACED =
      EventType.of("com.example.shop.order-placed.v1", OrderPlaced.class).channel("orders");

  public static final EventType<OrderPaid> ORDER_PAID =
      EventType.of("com.example.shop.order-paid.v1", OrderPaid.class).channel("orders");

  private ShopEvents() {}
}
