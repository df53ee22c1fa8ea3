package dev.omnibus;

import io.cloudevents.CloudEvent;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The requester's side of request/reply: gives each request a correlation id, waits for its reply with a timeout, and
 * hands each reply that reaches the bus's inboxes to the one caller waiting for it. A reply that finds nobody waiting
 * is counted (late, duplicate or orphan) and dropped, never given to another caller.
 *
 * <p>Correlation ids are {@code <inbox id>.<sequence>}: a reply to another bus that reaches a shared reply address
 * (a reply channel the document names, a Kafka reply topic) carries another prefix and is ignored, not counted.
 * Thread-safe.
 */
final class Correlator implements AutoCloseable {

  /** The extension naming where a request's reply goes. */
  static final String REPLY_TO = "replyto";
  /** The extension a request and its reply share. */
  static final String CORRELATION_ID = "correlationid";
  /** The extension of an error reply: the responder's exception class and message. */
  static final String REPLY_ERROR = "replyerror";

  private static final Logger LOG = LoggerFactory.getLogger(Correlator.class);
  /** How many ended correlation ids are remembered, to tell a late or duplicate reply from an orphan. */
  private static final int REMEMBERED = 10_000;

  private final String inboxId = UUID.randomUUID().toString().replace("-", "").substring(0, 16);
  private final String prefix = inboxId + ".";
  private final AtomicLong sequence = new AtomicLong();
  private final Map<String, Pending<?>> pending = new ConcurrentHashMap<>();
  /** Ended correlation ids: {@code true} answered, {@code false} timed out or abandoned. */
  private final Map<String, Boolean> ended = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > REMEMBERED;
    }
  };
  private final LongAdder sent = new LongAdder();
  private final LongAdder replied = new LongAdder();
  private final LongAdder failed = new LongAdder();
  private final LongAdder timedOut = new LongAdder();
  private final LongAdder late = new LongAdder();
  private final LongAdder duplicate = new LongAdder();
  private final LongAdder orphan = new LongAdder();
  /** Extensions that also carry correlation ids, from the documents' {@code correlationId} locations. */
  private final java.util.Set<String> aliases = ConcurrentHashMap.newKeySet();
  private volatile @Nullable ScheduledThreadPoolExecutor timer;
  private volatile boolean closed;

  /** A request waiting for its reply. */
  static final class Pending<R> {
    final String correlationId;
    final EventType<R> replyType;
    final String requestType;
    final CompletableFuture<Event<R>> future = new CompletableFuture<>();
    volatile @Nullable ScheduledFuture<?> timeout;

    Pending(String correlationId, EventType<R> replyType, String requestType) {
      this.correlationId = correlationId;
      this.replyType = replyType;
      this.requestType = requestType;
    }
  }

  /** A short random id, unique to this bus, naming its reply inbox. */
  String inboxId() {
    return inboxId;
  }

  /** Registers a request before it is sent, so that a reply faster than the broker's confirm finds it. */
  <R> Pending<R> open(EventType<R> replyType, String requestType, String channel, Duration timeout) {
    if (closed) {
      throw TransportClosedException.of("EventBus");
    }
    String id = prefix + sequence.incrementAndGet();
    Pending<R> request = new Pending<>(id, replyType, requestType);
    pending.put(id, request);
    request.timeout = timer().schedule(() -> {
      if (pending.remove(id, request)) {
        remember(id, false);
        timedOut.increment();
        request.future.completeExceptionally(RequestTimeoutException.of(requestType, channel, id, timeout));
      }
    }, Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
    return request;
  }

  /** Reads correlation ids also from this extension, when a reply lacks {@code correlationid}. */
  void alias(String extension) {
    aliases.add(extension);
  }

  /** The broker confirmed the request. */
  void sent() {
    sent.increment();
  }

  /** The request could not be sent: its caller gets why, and a reply to it (there should be none) is dropped. */
  void abandon(Pending<?> request, Throwable failure) {
    if (pending.remove(request.correlationId, request)) {
      cancelTimeout(request);
      remember(request.correlationId, false);
      request.future.completeExceptionally(failure);
    }
  }

  /** A reply that reached one of the bus's inboxes. */
  void onReply(CloudEvent reply) {
    Object correlation = reply.getExtension(CORRELATION_ID);
    for (java.util.Iterator<String> alias = aliases.iterator(); correlation == null && alias.hasNext(); ) {
      correlation = reply.getExtension(alias.next());
    }
    if (correlation == null) {
      orphan.increment();
      LOG.warn("Reply '{}' of type '{}' carries no '{}' extension: dropped", reply.getId(), reply.getType(),
          CORRELATION_ID);
      return;
    }
    String id = correlation.toString();
    if (!id.startsWith(prefix)) {
      LOG.trace("Reply {} is for another requester: ignored", id);
      return;
    }
    Pending<?> request = pending.remove(id);
    if (request == null) {
      Boolean answered = endedState(id);
      if (answered == null) {
        orphan.increment();
        LOG.warn("Reply '{}' names request {}, which this bus does not know: dropped", reply.getId(), id);
      } else if (answered) {
        duplicate.increment();
        LOG.debug("Second reply to request {}: dropped", id);
      } else {
        late.increment();
        LOG.info("Reply to request {} came after it timed out: dropped", id);
      }
      return;
    }
    cancelTimeout(request);
    remember(id, true);
    replied.increment();
    if (reply.getExtension(REPLY_ERROR) != null) {
      failed.increment();
    }
    complete(request, reply);
  }

  private static <R> void complete(Pending<R> request, CloudEvent reply) {
    Object error = reply.getExtension(REPLY_ERROR);
    if (error != null) {
      request.future.completeExceptionally(RemoteFailureException.of(request.requestType, request.correlationId,
          error.toString()));
      return;
    }
    if (!request.replyType.type().equals(reply.getType())) {
      request.future.completeExceptionally(SerializationException.of("The reply to request '" + request.requestType
          + "' (correlation id " + request.correlationId + ") is of type '" + reply.getType() + "', not the '"
          + request.replyType.type() + "' the request asked for"));
      return;
    }
    try {
      request.future.complete(Dispatcher.received(request.replyType, reply));
    } catch (RuntimeException e) {
      request.future.completeExceptionally(SerializationException.of("The reply to request '"
          + request.requestType + "' (correlation id " + request.correlationId + ") cannot be decoded as '"
          + request.replyType.type() + "': " + e.getMessage(), e));
    }
  }

  RequestStats stats() {
    return new RequestStats(sent.sum(), replied.sum(), failed.sum(), timedOut.sum(), pending.size(),
        late.sum(), duplicate.sum(), orphan.sum());
  }

  private void remember(String id, boolean answered) {
    synchronized (ended) {
      ended.put(id, answered);
    }
  }

  private @Nullable Boolean endedState(String id) {
    synchronized (ended) {
      return ended.get(id);
    }
  }

  private static void cancelTimeout(Pending<?> request) {
    ScheduledFuture<?> timeout = request.timeout;
    if (timeout != null) {
      timeout.cancel(false);
    }
  }

  private ScheduledThreadPoolExecutor timer() {
    ScheduledThreadPoolExecutor current = timer;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (timer == null) {
        ScheduledThreadPoolExecutor created = new ScheduledThreadPoolExecutor(1, task -> {
          Thread thread = new Thread(task, "omnibus-request-timeouts");
          thread.setDaemon(true);
          return thread;
        });
        created.setRemoveOnCancelPolicy(true);
        timer = created;
      }
      return timer;
    }
  }

  /** Fails every request still waiting: the bus is closing, so their replies could not be read. */
  @Override
  public void close() {
    closed = true;
    for (Pending<?> request : pending.values()) {
      if (pending.remove(request.correlationId, request)) {
        cancelTimeout(request);
        request.future.completeExceptionally(TransportClosedException.of("EventBus waiting for the reply to request '"
            + request.requestType + "' (correlation id " + request.correlationId + ")"));
      }
    }
    ScheduledThreadPoolExecutor current = timer;
    if (current != null) {
      current.shutdownNow();
    }
  }
}
