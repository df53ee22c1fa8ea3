package dev.omnibus.examples.boot;

import dev.omnibus.EventType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The event types of the service, as beans: the starter registers them with the bus, matches them to the document's
 * messages and writes their payloads with Boot's Jackson mapper. Inject them where you publish.
 */
@Configuration(proxyBeanMethods = false)
public class OrderEvents {

  /** The CloudEvents type of a placed order. */
  public static final String PLACED = "com.example.orders.placed.v1";

  /** The CloudEvents type of a paid order. */
  public static final String PAID = "com.example.orders.paid.v1";

  /** A customer placed an order. */
  public record OrderPlaced(String orderId, String customer, long totalMinor, String currency) {}

  /** Billing charged an order. */
  public record OrderPaid(String orderId, long totalMinor, String currency) {}

  @Bean
  EventType<OrderPlaced> orderPlaced() {
    return EventType.of(PLACED, OrderPlaced.class).channel("orderEvents").subject(OrderPlaced::orderId);
  }

  @Bean
  EventType<OrderPaid> orderPaid() {
    return EventType.of(PAID, OrderPaid.class).channel("orderEvents").subject(OrderPaid::orderId);
  }
}
