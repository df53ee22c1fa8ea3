package dev.omnibus.sse;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.memory.InMemoryBroker;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/** An in-memory bus with the channels the tests stream, the event types they publish, and the bridge's address. */
final class BridgeFixture implements AutoCloseable {

  record OrderPlaced(String id, long total) {}

  record OrderShipped(String id) {}

  static final EventType<OrderPlaced> PLACED = EventType.of("com.example.order.placed", OrderPlaced.class)
      .channel("orders").subject(OrderPlaced::id);
  record Note(String id, String text) {}

  static final EventType<Note> NOTE = EventType.of("com.example.note", Note.class).channel("orders")
      .subject(Note::id);
  static final EventType<OrderShipped> SHIPPED = EventType.of("com.example.order.shipped", OrderShipped.class)
      .channel("orders").subject(OrderShipped::id);

  final InMemoryBroker broker = InMemoryBroker.create();
  final EventBus bus = EventBus.builder().server(broker.server()).channel("orders", "orders")
      .channel("payments", "payments").source(URI.create("/sse-test")).build();

  static InetSocketAddress loopback() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
  }

  static URI uri(SseBridge bridge, String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + bridge.port() + pathAndQuery);
  }

  /** The subject, so the ordering key, of the events {@link #publish} sends: one key, so the bus keeps their order. */
  static final String KEY = "stream";

  /**
   * Publishes {@code count} placed orders with ids {@code prefix-1...}, all with one subject: the bus keeps the order
   * of one key only (the in-memory broker, like Kafka, spreads keys over lanes handled in parallel).
   */
  List<String> publish(String prefix, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      String id = prefix + "-" + i;
      bus.publish(PLACED.event(new OrderPlaced(id, i)).id(id).subject(KEY).build()).toCompletableFuture().join();
      ids.add(id);
    }
    return ids;
  }

  @Override
  public void close() {
    bus.close();
  }
}
