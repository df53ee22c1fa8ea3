package dev.omnibus.spi.support;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Counts the sends under way, so that {@code Transport.flush(timeout)} can wait for them: {@link #track} a send's
 * stage when it is accepted, and {@link #await} them all in {@code flush}.
 *
 * <pre>{@code
 * public CompletionStage<Void> send(Destination destination, WireMessage message) {
 *   return inFlight.track(publish(destination, message));
 * }
 *
 * public boolean flush(Duration timeout) {
 *   return inFlight.await(timeout);
 * }
 * }</pre>
 *
 * <p>Thread-safe: any thread begins, ends and awaits.
 */
public final class InFlight {

  private final Object lock = new Object();
  private int count; // guarded by lock

  /** A counter at zero. */
  public InFlight() {}

  /** One more send is under way; pair every call with one {@link #end()}. */
  public void begin() {
    synchronized (lock) {
      count++;
    }
  }

  /**
   * One send is over (completed or failed); wakes {@link #await} when none is left.
   *
   * @throws IllegalStateException when more sends ended than began
   */
  public void end() {
    synchronized (lock) {
      if (count == 0) {
        throw new IllegalStateException("end() without begin()");
      }
      if (--count == 0) {
        lock.notifyAll();
      }
    }
  }

  /** Counts a send until its stage completes, however it completes; returns the same stage. */
  public <T> CompletionStage<T> track(CompletionStage<T> stage) {
    begin();
    stage.whenComplete((result, failure) -> end());
    return stage;
  }

  /** How many sends are under way now. */
  public int count() {
    synchronized (lock) {
      return count;
    }
  }

  /**
   * Waits until no send is under way, at most the timeout; sends that begin meanwhile are waited for too. Returns
   * whether none was left. An interrupt ends the wait early (the thread's interrupt flag is set again).
   */
  public boolean await(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (count > 0) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return false;
        }
        try {
          lock.wait(remaining / 1_000_000, (int) (remaining % 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return count == 0;
        }
      }
      return true;
    }
  }
}
