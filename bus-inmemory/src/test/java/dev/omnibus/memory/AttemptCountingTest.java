package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.RetryPolicy;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportProvider;
import dev.omnibus.spi.TransportSubscription;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The kernel counts the failed attempts of an event itself, for brokers that give an event again without counting
 * (every redelivery says attempt 1): only events that failed are counted, and a count ends with its event.
 */
class AttemptCountingTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class).channel("notes");
  private static final RetryPolicy THREE = RetryPolicy.attempts(3).backoff(Duration.ZERO, Duration.ZERO, 1.0);

  @Test
  void anEventThatAlwaysFailsIsDeadLetteredAfterItsAttemptsThoughTheBrokerDoesNotCountThem() {
    InMemoryBroker broker = InMemoryBroker.create();
    try (EventBus bus = EventBus.builder().server(broker.server()).transport(new Uncounting()).retry(THREE)
        .build()) {
      AtomicInteger calls = new AtomicInteger();
      bus.subscribe(NOTE, "g", event -> {
        calls.incrementAndGet();
        throw new IllegalStateException("no");
      });
      bus.publish(NOTE, "x").toCompletableFuture().join();

      broker.awaitPublished("notes.dlq", 1, WAIT);
      assertThat(calls).hasValue(3);
    }
  }

  @Test
  void theCountOfAnEventEndsWhenItIsHandled() {
    InMemoryBroker broker = InMemoryBroker.create();
    List<Integer> attempts = new CopyOnWriteArrayList<>();
    Interceptor recording = new Interceptor() {
      @Override
      public void aroundHandle(Handling handling, HandleChain next) throws Exception {
        attempts.add(handling.attempt());
        next.proceed(handling);
      }
    };
    try (EventBus bus = EventBus.builder().server(broker.server()).transport(new Uncounting()).retry(THREE)
        .intercept(recording).build()) {
      AtomicInteger calls = new AtomicInteger();
      bus.subscribe(NOTE, "g", event -> {
        if (calls.incrementAndGet() % 2 == 1) {
          throw new IllegalStateException("fails once, then works");
        }
      });
      // The same event (same source and id) published twice: the second starts again at attempt 1.
      bus.publish(NOTE.event("x").id("same").build()).toCompletableFuture().join();
      Awaitility.await().atMost(WAIT).until(() -> calls.get() == 2);
      bus.publish(NOTE.event("x").id("same").build()).toCompletableFuture().join();
      Awaitility.await().atMost(WAIT).until(() -> calls.get() == 4);

      assertThat(attempts).containsExactly(1, 2, 1, 2);
      assertThat(broker.published("notes.dlq")).isEmpty();
    }
  }

  /** The in-memory transport, but its redeliveries say attempt 1, as a broker that does not count them. */
  private static final class Uncounting implements TransportProvider {
    @Override
    public Set<String> protocols() {
      return Set.of("memory");
    }

    @Override
    public Transport open(ServerConfig server) {
      return new UncountingTransport(new InMemoryTransportProvider().open(server));
    }
  }

  private record UncountingTransport(Transport delegate) implements ForwardingTransport {
    @Override
    public TransportSubscription subscribe(Destination destination, SubscribeOptions options,
        DeliveryHandler handler) {
      return delegate.subscribe(destination, options, delivery -> handler.onDelivery(new FirstAttempt(delivery)));
    }
  }

  private record FirstAttempt(Delivery delivery) implements Delivery {
    @Override
    public WireMessage message() {
      return delivery.message();
    }

    @Override
    public int attempt() {
      return 1;
    }

    @Override
    public void ack() {
      delivery.ack();
    }

    @Override
    public void nack(boolean requeue) {
      delivery.nack(requeue);
    }
  }
}
