package dev.omnibus.memory.internal;

import dev.omnibus.Health;
import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportSubscription;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One bus's connection to an in-memory broker. Up until closed, but during an outage simulated on the broker
 * ({@code InMemoryBroker.simulateOutage}), when it reports itself reconnecting and its subscriptions stalled.
 * Thread-safe.
 */
public final class InMemoryTransport implements Transport {

  private static final TransportCapabilities CAPABILITIES = TransportCapabilities.builder(HeaderConvention.MEMORY)
      .supports(Feature.values())
      .publishConfirmation("enqueued")
      .build();

  private static final String GROUP_OPTION = "group";

  private final Broker broker;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<Queue.Member> members = ConcurrentHashMap.newKeySet();
  private final Instant opened = Instant.now();

  public InMemoryTransport(Broker broker) {
    this.broker = broker;
  }

  @Override
  public CompletionStage<Void> send(Destination destination, WireMessage message) {
    if (closed.get()) {
      return CompletableFuture.failedFuture(TransportClosedException.of("In-memory transport of broker '"
          + broker.name() + "'"));
    }
    if (destination.kind() == Destination.Kind.GROUP) {
      String group = destination.option(GROUP_OPTION, "");
      if (!broker.publishToGroup(destination.address(), group, message)) {
        return CompletableFuture.failedFuture(PublishException.of(destination.channel(), broker.name(), "group '"
            + group + "' has no queue on '" + destination.address() + "': it never subscribed to it on this broker "
            + "(or the broker was cleared), so nothing was sent"));
      }
      return CompletableFuture.completedFuture(null);
    }
    broker.publish(destination.address(), message);
    return CompletableFuture.completedFuture(null);
  }

  /**
   * The group's queue on the address pattern it subscribed: the destination keeps the channel's address and names the
   * group in its options, which only this transport reads, for a destination of kind {@link Destination.Kind#GROUP}.
   */
  @Override
  public Optional<Destination> groupDestination(Destination channelDestination, String group) {
    return Optional.of(new Destination(channelDestination.channel(), channelDestination.address(),
        channelDestination.mode(), Bindings.none(), Bindings.none(), Map.of(GROUP_OPTION, group),
        Destination.Kind.GROUP));
  }

  @Override
  public TransportSubscription subscribe(Destination destination, SubscribeOptions options, DeliveryHandler handler) {
    if (closed.get()) {
      throw TransportClosedException.of("In-memory transport of broker '" + broker.name() + "'");
    }
    Queue.Member member = broker.join(destination.address(), options.group(), handler);
    members.add(member);
    AtomicBoolean stopped = new AtomicBoolean();
    Instant started = Instant.now();
    return new TransportSubscription() {
      @Override
      public void close() {
        if (stopped.compareAndSet(false, true)) {
          members.remove(member);
          member.close();
        }
      }

      @Override
      public Health.Status health() {
        if (stopped.get()) {
          return Health.Status.of(Health.State.CLOSED, null, started);
        }
        Health.Status connection = broker.connection();
        return connection.state() == Health.State.UP
            ? Health.Status.up(later(started, connection.since()))
            : Health.Status.of(Health.State.STALLED, connection.lastError(), connection.since());
      }
    };
  }

  @Override
  public Health.Status health() {
    if (closed.get()) {
      return Health.Status.of(Health.State.CLOSED, null, opened);
    }
    Health.Status connection = broker.connection();
    return connection.state() == Health.State.UP ? Health.Status.up(later(opened, connection.since())) : connection;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  @Override
  public TransportCapabilities capabilities() {
    return CAPABILITIES;
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      for (Queue.Member member : members) {
        member.close();
      }
      members.clear();
    }
  }
}
