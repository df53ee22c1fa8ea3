package dev.omnibus.rabbitmq.internal;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Keeps sends in order while the publishing connection is down or recovering, and hands them to the broker once it is
 * back, so that publishing goes on across a broker restart instead of failing every send of the outage.
 *
 * <p>Every send goes through {@link #send}: while the connection is up and nothing is held it is dispatched at once on
 * the caller's thread; otherwise it joins the queue behind those already held. {@link #resume} (after recovery, on a
 * worker) dispatches the queue in order, each send under the same lock as a caller's own, so no send overtakes an
 * older one. A send that the dispatcher could not hand over because the connection went down meanwhile goes back to
 * the head of the queue. {@link #expire} fails those held longer than allowed, so a send never waits forever for a
 * recovery that does not come; {@link #close} fails the rest.
 *
 * <p>Thread-safe. The dispatcher runs under the dispatch lock, one send at a time; expiring and closing take only the
 * queue's lock, so they are not stalled by a dispatch blocked on the broker.
 *
 * @param <T> the sends
 */
final class HeldSends<T extends HeldSends.Send> {

  /** One send as the queue sees it. */
  interface Send {
    /** When the send was made, in {@link System#nanoTime()} terms. */
    long sentNanos();

    /** Fails the send: the connection did not come back within the hold. */
    void holdExpired(String reason);

    /** Fails the send: the transport closed while it was held. */
    void transportClosed();
  }

  /** Hands one send to the broker. */
  @FunctionalInterface
  interface Dispatcher<T> {
    /**
     * Publishes the send, or fails it; returns false only when it was not handed to the broker at all because the
     * connection is down, so it may be held and published later without risk of a duplicate.
     */
    boolean dispatch(T send);
  }

  private final Object dispatchLock = new Object();
  private final Object queueLock = new Object();
  private final ArrayDeque<T> queue = new ArrayDeque<>();
  private final BooleanSupplier connected;
  private final Dispatcher<T> dispatcher;
  private boolean closed; // guarded by queueLock

  /**
   * @param connected whether the connection is up (and recovered): sends are dispatched only then
   * @param dispatcher publishes one send
   */
  HeldSends(BooleanSupplier connected, Dispatcher<T> dispatcher) {
    this.connected = connected;
    this.dispatcher = dispatcher;
  }

  /** Dispatches the send now if the connection is up and nothing is held, else holds it behind the others. */
  void send(T send) {
    synchronized (dispatchLock) {
      boolean closedNow;
      synchronized (queueLock) {
        closedNow = closed;
        // Checked under the dispatch lock: resume() takes it after the connection is marked up, so either this sees
        // the connection up, or resume() sees this send in the queue. Nothing is stranded.
        if (!closedNow && (!queue.isEmpty() || !connected.getAsBoolean())) {
          queue.addLast(send);
          return;
        }
      }
      if (closedNow) {
        send.transportClosed();
      } else if (!dispatcher.dispatch(send)) {
        holdAgain(send);
      }
    }
  }

  /**
   * Dispatches the held sends in order while the connection is up; stops at the first the dispatcher could not hand
   * over (the connection went down again: the next recovery resumes). Call after recovery, and now and then in case a
   * recovery went unnoticed; never from the connection's I/O thread, since dispatching may wait for the broker.
   */
  void resume() {
    while (true) {
      synchronized (dispatchLock) {
        T next;
        synchronized (queueLock) {
          if (closed || !connected.getAsBoolean()) {
            return;
          }
          next = queue.pollFirst();
        }
        if (next == null) {
          return;
        }
        if (!dispatcher.dispatch(next)) {
          holdAgain(next);
          return;
        }
      }
    }
  }

  /** Fails the sends held longer than {@code hold}, oldest first; returns how many are still held. */
  int expire(Duration hold, long nowNanos) {
    List<T> expired = new ArrayList<>();
    int left;
    synchronized (queueLock) {
      // The queue is in send order, so the oldest are at its head; one dispatched back to the head is older still.
      for (T head; (head = queue.peekFirst()) != null && nowNanos - head.sentNanos() >= hold.toNanos(); ) {
        expired.add(queue.pollFirst());
      }
      left = queue.size();
    }
    String reason = "the connection to the broker was down or recovering for " + hold.toMillis() + " ms";
    expired.forEach(send -> send.holdExpired(reason));
    return left;
  }

  /** Fails every held send with {@link Send#transportClosed()}; sends made afterwards fail the same way. */
  void close() {
    List<T> held;
    synchronized (queueLock) {
      closed = true;
      held = new ArrayList<>(queue);
      queue.clear();
    }
    held.forEach(Send::transportClosed);
  }

  /** How many sends are held. */
  int held() {
    synchronized (queueLock) {
      return queue.size();
    }
  }

  private void holdAgain(T send) {
    boolean held;
    synchronized (queueLock) {
      held = !closed;
      if (held) {
        queue.addFirst(send);
      }
    }
    if (!held) {
      send.transportClosed();
    }
  }
}
