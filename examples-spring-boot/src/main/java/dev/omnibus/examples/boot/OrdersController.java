package dev.omnibus.examples.boot;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.examples.boot.OrderEvents.OrderPlaced;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders} places an order (published once the broker confirmed it); {@code GET /orders/{id}}. */
@RestController
public class OrdersController {

  /** What a client posts. */
  public record PlaceOrder(String customer, long totalMinor, String currency) {}

  private final EventBus bus;
  private final EventType<OrderPlaced> orderPlaced;
  private final Ledger ledger;

  OrdersController(EventBus bus, EventType<OrderPlaced> orderPlaced, Ledger ledger) {
    this.bus = bus;
    this.orderPlaced = orderPlaced;
    this.ledger = ledger;
  }

  @PostMapping("/orders")
  CompletableFuture<ResponseEntity<Map<String, String>>> place(@RequestBody PlaceOrder order) {
    OrderPlaced placed = new OrderPlaced(UUID.randomUUID().toString(), order.customer(), order.totalMinor(),
        order.currency());
    return bus.publish(orderPlaced, placed).toCompletableFuture()
        .thenApply(done -> ResponseEntity.status(HttpStatus.ACCEPTED).body(Map.of("orderId", placed.orderId())));
  }

  @GetMapping("/orders/{id}")
  ResponseEntity<Map<String, String>> status(@PathVariable String id) {
    return ResponseEntity.ok(Map.of("orderId", id, "status", ledger.isPaid(id) ? "PAID" : "PLACED"));
  }
}
