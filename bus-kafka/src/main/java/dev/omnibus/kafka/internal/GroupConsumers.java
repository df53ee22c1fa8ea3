package dev.omnibus.kafka.internal;

import dev.omnibus.Health;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.Causes;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.SettleOnceDelivery;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidGroupIdException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumers that serve one transport's group subscriptions to plain topics: one consumer and one poll thread per
 * group id, subscribed to the union of the topics of that group's subscriptions, handing each record to the handler of
 * its topic's subscription. So a thousand channels consumed by one service's group cost one consumer (its poll thread
 * and Kafka's heartbeat thread) and one member of the group, not a thousand of each.
 *
 * <p>Joining and leaving subscriptions are handed to the poll thread, which applies all of them that arrived since its
 * last round with one {@code subscribe(topics)}: with the {@code CooperativeStickyAssignor}, adding or removing a topic
 * moves only that topic's partitions. The first subscription of a group waits, as a consumer of its own did, for the
 * group's first assignment (which is where authorization and configuration failures show); later ones return at once:
 * a group starts at {@code earliest}, so whatever is sent to their topic afterwards is read once the next rebalance
 * assigns it. A topic that does not exist yet is created in the background, batched with the other creations
 * ({@link TopicProvisioner#create}); a creation that fails leaves the subscription {@link Health.State#STALLED}.
 *
 * <p>Each subscription keeps its own settling ({@link PartitionProgress}: commits of each partition's contiguous
 * acknowledged prefix, a nack seeking only that partition back) and its own window: a subscription with too much
 * unsettled has its own partitions paused, the others go on. On revocation the revoked partitions' deliveries are
 * waited for (at most the close timeout) and their prefix committed, as on a consumer of its own. Closing one commits
 * its prefix and takes its topic out of the subscription; its partitions are paused and rewound to their first
 * unacknowledged offset meanwhile, so the subscription that may take the topic over before the rebalance starts there.
 *
 * <p>What sharing costs: the members share one poll thread, so a handler that blocks (at concurrency 1 the handler runs
 * on it) delays the group's other subscriptions of this transport; a slow revocation (a handler that takes long to
 * settle a revoked partition's delivery) holds the others' polls up to the close timeout; and every topic added or
 * removed is a rebalance of the whole member (cooperative: the other topics' partitions keep being read).
 *
 * <p>Thread-safe.
 */
final class GroupConsumers {

  private static final Logger LOG = LoggerFactory.getLogger(GroupConsumers.class);
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  /** The least number of delivered, not yet committed records before a subscription pauses. */
  private static final int WINDOW = 10_000;

  private final String serverName;
  /** The properties of the consumer of a group: group id and client id. */
  private final BiFunction<String, String, Map<String, Object>> properties;
  private final RecordMapping mapping;
  private final Duration subscribeTimeout;
  private final Duration closeTimeout;
  private final long silenceLimitNanos;
  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<String, Group> groups = new HashMap<>();
  private int opened;
  private boolean closed;

  /**
   * @param properties the properties of the consumer of a group id, with a client id
   * @param silenceLimit how long a consumer may hear nothing before its subscriptions count as stalled
   */
  GroupConsumers(String serverName, BiFunction<String, String, Map<String, Object>> properties, RecordMapping mapping,
      Duration subscribeTimeout, Duration closeTimeout, Duration silenceLimit) {
    this.serverName = serverName;
    this.properties = properties;
    this.mapping = mapping;
    this.subscribeTimeout = subscribeTimeout;
    this.closeTimeout = closeTimeout;
    this.silenceLimitNanos = silenceLimit.toNanos();
  }

  /**
   * Opens a group subscription to the topic on the group's shared consumer; creates a missing topic in the background
   * when asked to. The group's first subscription waits for the group's first assignment.
   *
   * @param creation asks for the topic (created unless it exists), or null when the transport creates no topics
   * @return the subscription, or empty when the group's consumer serves the topic already (two subscriptions of one
   *     group to one topic compete for its partitions) or these consumers are closed: the caller opens a consumer of
   *     its own
   * @throws KafkaException when the consumer cannot be created, or failed before its first assignment
   */
  Optional<TransportSubscription> subscribe(String groupId, String topic, DeliveryHandler handler, int maxUnsettled,
      @Nullable Supplier<CompletableFuture<TopicProvisioner.Creation>> creation) {
    Group group;
    synchronized (lock) {
      if (closed) {
        return Optional.empty();
      }
      group = groups.get(groupId);
      if (group == null) {
        String clientId = "omnibus-" + serverName + "-group-" + (++opened);
        group = new Group(new KafkaConsumer<>(properties.apply(groupId, clientId)), groupId);
        groups.put(groupId, group);
        group.thread.start();
      }
      if (!group.topics.add(topic)) {
        return Optional.empty();
      }
    }
    Group.Member member = group.new Member(topic, handler, maxUnsettled);
    group.join(member);
    if (creation != null) {
      create(member, creation);
    }
    boolean assigned;
    try {
      assigned = group.firstAssignment.await(subscribeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      assigned = false;
    }
    RuntimeException failure = member.failure;
    if (failure == null) {
      failure = group.startFailure;
    }
    if (failure != null) {
      member.close();
      throw failure;
    }
    if (!assigned) {
      LOG.warn("Kafka group {} on server '{}' got no assignment within {}; its subscription to '{}' keeps trying",
          groupId, serverName, subscribeTimeout, topic);
    }
    return Optional.of(member);
  }

  /** Asks for a missing topic in the background; a failure stalls the subscription until the topic is read. */
  private void create(Group.Member member, Supplier<CompletableFuture<TopicProvisioner.Creation>> creation) {
    CompletableFuture<TopicProvisioner.Creation> created;
    try {
      created = creation.get();
    } catch (RuntimeException e) {
      created = CompletableFuture.failedFuture(e);
    }
    created.whenComplete((answer, failure) -> {
      if (failure == null || member.closing.get()) {
        return; // the group's leader sees the new topic in its metadata and assigns it
      }
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null
          ? failure.getCause() : failure;
      String reason = cause instanceof TopicProvisioner.TopicUnavailableException
          ? cause.getMessage() : "topic '" + member.topic + "' could not be created: " + Causes.message(cause);
      LOG.warn("Kafka group subscription to topic '{}' on server '{}': {}; it waits for the topic to appear",
          member.topic, serverName, reason);
      member.missing = reason;
      member.health.lost(Health.State.STALLED, reason);
    });
  }

  /** Samples every group consumer's health; called once a second by the transport's health thread. */
  void checkHealth() {
    List<Group> open;
    synchronized (lock) {
      open = new ArrayList<>(groups.values());
    }
    for (Group group : open) {
      group.checkHealth();
    }
  }

  /** Stops every group consumer, in parallel, within the close timeout: each commits what was acknowledged. */
  void close() {
    List<Group> open;
    synchronized (lock) {
      closed = true;
      open = new ArrayList<>(groups.values());
      groups.clear();
    }
    for (Group group : open) {
      group.stop();
    }
    long deadline = System.nanoTime() + closeTimeout.multipliedBy(2).plusSeconds(1).toNanos();
    for (Group group : open) {
      group.awaitStopped(deadline);
    }
  }

  /** A subscription closed: its topic is free again, and a consumer left without subscriptions leaves the group. */
  private void release(Group group, String topic) {
    boolean last;
    synchronized (lock) {
      group.topics.remove(topic);
      last = group.topics.isEmpty() && groups.remove(group.groupId, group);
    }
    if (last) {
      group.stop();
      group.awaitStopped(System.nanoTime() + closeTimeout.multipliedBy(2).plusSeconds(1).toNanos());
    }
  }

  /** A consumer stopped on an error takes no more subscriptions: the next subscribe of its group opens another. */
  private void retire(Group group) {
    synchronized (lock) {
      groups.remove(group.groupId, group);
    }
  }

  /**
   * One group's consumer and its poll thread. Everything that touches the consumer runs on that thread; other threads
   * hand it joining and leaving subscriptions through queues and wake it.
   */
  private final class Group implements Runnable {
    private final Consumer<byte[], byte[]> consumer;
    private final String groupId;
    private final Thread thread;
    /** The topics of the subscriptions placed here and not yet released; guarded by {@link GroupConsumers#lock}. */
    private final Set<String> topics = new HashSet<>();
    private final CountDownLatch firstAssignment = new CountDownLatch(1);
    private volatile @Nullable RuntimeException startFailure;
    private volatile boolean running = true;
    private volatile boolean stopped;
    private final ConcurrentLinkedQueue<Member> joining = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Member> leaving = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<PartitionProgress.Slot> requeued = new ConcurrentLinkedQueue<>();
    /** The subscriptions served, by topic; read by the health thread. */
    private final Map<String, Member> members = new ConcurrentHashMap<>();
    /** Notified when a delivery settles while a rebalance waits for the revoked partitions' handlers. */
    private final Object settledSignal = new Object();
    private volatile boolean awaitingSettlement;
    private final ConsumerSilence silence = new ConsumerSilence(silenceLimitNanos);
    private volatile @Nullable String stoppedBecause;
    private volatile @Nullable String lastPollError;
    /** The subscription whose records the poll thread is handing over, if any. */
    private volatile @Nullable Member handling;
    // Poll thread only.
    private final Map<TopicPartition, Member> owners = new HashMap<>();
    /**
     * Assigned partitions of topics no subscription reads (it left, the rebalance that takes them away is pending):
     * paused, and rewound to their first unacknowledged offset, so that a subscription taking the topic over starts
     * there.
     */
    private final Set<TopicPartition> orphans = new HashSet<>();
    /** Prefixes of subscriptions that left, whose commit the group refused (a rebalance): asked again each round. */
    private final Map<TopicPartition, OffsetAndMetadata> leftOffsets = new HashMap<>();
    private final Set<String> subscribed = new HashSet<>();
    private final Listener listener = new Listener();
    private final RecordMapping.ReceivedValues receivedValues = new RecordMapping.ReceivedValues();

    Group(Consumer<byte[], byte[]> consumer, String groupId) {
      this.consumer = consumer;
      this.groupId = groupId;
      this.thread = new Thread(this, "omnibus-kafka-group-" + groupId);
    }

    void join(Member member) {
      joining.add(member);
      wake();
      if (stopped && joining.remove(member)) {
        String because = stoppedBecause;
        member.failure = new IllegalStateException("the Kafka consumer of group " + groupId + " stopped"
            + (because == null ? "" : ": " + because));
      }
    }

    private void wake() {
      consumer.wakeup();
      LockSupport.unpark(thread);
    }

    void stop() {
      running = false;
      wake();
    }

    void awaitStopped(long deadlineNanos) {
      if (Thread.currentThread() == thread) {
        return;
      }
      try {
        thread.join(Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        LOG.warn("Kafka consumer of group {} did not stop in time; a handler is still running", groupId);
      }
    }

    @Override
    public void run() {
      try {
        silence.watch(consumer);
        while (running) {
          leave();
          admit();
          if (subscribed.isEmpty()) {
            LockSupport.parkNanos(this, POLL_TIMEOUT.toNanos());
            continue;
          }
          ConsumerRecords<byte[], byte[]> records;
          try {
            records = consumer.poll(POLL_TIMEOUT);
          } catch (WakeupException e) {
            records = ConsumerRecords.empty(); // a joining, leaving or settling subscription: attend to it now
          } catch (TopicAuthorizationException e) {
            failTopics(e);
            continue;
          } catch (AuthenticationException | AuthorizationException | InvalidGroupIdException e) {
            fail(e);
            return;
          } catch (InterruptException e) {
            LOG.warn("Kafka consumer of group {} interrupted; stopping", groupId);
            fail(e);
            return;
          } catch (KafkaException e) {
            LOG.warn("Kafka consumer of group {}: poll failed, retrying in {}: {}", groupId, ERROR_BACKOFF,
                e.toString());
            lastPollError = Causes.message(e);
            LockSupport.parkNanos(this, ERROR_BACKOFF.toNanos());
            continue;
          }
          deliver(records);
          settle();
        }
      } catch (RuntimeException | Error e) {
        LOG.error("Kafka consumer of group {} stopped: {}", groupId, e.toString(), e);
        fail(e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e));
      } finally {
        shutdown();
      }
    }

    /** Takes in the subscriptions that joined; their topics are subscribed, all in one call. */
    private void admit() {
      Member member;
      boolean changed = false;
      while ((member = joining.poll()) != null) {
        if (member.closing.get()) {
          member.released.countDown();
          continue;
        }
        members.put(member.topic, member);
        member.admitted = true;
        changed |= subscribed.add(member.topic);
        // Partitions still assigned from a subscription of this topic that left are taken over where it stopped.
        List<TopicPartition> adopted = new ArrayList<>();
        for (TopicPartition partition : orphans) {
          if (partition.topic().equals(member.topic)) {
            adopted.add(partition);
          }
        }
        for (TopicPartition partition : adopted) {
          orphans.remove(partition);
          own(member, partition);
        }
        if (!adopted.isEmpty()) {
          consumer.resume(adopted);
        }
      }
      if (changed) {
        consumer.subscribe(List.copyOf(subscribed), listener);
      }
    }

    /**
     * Lets the subscriptions that left go: commits their acknowledged prefixes, pauses their partitions and rewinds
     * them to the first offset not acknowledged, and takes their topics out of the subscription; then tells their
     * close() they are gone.
     */
    private void leave() {
      Member member;
      List<Member> left = new ArrayList<>();
      while ((member = leaving.poll()) != null) {
        left.add(member);
      }
      if (left.isEmpty()) {
        return;
      }
      drainRequeued();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
      boolean changed = false;
      for (Member gone : left) {
        if (!gone.admitted || !members.remove(gone.topic, gone)) {
          continue;
        }
        changed |= subscribed.remove(gone.topic);
        for (PartitionProgress progress : gone.partitions.values()) {
          progress.advance();
          if (progress.needsCommit(true)) {
            offsets.put(progress.partition, new OffsetAndMetadata(progress.committable()));
          }
          Long firstUnacknowledged = progress.firstInFlight();
          progress.retired = true;
          progress.discardAll();
          owners.remove(progress.partition);
          orphans.add(progress.partition);
          consumer.pause(List.of(progress.partition));
          if (firstUnacknowledged != null) {
            consumer.seek(progress.partition, firstUnacknowledged);
          }
        }
        gone.partitions.clear();
      }
      if (!offsets.isEmpty()) {
        try {
          commitSync(offsets);
        } catch (KafkaException e) {
          // A rebalance under way refuses commits: asked again each round, and before the partitions move.
          LOG.debug("Kafka consumer of group {}: commit of {} refused, asking again: {}", groupId, offsets,
              e.toString());
          leftOffsets.putAll(offsets);
        }
      }
      if (changed) {
        if (subscribed.isEmpty()) {
          consumer.unsubscribe();
          orphans.clear();
        } else {
          consumer.subscribe(List.copyOf(subscribed), listener);
        }
      }
      for (Member done : left) {
        done.released.countDown();
      }
    }

    /** Commits and waits, at most the close timeout; a wake-up meant for poll is not a reason to give up. */
    private void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
      try {
        consumer.commitSync(offsets, closeTimeout);
      } catch (WakeupException e) {
        consumer.commitSync(offsets, closeTimeout);
      }
    }

    private void own(Member member, TopicPartition partition) {
      PartitionProgress replaced = member.partitions.put(partition, new PartitionProgress(partition));
      if (replaced != null) {
        replaced.retired = true;
      }
      owners.put(partition, member);
      if (member.missing != null) {
        member.missing = null; // created by someone else meanwhile
        member.health.up();
      }
    }

    private void deliver(ConsumerRecords<byte[], byte[]> records) {
      if (records.isEmpty()) {
        return;
      }
      for (TopicPartition partition : records.partitions()) {
        Member member = owners.get(partition);
        PartitionProgress progress = member == null ? null : member.partitions.get(partition);
        if (progress != null) {
          progress.rewound = false;
        }
      }
      for (TopicPartition partition : records.partitions()) {
        Member member = owners.get(partition);
        PartitionProgress progress = member == null ? null : member.partitions.get(partition);
        List<ConsumerRecord<byte[], byte[]>> batch = records.records(partition);
        if (progress == null) {
          // Fetched before its subscription left: keep the position at these records for whoever takes it over.
          if (!batch.isEmpty() && orphans.contains(partition)) {
            consumer.seek(partition, batch.get(0).offset());
          }
          continue;
        }
        // Set before the closing check below: a close() that does not see it here will see no handler of its start.
        handling = member;
        try {
          for (ConsumerRecord<byte[], byte[]> record : batch) {
            if (progress.rewound || progress.retired) {
              break;
            }
            if (!running || member.closing.get()) {
              consumer.seek(partition, record.offset()); // not delivered: leave() starts the next owner here
              break;
            }
            deliver(member, progress, record);
            drainRequeued();
          }
        } finally {
          handling = null;
        }
      }
    }

    private void deliver(Member member, PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
      PartitionProgress.Slot slot = progress.track(record.offset());
      Delivery delivery = new Delivery(member, mapping.toMessage(record, receivedValues),
          progress.attemptOf(record.offset()), slot);
      try {
        member.handler.onDelivery(delivery);
      } catch (RuntimeException e) {
        LOG.warn("Handler of Kafka group {} subscription to '{}' threw on {}-{}@{}; redelivering: {}", groupId,
            member.topic, record.topic(), record.partition(), record.offset(), e.toString());
        delivery.nack(true);
      }
    }

    /** Rewinds partitions to their nacked offsets. Poll thread. */
    private void drainRequeued() {
      PartitionProgress.Slot slot;
      while ((slot = requeued.poll()) != null) {
        PartitionProgress progress = slot.owner;
        Member member = owners.get(progress.partition);
        if (member == null || member.partitions.get(progress.partition) != progress
            || slot.state() != PartitionProgress.Slot.REQUEUED) {
          continue; // revoked or left meanwhile, or already rewound past by an earlier nack
        }
        consumer.seek(progress.partition, slot.offset);
        progress.rewind(slot.offset);
      }
    }

    /**
     * Applies nacks, commits every subscription's acknowledged prefixes in one request, and pauses each subscription
     * with too much unsettled, resuming it once there is room. Poll thread.
     */
    private void settle() {
      drainRequeued();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(leftOffsets);
      for (Member member : members.values()) {
        if (member.partitions.isEmpty()) {
          continue;
        }
        int pending = 0;
        int window = 0;
        for (PartitionProgress progress : member.partitions.values()) {
          progress.advance();
          if (progress.needsCommit(false)) {
            offsets.put(progress.partition, new OffsetAndMetadata(progress.committable()));
            progress.commitRequested(progress.committable());
          }
          pending += progress.pending();
          window += progress.unsettled();
        }
        // As on a consumer of its own: deliveries being handled are bounded by the prefetch, those handled behind an
        // unsettled one wait for the commit in a larger window.
        boolean full = pending >= member.maxUnsettled || window >= member.maxWindow;
        if (!member.paused && full) {
          consumer.pause(member.partitions.keySet());
          member.paused = true;
        } else if (member.paused && !full) {
          consumer.resume(member.partitions.keySet());
          member.paused = false;
        }
      }
      if (offsets.isEmpty()) {
        return;
      }
      Map<TopicPartition, OffsetAndMetadata> left = Map.copyOf(leftOffsets);
      leftOffsets.clear();
      // The callback runs on this thread, inside a later poll or commit call.
      consumer.commitAsync(offsets, (committed, failure) -> {
        if (failure == null) {
          offsets.forEach((partition, offset) ->
              progressOf(partition, progress -> progress.commitConfirmed(offset.offset())));
        } else {
          LOG.debug("Kafka consumer of group {}: asynchronous commit failed, asking again: {}", groupId,
              failure.toString());
          offsets.keySet().forEach(partition -> progressOf(partition, PartitionProgress::commitFailed));
          left.forEach(leftOffsets::putIfAbsent);
        }
      });
    }

    private void progressOf(TopicPartition partition, java.util.function.Consumer<PartitionProgress> action) {
      Member member = owners.get(partition);
      PartitionProgress progress = member == null ? null : member.partitions.get(partition);
      if (progress != null) {
        action.accept(progress);
      }
    }

    private void failTopics(TopicAuthorizationException e) {
      for (Member member : List.copyOf(members.values())) {
        if (e.unauthorizedTopics().contains(member.topic)) {
          RuntimeException failure = e;
          member.failure = failure;
          LOG.error("Kafka group {} subscription to '{}' stopped: {}", groupId, member.topic, e.toString());
          member.health.lost(Health.State.STALLED, "the consumer stopped: " + Causes.message(e));
          leaving.add(member); // its close() releases its topic
        }
      }
      leave();
      if (firstAssignment.getCount() > 0 && members.isEmpty()) {
        firstAssignment.countDown(); // its subscribe() throws the failure
      }
    }

    private void fail(RuntimeException failure) {
      stoppedBecause = Causes.message(failure);
      running = false;
      retire(this);
      if (firstAssignment.getCount() > 0) {
        startFailure = failure;
        firstAssignment.countDown();
      }
      for (Member member : members.values()) {
        member.failure = failure;
        LOG.error("Kafka group {} subscription to '{}' stopped: {}", groupId, member.topic, failure.toString());
      }
    }

    private void shutdown() {
      stopped = true;
      try {
        commitBeforeLeaving();
      } catch (RuntimeException e) {
        LOG.warn("Kafka consumer of group {}: final commit failed: {}", groupId, e.toString());
      }
      try {
        consumer.close(CloseOptions.timeout(closeTimeout));
      } catch (RuntimeException e) {
        LOG.warn("Kafka consumer of group {}: close failed: {}", groupId, e.toString());
      }
      Member member;
      while ((member = joining.poll()) != null) {
        members.putIfAbsent(member.topic, member);
      }
      String because = stoppedBecause;
      for (Member left : members.values()) {
        for (PartitionProgress progress : left.partitions.values()) {
          progress.retired = true;
          progress.discardAll();
        }
        if (because != null) {
          left.health.lost(Health.State.STALLED, "the consumer stopped: " + because);
        }
        left.released.countDown();
      }
      while ((member = leaving.poll()) != null) {
        member.released.countDown();
      }
      owners.clear();
      firstAssignment.countDown();
    }

    /** Commits every acknowledged prefix, and those left by subscriptions that closed, before the consumer leaves. */
    private void commitBeforeLeaving() {
      drainRequeued();
      Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>(leftOffsets);
      for (Member member : members.values()) {
        for (PartitionProgress progress : member.partitions.values()) {
          progress.advance();
          if (progress.needsCommit(true)) {
            offsets.put(progress.partition, new OffsetAndMetadata(progress.committable()));
          }
        }
      }
      if (offsets.isEmpty() || stoppedBecause != null) {
        return;
      }
      try {
        commitSync(offsets);
      } catch (KafkaException e) {
        LOG.warn("Kafka consumer of group {}: could not commit {} before leaving; those events will be delivered "
            + "again", groupId, offsets);
      }
    }

    /**
     * Samples the consumer's received bytes (a member of a group hears a heartbeat response every second): its
     * subscriptions are stalled after the silence limit without any, up again with the next; stalled for good once
     * the poll loop stopped on an error. Health thread; never blocks.
     */
    void checkHealth() {
      String stopped = stoppedBecause;
      if (stopped != null) {
        for (Member member : members.values()) {
          member.health.lost(Health.State.STALLED, "the consumer stopped: " + stopped);
        }
        return;
      }
      switch (silence.sample(true)) {
        case HEARD -> {
          for (Member member : members.values()) {
            if (member.missing == null && member.failure == null) {
              member.health.up();
            }
          }
        }
        case SILENT -> {
          String pollError = lastPollError;
          String reason = "no answer from the Kafka cluster for " + silence.silentSeconds()
              + " s (no heartbeat or fetch response)" + (pollError == null ? "" : "; last poll error: " + pollError);
          for (Member member : members.values()) {
            member.health.lost(Health.State.STALLED, reason);
          }
        }
        default -> { } // not polling yet, or heard within the limit
      }
    }

    /** Reacts to the group's rebalances; runs on the poll thread inside poll. */
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
          Member member = owners.get(partition);
          PartitionProgress progress = member == null ? null : member.partitions.get(partition);
          if (progress != null) {
            progress.advance();
            if (progress.needsCommit(true)) {
              offsets.put(partition, new OffsetAndMetadata(progress.committable()));
            }
          } else {
            OffsetAndMetadata left = leftOffsets.get(partition);
            if (left != null) {
              offsets.put(partition, left);
            }
          }
        }
        // Commit what was acknowledged before another member takes over, then forget the rest: it is theirs now.
        if (!offsets.isEmpty()) {
          try {
            commitSync(offsets);
          } catch (KafkaException e) {
            LOG.warn("Kafka consumer of group {}: commit of {} failed, those events will be delivered again: {}",
                groupId, offsets, e.toString());
          }
        }
        drop(revoked);
      }

      @Override
      public void onPartitionsLost(Collection<TopicPartition> lost) {
        drop(lost); // another member may own them already: committing now could move its offsets
      }

      @Override
      public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
        List<TopicPartition> toPause = new ArrayList<>();
        for (TopicPartition partition : assigned) {
          Member member = members.get(partition.topic());
          if (member == null || member.closing.get()) {
            orphans.add(partition);
            toPause.add(partition);
            continue;
          }
          own(member, partition);
          if (member.paused) {
            toPause.add(partition);
          }
        }
        if (!toPause.isEmpty()) {
          consumer.pause(toPause);
        }
        firstAssignment.countDown();
      }

      private void drop(Collection<TopicPartition> gone) {
        for (TopicPartition partition : gone) {
          orphans.remove(partition);
          leftOffsets.remove(partition);
          Member member = owners.remove(partition);
          PartitionProgress progress = member == null ? null : member.partitions.remove(partition);
          if (progress != null) {
            progress.retired = true;
            progress.discardAll();
          }
        }
      }
    }

    /**
     * Waits, at most the close timeout, until every delivery of the revoked partitions is settled: the member taking
     * them over must not run an event of the same key at the same time, nor get offsets this one is about to
     * acknowledge. Holds up the group's other subscriptions meanwhile. Poll thread.
     */
    private void awaitSettled(Collection<TopicPartition> revoked) {
      long deadline = System.nanoTime() + closeTimeout.toNanos();
      awaitingSettlement = true;
      try {
        synchronized (settledSignal) {
          while (!settled(revoked)) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
              LOG.warn("Kafka consumer of group {}: handlers still running on revoked partitions after {}; their "
                  + "events will be delivered again to the member taking over", groupId, closeTimeout);
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
        Member member = owners.get(partition);
        PartitionProgress progress = member == null ? null : member.partitions.get(partition);
        if (progress != null && !progress.allSettled()) {
          return false;
        }
      }
      return true;
    }

    /** One group subscription served by this consumer. */
    final class Member implements TransportSubscription {
      private final String topic;
      private final DeliveryHandler handler;
      private final int maxUnsettled;
      /** How many delivered records may wait behind an unsettled one. */
      private final int maxWindow;
      private final CountDownLatch released = new CountDownLatch(1);
      private final AtomicBoolean closing = new AtomicBoolean();
      private final HealthState health = new HealthState();
      private volatile @Nullable RuntimeException failure;
      /** Why its topic is missing (it could not be created); keeps its health stalled until its partitions come. */
      private volatile @Nullable String missing;
      /** Whether its partitions are paused; read by settling threads to wake the poll. */
      private volatile boolean paused;
      // Poll thread only.
      private final Map<TopicPartition, PartitionProgress> partitions = new HashMap<>();
      private boolean admitted;

      Member(String topic, DeliveryHandler handler, int maxUnsettled) {
        this.topic = topic;
        this.handler = handler;
        this.maxUnsettled = maxUnsettled;
        this.maxWindow = Math.max(WINDOW, maxUnsettled);
      }

      @Override
      public Health.Status health() {
        return health.get();
      }

      /**
       * Stops delivery: no handler call of this subscription starts after this returns, one running is waited for,
       * its acknowledged prefix is committed and its topic leaves the group's subscription (the poll thread does it
       * between two polls, for every subscription closed meanwhile). The others go on.
       */
      @Override
      public void close() {
        if (!closing.compareAndSet(false, true)) {
          return;
        }
        health.closed();
        leaving.add(this);
        wake();
        if (Thread.currentThread() != thread && !stopped) {
          try {
            if (!released.await(closeTimeout.toMillis() * 2 + 1_000, TimeUnit.MILLISECONDS)) {
              LOG.warn("Kafka group {} subscription to '{}' did not stop within {}; a handler is still running",
                  groupId, topic, closeTimeout.multipliedBy(2));
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        GroupConsumers.this.release(Group.this, topic);
      }

      @Override
      public String toString() {
        return "KafkaSubscription[" + topic + " group " + groupId + "]";
      }
    }

    /** One record handed to a handler. ack/nack from any thread; the first call counts. */
    private final class Delivery extends SettleOnceDelivery {
      private final Member member;
      private final PartitionProgress.Slot slot;

      Delivery(Member member, WireMessage message, int attempt, PartitionProgress.Slot slot) {
        super(message, attempt);
        this.member = member;
        this.slot = slot;
      }

      @Override
      protected void onAck() {
        slot.settle(PartitionProgress.Slot.ACKED);
        settled();
      }

      @Override
      protected void onNack(boolean requeue) {
        if (!requeue) {
          // The bus has dead-lettered the event: the partition moves past it like an ack.
          slot.settle(PartitionProgress.Slot.ACKED);
        } else if (slot.settle(PartitionProgress.Slot.REQUEUED)) {
          requeued.add(slot);
        }
        settled();
      }

      /** Wakes a rebalance waiting for settlements, and a paused subscription's poll. */
      private void settled() {
        if (awaitingSettlement) {
          synchronized (settledSignal) {
            settledSignal.notifyAll();
          }
        }
        if (member.paused && Thread.currentThread() != thread) {
          consumer.wakeup();
        }
      }
    }
  }
}
