package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders.Order;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * What one measured run observes: how many orders were received and confirmed, when the last arrived, the
 * end-to-end window, and (for latency runs) a histogram of receive time minus intended send time, in nanoseconds.
 *
 * <p>The window lets at most its size of orders be published but not yet received or failed. A publisher that finds
 * it full waits until an eighth of it came free, not for each place: with a semaphore, every order received while the
 * publisher waited woke it, a system call on the receiving thread and a thread switch per order, charged only to the
 * side whose publisher was fast enough to fill the window (the bus's asynchronous publishes on RabbitMQ, not
 * amqp-client's blocking ones).
 */
final class Probe implements Side.Receiver, Side.Confirmation {

  private final AtomicLong received = new AtomicLong();
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  /** Places left in the window; may go below zero only transiently, between a taken place and its return. */
  private final AtomicLong free;
  private final boolean windowed;
  /** How many places must be free before a waiting publisher is woken. */
  private final long batch;
  private final Object full = new Object();
  private volatile boolean waiting;
  private final Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
  private volatile long lastReceivedNanos;
  private volatile @Nullable Throwable firstFailure;

  /** A probe with an end-to-end window of {@code window} orders; 0 for none. */
  Probe(int window) {
    this.free = new AtomicLong(window > 0 ? window : Long.MAX_VALUE / 2);
    this.windowed = window > 0;
    this.batch = Math.max(1, window / 8);
  }

  @Override
  public void received(Order order) {
    long now = System.nanoTime();
    if (order.sentAtNanos() > 0) {
      latency.recordValue(Math.max(0, now - order.sentAtNanos()));
    }
    lastReceivedNanos = now;
    received.incrementAndGet();
    if (windowed) {
      leave();
    }
  }

  @Override
  public void confirmed() {
    confirmed.incrementAndGet();
  }

  @Override
  public void failed(Throwable failure) {
    if (failed.getAndIncrement() == 0) {
      firstFailure = failure;
    }
    if (windowed) {
      leave();
    }
  }

  private void leave() {
    // Dekker with enter(): this writes free then reads waiting, enter writes waiting then reads free.
    if (free.incrementAndGet() >= batch && waiting) {
      synchronized (full) {
        full.notifyAll();
      }
    }
  }

  /**
   * Takes a place in the end-to-end window; when it is full, first waits for a batch of places to come free. False
   * when none came free in time (lost messages).
   */
  boolean enter(long timeoutMillis) throws InterruptedException {
    if (free.getAndDecrement() > 0) {
      return true;
    }
    free.incrementAndGet();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    synchronized (full) {
      waiting = true;
      try {
        while (free.get() < batch) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          TimeUnit.NANOSECONDS.timedWait(full, left);
        }
      } finally {
        waiting = false;
      }
    }
    if (free.getAndDecrement() > 0) {
      return true;
    }
    free.incrementAndGet();
    return false;
  }

  long receivedCount() {
    return received.get();
  }

  long confirmedCount() {
    return confirmed.get();
  }

  long failedCount() {
    return failed.get();
  }

  @Nullable Throwable firstFailure() {
    return firstFailure;
  }

  long lastReceivedNanos() {
    return lastReceivedNanos;
  }

  Histogram latency() {
    return latency;
  }

  /** Waits until {@code count} orders were received, or nothing arrived for {@code stallMillis}. */
  boolean awaitReceived(long count, long stallMillis) throws InterruptedException {
    long seen = receivedCount();
    long lastProgress = System.nanoTime();
    while (receivedCount() < count) {
      Thread.sleep(2);
      long now = receivedCount();
      if (now != seen) {
        seen = now;
        lastProgress = System.nanoTime();
      } else if (System.nanoTime() - lastProgress > TimeUnit.MILLISECONDS.toNanos(stallMillis)) {
        return false;
      }
    }
    return true;
  }
}
