package dev.omnibus.kafka.internal;

import dev.omnibus.Health;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.Causes;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.SettleOnceDelivery;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer on its own thread, delivering records partition by partition in offset order to one handler.
 *
 * <p>At-least-once: offsets are committed only up to the contiguous acknowledged prefix of each partition (after each
 * poll, asynchronously; synchronously when partitions are revoked and on close). A nack with requeue seeks the
 * partition back to the nacked offset, so it and every later offset are delivered again and nothing is skipped.
 * Anonymous subscriptions (a group of their own) commit nothing: no one will resume them.
 *
 * <p>{@link #health()} says whether the consumer hears from the cluster: a consumer in a group gets a heartbeat
 * response every {@code heartbeat.interval.ms} (1 s here) and fetch responses at least every {@code fetch.max.wait.ms},
 * so no byte received for the silence limit (three heartbeats, at least 3 s; the client's own
 * {@code incoming-byte-total}) means the cluster is away: stalled, up again with the first bytes. A consumer loop that
 * stopped on an error is stalled with it for good. {@link #checkHealth()} samples, once a second, on the transport's
 * health thread.
 *
 * <p>Thread-safe: {@link #close()}, {@link #health()}, {@link #checkHealth()} and the deliveries' ack/nack may be
 * called from any thread; everything else runs on the consumer thread, because a Kafka consumer is not thread-safe.
 */
final class KafkaSubscription implements TransportSubscription {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaSubscription.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  /** The least number of delivered, not yet committed records before the consumer pauses. */
  private static final int WINDOW = 10_000;

  private final Consumer<byte[], byte[]> consumer;
  private final @Nullable String topic;
  private final @Nullable Pattern pattern;
  private final DeliveryHandler handler;
  private final RecordMapping mapping;
  private final boolean anonymous;
  private final int maxUnsettled;
  /** How many delivered records may wait for their commit, handled or not. */
  private final int maxWindow;
  private final Duration closeTimeout;
  private final String description;
  /** Notified when a delivery settles while a rebalance waits for the revoked partitions' handlers. */
  private final Object settledSignal = new Object();
  private volatile boolean awaitingSettlement;
  private final Runnable onClosed;
  private final Thread thread;
  private final CountDownLatch firstAssignment = new CountDownLatch(1);
  private final AtomicBoolean closing = new AtomicBoolean();
  private final ConcurrentLinkedQueue<PartitionProgress.Slot> requeued = new ConcurrentLinkedQueue<>();
  private volatile boolean running = true;
  private volatile @Nullable RuntimeException startFailure;
  private final HealthState health = new HealthState();
  private final ConsumerSilence silence;
  private volatile @Nullable String stoppedBecause;
  private volatile @Nullable String lastPollError;

  // Consumer thread only.
  private final Map<TopicPartition, PartitionProgress> partitions = new HashMap<>();
  private final RecordMapping.ReceivedValues receivedValues = new RecordMapping.ReceivedValues();
  private boolean assignedOnce;
  /** Whether the assignment is paused because too much is unsettled; read by settling threads to wake the poll. */
  private volatile boolean paused;

  KafkaSubscription(Consumer<byte[], byte[]> consumer, @Nullable String topic, @Nullable Pattern pattern,
      DeliveryHandler handler, RecordMapping mapping, boolean anonymous, int maxUnsettled, Duration closeTimeout,
      Duration silenceLimit, String description, Runnable onClosed) {
    this.consumer = consumer;
    this.topic = topic;
    this.pattern = pattern;
    this.handler = handler;
    this.mapping = mapping;
    this.anonymous = anonymous;
    this.maxUnsettled = maxUnsettled;
    this.maxWindow = Math.max(WINDOW, maxUnsettled);
    this.closeTimeout = closeTimeout;
    this.description = description;
    this.onClosed = onClosed;
    this.silence = new ConsumerSilence(silenceLimit.toNanos());
    this.thread = new Thread(this::run, "omnibus-kafka-" + description);
  }

  /**
   * Starts the consumer thread and waits, at most the timeout, until the group gave this consumer its partitions and
   * their start positions are known: an event sent after this returns is then delivered.
   *
   * @return whether the assignment arrived in time
   * @throws RuntimeException when the consumer failed before its first assignment (authorization, configuration)
   */
  boolean start(Duration timeout) {
    thread.start();
    boolean assigned;
    try {
      assigned = firstAssignment.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    RuntimeException failure = startFailure;
    if (failure != null) {
      close();
      throw failure;
    }
    return assigned;
  }

  @Override
  public Health.Status health() {
    return health.get();
  }

  /**
   * Samples the consumer's received bytes: stalled after the silence limit without any, up again with the next; stalled
   * for good once the consumer loop stopped on an error. Called once a second by the transport's health thread; never
   * blocks.
   */
  void checkHealth() {
    if (closing.get()) {
      return;
    }
    String stopped = stoppedBecause;
    if (stopped != null) {
      health.lost(Health.State.STALLED, "the consumer stopped: " + stopped);
      return;
    }
    switch (silence.sample(true)) {
      case HEARD -> health.up();
      case SILENT -> {
        String pollError = lastPollError;
        health.lost(Health.State.STALLED, "no answer from the Kafka cluster for " + silence.silentSeconds()
            + " s (no heartbeat or fetch response)" + (pollError == null ? "" : "; last poll error: " + pollError));
      }
      default -> { } // not polling yet, or heard within the limit
    }
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    health.closed();
    running = false;
    consumer.wakeup();
    if (Thread.currentThread() != thread) {
      try {
        // The consumer thread commits and leaves the group within closeTimeout; a handler under way may add to it.
        thread.join(closeTimeout.toMillis() * 2 + 1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("Kafka subscription {} did not stop within {}; its handler is still running", description,
            closeTimeout.multipliedBy(2));
      }
    }
    onClosed.run();
  }

  private void run() {
    try {
      Listener listener = new Listener();
      if (pattern != null) {
        consumer.subscribe(pattern, listener);
      } else {
        consumer.subscribe(List.of(topic), listener);
      }
      silence.watch(consumer);
      while (running) {
        ConsumerRecords<byte[], byte[]> records;
        try {
          records = consumer.poll(POLL_TIMEOUT);
        } catch (WakeupException e) {
          if (!running) {
            continue; // close() woke us up
          }
          records = ConsumerRecords.empty(); // a settlement woke a paused consumer: settle and resume now
        } catch (AuthenticationException | AuthorizationException | InvalidGroupIdException e) {
          fail(e);
          return;
        } catch (InterruptException e) {
          LOG.warn("Kafka subscription {} interrupted; stopping", description);
          return;
        } catch (KafkaException e) {
          LOG.warn("Kafka subscription {}: poll failed, retrying in {}: {}", description, ERROR_BACKOFF, e.toString());
          lastPollError = Causes.message(e);
          if (!backOff()) {
            return;
          }
          continue;
        }
        deliver(records);
        settle();
      }
    } catch (RuntimeException | Error e) {
      LOG.error("Kafka subscription {} stopped: {}", description, e.toString(), e);
      fail(e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e));
    } finally {
      shutdown();
    }
  }

  private void fail(RuntimeException failure) {
    stoppedBecause = Causes.message(failure);
    if (firstAssignment.getCount() > 0) {
      startFailure = failure;
      firstAssignment.countDown();
    } else {
      LOG.error("Kafka subscription {} stopped: {}", description, failure.toString());
    }
    running = false;
  }

  private boolean backOff() {
    try {
      Thread.sleep(ERROR_BACKOFF.toMillis());
      return running;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void deliver(ConsumerRecords<byte[], byte[]> records) {
    if (records.isEmpty()) {
      return;
    }
    for (PartitionProgress progress : partitions.values()) {
      progress.rewound = false;
    }
    for (TopicPartition partition : records.partitions()) {
      PartitionProgress progress = partitions.get(partition);
      if (progress == null) {
        continue;
      }
      for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
        if (!running || progress.rewound || progress.retired) {
          break;
        }
        deliver(progress, record);
        drainRequeued();
      }
    }
  }

  private void deliver(PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
    PartitionProgress.Slot slot = progress.track(record.offset());
    KafkaDelivery delivery = new KafkaDelivery(mapping.toMessage(record, receivedValues),
        progress.attemptOf(record.offset()), slot);
    try {
      handler.onDelivery(delivery);
    } catch (RuntimeException e) {
      LOG.warn("Handler of Kafka subscription {} threw on {}-{}@{}; redelivering: {}", description, record.topic(),
          record.partition(), record.offset(), e.toString());
      delivery.nack(true);
    }
  }

  /** Rewinds partitions to their nacked offsets. Consumer thread. */
  private void drainRequeued() {
    PartitionProgress.Slot slot;
    while ((slot = requeued.poll()) != null) {
      PartitionProgress progress = slot.owner;
      if (partitions.get(progress.partition) != progress || slot.state() != PartitionProgress.Slot.REQUEUED) {
        continue; // revoked meanwhile, or already rewound past by an earlier nack
      }
      consumer.seek(progress.partition, slot.offset);
      progress.rewind(slot.offset);
    }
  }

  /** Applies nacks, commits the acknowledged prefixes and pauses while too much is unsettled. Consumer thread. */
  private void settle() {
    drainRequeued();
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    int pending = 0;
    int window = 0;
    for (PartitionProgress progress : partitions.values()) {
      progress.advance();
      if (progress.needsCommit(false)) {
        offsets.put(progress.partition, new OffsetAndMetadata(progress.committable()));
      }
      pending += progress.pending();
      window += progress.unsettled();
    }
    commitAsync(offsets);
    // Deliveries still being handled are bounded by the prefetch. Those handled behind an unsettled one (a key retrying
    // while other keys go on) wait for the commit in a larger window, so that one stuck record does not stop the rest.
    boolean full = pending >= maxUnsettled || window >= maxWindow;
    if (!paused && full) {
      consumer.pause(consumer.assignment());
      paused = true;
    } else if (paused && !full) {
      consumer.resume(consumer.paused());
      paused = false;
    }
  }

  private void commitAsync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (offsets.isEmpty()) {
      return;
    }
    if (anonymous) {
      offsets.forEach((partition, offset) -> progressOf(partition, progress -> progress.commitConfirmed(offset.offset())));
      return;
    }
    offsets.forEach((partition, offset) -> progressOf(partition, progress -> progress.commitRequested(offset.offset())));
    // The callback runs on this thread, inside a later poll or commit call.
    consumer.commitAsync(offsets, (committed, failure) -> {
      if (failure == null) {
        offsets.forEach((partition, offset) ->
            progressOf(partition, progress -> progress.commitConfirmed(offset.offset())));
      } else {
        LOG.debug("Kafka subscription {}: asynchronous commit failed, asking again: {}", description,
            failure.toString());
        offsets.keySet().forEach(partition -> progressOf(partition, PartitionProgress::commitFailed));
      }
    });
  }

  private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (offsets.isEmpty() || anonymous) {
      return;
    }
    try {
      consumer.commitSync(offsets, closeTimeout);
      offsets.forEach((partition, offset) -> progressOf(partition, progress -> progress.commitConfirmed(offset.offset())));
    } catch (WakeupException e) {
      commitSync(offsets); // the wake-up was meant for poll; commit once more
    } catch (KafkaException e) {
      LOG.warn("Kafka subscription {}: commit of {} failed, those events will be delivered again: {}", description,
          offsets, e.toString());
    }
  }

  private void progressOf(TopicPartition partition, java.util.function.Consumer<PartitionProgress> action) {
    PartitionProgress progress = partitions.get(partition);
    if (progress != null) {
      action.accept(progress);
    }
  }

  private void shutdown() {
    try {
      commitBeforeLeaving();
    } catch (RuntimeException e) {
      LOG.warn("Kafka subscription {}: final commit failed: {}", description, e.toString());
    }
    try {
      consumer.close(CloseOptions.timeout(closeTimeout));
    } catch (RuntimeException e) {
      LOG.warn("Kafka subscription {}: consumer close failed: {}", description, e.toString());
    }
    for (PartitionProgress progress : partitions.values()) {
      progress.retired = true;
      progress.discardAll();
    }
    partitions.clear();
    firstAssignment.countDown();
  }

  /**
   * Commits the acknowledged prefixes synchronously. A group in the middle of a rebalance refuses commits: then the
   * rebalance is completed with polls on paused partitions (nothing is delivered; the listener commits what is
   * revoked) and the commit is tried again, within the close timeout.
   */
  private void commitBeforeLeaving() {
    drainRequeued();
    if (anonymous) {
      return;
    }
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    while (true) {
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (PartitionProgress progress : partitions.values()) {
        progress.advance();
        if (progress.needsCommit(true)) {
          offsets.put(progress.partition, new OffsetAndMetadata(progress.committable()));
        }
      }
      long remaining = deadline - System.nanoTime();
      if (offsets.isEmpty() || remaining <= 0) {
        if (!offsets.isEmpty()) {
          LOG.warn("Kafka subscription {}: could not commit {} before leaving; those events will be delivered again",
              description, offsets);
        }
        return;
      }
      try {
        consumer.commitSync(offsets, Duration.ofNanos(remaining));
        offsets.forEach((partition, offset) -> progressOf(partition, p -> p.commitConfirmed(offset.offset())));
        return;
      } catch (WakeupException e) {
        // meant for poll; try again
      } catch (RebalanceInProgressException e) {
        paused = true;
        consumer.pause(consumer.assignment());
        consumer.poll(POLL_TIMEOUT); // records of newly assigned partitions are paused or ignored: nothing delivered
      }
    }
  }

  /** Reacts to the group's rebalances; runs on the consumer thread inside poll. */
  private final class Listener implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
      if (revoked.isEmpty()) {
        return;
      }
      awaitSettled(revoked);
      drainRequeued();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      for (TopicPartition partition : revoked) {
        PartitionProgress progress = partitions.get(partition);
        if (progress != null) {
          progress.advance();
          if (progress.needsCommit(true)) {
            offsets.put(partition, new OffsetAndMetadata(progress.committable()));
          }
        }
      }
      // Commit what was acknowledged before another member takes over, then forget the rest: it is theirs now.
      commitSync(offsets);
      drop(revoked);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> lost) {
      drop(lost); // another member may own them already: committing now could move its offsets
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
      for (TopicPartition partition : assigned) {
        PartitionProgress replaced = partitions.put(partition, new PartitionProgress(partition));
        if (replaced != null) {
          replaced.retired = true; // its remaining records of the batch under way are not ours to deliver
        }
      }
      if (anonymous && !assigned.isEmpty()) {
        if (!assignedOnce) {
          // Resolve "latest" now rather than at the first fetch, so that subscribe() returning means every event
          // sent afterwards is delivered.
          for (TopicPartition partition : assigned) {
            consumer.position(partition);
          }
        } else {
          // Partitions that appear later (a new topic matching the pattern, added partitions) hold only events
          // sent after this subscription started: all of them are ours.
          consumer.seekToBeginning(assigned);
        }
      }
      if (paused && !assigned.isEmpty()) {
        consumer.pause(assigned);
      }
      assignedOnce = true;
      firstAssignment.countDown();
    }

    private void drop(Collection<TopicPartition> gone) {
      for (TopicPartition partition : gone) {
        PartitionProgress progress = partitions.remove(partition);
        if (progress != null) {
          progress.retired = true;
          progress.discardAll();
        }
      }
    }
  }

  /**
   * Waits, at most the close timeout, until every delivery of the revoked partitions is settled: handlers the bus runs
   * concurrently may still be working on them, and the member taking the partitions over must not run an event of the
   * same key at the same time, nor get offsets this member is about to acknowledge. Consumer thread.
   */
  private void awaitSettled(Collection<TopicPartition> revoked) {
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    awaitingSettlement = true;
    try {
      synchronized (settledSignal) {
        while (!settled(revoked)) {
          long remaining = deadline - System.nanoTime();
          if (remaining <= 0) {
            LOG.warn("Kafka subscription {}: handlers still running on revoked partitions after {}; their events will "
                + "be delivered again to the member taking over", description, closeTimeout);
            return;
          }
          settledSignal.wait(Math.max(1, remaining / 1_000_000));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      awaitingSettlement = false;
    }
  }

  private boolean settled(Collection<TopicPartition> revoked) {
    for (TopicPartition partition : revoked) {
      PartitionProgress progress = partitions.get(partition);
      if (progress != null && !progress.allSettled()) {
        return false;
      }
    }
    return true;
  }

  /** Wakes a rebalance waiting in {@link #awaitSettled}; costs a volatile read when none waits. */
  private void signalSettled() {
    if (awaitingSettlement) {
      synchronized (settledSignal) {
        settledSignal.notifyAll();
      }
    }
  }

  /**
   * Wakes a paused consumer's poll, so that it resumes as soon as handlers running concurrently free room rather than
   * after its poll timeout. Only from other threads: the consumer thread settles before it polls anyway.
   */
  private void wakeIfPaused() {
    if (paused && Thread.currentThread() != thread) {
      consumer.wakeup();
    }
  }

  /** One record handed to the handler. ack/nack from any thread; the first call counts. */
  private final class KafkaDelivery extends SettleOnceDelivery {
    private final PartitionProgress.Slot slot;

    KafkaDelivery(WireMessage message, int attempt, PartitionProgress.Slot slot) {
      super(message, attempt);
      this.slot = slot;
    }

    @Override
    protected void onAck() {
      slot.settle(PartitionProgress.Slot.ACKED);
      signalSettled();
      wakeIfPaused();
    }

    @Override
    protected void onNack(boolean requeue) {
      if (!requeue) {
        // The bus has dead-lettered the event: the partition moves past it like an ack.
        slot.settle(PartitionProgress.Slot.ACKED);
      } else if (slot.settle(PartitionProgress.Slot.REQUEUED)) {
        requeued.add(slot);
      }
      signalSettled();
      wakeIfPaused();
    }
  }

  @Override
  public String toString() {
    return "KafkaSubscription[" + description + "]";
  }
}
