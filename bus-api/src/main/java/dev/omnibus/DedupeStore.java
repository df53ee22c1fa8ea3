package dev.omnibus;

import java.time.Duration;

/**
 * Remembers which events a consumer group has handled, so that a redelivered duplicate (same {@code source} and
 * {@code id}) is acknowledged without calling the handler again. Enable it with
 * {@code EventBus.builder().dedupe(...)}.
 *
 * <p>An event is remembered only after its handler returned; one whose handler failed is handed out again as usual.
 * Implementations must be thread-safe. Back it with a shared database to dedupe across service instances.
 */
public interface DedupeStore {

  /** Whether the event with this key was handled within the store's window. */
  boolean wasHandled(String key);

  /** Remembers that the event with this key was handled. */
  void markHandled(String key);

  /**
   * The default store: in memory, per bus, at most {@code maxEntries} keys (the oldest forgotten first), each kept
   * for {@code window}.
   */
  static DedupeStore inMemory(int maxEntries, Duration window) {
    return new BoundedDedupeStore(maxEntries, window);
  }
}
