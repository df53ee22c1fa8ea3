package dev.omnibus.mqtt.internal;

import dev.omnibus.Health;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.SettleOnceDelivery;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One anonymous subscription on a connection it shares with the transport's other anonymous subscriptions
 * ({@link AnonymousSubscriptions}): its own queue, its handler called one message at a time on a thread of the
 * transport's handler pool, and its own health.
 *
 * <p>A message is acknowledged to the broker when it reached this queue, not after handling: the session is clean,
 * so the broker would not deliver an unacknowledged message again anyway (it forgets it with the connection), and a
 * PUBACK held back for one slow handler would hold the shared connection's Receive Maximum, which the broker counts
 * per connection, for every subscription on it. The queue is bounded instead: beyond {@code bound} messages waiting,
 * new ones are dropped with a warning, as a broker drops what it cannot queue for a subscriber.
 *
 * <p>A nacked message is handled again before anything that arrived after it, up to {@code maxRedeliveries} times;
 * beyond that it is dropped with a warning (it was acknowledged already, and no one else would get it).
 *
 * <p>Only one handling of this subscription runs at a time, so the broker's order per topic holds; no thread is
 * held while the queue is empty.
 *
 * <p>Thread-safe.
 */
final class AnonymousSubscription implements TransportSubscription {

  private static final Logger LOG = LoggerFactory.getLogger(AnonymousSubscription.class);
  /** How often a subscription dropping messages says so again. */
  private static final long DROP_WARNING_EVERY = 10_000;

  private record Item(MqttConnection.Inbound message, int attempt) {}

  private final String description;
  private final DeliveryHandler handler;
  private final Executor handlers;
  private final int bound;
  private final int maxRedeliveries;
  private final Duration closeTimeout;
  private final Consumer<AnonymousSubscription> detach;
  private final HealthState health = new HealthState();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object lock = new Object();
  // Guarded by lock.
  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  private boolean scheduled;
  private @Nullable Thread handling;
  private long dropped;

  /**
   * @param handlers where handlings run; one at a time for this subscription
   * @param bound the most messages waiting here; more are dropped
   * @param detach called once on close, after the handler under way finished (or the close timeout passed): takes the
   *     subscription off its connection
   */
  AnonymousSubscription(String description, DeliveryHandler handler, Executor handlers, int bound,
      int maxRedeliveries, Duration closeTimeout, Consumer<AnonymousSubscription> detach) {
    this.description = description;
    this.handler = handler;
    this.handlers = handlers;
    this.bound = bound;
    this.maxRedeliveries = maxRedeliveries;
    this.closeTimeout = closeTimeout;
    this.detach = detach;
  }

  /** A message for this subscription arrived (on paho's callback thread, which must not block). */
  void offer(MqttConnection.Inbound message) {
    enqueue(new Item(message, message.duplicate() ? 2 : 1), false);
  }

  private void enqueue(Item item, boolean first) {
    boolean schedule;
    synchronized (lock) {
      if (closed.get()) {
        return;
      }
      if (!first && queue.size() >= bound) {
        if (dropped++ % DROP_WARNING_EVERY == 0) {
          LOG.warn("{}: {} messages are waiting for the handler, the most one subscription keeps "
              + "(x-omnibus-receive-maximum + 1000); message on '{}' dropped ({} so far). The handler is too slow "
              + "for what is published: give it a concurrency, or a group of its own", description, queue.size(),
              item.message().topic(), dropped);
        }
        return;
      }
      if (first) {
        queue.addFirst(item);
      } else {
        queue.addLast(item);
      }
      schedule = !scheduled;
      scheduled = true;
    }
    if (schedule) {
      try {
        handlers.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // The transport is closing: nothing more is handled.
        synchronized (lock) {
          scheduled = false;
        }
      }
    }
  }

  /** Handles what is queued, one at a time, until the queue is empty or the subscription closed. */
  private void drain() {
    while (true) {
      Item item;
      synchronized (lock) {
        item = closed.get() ? null : queue.pollFirst();
        if (item == null) {
          scheduled = false;
          handling = null;
          lock.notifyAll();
          return;
        }
        handling = Thread.currentThread();
      }
      Delivery delivery = new Delivery(item);
      try {
        handler.onDelivery(delivery);
      } catch (RuntimeException | Error e) {
        LOG.warn("{}: the delivery handler threw; the message is delivered again", description, e);
        delivery.nack(true);
      }
    }
  }

  /** The shared connection was lost: stalled until it is back and this subscription granted again. */
  void stalled(String reason) {
    health.lost(Health.State.STALLED, reason);
  }

  /** The broker granted this subscription (again). */
  void up() {
    health.up();
  }

  @Override
  public Health.Status health() {
    return health.get();
  }

  /**
   * Stops handling: waits, at most the close timeout, for a handler under way (unless called from it), then takes
   * the subscription off its connection. What is still queued is dropped: an anonymous subscription gets only what
   * arrives while it is open.
   */
  @Override
  public void close() {
    close(true);
  }

  /** Closes; {@code detach} false when the whole transport closes, which closes the connections itself. */
  void close(boolean detachFromConnection) {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.closed();
    synchronized (lock) {
      queue.clear();
      long deadline = System.nanoTime() + closeTimeout.toNanos();
      while (handling != null && handling != Thread.currentThread()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          LOG.warn("{}: the handler under way did not finish within the close timeout ({} ms)", description,
              closeTimeout.toMillis());
          break;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (detachFromConnection) {
      detach.accept(this);
    }
  }

  /** One delivery; the first ack or nack counts. The broker had its acknowledgement when the message was queued. */
  private final class Delivery extends SettleOnceDelivery {
    private final Item item;

    Delivery(Item item) {
      super(item.message().message(), item.attempt());
      this.item = item;
    }

    @Override
    protected void onAck() {
      // Acknowledged to the broker on arrival.
    }

    @Override
    protected void onNack(boolean requeue) {
      if (!requeue) {
        return; // the bus dead-lettered it or gave up
      }
      if (item.attempt() > maxRedeliveries) {
        LOG.warn("{}: message on '{}' was nacked {} times; dropped (x-omnibus-max-redeliveries)", description,
            item.message().topic(), item.attempt());
        return;
      }
      // MQTT has no negative acknowledgement: deliver again here, before anything that arrived after it.
      enqueue(new Item(item.message(), item.attempt() + 1), true);
    }
  }
}
