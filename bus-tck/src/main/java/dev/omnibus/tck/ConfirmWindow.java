package dev.omnibus.tck;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * How fault scenarios publish under load: at most a window of events awaiting the broker's confirm at any time, and
 * the ids of those it confirmed kept, since those are what must not be lost. Thread-safe for one publishing thread.
 */
public final class ConfirmWindow {

  /** The window the fault scenarios use: 256 events awaiting their confirm. */
  public static final int DEFAULT_SIZE = 256;

  private final Semaphore window;
  private final Set<String> confirmed = ConcurrentHashMap.newKeySet();
  private final List<CompletableFuture<Void>> sent = new ArrayList<>();

  /** A window of the given size. */
  public ConfirmWindow(int size) {
    this.window = new Semaphore(size);
  }

  /** Publishes once the window has room; the event's id is kept when the broker confirms it. */
  public void publish(EventBus bus, Event<?> event) throws InterruptedException {
    window.acquire();
    CompletableFuture<Void> publish = bus.publish(event).toCompletableFuture();
    sent.add(publish);
    publish.whenComplete((ok, failure) -> {
      window.release();
      if (failure == null) {
        confirmed.add(event.id());
      }
    });
  }

  /** Waits at most {@code atMost} for every publish to complete, confirmed or failed; returns the confirmed ids. */
  public Set<String> awaitAll(Duration atMost) {
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).exceptionally(failure -> null)
        .orTimeout(atMost.toSeconds(), TimeUnit.SECONDS).join();
    return confirmed;
  }

  /**
   * Publishes {@code count} text events ({@code prefix + i}, 32 subjects) in a window of {@link #DEFAULT_SIZE} and
   * returns the ids the broker confirmed. With an outage, the first third goes out at full speed, then the outage
   * begins and the second third is paced (one event per {@code pace}) while it lasts, so that publishes meet the broker
   * going down, being down and coming back; the last third waits (at most {@code atMost}) for it to end, so publishing
   * after it is covered too. At full speed a fast broker would take every event before the outage had even started.
   *
   * @param type the events' type, on the channel to publish to
   * @param outageAtOneThird starts the outage (a restart, a node stopped) and completes when it is over; or null
   */
  public static Set<String> publishAcross(EventBus bus, EventType<String> type, int count, String prefix,
      @Nullable Supplier<CompletableFuture<Void>> outageAtOneThird, Duration pace, Duration atMost)
      throws InterruptedException {
    ConfirmWindow window = new ConfirmWindow(DEFAULT_SIZE);
    CompletableFuture<Void> outage = null;
    for (int i = 0; i < count; i++) {
      if (outageAtOneThird != null && i == count / 3) {
        outage = outageAtOneThird.get();
      }
      if (outage != null && i < 2 * count / 3) {
        awaitQuietly(outage, pace);
      } else if (outage != null && i == 2 * count / 3) {
        awaitQuietly(outage, atMost);
      }
      window.publish(bus, type.event(prefix + i).subject("k" + (i % 32)).build());
    }
    return window.awaitAll(atMost);
  }

  /** Waits at most the given time for the outage to end; its failure is reported by the scenario. */
  private static void awaitQuietly(CompletableFuture<Void> outage, Duration atMost) throws InterruptedException {
    try {
      outage.get(atMost.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | TimeoutException e) {
      // still under way (paced on), or failed: the scenario reports it
    }
  }
}
