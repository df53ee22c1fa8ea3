package dev.omnibus;

import dev.omnibus.spi.Destination;
import dev.omnibus.spi.Transport;
import dev.omnibus.envelope.WireMessage;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends wire messages through the transport and tracks them until the broker confirmed, so that closing can wait for
 * them; every failure becomes one of our exceptions. Thread-safe.
 */
final class Outbound {

  private static final CompletionStage<Void> CONFIRMED = CompletableFuture.completedStage(null);

  private final Transport transport;
  private final String serverName;
  /**
   * The sends under way. A counter rather than a set of their stages: one atomic add per send instead of a set's
   * insert and remove (and their nodes), and {@link #await} needs only to know when it reaches zero.
   */
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Where {@link #await} sleeps until the last send under way ends. */
  private final Object drained = new Object();
  /** Whether a thread is (or is about to be) in {@link #await}: only then does the last send's end wake it. */
  private volatile boolean awaiting;

  Outbound(Transport transport, String serverName) {
    this.transport = transport;
    this.serverName = serverName;
  }

  CompletionStage<Void> send(Destination destination, WireMessage message) {
    CompletionStage<Void> sent;
    try {
      sent = transport.send(destination, message);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    if (sent instanceof CompletableFuture<Void> future && future.isDone() && !future.isCompletedExceptionally()) {
      // Confirmed already (the in-memory binding confirms as it enqueues): nothing to track or convert, and the
      // caller gets a stage it cannot complete, shared by every such send, rather than three objects per publish.
      return CONFIRMED;
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    inFlight.incrementAndGet();
    sent.whenComplete((ignored, failure) -> {
      try {
        if (failure == null) {
          result.complete(null);
        } else {
          result.completeExceptionally(asBusException(failure, destination));
        }
      } finally {
        ended();
      }
    });
    return result;
  }

  private void ended() {
    // The decrement comes before the read of awaiting, and await sets awaiting before it reads the count: one of the
    // two sees the other, so await either finds zero or is woken here.
    if (inFlight.decrementAndGet() == 0 && awaiting) {
      synchronized (drained) {
        drained.notifyAll();
      }
    }
  }

  private EventBusException asBusException(Throwable failure, Destination destination) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof EventBusException busException) {
      return busException;
    }
    return PublishException.of(destination.address(), serverName, String.valueOf(cause.getMessage()), cause);
  }

  /**
   * Waits for the sends under way, at most the timeout; sends that begin meanwhile are waited for too. Returns how many
   * are still unconfirmed.
   */
  int await(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    awaiting = true;
    synchronized (drained) {
      int left;
      while ((left = inFlight.get()) > 0) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
          return left;
        }
        TimeUnit.NANOSECONDS.timedWait(drained, remaining);
      }
      return 0;
    }
  }
}
