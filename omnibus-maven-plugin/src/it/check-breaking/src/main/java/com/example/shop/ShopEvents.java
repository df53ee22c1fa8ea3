package com.example.shop;

import dev.omnibus.EventType;

/**
 * Version 2 of the shop's event types, with two breaking changes against version 1 (src/contract/asyncapi.yaml):
 * OrderPaid lost totalMinor (consumers may read it) and OrderPlaced requires a customer (producers of version 1 do
 * not send one).
 */
public final class ShopEvents {

  public enum Currency { EUR, USD }

  public record OrderPlaced(String orderId, long totalMinor, Currency currency, String customer) {}

  public record OrderPaid(String orderId) {}

  public static final EventType<OrderPlaced> ORDER_PLACED =
      EventType.of("com.example.shop.order-placed.v1", OrderPlaced.class).channel("orders");

  public static final EventType<OrderPaid> ORDER_PAID =
      EventType.of("com.example.shop.order-paid.v1", OrderPaid.class).channel("orders");

  private ShopEvents() {}
}
