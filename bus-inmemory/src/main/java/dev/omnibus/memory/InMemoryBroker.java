package dev.omnibus.memory;

import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.memory.internal.Broker;
import dev.omnibus.spi.ServerConfig;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A broker inside the JVM, with the semantics of the real ones, and the test double to assert against.
 *
 * <p>Semantics: each named consumer group has one durable queue (a group joining later starts with the messages
 * already published, like a Kafka group at the earliest offset; the broker retains the last 10,000 messages of each
 * address for it and for {@link #published}); members of a group compete; every group gets every
 * event (but a replayed dead letter of a group, which reaches that group alone); anonymous subscriptions each get
 * every event published after they started; messages of one key (the
 * {@code partitionkey} extension, else the subject) are handled in order, one at a time; a nack or a member leaving
 * without acknowledging hands the message out again; acknowledgement happens only after the handler returned. Every
 * message is encoded and decoded through the CloudEvents envelope: no object is passed by reference, so serialization
 * bugs show in unit tests.
 *
 * <pre>{@code
 * InMemoryBroker broker = InMemoryBroker.create();
 * try (EventBus bus = EventBus.builder().server(broker.server()).build()) {
 *   bus.publish(ORDER_PAID, new OrderPaid("o-1", 4599, "EUR")).toCompletableFuture().join();
 * }
 * assertThat(broker.published("orders")).extracting(CloudEvent::getType).containsExactly("com.example.orders.paid.v1");
 * }</pre>
 *
 * <p>Thread-safe. Brokers are found by name: an AsyncAPI server {@code {host: orders, protocol: memory}} uses the
 * broker named {@code orders}.
 */
public final class InMemoryBroker {

  private static final Map<String, InMemoryBroker> BROKERS = new ConcurrentHashMap<>();
  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.MEMORY);

  private final Broker broker;

  private InMemoryBroker(String name) {
    this.broker = new Broker(name);
  }

  /** The broker of the given name, created on first use. */
  public static InMemoryBroker named(String name) {
    return BROKERS.computeIfAbsent(name, InMemoryBroker::new);
  }

  /** A new broker with a unique name; each test can have its own. */
  public static InMemoryBroker create() {
    return named("memory-" + UUID.randomUUID());
  }

  /** This broker's name, the {@code host} of servers that use it. */
  public String name() {
    return broker.name();
  }

  /** A server using this broker, for {@code EventBus.builder().server(...)}. */
  public ServerConfig server() {
    return ServerConfig.of("memory", "memory", broker.name());
  }

  /**
   * The events published to an address, oldest first (messages that are not valid CloudEvents are left out). A
   * replayed dead letter of a group is not among them: it goes to that group's queue alone.
   */
  public List<CloudEvent> published(String address) {
    return decode(broker.log(address));
  }

  /** The messages published to an address as they were carried, oldest first. */
  public List<WireMessage> publishedMessages(String address) {
    return broker.log(address);
  }

  /**
   * Waits until at least {@code count} events were published to an address, and returns them all.
   *
   * @throws AssertionError when fewer arrived within the timeout, saying how many did
   * @throws IllegalArgumentException when {@code count} is more than the broker retains per address (10,000)
   */
  public List<CloudEvent> awaitPublished(String address, int count, Duration timeout) {
    if (count > Broker.RETAINED_PER_ADDRESS) {
      throw new IllegalArgumentException("awaitPublished(" + count + ") can never be met: the broker retains the last "
          + Broker.RETAINED_PER_ADDRESS + " messages per address; count deliveries with awaitDelivered instead");
    }
    try {
      List<WireMessage> log = broker.awaitLog(address, count, timeout.toMillis());
      if (log.size() < count) {
        throw new AssertionError("Expected " + count + " messages published to '" + address + "' within " + timeout
            + ", got " + log.size());
      }
      return decode(log);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for messages on '" + address + "'", e);
    }
  }

  /**
   * Waits until handlers acknowledged at least {@code count} messages of an address (over all subscriptions).
   *
   * @throws AssertionError when fewer were acknowledged within the timeout, saying how many were
   */
  public void awaitDelivered(String address, int count, Duration timeout) {
    try {
      int reached = broker.awaitAcknowledged(address, count, timeout.toMillis());
      if (reached < count) {
        throw new AssertionError("Expected " + count + " deliveries acknowledged on '" + address + "' within "
            + timeout + ", got " + reached);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("Interrupted while waiting for deliveries on '" + address + "'", e);
    }
  }

  /** How many messages of an address handlers acknowledged so far. */
  public int deliveredCount(String address) {
    return broker.acknowledgedCount(address);
  }

  /** Injects an event as an inbound message on an address, in binary mode, as if another service published it. */
  public void inject(String address, CloudEvent event) {
    broker.publish(address, CODEC.encode(event, Mode.BINARY));
  }

  /** Injects a raw message on an address, valid CloudEvent or not (to test dead-lettering of poison input). */
  public void inject(String address, WireMessage message) {
    broker.publish(address, message);
  }

  /**
   * Simulates a lost connection for testing a service's readiness wiring: until {@link #endOutage()}, the buses on
   * this broker report their connection {@link dev.omnibus.Health.State#RECONNECTING RECONNECTING} and every consumer
   * {@link dev.omnibus.Health.State#STALLED STALLED}, with the given reason, so {@code bus.health().ready()} is false.
   * Only the health reports change: events are published and delivered as before.
   *
   * <pre>{@code
   * broker.simulateOutage("Connection refused");
   * assertThat(readinessProbe()).isEqualTo(503);
   * broker.endOutage();
   * }</pre>
   */
  public void simulateOutage(String reason) {
    broker.outage(java.util.Objects.requireNonNull(reason, "reason"));
  }

  /** Ends a simulated outage: the buses on this broker report up again. */
  public void endOutage() {
    broker.recovered();
  }

  /** Forgets retained messages, pending deliveries, groups without members and counters. */
  public void clear() {
    broker.clear();
  }

  /** The internal broker; for the transport. */
  Broker broker() {
    return broker;
  }

  private static List<CloudEvent> decode(List<WireMessage> messages) {
    List<CloudEvent> events = new ArrayList<>(messages.size());
    for (WireMessage message : messages) {
      try {
        events.add(CODEC.decodeInProcess(message));
      } catch (MalformedEventException e) {
        // Not an event: visible through publishedMessages().
      }
    }
    return events;
  }

  @Override
  public String toString() {
    return "InMemoryBroker[" + broker.name() + "]";
  }
}
