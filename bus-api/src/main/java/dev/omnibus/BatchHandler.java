package dev.omnibus;

import java.util.List;

/**
 * Handles the events of one type a few at a time: {@link EventBus#subscribeBatch} collects up to {@code maxSize}
 * events, or what came within {@code maxWait} of the first, and calls the handler once with them. Events the handler
 * does not {@link Batch#fail fail} are acknowledged when it returns; a failed one is retried on its own (a batch of
 * one) after the retry policy's backoff, then dead-lettered; when the handler throws, every event of the batch counts
 * as failed once.
 *
 * <pre>{@code
 * bus.subscribeBatch(ORDER_PAID, "ledger", 100, Duration.ofMillis(50), batch -> {
 *   for (Event<OrderPaid> event : batch.events()) {
 *     if (!ledger.add(event.data())) {
 *       batch.fail(event, new IllegalStateException("rejected by the ledger"));
 *     }
 *   }
 *   ledger.flush();
 * });
 * }</pre>
 *
 * <p>Called by one thread of the subscription at a time, one batch after the other.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface BatchHandler<T> {

  /**
   * Handles a batch. Returning acknowledges every event not failed; throwing fails them all for this attempt.
   *
   * @throws Exception anything: every event of the batch counts as failed once
   */
  void handle(Batch<T> batch) throws Exception;

  /**
   * The events handed to a {@link BatchHandler} at once, in delivery order, and the per-event outcome the handler
   * gives. Valid only while the handler runs. Thread-safe: the handler may fail events from threads of its own.
   *
   * @param <T> the payload type
   */
  interface Batch<T> {

    /** The events, in the order the broker delivered them; at least one, at most the subscription's size. */
    List<Event<T>> events();

    /**
     * Marks one event of this batch failed: it is not acknowledged, but retried on its own after the retry policy's
     * backoff, and dead-lettered with this cause after the last attempt. The other events are acknowledged.
   *
   * @param event one of {@link #events()}, the very instance
   * @param cause why it failed, told to interceptors and written to its dead letter
     *
     * @throws IllegalArgumentException when the event is not one of {@link #events()}
     * @throws IllegalStateException after the handler returned
     */
    void fail(Event<T> event, Throwable cause);

    /** Which attempt this is for its events: 1 for a first batch, more for an event retried on its own. */
    int attempt();
  }
}
