package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The seven CloudEvents attributes a raw producer writes next to the content type, computed per message as a
 * hand-written binary-mode producer would: a random id, the current time, the order id as subject.
 */
record RawHeaders(String id, String source, String type, String specVersion, String time, String subject,
    String traceparent) {

  static final String SOURCE = Orders.SOURCE.toString();

  static RawHeaders of(Order order) {
    return new RawHeaders(UUID.randomUUID().toString(), SOURCE, Orders.TYPE, "1.0",
        OffsetDateTime.now(ZoneOffset.UTC).toString(), order.orderId(), Orders.TRACEPARENT);
  }
}
