package dev.omnibus;

import dev.omnibus.Interceptor.Handling;
import dev.omnibus.Interceptor.Outcome;
import dev.omnibus.Interceptor.Reason;
import dev.omnibus.Interceptor.Result;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Delivery;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportSubscription;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer of a channel: a group's (shared by all subscriptions of that group in the bus) or an anonymous one.
 * Decodes each delivery, dispatches it by CloudEvents type through the consumer's interceptor chain, and acknowledges
 * it only after its handler returned; a failing handler gets the event again up to the retry policy's attempts, then
 * the event goes to dead letters; a message that is not a CloudEvent, or that is refused before its handler runs
 * (invalid or undecodable payload), goes to dead letters at once. What became of each delivery is told to the
 * interceptors ({@link Interceptor#onOutcome}). With a non-blocking retry policy, a group also consumes its retry
 * destination: a failed event goes there as a copy and the channel moves on ({@link Retries}).
 */
final class Dispatcher implements DeliveryHandler {

  private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
  private static final int TRACKED_ATTEMPTS = 10_000;
  /** How long a stopping consumer waits for its concurrent handlings, as a transport waits for its one. */
  private static final Duration LANES_STOP = Duration.ofSeconds(10);

  /**
   * What a consumer works with; no call back into the bus.
   *
   * @param dedupe the consumer's dedupe, run inside every interceptor just before the handler; {@code null} for none
   * @param unsubscribe called when a subscription handle closes, with the handler's removal to run
   * @param server the bus's server, told to interceptors
   * @param concurrency how many handlings may run at once, events of one key one at a time (1: one at a time)
   * @param retries where non-blocking retries go
   */
  record Context(EnvelopeCodec envelope, RetryPolicy retry, RetryPolicy.Timer timer, Chains chains,
      @Nullable DedupeInterceptor dedupe, DeadLetters deadLetters, BiConsumer<Dispatcher, Runnable> unsubscribe,
      ServerConfig server, int concurrency, Retries retries) {}

  private final Context context;
  private final ChannelDef channel;
  private final @Nullable String group;
  private final Destination destination;
  private final Map<String, Target> byType = new ConcurrentHashMap<>();
  /** Types whose handler was closed while others remain: their events go to dead letters, never skipped. */
  private final Set<String> retired = ConcurrentHashMap.newKeySet();
  private volatile @Nullable RawTarget raw;
  /** Batch handlers by type; see {@link BatchCollector}. */
  private final Map<String, BatchCollector<?>> batches = new ConcurrentHashMap<>();
  /** Whether {@link #start} started the batch handlers: those added later start at once. */
  private volatile boolean batchesStarted;
  private final AtomicBoolean stopped = new AtomicBoolean();
  /** Attempts of events whose handling failed here and that the broker gives again; nothing for those that succeed. */
  private final AttemptCounts attempts = new AttemptCounts();
  private volatile @Nullable TransportSubscription subscription;
  /** Runs handlings concurrently by key when the concurrency is above 1; {@code null} for one at a time. */
  private volatile @Nullable Lanes lanes;
  private volatile Instant started = Instant.now();
  /** Completed by {@link #stop()}: cuts a backoff under way short. */
  private final CompletableFuture<Void> stopSignal = new CompletableFuture<>();
  /** Where failed events wait with a non-blocking retry policy; {@code null} when retries block. */
  private volatile @Nullable Destination retryDestination;
  private volatile @Nullable TransportSubscription retrySubscription;
  /** Without lanes, one handling at a time, though the retry destination is consumed on a thread of its own. */
  private final Object serial = new Object();

  Dispatcher(Context context, ChannelDef channel, @Nullable String group) {
    this(context, channel, group, channel.receiveDestination());
  }

  /** A dispatcher reading a destination of the channel other than its own address: a requester's reply inbox. */
  Dispatcher(Context context, ChannelDef channel, @Nullable String group, Destination destination) {
    this.context = context;
    this.channel = channel;
    this.group = group;
    this.destination = destination;
  }

  ChannelDef channel() {
    return channel;
  }

  @Nullable String group() {
    return group;
  }

  /**
   * Starts consuming. With a concurrency above 1 on a transport that lets deliveries be settled later
   * ({@link TransportCapabilities.Feature#CONCURRENT_SETTLE}), handlings run on lanes by ordering key and the broker
   * may push twice as many events as run at once; elsewhere one at a time, with a warning.
   */
  void start(Transport transport, SubscribeOptions options) {
    int concurrency = context.concurrency();
    SubscribeOptions effective = startBatches(options);
    if (concurrency > 1) {
      if (transport.capabilities(destination).supports(TransportCapabilities.Feature.CONCURRENT_SETTLE)) {
        int capacity = 2 * concurrency;
        lanes = new Lanes(concurrency, capacity, "omnibus-" + channel.id() + "-" + (group == null ? "anonymous"
            : group));
        effective = new SubscribeOptions(options.group(), Math.max(effective.prefetch(), capacity));
      } else {
        LOG.warn("Concurrency {} asked for channel '{}' (group {}), but the {} binding cannot settle deliveries out "
            + "of order there: its handlers run one at a time", concurrency, channel.id(), group,
            context.server().protocol());
      }
    }
    try {
      startRetries(transport, effective);
      subscription = transport.subscribe(destination, effective, this);
    } catch (RuntimeException e) {
      Lanes created = lanes;
      if (created != null) {
        created.stop(Duration.ZERO);
      }
      TransportSubscription retries = retrySubscription;
      if (retries != null) {
        retries.close();
      }
      batches.values().forEach(batch -> batch.stop(false, Duration.ZERO));
      throw e;
    }
    started = Instant.now();
  }

  /**
   * Starts the batch handlers added before the consumer starts; returns the options with a prefetch that lets a batch
   * fill while the one before is handled (twice the largest size).
   */
  private SubscribeOptions startBatches(SubscribeOptions options) {
    batchesStarted = true;
    int prefetch = options.prefetch();
    for (Map.Entry<String, BatchCollector<?>> batch : batches.entrySet()) {
      batch.getValue().start(threadName() + "-batch-" + batch.getKey());
      prefetch = Math.max(prefetch, 2 * batch.getValue().maxSize());
    }
    return prefetch == options.prefetch() ? options : new SubscribeOptions(options.group(), prefetch);
  }

  private String threadName() {
    return "omnibus-" + channel.id() + "-" + (group == null ? "anonymous" : group);
  }

  /** How many handlings of this consumer may run at once: 1 unless lanes run them. */
  int concurrency() {
    Lanes running = lanes;
    return running == null ? 1 : context.concurrency();
  }

  /** Whether this consumer consumes now, as its transport subscription says; closed once stopped. */
  Health.Consumer health() {
    TransportSubscription running = subscription;
    Health.Status status = running == null ? null : running.health();
    if (stopped.get()) {
      status = Health.Status.of(Health.State.CLOSED, null, status == null ? started : status.since());
    } else if (status == null) {
      status = Health.Status.up(started);
    }
    return new Health.Consumer(channel.id(), group, status);
  }

  <T> Subscription add(EventType<T> type, EventHandler<T> handler) {
    Target target = new Target(type, handler);
    if (batches.containsKey(type.type()) || byType.putIfAbsent(type.type(), target) != null) {
      throw ConfigurationException.of("Group '" + group + "' already has a handler for '" + type.type()
          + "' on channel '" + channel.id() + "' in this bus: use one handler per type and group, or another group");
    }
    retired.remove(type.type());
    return new Handle(() -> {
      if (byType.remove(type.type(), target)) {
        target.close();
        if (group != null) {
          retired.add(type.type());
        }
      }
    });
  }

  /**
   * Adds a batch handler of a type. Where the transport cannot settle deliveries later ({@code settlesLater} false),
   * its batches are of one event, handled on the transport's thread, with a warning. Added to a consumer already
   * started, it keeps that consumer's prefetch.
   */
  <T> Subscription addBatch(EventType<T> type, int maxSize, Duration maxWait, BatchHandler<T> handler,
      boolean settlesLater) {
    if (byType.containsKey(type.type()) || batches.containsKey(type.type())) {
      throw ConfigurationException.of("Group '" + group + "' already has a handler for '" + type.type()
          + "' on channel '" + channel.id() + "' in this bus: use one handler per type and group, or another group");
    }
    BatchCollector<T> collector;
    if (!settlesLater) {
      LOG.warn("Batches of up to {} asked for '{}' on channel '{}' (group {}), but the {} binding cannot keep "
          + "deliveries unsettled while others arrive there: its batches hold one event", maxSize, type.type(),
          channel.id(), group, context.server().protocol());
      collector = BatchCollector.inline(this, context, type, handler);
    } else {
      collector = BatchCollector.collecting(this, context, type, maxSize, maxWait, handler);
    }
    batches.put(type.type(), collector);
    retired.remove(type.type());
    if (batchesStarted) {
      collector.start(threadName() + "-batch-" + type.type());
    }
    return new Handle(() -> {
      if (batches.remove(type.type(), collector)) {
        if (group != null) {
          retired.add(type.type());
        }
        collector.stop(true, LANES_STOP);
      }
    });
  }

  Subscription addRaw(RawEventHandler handler) {
    RawTarget target = new RawTarget(handler);
    if (raw != null) {
      throw ConfigurationException.of("Group '" + group + "' already has a raw handler on channel '"
          + channel.id() + "' in this bus");
    }
    raw = target;
    return new Handle(() -> {
      if (raw == target) {
        raw = null;
      }
    });
  }

  /** Stops consuming: the transport subscription closes, leaving unacknowledged events to the broker. */
  void stop() {
    if (stopped.compareAndSet(false, true)) {
      stopSignal.complete(null);
      Lanes runningLanes = lanes;
      if (runningLanes != null) {
        // Handlings under way finish and settle before the transport subscription closes: closing first would hand
        // their events to another member while they still run here. Those not started stay unsettled.
        if (!runningLanes.stop(LANES_STOP) && !runningLanes.isLaneThread()) {
          LOG.warn("Handlers of channel '{}' (group {}) still running {} after stop; their events go back to the "
              + "broker", channel.id(), group, LANES_STOP);
        }
      }
      for (BatchCollector<?> batch : batches.values()) {
        // The batch under way finishes and settles; those collected are left unsettled for the closing subscription.
        batch.stop(false, LANES_STOP);
      }
      TransportSubscription running = subscription;
      if (running != null) {
        running.close();
      }
      TransportSubscription retries = retrySubscription;
      if (retries != null) {
        retries.close();
      }
    }
  }

  /** Whether at most one handler is left, so that removing it ends this consumer. */
  boolean lastHandler() {
    return byType.size() + batches.size() + (raw == null ? 0 : 1) <= 1;
  }

  @Override
  public void onDelivery(Delivery delivery) {
    try {
      handle(delivery);
    } catch (RuntimeException | Error e) {
      LOG.error("Unexpected failure handling a delivery of channel '{}'; it will be redelivered", channel.id(), e);
      delivery.nack(true);
      report(Result.REQUEUED, null, null, delivery.attempt(), e);
    }
  }

  private void handle(Delivery delivery) {
    long received = System.nanoTime();
    if (stopped.get()) {
      if (lanes == null) {
        delivery.nack(true);
      }
      // With lanes, left unsettled: closing the transport subscription hands it back, rather than a requeue that the
      // broker may give this stopping consumer again at once.
      return;
    }
    CloudEvent event;
    try {
      event = delivery.event(context.envelope());
    } catch (MalformedEventException e) {
      deadLetter(delivery, null, Reason.MALFORMED, "malformed: " + String.join("; ", e.violations()),
          delivery.attempt(), e);
      return;
    }
    BatchCollector<?> batch = batches.get(event.getType());
    if (batch != null) {
      batch.add(delivery, event, received);
      return;
    }
    dispatch(delivery, event, received);
  }

  /** Finds the event's handler and runs it: at once, or on the lane of its key. */
  private void dispatch(Delivery delivery, CloudEvent event, long received) {
    Target target = byType.get(event.getType());
    RawTarget rawTarget = raw;
    if (target == null && rawTarget == null) {
      if (retired.contains(event.getType())) {
        // Its handler here was closed while other members of the group may still handle it. The broker gives this
        // member the event again if handed back (Kafka partitions, in-memory lanes), so skipping would lose it for the
        // group and a requeue would loop: it goes to dead letters, from where replay() brings it back.
        deadLetter(delivery, event, Reason.NO_HANDLER, "no handler left for type '" + event.getType()
            + "' in this member of group '" + group + "' (its subscription was closed while the group's others "
            + "stayed)", delivery.attempt(), null);
        return;
      }
      LOG.debug("No handler for type '{}' on channel '{}' (group {}): acknowledged and skipped", event.getType(),
          channel.id(), group);
      delivery.ack();
      report(Result.SKIPPED, null, event, delivery.attempt(), null);
      return;
    }
    Lanes running = lanes;
    if (running == null) {
      synchronized (serial) {
        handleEvent(delivery, event, target, rawTarget, received);
      }
      return;
    }
    running.submit(orderingKey(event), new Lanes.Task() {
      @Override
      public void run() {
        try {
          handleEvent(delivery, event, target, rawTarget, received);
        } catch (RuntimeException | Error e) {
          LOG.error("Unexpected failure handling a delivery of channel '{}'; it will be redelivered", channel.id(), e);
          delivery.nack(true);
          report(Result.REQUEUED, null, event, delivery.attempt(), e);
        }
      }

      @Override
      public void dropped() {
        // Not started before the consumer stopped: unsettled, so the transport hands it back when it closes.
      }
    });
  }

  /** The key whose events must be handled in order: {@code partitionkey}, else the subject; {@code null} for none. */
  private static @Nullable String orderingKey(CloudEvent event) {
    Object partitionKey = event.getExtension("partitionkey");
    return partitionKey != null ? partitionKey.toString() : event.getSubject();
  }

  /**
   * Runs the handling chain and settles the delivery. On one thread per consumer, a failed attempt waits its backoff
   * and hands the event back to the broker, which gives it again without skipping later ones (holding the partition
   * or queue). On lanes, the retry happens here, holding only the event's lane: other keys go on, and a nack would
   * make some brokers redeliver what other lanes already handled.
   */
  private void handleEvent(Delivery delivery, CloudEvent event, @Nullable Target target, @Nullable RawTarget rawTarget,
      long received) {
    // Failed attempts are counted here too, for brokers that do not count redeliveries; an event handled at its first
    // attempt here costs no count at all.
    int counted = attempts.counted(event);
    int count = counted + 1;
    int attempt = Math.max(delivery.attempt(), count);
    while (true) {
      HandlerCall call = new HandlerCall(target, rawTarget, context.dedupe());
      try {
        Chains chains = context.chains();
        if (chains.isEmpty() && context.dedupe() == null) {
          // Nothing would read a Handling: call the handler without building one per event.
          call.call(event);
        } else {
          chains.handle(new Handling(event, channel.id(), group, attempt, received, destination.address(),
              context.server()), call);
        }
      } catch (HandlerClosed e) {
        // The handler was closed while its event was on the way: hand the event back, never skip it.
        attempts.forget(event, counted);
        delivery.nack(true);
        report(Result.REQUEUED, null, event, attempt, null);
        return;
      } catch (Exception e) {
        if (!call.started) {
          attempts.forget(event, counted);
          Reason reason = refusalReason(e);
          // A malformed event (its data not JSON) is kept as received, as one that could not be decoded at all is.
          deadLetter(delivery, reason == Reason.MALFORMED ? null : event, reason, refusal(reason, e), attempt, e);
        } else if (e instanceof UnanswerableRequest) {
          attempts.forget(event, counted);
          deadLetter(delivery, event, Reason.REFUSED, e.getMessage(), attempt, e);
        } else if (attempt >= context.retry().maxAttempts()) {
          attempts.forget(event, counted);
          deadLetter(delivery, event, Reason.EXHAUSTED, "handler failed " + attempt + " times", attempt, e);
        } else if (forwardRetry(delivery, event, attempt, e)) {
          attempts.forget(event, counted);
        } else {
          Duration backoff = context.retry().backoffAfter(attempt);
          LOG.debug("Handler failed for event {} (attempt {} of {}); again in {}", event.getId(), attempt,
              context.retry().maxAttempts(), backoff, e);
          awaitBackoff(backoff);
          report(Result.RETRIED, null, event, attempt, e);
          if (lanes != null && !stopped.get()) {
            attempt = ++count;
            received = System.nanoTime();
            continue;
          }
          attempts.remember(event, count);
          if (lanes == null) {
            delivery.nack(true);
          }
          // On lanes and stopping: left unsettled for the transport to hand back.
        }
        return;
      }
      attempts.forget(event, counted);
      delivery.ack();
      report(call.duplicate ? Result.DUPLICATE : call.started ? Result.HANDLED : Result.SKIPPED, null, event, attempt,
          null);
      return;
    }
  }

  /** What kind of refusal, before the handler ran, an exception is. */
  static Reason refusalReason(Exception e) {
    if (e instanceof MalformedEventException) {
      return Reason.MALFORMED;
    }
    if (e instanceof ValidationException) {
      return Reason.INVALID;
    }
    if (e instanceof SerializationException) {
      return Reason.UNDECODABLE;
    }
    return Reason.REFUSED;
  }

  /** Why an event was refused before its handler ran, for its dead letter. */
  static String refusal(Reason reason, Exception e) {
    return switch (reason) {
      case INVALID -> "invalid payload: " + ((ValidationException) e).violations();
      case UNDECODABLE -> "undecodable payload: " + e.getMessage();
      case MALFORMED -> "malformed: " + String.join("; ", ((MalformedEventException) e).violations());
      default -> "refused before handling: " + e;
    };
  }

  /** Tells the interceptors what became of a delivery; a bus without interceptors builds nothing for it. */
  void report(Result result, @Nullable Reason reason, @Nullable CloudEvent event, int attempt,
      @Nullable Throwable error) {
    Chains chains = context.chains();
    if (!chains.isEmpty()) {
      chains.outcome(new Outcome(result, reason, channel.id(), group, event, attempt, error, context.server()));
    }
  }

  /**
   * Dead-letters a delivery, then acknowledges it; leaves it unacknowledged only when the broker did not store the dead
   * letter (it comes again). A dead letter that cannot be encoded at all is acknowledged after one ERROR log, so a
   * malformed message never blocks the partition or loops on the queue.
   */
  void deadLetter(Delivery delivery, @Nullable CloudEvent event, Reason why, String reason, int attempt,
      @Nullable Throwable error) {
    if (context.deadLetters().send(destination, group, event, delivery.message(), reason, attempt, error)) {
      delivery.ack();
      report(Result.DEAD_LETTERED, why, event, attempt, error);
    } else {
      delivery.nack(true);
      report(Result.REQUEUED, why, event, attempt, error);
    }
  }

  /**
   * Waits before the event is handed out again, on the bus's timer (real time unless a test gave its clock). The wait
   * holds the event's partition or queue position, so per-key order survives retries; stopping the subscription cuts
   * it short. A timer that fails or throws counts as elapsed: the event is handed out again rather than held.
   */
  private void awaitBackoff(Duration backoff) {
    CompletableFuture<?> elapsed;
    try {
      elapsed = context.timer().after(backoff).toCompletableFuture();
    } catch (RuntimeException e) {
      LOG.warn("The backoff timer failed for channel '{}'; retrying without waiting", channel.id(), e);
      return;
    }
    try {
      CompletableFuture.anyOf(elapsed, stopSignal).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      LOG.debug("The backoff timer failed for channel '{}'; retrying now", channel.id(), e.getCause());
    } finally {
      // A wait cut short by stop() leaves nothing scheduled behind.
      elapsed.cancel(false);
    }
  }

  /**
   * How many times each event (by source and id) was handled here and failed, for the events the broker is to give
   * again; bounded, the least recently seen forgotten first. Empty while every handling succeeds, and then asked
   * nothing: no key is built and no lock taken per event. Thread-safe.
   */
  private static final class AttemptCounts {
    private final Map<String, Integer> counts = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
        return size() > TRACKED_ATTEMPTS;
      }
    };
    /**
     * Whether anything is counted. A redelivery happens after the failed handling that counted it (the broker hands the
     * event back in between, with its own locks), so a handling that reads false has nothing to find.
     */
    private volatile boolean used;

    /** The failed attempts counted for the event, 0 when none. */
    int counted(CloudEvent event) {
      if (!used) {
        return 0;
      }
      synchronized (counts) {
        Integer count = counts.get(key(event));
        return count == null ? 0 : count;
      }
    }

    /** Counts {@code count} failed attempts of an event that the broker is to give again. */
    void remember(CloudEvent event, int count) {
      synchronized (counts) {
        counts.put(key(event), count);
        used = true;
      }
    }

    /** Forgets an event's count once it is settled; {@code counted} is what {@link #counted} said at its start. */
    void forget(CloudEvent event, int counted) {
      if (counted > 0) {
        synchronized (counts) {
          counts.remove(key(event));
          used = !counts.isEmpty();
        }
      }
    }

    private static String key(CloudEvent event) {
      return event.getSource() + " " + event.getId();
    }
  }

  // Non-blocking retries (RetryPolicy.Mode.NON_BLOCKING): the group's retry destination, consumed beside the channel.

  /** Subscribes the group's retry destination when the policy is non-blocking and the transport has one. */
  private void startRetries(Transport transport, SubscribeOptions options) {
    if (!context.retry().isNonBlocking()) {
      return;
    }
    Destination retries = context.retries().destination(destination, group).orElse(null);
    if (retries == null) {
      LOG.warn("Non-blocking retries asked for channel '{}' (group {}), but {}: failed events are retried blocking",
          channel.id(), group, group == null ? "an anonymous subscription has no retry destination"
              : "the " + context.server().protocol() + " binding has no retry destinations");
      return;
    }
    retrySubscription = transport.subscribe(retries, options, this::onRetryDelivery);
    retryDestination = retries;
  }

  /**
   * Sends a failed event's copy for its next attempt to the retry destination, then acknowledges the original.
   * Returns false, leaving the delivery to the blocking path, when retries block or the copy was not stored.
   */
  private boolean forwardRetry(Delivery delivery, CloudEvent event, int attempt, Exception error) {
    Destination retries = retryDestination;
    if (retries == null || group == null) {
      return false;
    }
    Duration backoff = context.retry().backoffAfter(attempt);
    if (!context.retries().send(retries, group, event, attempt + 1, Instant.now().plus(backoff))) {
      return false;
    }
    LOG.debug("Handler failed for event {} (attempt {} of {}); retried from '{}' in {}", event.getId(), attempt,
        context.retry().maxAttempts(), retries.address(), backoff, error);
    delivery.ack();
    report(Result.RETRIED, null, event, attempt, error);
    return true;
  }

  /**
   * A copy from the retry destination: waits until its attempt is due, holding only the retry destination, then
   * handles the original event as any delivery, with the copy's attempt number. The copies of one destination are
   * nearly in due order (each attempt's backoff is the same policy's), and a copy behind a later one waits no longer
   * than the longest backoff.
   */
  private void onRetryDelivery(Delivery delivery) {
    try {
      if (stopped.get()) {
        if (lanes == null) {
          delivery.nack(true);
        }
        return;
      }
      CloudEvent copy;
      try {
        copy = delivery.event(context.envelope());
      } catch (MalformedEventException e) {
        deadLetter(delivery, null, Reason.MALFORMED, "malformed: " + String.join("; ", e.violations()),
            delivery.attempt(), e);
        return;
      }
      Retries.Copy retry = Retries.read(copy);
      Duration wait = Duration.between(Instant.now(), retry.notBefore());
      if (wait.compareTo(Duration.ZERO) > 0) {
        awaitBackoff(wait);
      }
      if (stopped.get()) {
        if (lanes == null) {
          delivery.nack(true);
        }
        return;
      }
      dispatch(new RetryDelivery(delivery, retry.attempt()), retry.event(), System.nanoTime());
    } catch (RuntimeException | Error e) {
      LOG.error("Unexpected failure handling a retry of channel '{}'; it will be redelivered", channel.id(), e);
      delivery.nack(true);
      report(Result.REQUEUED, null, null, delivery.attempt(), e);
    }
  }

  /** A retry copy's delivery, numbered as the attempt it is for. */
  private record RetryDelivery(Delivery copy, int attempt) implements Delivery {
    @Override
    public WireMessage message() {
      return copy.message();
    }

    @Override
    public void ack() {
      copy.ack();
    }

    @Override
    public void nack(boolean requeue) {
      copy.nack(requeue);
    }
  }

  /**
   * The end of the handling chain: the consumer's dedupe, if any, around decoding the payload and calling the handler.
   * Records whether the handler started, so that what fails before it (a refusal, an undecodable payload) is told
   * apart from the handler's own failure, and whether the dedupe skipped the event as a duplicate.
   */
  private static final class HandlerCall implements Interceptor.HandleChain {
    private final @Nullable Target target;
    private final @Nullable RawTarget raw;
    private final @Nullable DedupeInterceptor dedupe;
    boolean started;
    boolean duplicate;

    HandlerCall(@Nullable Target target, @Nullable RawTarget raw, @Nullable DedupeInterceptor dedupe) {
      this.target = target;
      this.raw = raw;
      this.dedupe = dedupe;
    }

    @Override
    public void proceed(Handling handling) throws Exception {
      if (dedupe == null) {
        call(handling.event());
        return;
      }
      boolean[] passed = new boolean[1];
      dedupe.aroundHandle(handling, next -> {
        passed[0] = true;
        call(next.event());
      });
      duplicate = !passed[0];
    }

    void call(CloudEvent event) throws Exception {
      if (target != null) {
        target.handle(event, this);
      } else if (raw != null) {
        CloudEventData data = event.getData();
        if (data != null) {
          EnvelopeCodec.checkData(data); // a raw handler reads the data as it is: it must be what it says
        }
        started = true;
        raw.handler().handle(event);
      }
    }
  }

  /** A typed handler with its event type; once closed, it starts no more handling. */
  private static final class Target {
    private final EventType<?> type;
    private final EventHandler<?> handler;
    private volatile boolean closed;

    Target(EventType<?> type, EventHandler<?> handler) {
      this.type = type;
      this.handler = handler;
    }

    void close() {
      closed = true;
    }

    @SuppressWarnings("unchecked")
    void handle(CloudEvent event, HandlerCall call) throws Exception {
      dispatch((EventType<Object>) type, (EventHandler<Object>) handler, event, call);
    }

    private <T> void dispatch(EventType<T> type, EventHandler<T> handler, CloudEvent event, HandlerCall call)
        throws Exception {
      Event<T> received = received(type, event);
      if (closed) {
        throw new HandlerClosed();
      }
      call.started = true;
      handler.handle(received);
    }
  }

  /**
   * The payload, decoded by the type's codec. The bus's JSON codec parses the data whole, so it takes a structured
   * event's data as delimited, unchecked ({@link EnvelopeCodec#dataToParse}); when it refuses it, data that is not JSON
   * at all makes the event malformed, as any other reader of the data finds it.
   *
   * @throws MalformedEventException when the event's data is not JSON
   */
  private static <T> T payload(PayloadCodec<T> codec, CloudEventData data) {
    if (!(codec instanceof Codecs.JsonCodec)) {
      return codec.decode(data.toBytes());
    }
    try {
      return codec.decode(EnvelopeCodec.dataToParse(data));
    } catch (SerializationException e) {
      EnvelopeCodec.checkData(data);
      throw e;
    }
  }

  /** A received CloudEvent as the typed event its handler gets; its payload decoded by the type's codec. */
  static <T> Event<T> received(EventType<T> type, CloudEvent event) {
    CloudEventData data = event.getData();
    T payload = data == null ? null : payload(type.codec(), data);
    Set<String> names = event.getExtensionNames();
    Map<String, Object> extensions;
    if (names.isEmpty()) {
      // Most events carry no extension: no map is built for them.
      extensions = Map.of();
    } else if (names.size() == 1) {
      // Many carry one (traceparent): a singleton map, not a hash table, an entry and a view per event.
      String name = names.iterator().next();
      Object value = event.getExtension(name);
      extensions = value == null ? Map.of() : Collections.singletonMap(name, value);
    } else {
      Map<String, Object> all = new LinkedHashMap<>();
      for (String name : names) {
        Object value = event.getExtension(name);
        if (value != null) {
          all.put(name, value);
        }
      }
      extensions = Collections.unmodifiableMap(all);
    }
    return Event.received(type, payload, event.getId(), event.getSource(), event.getSubject(), event.getTime(),
        event.getDataContentType(), event.getDataSchema(), extensions);
  }

  private record RawTarget(RawEventHandler handler) {}

  /** Thrown when a handler closed between the event's dispatch and its call. */
  private static final class HandlerClosed extends Exception {
    HandlerClosed() {
      super("handler closed", null, false, false);
    }
  }

  /** The subscription handed to the application. */
  private final class Handle implements Subscription {
    private final Runnable remove;
    private final AtomicBoolean closed = new AtomicBoolean();

    Handle(Runnable remove) {
      this.remove = remove;
    }

    @Override
    public String channel() {
      return channel.id();
    }

    @Override
    public @Nullable String group() {
      return group;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        context.unsubscribe().accept(Dispatcher.this, remove);
      }
    }
  }
}
