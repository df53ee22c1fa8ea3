package dev.omnibus.benchmarks.orders;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.omnibus.EventType;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The one event every benchmark carries: an order of about 300 bytes of JSON, with the eight binary-mode headers of
 * PERFORMANCE.md ({@code id}, {@code source}, {@code type}, {@code specversion}, {@code time}, {@code subject},
 * {@code traceparent} and the content type).
 */
public final class Orders {

  /** The CloudEvents {@code type}. */
  public static final String TYPE = "com.example.orders.placed.v1";
  /** The CloudEvents {@code source}. */
  public static final URI SOURCE = URI.create("/benchmarks/orders-service");
  /** The W3C trace context every event carries as the {@code traceparent} extension. */
  public static final String TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  /** The content type of the payload. */
  public static final String CONTENT_TYPE = "application/json";
  /** The bus's channel id; each broker section maps it to an address of its own. */
  public static final String CHANNEL = "orders";

  /** The typed event on the bus: subject (and so key) = order id. */
  public static final EventType<Order> ORDER_PLACED =
      EventType.of(TYPE, Order.class).channel(CHANNEL).subject(Order::orderId);

  /** The raw clients' Jackson mapper: the same bytes as the bus's JSON codec for this record (checked at start). */
  public static final ObjectMapper MAPPER = new ObjectMapper();

  /** How many distinct order ids (and so keys) the events cycle through. */
  private static final int KEYS = 64;

  private Orders() {}

  /** One order line. */
  public record Line(String sku, int quantity, long unitPriceMinor) {}

  /**
   * The payload. {@code sentAtNanos} is {@link System#nanoTime()} when the event was meant to be sent: receivers in
   * the same JVM subtract it for end-to-end latency.
   */
  public record Order(String orderId, String customerId, List<Line> lines, long totalMinor, String currency,
      String salesChannel, String shipTo, long sentAtNanos) {}

  /** The {@code n}-th order; its id cycles over {@value #KEYS} values. */
  public static Order order(long n, long sentAtNanos) {
    int key = (int) (n % KEYS);
    return new Order("ord-2026-11-" + (100_000 + key), "cus-" + (48_213 + key),
        List.of(new Line("SKU-10042-BLUE-M", 2, 1_299), new Line("SKU-20077-GREY-L", 1, 4_599)),
        7_197, "EUR", "web", "10115 Berlin, DE", sentAtNanos);
  }

  /** The payload bytes of an order, as the raw clients send them. */
  public static byte[] json(Order order) {
    try {
      return MAPPER.writeValueAsBytes(order);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a payload back, as the raw consumers do. */
  public static Order read(byte[] json) {
    try {
      return MAPPER.readValue(json, Order.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The event as a CloudEvent, with fixed id and time: the input of the envelope benchmarks. */
  public static CloudEvent cloudEvent() {
    Order order = order(7, 1_234_567_890_123L);
    return CloudEventBuilder.v1()
        .withId("b2c1a7e4-6f0d-4f43-9a55-1c2d3e4f5a6b")
        .withSource(SOURCE)
        .withType(TYPE)
        .withTime(OffsetDateTime.of(2026, 11, 22, 10, 15, 30, 123_000_000, ZoneOffset.UTC))
        .withSubject(order.orderId())
        .withExtension("traceparent", TRACEPARENT)
        .withDataContentType(CONTENT_TYPE)
        .withData(json(order))
        .build();
  }

  /** A one-line description of the payload, for the report. */
  public static String describe() {
    byte[] bytes = json(order(0, System.nanoTime()));
    return bytes.length + "-byte JSON order: " + new String(bytes, StandardCharsets.UTF_8);
  }
}
