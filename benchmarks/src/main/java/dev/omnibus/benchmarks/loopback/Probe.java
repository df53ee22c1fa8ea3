package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders.Order;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.jspecify.annotations.Nullable;

/**
 * What one measured run observes: how many orders were received and confirmed, when the last arrived, the
 * end-to-end window, and (for latency runs) a histogram of receive time minus intended send time, in nanoseconds.
 */
final class Probe implements Side.Receiver, Side.Confirmation {

  private final AtomicLong received = new AtomicLong();
  private final AtomicLong confirmed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final Semaphore window;
  private final boolean windowed;
  private final Histogram latency = new ConcurrentHistogram(TimeUnit.SECONDS.toNanos(60), 3);
  private volatile long lastReceivedNanos;
  private volatile @Nullable Throwable firstFailure;

  /** A probe with an end-to-end window of {@code window} orders; 0 for none. */
  Probe(int window) {
    this.window = new Semaphore(window > 0 ? window : Integer.MAX_VALUE / 2);
    this.windowed = window > 0;
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
      window.release();
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
      window.release();
    }
  }

  /** Takes a place in the end-to-end window; false when none came free in time (lost messages). */
  boolean enter(long timeoutMillis) throws InterruptedException {
    return window.tryAcquire(timeoutMillis, TimeUnit.MILLISECONDS);
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
