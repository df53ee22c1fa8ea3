package dev.omnibus.benchmarks.loopback;

import dev.omnibus.EventBus;
import dev.omnibus.Interceptor;
import dev.omnibus.Subscription;
import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.ServerConfig;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The bus on one server: publishes {@link Orders#ORDER_PLACED} with the {@code traceparent} extension (so the wire
 * carries the same eight attributes as the raw side) and subscribes a handler to the same channel; optionally with
 * interceptors (metrics and tracing, for their cost).
 */
final class BusSide implements Side {

  private final String label;
  private final EventBus bus;
  private final Subscription subscription;
  private final Runnable cleanup;

  BusSide(String label, ServerConfig server, String address, @Nullable String group, Mode mode, Receiver receiver,
      Runnable cleanup) {
    this(label, server, address, group, mode, receiver, cleanup, List.of());
  }

  BusSide(String label, ServerConfig server, String address, @Nullable String group, Mode mode, Receiver receiver,
      Runnable cleanup, List<Interceptor> interceptors) {
    this.label = label;
    this.cleanup = cleanup;
    EventBus.Builder builder = EventBus.builder()
        .server(server)
        .channel(Orders.CHANNEL, address)
        .mode(Orders.CHANNEL, mode)
        .source(Orders.SOURCE);
    interceptors.forEach(builder::intercept);
    bus = builder.build();
    subscription = bus.subscribe(Orders.ORDER_PLACED, group, event -> receiver.received(event.data()));
  }

  @Override
  public String label() {
    return label;
  }

  @Override
  public void send(Order order, Confirmation confirmation) {
    bus.publish(Orders.ORDER_PLACED.event(order).extension("traceparent", Orders.TRACEPARENT).build())
        .whenComplete((ignored, failure) -> confirmation.settle(failure));
  }

  @Override
  public void close() {
    subscription.close();
    bus.close();
    cleanup.run();
  }
}
