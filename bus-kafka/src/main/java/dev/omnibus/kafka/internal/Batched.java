package dev.omnibus.kafka.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.KafkaFuture;

/**
 * One admin request for many keys: the first key asked for is sent at once; the keys asked for while that request is
 * under way wait, and the next request carries all of them (at most {@code maxBatch}). An admin client sends one
 * request at a time to a broker, so a burst of subscriptions would otherwise queue one round trip each; batched they
 * cost a few. A lone caller waits no longer than it would alone.
 *
 * <p>Thread-safe. The stages complete on the admin client's thread.
 *
 * @param <K> what is asked for: a topic, a partition
 * @param <V> its answer
 */
final class Batched<K, V> {

  private final int maxBatch;
  private final Function<Set<K>, Map<K, KafkaFuture<V>>> request;
  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<K, List<CompletableFuture<V>>> waiting = new LinkedHashMap<>();
  private boolean requesting;

  /**
   * @param request sends one request for the keys and gives each key's answer; may throw when it cannot be sent
   */
  Batched(int maxBatch, Function<Set<K>, Map<K, KafkaFuture<V>>> request) {
    this.maxBatch = maxBatch;
    this.request = request;
  }

  /** The key's answer from the next request, or failed with the admin client's exception. */
  CompletableFuture<V> get(K key) {
    CompletableFuture<V> result = new CompletableFuture<>();
    boolean send;
    synchronized (lock) {
      waiting.computeIfAbsent(key, ignored -> new ArrayList<>(1)).add(result);
      send = !requesting;
      requesting = true;
    }
    if (send) {
      sendWaiting();
    }
    return result;
  }

  /** Sends one request for the keys waiting; its answer sends the next. */
  private void sendWaiting() {
    Map<K, List<CompletableFuture<V>>> batch = new HashMap<>();
    synchronized (lock) {
      Iterator<Map.Entry<K, List<CompletableFuture<V>>>> next = waiting.entrySet().iterator();
      while (next.hasNext() && batch.size() < maxBatch) {
        Map.Entry<K, List<CompletableFuture<V>>> entry = next.next();
        batch.put(entry.getKey(), entry.getValue());
        next.remove();
      }
      if (batch.isEmpty()) {
        requesting = false;
        return;
      }
    }
    Map<K, KafkaFuture<V>> answers;
    try {
      answers = request.apply(batch.keySet());
    } catch (RuntimeException e) {
      batch.values().forEach(results -> results.forEach(result -> result.completeExceptionally(e)));
      sendWaiting();
      return;
    }
    batch.forEach((key, results) -> {
      KafkaFuture<V> answer = answers.get(key);
      if (answer == null) {
        IllegalStateException missing = new IllegalStateException("no answer for " + key);
        results.forEach(result -> result.completeExceptionally(missing));
        return;
      }
      answer.whenComplete((value, failure) -> results.forEach(result -> {
        if (failure == null) {
          result.complete(value);
        } else {
          result.completeExceptionally(failure);
        }
      }));
    });
    KafkaFuture.allOf(answers.values().toArray(KafkaFuture[]::new)).whenComplete((ignored, failure) -> sendWaiting());
  }
}
