package dev.omnibus;

import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportSubscription;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of a channel: a group's (shared by all subscriptions of that group in the bus) or an anonymous one.
 * Decodes each delivery, dispatches it by CloudEvents type, and acknowledges it only after its handler returned; a
 * failing handler gets the event again up to the bus's attempts, then the event goes to dead letters; a message that
 * is not a CloudEvent or whose payload cannot be decoded goes to dead letters at once.
 */
final class Dispatcher implements DeliveryHandler {

  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final int TRACKED_ATTEMPTS = 10_000;

  private final DefaultEventBus bus;
  private final ChannelDef channel;
  private final @Nullable String group;
  private final Destination destination;
  private final Map<String, Target> byType = new ConcurrentHashMap<>();
  private volatile @Nullable RawTarget raw;
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Map<String, Integer> attempts = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
      return size() > TRACKED_ATTEMPTS;
    }
  };
  private volatile @Nullable TransportSubscription subscription;
  private final RetryPolicy retry;
  private final @Nullable DedupeStore dedupe;
  private final String dedupePrefix;
  private final java.util.concurrent.CountDownLatch stopSignal = new java.util.concurrent.CountDownLatch(1);

  Dispatcher(DefaultEventBus bus, ChannelDef channel, @Nullable String group) {
    this.bus = bus;
    this.channel = channel;
    this.group = group;
    this.destination = channel.receiveDestination();
    this.retry = bus.retryPolicy(channel, group);
    this.dedupe = bus.dedupe();
    this.dedupePrefix = channel.id() + "|" + (group != null ? group : "anonymous@" + System.identityHashCode(this))
        + "|";
  }

  ChannelDef channel() {
    return channel;
  }

  @Nullable String group() {
    return group;
  }

  Destination destination() {
    return destination;
  }

  void start(Transport transport, SubscribeOptions options) {
    subscription = transport.subscribe(destination, options, this);
  }

  <T> Subscription add(EventType<T> type, EventHandler<T> handler) {
    Target target = new Target(type, handler);
    if (byType.putIfAbsent(type.type(), target) != null) {
      throw ConfigurationException.of("Group '" + group + "' already has a handler for '" + type.type()
          + "' on channel '" + channel.id() + "' in this bus: use one handler per type and group, or another group");
    }
    return new Handle(() -> byType.remove(type.type(), target));
  }

  Subscription addRaw(RawEventHandler handler) {
    RawTarget target = new RawTarget(handler);
    if (raw != null) {
      throw ConfigurationException.of("Group '" + group + "' already has a raw handler on channel '"
          + channel.id() + "' in this bus");
    }
    raw = target;
    return new Handle(() -> {
      if (raw == target) {
        raw = null;
      }
    });
  }

  /** Stops consuming: the transport subscription closes, leaving unacknowledged events to the broker. */
  void stop() {
    if (stopped.compareAndSet(false, true)) {
      stopSignal.countDown();
      TransportSubscription running = subscription;
      if (running != null) {
        running.close();
      }
    }
  }

  /** Whether at most one handler is left, so that removing it ends this consumer. */
  boolean lastHandler() {
    return byType.size() + (raw == null ? 0 : 1) <= 1;
  }

  @Override
  public void onDelivery(Delivery delivery) {
    try {
      handle(delivery);
    } catch (RuntimeException | Error e) {
      LOG.error("Unexpected failure handling a delivery of channel '{}'; it will be redelivered", channel.id(), e);
      delivery.nack(true);
    }
  }

  private void handle(Delivery delivery) {
    if (stopped.get()) {
      delivery.nack(true);
      return;
    }
    CloudEvent event;
    try {
      event = bus.envelope().decode(delivery.message());
    } catch (MalformedEventException e) {
      deadLetter(delivery, null, "malformed: " + String.join("; ", e.violations()), delivery.attempt(), e);
      return;
    }
    Target target = byType.get(event.getType());
    RawTarget rawTarget = raw;
    if (target == null && rawTarget == null) {
      LOG.debug("No handler for type '{}' on channel '{}' (group {}): acknowledged and skipped", event.getType(),
          channel.id(), group);
      delivery.ack();
      return;
    }
    CloudEventData data = event.getData();
    List<ValidationException.Violation> violations = bus.contract().checkReceive(channel.id(), event.getType(),
        data == null ? null : data.toBytes(), event.getDataContentType());
    if (!violations.isEmpty()) {
      deadLetter(delivery, event, "invalid payload: " + violations, delivery.attempt(),
          ValidationException.received(event.getType(), channel.id(), violations));
      return;
    }
    String key = event.getSource() + " " + event.getId();
    if (dedupe != null && dedupe.wasHandled(dedupePrefix + key)) {
      LOG.debug("Event {} from {} was handled already by this group: acknowledged as a duplicate", event.getId(),
          event.getSource());
      delivery.ack();
      return;
    }
    int attempt = Math.max(delivery.attempt(), nextAttempt(key));
    try {
      if (target != null) {
        target.handle(event);
      } else {
        rawTarget.handler().handle(event);
      }
    } catch (SerializationException e) {
      forget(key);
      deadLetter(delivery, event, "undecodable payload: " + e.getMessage(), attempt, e);
      return;
    } catch (Exception e) {
      if (attempt >= retry.maxAttempts()) {
        forget(key);
        deadLetter(delivery, event, "handler failed " + attempt + " times", attempt, e);
      } else {
        java.time.Duration backoff = retry.backoffAfter(attempt);
        LOG.debug("Handler failed for event {} (attempt {} of {}); redelivering in {}", event.getId(), attempt,
            retry.maxAttempts(), backoff, e);
        awaitBackoff(backoff);
        delivery.nack(true);
      }
      return;
    }
    forget(key);
    if (dedupe != null) {
      dedupe.markHandled(dedupePrefix + key);
    }
    delivery.ack();
  }

  /**
   * Dead-letters a delivery, then acknowledges it; leaves it unacknowledged only when the broker did not store the dead
   * letter (it comes again). A dead letter that cannot be encoded at all is acknowledged after one ERROR log, so a
   * malformed message never blocks the partition or loops on the queue.
   */
  private void deadLetter(Delivery delivery, @Nullable CloudEvent event, String reason, int attempt,
      @Nullable Throwable error) {
    if (bus.deadLetter(this, event, delivery.message(), reason, attempt, error)) {
      delivery.ack();
    } else {
      delivery.nack(true);
    }
  }

  /**
   * Waits before the event is handed out again. The wait holds the event's partition or queue position, so per-key
   * order survives retries; stopping the subscription cuts it short.
   */
  private void awaitBackoff(java.time.Duration backoff) {
    try {
      stopSignal.await(backoff.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int nextAttempt(String key) {
    synchronized (attempts) {
      return attempts.merge(key, 1, Integer::sum);
    }
  }

  private void forget(String key) {
    synchronized (attempts) {
      attempts.remove(key);
    }
  }

  /** A typed handler with its event type. */
  private record Target(EventType<?> type, EventHandler<?> handler) {
    @SuppressWarnings("unchecked")
    void handle(CloudEvent event) throws Exception {
      dispatch((EventType<Object>) type, (EventHandler<Object>) handler, event);
    }

    private static <T> void dispatch(EventType<T> type, EventHandler<T> handler, CloudEvent event) throws Exception {
      CloudEventData data = event.getData();
      T payload = data == null ? null : type.codec().decode(data.toBytes());
      Map<String, Object> extensions = new LinkedHashMap<>();
      for (String name : event.getExtensionNames()) {
        Object value = event.getExtension(name);
        if (value != null) {
          extensions.put(name, value);
        }
      }
      handler.handle(Event.received(type, payload, event.getId(), event.getSource(), event.getSubject(),
          event.getTime(), event.getDataContentType(), event.getDataSchema(), extensions));
    }
  }

  private record RawTarget(RawEventHandler handler) {}

  /** The subscription handed to the application. */
  private final class Handle implements Subscription {
    private final Runnable remove;
    private final AtomicBoolean closed = new AtomicBoolean();

    Handle(Runnable remove) {
      this.remove = remove;
    }

    @Override
    public String channel() {
      return channel.id();
    }

    @Override
    public @Nullable String group() {
      return group;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        bus.unsubscribe(Dispatcher.this, remove);
      }
    }
  }
}
