package dev.omnibus.spring.boot;

import dev.omnibus.Event;
import dev.omnibus.EventHandler;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import java.util.concurrent.CompletionStage;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

/** The application under test: an EventType bean, a listener method, a payload listener and a handler bean. */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import({TestApp.Billing.class, TestApp.Audit.class, TestApp.Shipping.class})
class TestApp {

  static final String PLACED = "com.example.orders.placed.v1";
  static final String CANCELLED = "com.example.orders.cancelled.v1";

  record OrderPlaced(String orderId, long totalMinor) {}

  record OrderCancelled(String orderId, String reason) {}

  @Bean
  EventType<OrderPlaced> orderPlaced() {
    return EventType.of(PLACED, OrderPlaced.class).channel("orders").subject(OrderPlaced::orderId);
  }

  /** Every listener's receipts, by listener. */
  static final class Received {
    final List<String> billing = new CopyOnWriteArrayList<>();
    final List<String> audit = new CopyOnWriteArrayList<>();
    final List<String> shipping = new CopyOnWriteArrayList<>();
  }

  /** Counts the types of what the bus publishes, as a metrics interceptor would. */
  static final class PublishLog implements Interceptor {
    final List<String> types = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
      types.add(publishing.event().getType());
      return next.proceed(publishing);
    }
  }

  @Bean
  PublishLog publishLog() {
    return new PublishLog();
  }

  @Bean
  Received received() {
    return new Received();
  }

  /** A method listener taking the event, with a group from the environment. */
  static final class Billing {
    private final Received received;

    Billing(Received received) {
      this.received = received;
    }

    @OmnibusListener(type = PLACED, group = "${omnibus.test.group:billing}")
    void on(Event<OrderPlaced> event) {
      received.billing.add(event.data().orderId());
    }
  }

  /** A method listener taking the payload of a type declared by its annotation alone. */
  static final class Audit {
    private final Received received;

    Audit(Received received) {
      this.received = received;
    }

    @OmnibusListener(type = CANCELLED, channel = "orders", group = "${omnibus.test.group:audit}-audit")
    void on(OrderCancelled cancelled) {
      received.audit.add(cancelled.orderId() + ":" + cancelled.reason());
    }
  }

  /** A handler bean. */
  @OmnibusListener(type = PLACED, group = "${omnibus.test.group:shipping}-shipping")
  static final class Shipping implements EventHandler<OrderPlaced> {
    private final Received received;

    Shipping(Received received) {
      this.received = received;
    }

    @Override
    public void handle(Event<OrderPlaced> event) {
      received.shipping.add(event.data().orderId());
    }
  }
}
