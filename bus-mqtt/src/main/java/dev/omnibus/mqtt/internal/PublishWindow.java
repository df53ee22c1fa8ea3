package dev.omnibus.mqtt.internal;

import dev.omnibus.PublishException;
import dev.omnibus.envelope.WireMessage;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Flow control for publishing: at most {@code window} messages are unconfirmed on the connection at once, the rest
 * wait here in order. The window matches the broker's Receive Maximum (20 on stock Mosquitto): a client that sends more
 * unacknowledged QoS 1 messages than that is disconnected by the broker, and paho refuses to.
 *
 * <p>Sending never blocks the caller, so a send from paho's callback thread (a completion callback that publishes
 * again) cannot dead-lock waiting for a permit only that thread would release. Thread-safe.
 */
final class PublishWindow {

  /** One message waiting for, or holding, a permit. */
  private final class Pending {
    final String channel;
    final String topic;
    final WireMessage message;
    final int qos;
    final boolean retain;
    final @Nullable Long expirySeconds;
    final CompletableFuture<Void> result = new CompletableFuture<>();
    final AtomicBoolean holdsPermit = new AtomicBoolean();
    final long queuedAt = System.nanoTime();

    Pending(String channel, String topic, WireMessage message, int qos, boolean retain, @Nullable Long expiry) {
      this.channel = channel;
      this.topic = topic;
      this.message = message;
      this.qos = qos;
      this.retain = retain;
      this.expirySeconds = expiry;
    }

    void complete(@Nullable Throwable failure) {
      if (failure == null) {
        result.complete(null);
      } else {
        result.completeExceptionally(failure instanceof PublishException
            ? failure : failures.apply(new Failure(channel, failure)));
      }
      if (holdsPermit.compareAndSet(true, false)) {
        inFlight.remove(this);
        permits.release();
        drain();
      }
    }
  }

  /** A failure to turn into the caller's exception. */
  record Failure(String channel, Throwable cause) {}

  private final MqttConnection connection;
  private final Semaphore permits;
  private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
  private final Set<Pending> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<Void>> outstanding = ConcurrentHashMap.newKeySet();
  private final Function<Failure, PublishException> failures;
  private final AtomicInteger wip = new AtomicInteger();

  PublishWindow(MqttConnection connection, Function<Failure, PublishException> failures) {
    this.connection = connection;
    // No permit until open(): the window's size is the broker's Receive Maximum, known once connected.
    this.permits = new Semaphore(0);
    this.failures = failures;
  }

  /** Opens the window to the given size, once the connection is established. */
  void open(int size) {
    permits.release(size);
    drain();
  }

  /** Queues a message; it is published as soon as the window has room. */
  CompletableFuture<Void> send(String channel, String topic, WireMessage message, int qos, boolean retain,
      @Nullable Long expirySeconds) {
    Pending pending = new Pending(channel, topic, message, qos, retain, expirySeconds);
    outstanding.add(pending.result);
    pending.result.whenComplete((ignored, failure) -> outstanding.remove(pending.result));
    queue.add(pending);
    drain();
    return pending.result;
  }

  // Queue-drain: one thread at a time moves messages into the window; a drain() call while another runs makes that one
  // loop again. No recursion, however many completions (or immediate failures) happen while draining.
  private void drain() {
    if (wip.getAndIncrement() != 0) {
      return;
    }
    do {
      while (permits.tryAcquire()) {
        if (!connection.isConnected()) {
          // Hold queued messages while paho reconnects: reconnected() drains again, sweep() fails what waited too
          // long. Publishing goes on across a broker restart instead of failing every send of the outage.
          permits.release();
          break;
        }
        Pending next = queue.poll();
        if (next == null) {
          permits.release();
          break;
        }
        next.holdsPermit.set(true);
        inFlight.add(next);
        connection.publish(next.topic, next.message, next.qos, next.retain, next.expirySeconds,
            (ignored, failure) -> next.complete(failure));
      }
    } while (wip.decrementAndGet() != 0);
  }

  /** The connection is back: publish what was held. */
  void reconnected() {
    drain();
  }

  /**
   * Fails the messages held longer than {@code hold} while the connection was down, oldest first; returns whether
   * messages are still held.
   */
  boolean sweep(Duration hold) {
    long now = System.nanoTime();
    for (Pending pending; (pending = queue.peek()) != null; ) {
      if (now - pending.queuedAt < hold.toNanos()) {
        return true;
      }
      if (queue.remove(pending)) {
        pending.complete(new IllegalStateException("not connected to the broker for " + hold.toSeconds()
            + " s (reconnecting)"));
      }
    }
    return false;
  }

  /**
   * The connection was lost: messages in flight may or may not have reached the broker, and a new clean session will
   * not confirm them; fail them so their senders publish again (at least once), and free their permits.
   */
  void connectionLost(@Nullable Throwable cause) {
    String reason = "the connection was lost before the broker confirmed the message"
        + (cause == null ? "" : " (" + cause + ")");
    for (Pending pending : inFlight.toArray(new Pending[0])) {
      pending.complete(new IllegalStateException(reason));
    }
  }

  /** Fails every message not yet confirmed, with the given exception. */
  void failAll(RuntimeException failure) {
    for (Pending pending; (pending = queue.poll()) != null; ) {
      pending.result.completeExceptionally(failure);
    }
    for (Pending pending : inFlight.toArray(new Pending[0])) {
      pending.complete(failure);
    }
  }

  /** Waits until every message accepted so far is confirmed or failed, at most the timeout. */
  boolean flush(Duration timeout) {
    CompletableFuture<?>[] snapshot = outstanding.toArray(new CompletableFuture<?>[0]);
    try {
      CompletableFuture.allOf(snapshot).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (ExecutionException e) {
      return true; // all completed; some failed, which their senders see
    } catch (TimeoutException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
