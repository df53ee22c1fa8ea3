package dev.omnibus;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** An in-memory {@link DedupeStore} bounded in entries and in time. Thread-safe. */
final class BoundedDedupeStore implements DedupeStore {

  private final int maxEntries;
  private final long windowNanos;
  private final LinkedHashMap<String, Long> handledAt = new LinkedHashMap<>();

  public BoundedDedupeStore(int maxEntries, Duration window) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be >= 1, was " + maxEntries);
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("window must be positive, was " + window);
    }
    this.maxEntries = maxEntries;
    this.windowNanos = window.toNanos();
  }

  @Override
  public synchronized boolean wasHandled(String key) {
    Long at = handledAt.get(key);
    return at != null && System.nanoTime() - at < windowNanos;
  }

  @Override
  public synchronized void markHandled(String key) {
    long now = System.nanoTime();
    handledAt.remove(key);
    handledAt.put(key, now);
    Iterator<Map.Entry<String, Long>> oldest = handledAt.entrySet().iterator();
    while (oldest.hasNext()) {
      Map.Entry<String, Long> entry = oldest.next();
      if (handledAt.size() > maxEntries || now - entry.getValue() >= windowNanos) {
        oldest.remove();
      } else {
        break;
      }
    }
  }
}
