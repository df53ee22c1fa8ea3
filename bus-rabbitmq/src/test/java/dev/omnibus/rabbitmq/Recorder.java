package dev.omnibus.rabbitmq;

import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.DeliveryHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.awaitility.Awaitility;

/** Records deliveries; acknowledges each one after recording it unless told otherwise. */
final class Recorder implements DeliveryHandler {

  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final Consumer<Delivery> settle;

  private Recorder(Consumer<Delivery> settle) {
    this.settle = settle;
  }

  /** Acks every delivery. */
  static Recorder acking() {
    return new Recorder(Delivery::ack);
  }

  /** Settles each delivery as told. */
  static Recorder settling(Consumer<Delivery> settle) {
    return new Recorder(settle);
  }

  @Override
  public void onDelivery(Delivery delivery) {
    deliveries.add(delivery);
    settle.accept(delivery);
  }

  List<Delivery> deliveries() {
    return deliveries;
  }

  /** Waits until at least {@code count} deliveries arrived, and returns them. */
  List<Delivery> awaitCount(int count) {
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() >= count);
    return List.copyOf(deliveries);
  }

  /** The event ids received, in order. */
  List<String> ids() {
    return deliveries.stream().map(d -> d.message().headers().get("cloudEvents_id")).toList();
  }
}
