package dev.omnibus.contract;

import dev.omnibus.EventType;
import dev.omnibus.tck.Corpus;
import java.nio.file.Path;
import java.util.List;

/**
 * The event types of {@code examples/.../OrderEvents.java}, repeated here because bus-api's tests cannot depend on
 * the examples module; {@link #DOCUMENT} is the examples' document itself.
 */
final class Orders {

  static final Path DOCUMENT = Path.of("..", "examples", "src", "main", "resources", "asyncapi.yaml");

  record OrderPlaced(String orderId, String customer, List<OrderLine> lines, long totalMinor, String currency) {}

  record OrderLine(String sku, int quantity) {}

  record OrderPaid(String orderId, long totalMinor, String currency) {}

  record OrderShipped(String orderId, String carrier, String trackingCode) {}

  static final EventType<OrderPlaced> ORDER_PLACED =
      EventType.of("com.example.orders.placed.v1", OrderPlaced.class).channel("orderEvents")
          .subject(OrderPlaced::orderId);

  static final EventType<OrderPaid> ORDER_PAID =
      EventType.of("com.example.orders.paid.v1", OrderPaid.class).channel("orderEvents")
          .subject(OrderPaid::orderId);

  static final EventType<OrderShipped> ORDER_SHIPPED =
      EventType.of("com.example.orders.shipped.v1", OrderShipped.class).channel("orderEvents")
          .subject(OrderShipped::orderId);

  static final List<EventType<?>> ALL = List.of(ORDER_PLACED, ORDER_PAID, ORDER_SHIPPED);

  private Orders() {}

  /** A document of the external corpus's AsyncAPI examples; the calling test is skipped without it ({@link Corpus}). */
  static Path corpus(String name) {
    return Corpus.dir().resolve("asyncapi-examples").resolve(name);
  }
}
