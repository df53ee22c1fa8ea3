package dev.omnibus;

import dev.omnibus.spi.Destination;
import dev.omnibus.spi.Transport;
import dev.omnibus.envelope.WireMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends wire messages through the transport and tracks them until the broker confirmed, so that closing can wait for
 * them; every failure becomes one of our exceptions. Thread-safe.
 */
final class Outbound {

  private static final CompletionStage<Void> CONFIRMED = CompletableFuture.completedStage(null);

  private final Transport transport;
  private final String serverName;
  private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();

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
    inFlight.add(result);
    result.whenComplete((ignored, failure) -> inFlight.remove(result));
    sent.whenComplete((ignored, failure) -> {
      if (failure == null) {
        result.complete(null);
      } else {
        result.completeExceptionally(asBusException(failure, destination));
      }
    });
    return result;
  }

  private EventBusException asBusException(Throwable failure, Destination destination) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof EventBusException busException) {
      return busException;
    }
    return PublishException.of(destination.address(), serverName, String.valueOf(cause.getMessage()), cause);
  }

  /** Waits for the sends under way, at most the timeout; returns how many are still unconfirmed. */
  int await(Duration timeout) throws InterruptedException {
    List<CompletableFuture<Void>> pending = new ArrayList<>(inFlight);
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      // Each caller has its own failed stage.
    } catch (TimeoutException e) {
      return inFlight.size();
    }
    return 0;
  }
}
