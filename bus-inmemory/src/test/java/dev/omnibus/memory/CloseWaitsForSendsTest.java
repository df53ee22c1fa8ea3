package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportProvider;
import dev.omnibus.spi.TransportSubscription;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Closing a bus waits for the publishes the broker has not confirmed yet (at most the close timeout) before it flushes
 * and closes the transport, so a publish under way is not cut off by the close.
 */
class CloseWaitsForSendsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final EventType<String> NOTE = EventType.of("com.example.note", String.class).channel("notes");

  @Test
  void closeWaitsUntilTheSendsUnderWayAreConfirmedBeforeClosingTheTransport() throws Exception {
    Unconfirming transport = new Unconfirming();
    EventBus bus = EventBus.builder().server(InMemoryBroker.create().server()).transport(transport.provider())
        .closeTimeout(Duration.ofMinutes(1)).build();
    CompletableFuture<Void> first = bus.publish(NOTE, "a").toCompletableFuture();
    CompletableFuture<Void> second = bus.publish(NOTE, "b").toCompletableFuture();
    Awaitility.await().atMost(WAIT).until(() -> transport.pending.size() == 2);

    Thread closing = new Thread(bus::close, "closing");
    closing.start();
    // Closing is parked waiting for the confirmations, the transport still open.
    Awaitility.await().atMost(WAIT).until(() -> closing.getState() == Thread.State.TIMED_WAITING);
    assertThat(transport.calls).isEmpty();

    transport.pending.get(0).complete(null);
    assertThat(first).isCompleted();
    assertThat(closing.isAlive()).isTrue();
    transport.calls.add("confirmed second");
    transport.pending.get(1).complete(null);
    closing.join(WAIT.toMillis());

    assertThat(closing.isAlive()).isFalse();
    assertThat(second).isCompleted();
    assertThat(transport.calls).containsExactly("confirmed second", "flush", "close");
  }

  @Test
  void closeGivesUpOnASendThatIsNeverConfirmedAfterTheCloseTimeout() throws Exception {
    Unconfirming transport = new Unconfirming();
    EventBus bus = EventBus.builder().server(InMemoryBroker.create().server()).transport(transport.provider())
        .closeTimeout(Duration.ofMillis(200)).build();
    CompletableFuture<Void> never = bus.publish(NOTE, "a").toCompletableFuture();

    CompletableFuture.runAsync(bus::close).get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(never).isNotDone();
    assertThat(transport.calls).containsExactly("flush", "close");
  }

  /** A transport whose sends stay unconfirmed until the test completes them; it records flush and close. */
  private static final class Unconfirming implements Transport {
    final List<CompletableFuture<Void>> pending = new CopyOnWriteArrayList<>();
    final List<String> calls = new CopyOnWriteArrayList<>();

    TransportProvider provider() {
      Transport self = this;
      return new TransportProvider() {
        @Override
        public Set<String> protocols() {
          return Set.of("memory");
        }

        @Override
        public Transport open(ServerConfig server) {
          return self;
        }
      };
    }

    @Override
    public CompletionStage<Void> send(Destination destination, WireMessage message) {
      CompletableFuture<Void> confirmation = new CompletableFuture<>();
      pending.add(confirmation);
      return confirmation;
    }

    @Override
    public TransportSubscription subscribe(Destination destination, SubscribeOptions options,
        DeliveryHandler handler) {
      throw new UnsupportedOperationException("publishing only");
    }

    @Override
    public TransportCapabilities capabilities() {
      return TransportCapabilities.builder(HeaderConvention.MEMORY).build();
    }

    @Override
    public boolean flush(Duration timeout) {
      calls.add("flush");
      return true;
    }

    @Override
    public void close() {
      calls.add("close");
    }
  }
}
