package dev.omnibus.mqtt;

import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.DeliveryHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;

/** A delivery handler that records what it got and acknowledges it. Thread-safe. */
final class Recorder implements DeliveryHandler {

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();

  @Override
  public void onDelivery(Delivery delivery) {
    deliveries.add(delivery);
    delivery.ack();
  }

  List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  /** The body of each delivery as text, in arrival order. */
  List<String> bodies() {
    return deliveries.stream()
        .map(d -> d.message().body() == null ? "" : new String(d.message().body(), java.nio.charset.StandardCharsets.UTF_8))
        .toList();
  }

  Recorder awaitCount(int count) {
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> deliveries.size() >= count);
    return this;
  }
}
