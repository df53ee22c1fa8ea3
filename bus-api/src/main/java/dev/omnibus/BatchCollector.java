package dev.omnibus;

import dev.omnibus.BatchHandler.Batch;
import dev.omnibus.Interceptor.Handling;
import dev.omnibus.Interceptor.Reason;
import dev.omnibus.Interceptor.Result;
import dev.omnibus.spi.Delivery;
import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batch handler of one event type in a consumer: collects its decoded deliveries, up to {@code maxSize} or until
 * {@code maxWait} after the first, and has one worker thread hand them to the handler, one batch after the other, in
 * delivery order. The deliveries stay unsettled until the batch's outcome, which the transport must allow
 * ({@link dev.omnibus.spi.TransportCapabilities.Feature#CONCURRENT_SETTLE}); without it the collector is
 * {@linkplain #inline inline}: batches of one, handled on the transport's thread.
 *
 * <p>Each event still goes through the consumer's interceptor chain on its own, before the handler: the chain's end
 * here is the event's admission (dedupe, payload decoding), so a refused, invalid or undecodable event goes to dead
 * letters as a single handler's would and never reaches the batch. After the handler, each event is settled and
 * reported on its own; a failed one is retried alone (a batch of one) after the backoff, then dead-lettered.
 *
 * <p>Thread-safe: the transport's threads {@link #add}, the worker handles, any thread {@link #stop}s.
 */
final class BatchCollector<T> {

  private static final Logger LOG = LoggerFactory.getLogger(BatchCollector.class);

  private final Dispatcher dispatcher;
  private final Dispatcher.Context context;
  private final EventType<T> type;
  private final BatchHandler<T> handler;
  private final int maxSize;
  private final long maxWaitNanos;
  private final boolean inline;
  private final Object lock = new Object();
  /** Collected, not yet taken by the worker: at most {@code maxSize} (the capacity's permits). */
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Semaphore capacity;
  private volatile boolean stopped;
  private boolean handling; // guarded by lock
  private @Nullable Thread worker; // guarded by lock
  /** Whether events still collected when stopping are handed back at once (the handler left a running consumer). */
  private volatile boolean requeue;
  /** Completed by {@link #stop}: cuts a backoff under way short. */
  private final CompletableFuture<Void> stopSignal = new CompletableFuture<>();

  private BatchCollector(Dispatcher dispatcher, Dispatcher.Context context, EventType<T> type, int maxSize,
      Duration maxWait, BatchHandler<T> handler, boolean inline) {
    this.inline = inline;
    this.dispatcher = dispatcher;
    this.context = context;
    this.type = type;
    this.handler = handler;
    this.maxSize = maxSize;
    this.maxWaitNanos = maxWait.toNanos();
    this.capacity = new Semaphore(maxSize);
  }

  /** A collector whose batches a worker thread handles; {@link #start} starts it. */
  static <T> BatchCollector<T> collecting(Dispatcher dispatcher, Dispatcher.Context context, EventType<T> type,
      int maxSize, Duration maxWait, BatchHandler<T> handler) {
    return new BatchCollector<>(dispatcher, context, type, maxSize, maxWait, handler, false);
  }

  /** A collector that hands each event at once, as a batch of one, on the calling (transport's) thread. */
  static <T> BatchCollector<T> inline(Dispatcher dispatcher, Dispatcher.Context context, EventType<T> type,
      BatchHandler<T> handler) {
    return new BatchCollector<>(dispatcher, context, type, 1, Duration.ZERO, handler, true);
  }

  int maxSize() {
    return maxSize;
  }

  /** Starts the worker thread of a collecting collector. */
  void start(String name) {
    synchronized (lock) {
      if (inline || worker != null || stopped) {
        return;
      }
      Thread thread = new Thread(this::work, name);
      thread.setDaemon(true);
      worker = thread;
      thread.start();
    }
  }

  /**
   * Takes a decoded delivery of this collector's type. Inline, handles it now; else queues it for the worker, waiting
   * while {@code maxSize} events wait to be taken (the back-pressure on a broker pushing more than its prefetch).
   */
  void add(Delivery delivery, CloudEvent event, long received) {
    Item item = new Item(delivery, event, received);
    if (inline) {
      if (stopped) {
        handBack(item);
        return;
      }
      handle(List.of(item));
      return;
    }
    try {
      capacity.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handBack(item);
      return;
    }
    synchronized (lock) {
      if (!stopped) {
        queue.add(item);
        return;
      }
    }
    capacity.release();
    handBack(item);
  }

  /**
   * Stops: the batch under way finishes (its events settled), those collected and not handed to the handler are left
   * unsettled for the closing transport subscription to hand back, or, with {@code requeue} (the handler left a
   * consumer that goes on), handed back now. Waits for the worker at most {@code timeout}; returns whether it ended.
   */
  boolean stop(boolean requeue, Duration timeout) {
    Thread running;
    synchronized (lock) {
      if (stopped) {
        return true;
      }
      this.requeue = requeue;
      stopped = true;
      stopSignal.complete(null);
      running = worker;
      if (running != null && !handling) {
        running.interrupt(); // collecting: what it holds is handed back by work()
      }
    }
    capacity.release(maxSize + 1_000); // wakes the transport's threads waiting in add, who see stopped
    boolean ended = true;
    if (running != null && running != Thread.currentThread()) {
      try {
        running.join(Math.max(1, timeout.toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      ended = !running.isAlive();
    }
    synchronized (lock) {
      for (Item left = queue.poll(); left != null; left = queue.poll()) {
        handBack(left);
      }
    }
    return ended;
  }

  private void work() {
    while (!stopped) {
      List<Item> batch = new ArrayList<>(Math.min(maxSize, 64));
      try {
        collect(batch);
      } catch (InterruptedException e) {
        // Stopping: nothing of this batch reached the handler.
        batch.forEach(this::handBack);
        return;
      }
      synchronized (lock) {
        if (stopped) {
          batch.forEach(this::handBack);
          return;
        }
        handling = true;
      }
      try {
        handle(batch);
      } catch (RuntimeException | Error e) {
        LOG.error("Unexpected failure handling a batch of '{}' on channel '{}'; its events will be redelivered",
            type.type(), dispatcher.channel().id(), e);
        for (Item item : batch) {
          if (!item.settled) {
            item.settled = true;
            item.delivery.nack(true);
            dispatcher.report(Result.REQUEUED, null, item.event, item.delivery.attempt(), e);
          }
        }
      } finally {
        synchronized (lock) {
          handling = false;
          Thread.interrupted(); // a stop() racing the end of a batch must not cut the next wait it never meant
        }
      }
    }
  }

  /** Fills a batch: waits for its first event, then up to {@code maxSize} or until {@code maxWait} after the first. */
  private void collect(List<Item> batch) throws InterruptedException {
    Item first = queue.take();
    capacity.release();
    batch.add(first);
    long deadline = first.received + maxWaitNanos;
    while (batch.size() < maxSize) {
      long left = deadline - System.nanoTime();
      Item next = left <= 0 ? queue.poll() : queue.poll(left, TimeUnit.NANOSECONDS);
      if (next == null) {
        return;
      }
      capacity.release();
      batch.add(next);
    }
  }

  /** Handles one batch: the first attempt of its events, then each failed one retried alone. */
  private void handle(List<Item> batch) {
    for (Attempt failed : attempt(batch, 0)) {
      retry(failed);
    }
  }

  /** Retries a failed event on its own, after each backoff, until it succeeds or its last attempt failed. */
  private void retry(Attempt failed) {
    Attempt current = failed;
    while (true) {
      Item item = current.item;
      if (current.number >= context.retry().maxAttempts()) {
        item.settled = true;
        dispatcher.deadLetter(item.delivery, item.event, Reason.EXHAUSTED, "handler failed " + current.number
            + " times (in a batch)", current.number, current.error);
        return;
      }
      Duration backoff = context.retry().backoffAfter(current.number);
      LOG.debug("Batch handler failed for event {} (attempt {} of {}); again alone in {}", item.event.getId(),
          current.number, context.retry().maxAttempts(), backoff, current.error);
      awaitBackoff(backoff);
      dispatcher.report(Result.RETRIED, null, item.event, current.number, current.error);
      if (stopped) {
        handBack(item);
        return;
      }
      List<Attempt> again = attempt(List.of(item), current.number + 1);
      if (again.isEmpty()) {
        return;
      }
      current = again.get(0);
    }
  }

  /**
   * One attempt of a batch: admits each event through the interceptor chain (refusals dead-lettered, duplicates
   * acknowledged), calls the handler once with the admitted ones, acknowledges those it did not fail, and returns the
   * failed ones, still unsettled.
   *
   * @param number the attempt's number, or 0 for each delivery's own (a first batch)
   */
  private List<Attempt> attempt(List<Item> items, int number) {
    List<Admitted<T>> admitted = new ArrayList<>(items.size());
    Set<String> keys = new HashSet<>();
    for (Item item : items) {
      int attempt = number > 0 ? number : Math.max(1, item.delivery.attempt());
      Admission admission = new Admission(keys);
      try {
        context.chains().handle(new Handling(item.event, dispatcher.channel().id(), dispatcher.group(), attempt,
            item.received, dispatcher.channel().receiveDestination().address(), context.server()), admission);
      } catch (Exception e) {
        Reason reason = Dispatcher.refusalReason(e);
        item.settled = true;
        dispatcher.deadLetter(item.delivery, reason == Reason.MALFORMED ? null : item.event, reason,
            Dispatcher.refusal(reason, e), attempt, e);
        continue;
      }
      Event<T> event = admission.event;
      if (event == null) {
        item.settled = true;
        item.delivery.ack();
        dispatcher.report(admission.duplicate ? Result.DUPLICATE : Result.SKIPPED, null, item.event, attempt, null);
        continue;
      }
      admitted.add(new Admitted<>(item, event, attempt, admission.key));
    }
    if (admitted.isEmpty()) {
      return List.of();
    }
    List<Event<T>> events = new ArrayList<>(admitted.size());
    for (Admitted<T> one : admitted) {
      events.add(one.event);
    }
    View<T> view = new View<>(events, number > 0 ? number : admitted.get(0).attempt);
    Exception thrown = null;
    try {
      handler.handle(view);
    } catch (Exception e) {
      thrown = e;
    }
    Map<Event<T>, Throwable> failures = view.close();
    List<Attempt> failed = new ArrayList<>();
    for (Admitted<T> one : admitted) {
      Throwable error = thrown != null ? thrown : failures.get(one.event);
      if (error != null) {
        failed.add(new Attempt(one.item, one.attempt, error));
        continue;
      }
      DedupeInterceptor dedupe = context.dedupe();
      if (dedupe != null && one.key != null) {
        dedupe.store().markHandled(one.key);
      }
      one.item.settled = true;
      one.item.delivery.ack();
      dispatcher.report(Result.HANDLED, null, one.item.event, one.attempt, null);
    }
    return failed;
  }

  /**
   * Waits before a failed event's next attempt, on the bus's timer; {@link #stop} cuts it short. A timer that fails or
   * throws counts as elapsed. Its own wait rather than the consumer's, so that batches keep to this class.
   */
  private void awaitBackoff(Duration backoff) {
    CompletableFuture<?> elapsed;
    try {
      elapsed = context.timer().after(backoff).toCompletableFuture();
    } catch (RuntimeException e) {
      LOG.warn("The backoff timer failed for channel '{}'; retrying without waiting", dispatcher.channel().id(), e);
      return;
    }
    try {
      CompletableFuture.anyOf(elapsed, stopSignal).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.debug("The backoff timer failed for channel '{}'; retrying now", dispatcher.channel().id(), e.getCause());
    } finally {
      elapsed.cancel(false);
    }
  }

  /**
   * Hands a delivery back that no handler got: left unsettled when the consumer stops (its transport subscription
   * hands it back), requeued now when only this handler left or when inline (as a consumer without lanes does).
   */
  private void handBack(Item item) {
    if ((requeue || inline) && !item.settled) {
      item.settled = true;
      item.delivery.nack(true);
    }
  }

  /** A delivery of this collector's type, as decoded from the wire. */
  private static final class Item {
    final Delivery delivery;
    final CloudEvent event;
    final long received;
    /** Set on the worker (or transport) thread that settles it. */
    volatile boolean settled;

    Item(Delivery delivery, CloudEvent event, long received) {
      this.delivery = delivery;
      this.event = event;
      this.received = received;
    }
  }

  /** An event let through the chain, with what it needs after the handler. */
  private record Admitted<T>(Item item, Event<T> event, int attempt, @Nullable String key) {}

  /** A failed attempt of one event. */
  private record Attempt(Item item, int number, Throwable error) {}

  /**
   * The end of one event's chain in a batch: the consumer's dedupe check (an event handled before, or already in this
   * batch, is a duplicate) and the payload's decoding. The event is remembered as handled only once the handler
   * returned without failing it.
   */
  private final class Admission implements Interceptor.HandleChain {
    private final Set<String> batchKeys;
    @Nullable Event<T> event;
    @Nullable String key;
    boolean duplicate;

    Admission(Set<String> batchKeys) {
      this.batchKeys = batchKeys;
    }

    @Override
    public void proceed(Handling handling) throws Exception {
      DedupeInterceptor dedupe = context.dedupe();
      String dedupeKey = null;
      if (dedupe != null) {
        dedupeKey = dedupe.key(handling.event());
        if (batchKeys.contains(dedupeKey) || dedupe.store().wasHandled(dedupeKey)) {
          duplicate = true;
          return;
        }
      }
      Event<T> decoded = Dispatcher.received(type, handling.event());
      if (dedupeKey != null) {
        batchKeys.add(dedupeKey);
      }
      key = dedupeKey;
      event = decoded;
    }
  }

  /** What the handler sees; records which events it failed, until it returned. */
  private static final class View<T> implements Batch<T> {
    private final List<Event<T>> events;
    private final int attempt;
    private final Map<Event<T>, Throwable> failures = new IdentityHashMap<>(); // guarded by itself
    private boolean closed; // guarded by failures

    View(List<Event<T>> events, int attempt) {
      this.events = List.copyOf(events);
      this.attempt = attempt;
    }

    @Override
    public List<Event<T>> events() {
      return events;
    }

    @Override
    public void fail(Event<T> event, Throwable cause) {
      if (event == null || cause == null) {
        throw new NullPointerException(event == null ? "event" : "cause");
      }
      boolean ours = false;
      for (Event<T> one : events) {
        if (one == event) {
          ours = true;
          break;
        }
      }
      if (!ours) {
        throw new IllegalArgumentException("Event " + event.id() + " is not one of this batch: fail the very "
            + "instance batch.events() holds");
      }
      synchronized (failures) {
        if (closed) {
          throw new IllegalStateException("The batch handler returned already: fail events before it returns");
        }
        failures.put(event, cause);
      }
    }

    @Override
    public int attempt() {
      return attempt;
    }

    Map<Event<T>, Throwable> close() {
      synchronized (failures) {
        closed = true;
        return new IdentityHashMap<>(failures);
      }
    }

    @Override
    public String toString() {
      return "Batch[" + events.size() + " events, attempt " + attempt + "]";
    }
  }
}
