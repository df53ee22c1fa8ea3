package dev.omnibus.examples;

import static dev.omnibus.examples.OrderEvents.ORDER_PLACED;

import dev.omnibus.EventBus;
import dev.omnibus.examples.OrderEvents.OrderLine;
import dev.omnibus.examples.OrderEvents.OrderPlaced;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the orders example end to end: the orders service places three orders; billing, shipping and notifications
 * react, each on its own bus, as separate services would.
 *
 * <p>The server comes from the first argument, else {@code OMNIBUS_SERVER}, else {@code local} (in memory). Running it
 * on a broker needs nothing but another server name: {@code kafka}, {@code rabbitmq} or {@code mqtt}.
 */
public final class OrderFlow {

  private static final int ORDERS = 3;

  private OrderFlow() {}

  public static void main(String[] args) throws Exception {
    String server = args.length > 0 ? args[0] : System.getenv().getOrDefault("OMNIBUS_SERVER", "local");
    boolean done = run(server, line -> System.out.println(line));
    System.exit(done ? 0 : 1);
  }

  /** Runs the flow on a server of the document; returns whether every order was shipped in time. */
  public static boolean run(String server, Consumer<String> log) throws InterruptedException {
    Consumer<String> synchronizedLog = line -> {
      synchronized (OrderFlow.class) {
        log.accept(line);
      }
    };
    CountDownLatch shipped = new CountDownLatch(ORDERS);
    List<EventBus> buses = new ArrayList<>();
    try {
      EventBus billing = bus(server, "billing", buses);
      EventBus shipping = bus(server, "shipping", buses);
      EventBus notifications = bus(server, "notifications", buses);
      EventBus orders = bus(server, "orders", buses);
      synchronizedLog.accept("Order flow on server '" + server + "' (protocol " + orders.server().protocol()
          + ", " + orders.server().host() + ")");
      Services.billing(billing, synchronizedLog);
      Services.shipping(shipping, synchronizedLog);
      Services.notifications(notifications, synchronizedLog, shipped::countDown);

      for (int i = 1; i <= ORDERS; i++) {
        OrderPlaced order = new OrderPlaced("order-" + i, "customer" + i + "@example.com",
            List.of(new OrderLine("sku-" + i, i)), 1999L * i, "EUR");
        orders.publish(ORDER_PLACED, order).toCompletableFuture().get(30, TimeUnit.SECONDS);
        synchronizedLog.accept("orders         placed " + order.orderId() + " for " + order.customer());
      }
      boolean complete = shipped.await(60, TimeUnit.SECONDS);
      synchronizedLog.accept(complete ? "All " + ORDERS + " orders shipped."
          : "Timed out: " + shipped.getCount() + " orders not shipped.");
      return complete;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      synchronizedLog.accept("Publishing failed: " + e.getCause());
      return false;
    } finally {
      for (EventBus bus : buses) {
        bus.close();
      }
    }
  }

  private static EventBus bus(String server, String service, List<EventBus> buses) {
    EventBus bus = EventBus.builder()
        .asyncApi("asyncapi.yaml")
        .server(server)
        .source(URI.create("/examples/" + service))
        .build();
    buses.add(bus);
    return bus;
  }
}
