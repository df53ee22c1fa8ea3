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
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.WakeupException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumers that serve one transport's anonymous subscriptions to plain topics: each consumer has no group, reads
 * the partitions it assigns itself, commits nothing, and serves up to {@link #CAPACITY} subscriptions on distinct
 * topics from one poll thread, handing each record to the handler of its topic's subscription. So a thousand
 * anonymous subscriptions cost two consumers and two threads, not a thousand of each.
 *
 * <p>A subscription starts at the end of every partition of its topic, and {@link #subscribe} returns once those
 * positions are known (one metadata and one offsets request), not once the consumer has them: an event sent
 * afterwards is delivered. A topic that does not exist yet is read from its beginning, once found: everything in it was
 * sent after the subscription started. So subscribing to a new topic costs one metadata request (on a lookup consumer
 * of its own, see {@link #partitions}: one round trip, where the admin client's topic description takes two); its
 * creation (when the transport creates topics) goes on in the background, coalesced with the other creations waiting
 * ({@link TopicProvisioner#create}), and its partitions are assigned when the cluster answers. A creation that fails
 * leaves the subscription {@link Health.State#STALLED} with the reason, until the topic is found. Partitions that
 * appear later (partitions added) are read from their beginning too. Settling is {@link KafkaSubscription}'s: a partition's deliveries are tracked in offset order
 * ({@link PartitionProgress}), a nack with requeue seeks that partition back, and a subscription with too much
 * unsettled has its partitions paused; the other subscriptions of the consumer go on.
 *
 * <p>A topic that a shared consumer serves already is not served twice ({@link #subscribe} says so, and the transport
 * gives that subscription a consumer of its own): seeking one subscription back would move the other.
 *
 * <p>Handlers run on the poll thread (or on the bus's lanes, at a concurrency above 1): a handler that blocks delays
 * the other anonymous subscriptions of its consumer.
 *
 * <p>Thread-safe.
 */
final class AnonymousConsumers {

  /** The most subscriptions one shared consumer (one poll thread) serves; the next opens another consumer. */
  static final int CAPACITY = 500;

  private static final Logger LOG = LoggerFactory.getLogger(AnonymousConsumers.class);
  /** The most topics, or partitions, one lookup request carries. */
  private static final int LOOKUP_BATCH = 1_000;
  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final long SCAN_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(2);
  private static final Duration ERROR_BACKOFF = Duration.ofSeconds(1);
  /** The least number of delivered, not yet settled-away records before a subscription pauses. */
  private static final int WINDOW = 10_000;

  private final String serverName;
  private final IntFunction<Map<String, Object>> properties;
  private final RecordMapping mapping;
  private final Supplier<Admin> admin;
  /** Subscribes' lookups, batched: a burst of subscriptions costs a few requests, not one each. */
  private final Batched<String, TopicDescription> descriptions;
  private final Batched<TopicPartition, Long> endOffsets;
  private final Duration subscribeTimeout;
  private final Duration closeTimeout;
  private final long silenceLimitNanos;
  private final Object lock = new Object();
  // Guarded by lock.
  private final List<Shared> consumers = new ArrayList<>();
  private final Set<String> topics = new HashSet<>();
  private int opened;
  private boolean closed;
  /** Held while the lookup consumer asks (it is for one thread at a time); a caller finding it held asks the admin. */
  private final ReentrantLock lookupLock = new ReentrantLock();
  /** Used and closed holding lookupLock; read without it only to wake it. */
  private volatile @Nullable Consumer<byte[], byte[]> lookup;
  private volatile boolean lookupClosed;

  /**
   * @param properties the properties of the n-th shared consumer (no group)
   * @param silenceLimit how long a consumer that fetches may hear nothing before its subscriptions count as stalled
   */
  AnonymousConsumers(String serverName, IntFunction<Map<String, Object>> properties, Supplier<Admin> admin,
      RecordMapping mapping, Duration subscribeTimeout, Duration closeTimeout, Duration silenceLimit) {
    this.serverName = serverName;
    this.admin = admin;
    this.descriptions = new Batched<>(LOOKUP_BATCH, topics -> admin.get().describeTopics(topics).topicNameValues());
    this.endOffsets = new Batched<>(LOOKUP_BATCH, partitions -> {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      partitions.forEach(partition -> latest.put(partition, OffsetSpec.latest()));
      ListOffsetsResult request = admin.get().listOffsets(latest);
      Map<TopicPartition, KafkaFuture<Long>> answers = new HashMap<>();
      partitions.forEach(partition -> answers.put(partition,
          request.partitionResult(partition).thenApply(ListOffsetsResult.ListOffsetsResultInfo::offset)));
      return answers;
    });
    this.properties = properties;
    this.mapping = mapping;
    this.subscribeTimeout = subscribeTimeout;
    this.closeTimeout = closeTimeout;
    this.silenceLimitNanos = silenceLimit.toNanos();
  }

  /**
   * Opens an anonymous subscription to the topic on a shared consumer, starting at the end offsets of the topic's
   * partitions or, for a topic that does not exist yet, at the beginning of what will be its partitions; creates
   * such a topic in the background when asked to.
   *
   * @param creation asks for the topic (created unless it exists), or null when the transport creates no topics
   * @return the subscription, or empty when a shared consumer serves the topic already (or these consumers are
   *     closed): the caller opens a consumer of its own
   * @throws KafkaException when a consumer cannot be created or the topic cannot be read (authorization)
   */
  Optional<TransportSubscription> subscribe(String topic, DeliveryHandler handler, int maxUnsettled,
      @Nullable Supplier<CompletableFuture<TopicProvisioner.Creation>> creation) {
    Shared shared = null;
    synchronized (lock) {
      if (closed || !topics.add(topic)) {
        return Optional.empty();
      }
      for (Shared candidate : consumers) {
        if (candidate.reserved < CAPACITY) {
          shared = candidate;
          break;
        }
      }
      if (shared == null) {
        try {
          int index = ++opened;
          Map<String, Object> consumerProperties = properties.apply(index);
          shared = new Shared(new KafkaConsumer<>(consumerProperties), "anonymous-" + serverName + "-" + index);
        } catch (RuntimeException e) {
          topics.remove(topic);
          throw e;
        }
        consumers.add(shared);
        shared.thread.start();
      }
      shared.reserved++;
    }
    Shared.Member member = shared.new Member(topic, handler, maxUnsettled);
    Map<TopicPartition, Long> endOffsets;
    try {
      endOffsets = endOffsets(topic);
    } catch (RuntimeException e) {
      release(shared, topic);
      throw e;
    }
    boolean endWhenFound = endOffsets == null;
    if (endWhenFound) {
      member.endWhenFound = true;
      endOffsets = Map.of();
    }
    shared.join(member, endOffsets);
    boolean positioned = true;
    if (endWhenFound) {
      // Its start is wherever the consumer finds the end: wait for that rather than miss what is sent meanwhile.
      try {
        positioned = member.positioned.await(subscribeTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        positioned = false;
      }
    }
    RuntimeException failure = member.failure;
    if (failure != null) {
      member.close();
      throw failure;
    }
    if (!positioned) {
      LOG.warn("Kafka anonymous subscription to topic '{}' on server '{}' was not positioned within {}; it keeps "
          + "trying", topic, serverName, subscribeTimeout);
    }
    if (creation != null && !endWhenFound && endOffsets.isEmpty()) {
      create(shared, member, creation);
    }
    return Optional.of(member);
  }

  /**
   * Creates a missing topic in the background: its partitions, once the cluster tells them, are read from their
   * beginning; a failure stalls the subscription with the reason until the topic is found.
   */
  private void create(Shared shared, Shared.Member member,
      Supplier<CompletableFuture<TopicProvisioner.Creation>> creation) {
    CompletableFuture<TopicProvisioner.Creation> created;
    try {
      created = creation.get();
    } catch (RuntimeException e) {
      created = CompletableFuture.failedFuture(e);
    }
    created.whenComplete((answer, failure) -> {
      if (failure != null) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null
            ? failure.getCause() : failure;
        String reason = cause instanceof TopicProvisioner.TopicUnavailableException
            ? cause.getMessage() : "topic '" + member.topic + "' could not be created: " + Causes.message(cause);
        LOG.warn("Kafka anonymous subscription to topic '{}' on server '{}': {}; it waits for the topic to appear",
            member.topic, serverName, reason);
        member.missing = reason;
        member.health.lost(Health.State.STALLED, reason);
        return;
      }
      Map<TopicPartition, Long> partitions = new HashMap<>();
      for (int partition = 0; partition < answer.partitions(); partition++) {
        partitions.put(new TopicPartition(member.topic, partition), -1L);
      }
      shared.found(member, partitions);
    });
  }

  /**
   * The end offset of each partition of the topic: the partitions as {@link #partitions} finds them, their end offsets
   * looked up with the admin client (the consumer's own connection may wait behind a fetch for up to
   * {@code fetch.max.wait.ms}); empty when the topic does not exist (yet), null when the
   * cluster did not answer in time.
   *
   * @throws AuthorizationException when the topic may not be read
   */
  private @Nullable Map<TopicPartition, Long> endOffsets(String topic) {
    long deadline = System.nanoTime() + subscribeTimeout.toNanos();
    try {
      List<Integer> numbers = partitions(topic).get(subscribeTimeout.toMillis(), TimeUnit.MILLISECONDS);
      Map<TopicPartition, CompletableFuture<Long>> latest = new HashMap<>();
      for (int number : numbers) {
        TopicPartition partition = new TopicPartition(topic, number);
        latest.put(partition, endOffsets.get(partition));
      }
      Map<TopicPartition, Long> offsets = new HashMap<>();
      for (Map.Entry<TopicPartition, CompletableFuture<Long>> entry : latest.entrySet()) {
        offsets.put(entry.getKey(), entry.getValue()
            .get(Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS));
      }
      return offsets;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      if (cause instanceof UnknownTopicOrPartitionException) {
        return Map.of();
      }
      if (cause instanceof AuthorizationException authorization) {
        throw authorization;
      }
      LOG.warn("Kafka anonymous subscription to topic '{}' on server '{}': end offsets unknown, reading from the end "
          + "once found: {}", topic, serverName, Causes.message(cause));
      return null;
    } catch (TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * The topic's partition numbers, empty when it does not exist. A lone caller asks with one metadata request on the
   * lookup consumer, and has the answer one round trip later; callers that come while it asks are batched on the admin
   * client, whose topic description is two requests in turn (its nodes, then the topic: DescribeCluster before
   * DescribeTopicPartitions), each awaited behind whatever the broker is busy with. Subscriptions opened one after
   * the other, as a service opens them at start, so wait for one round trip each rather than two.
   */
  private CompletableFuture<List<Integer>> partitions(String topic) {
    if (lookupLock.tryLock()) {
      try {
        Consumer<byte[], byte[]> consumer = lookupConsumer();
        if (consumer != null) {
          List<Integer> numbers = new ArrayList<>();
          // Empty for a topic that does not exist (the lookup consumer never has one created).
          consumer.partitionsFor(topic, subscribeTimeout).forEach(info -> numbers.add(info.partition()));
          return CompletableFuture.completedFuture(numbers);
        }
      } catch (RuntimeException e) {
        // A timeout, an authorization failure, a close waking it: told as the admin client would tell it.
        return CompletableFuture.failedFuture(e);
      } finally {
        lookupLock.unlock();
      }
    }
    return descriptions.get(topic).thenApply(description -> {
      List<Integer> numbers = new ArrayList<>();
      description.partitions().forEach(info -> numbers.add(info.partition()));
      return numbers;
    });
  }

  /** The consumer that looks topics up, created on first use; null once closed. Called holding the lookup lock. */
  private @Nullable Consumer<byte[], byte[]> lookupConsumer() {
    if (lookupClosed) {
      return null;
    }
    if (lookup == null) {
      Map<String, Object> lookupProperties = new HashMap<>(properties.apply(0));
      lookupProperties.put(ConsumerConfig.CLIENT_ID_CONFIG, "omnibus-" + serverName + "-lookup");
      // A lookup never creates: a missing topic is the transport's to create, with the binding's settings.
      lookupProperties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
      lookup = new KafkaConsumer<>(lookupProperties);
    }
    return lookup;
  }

  /** Closes the lookup consumer, waking a lookup under way (its subscribe falls back to reading from the end). */
  private void closeLookup() {
    lookupClosed = true;
    Consumer<byte[], byte[]> consumer = lookup;
    if (consumer != null) {
      consumer.wakeup();
    }
    lookupLock.lock();
    try {
      if (lookup != null) {
        lookup.close(CloseOptions.timeout(closeTimeout));
        lookup = null;
      }
    } catch (RuntimeException e) {
      LOG.warn("Kafka lookup consumer of server '{}': close failed: {}", serverName, e.toString());
    } finally {
      lookupLock.unlock();
    }
  }

  /** Samples every shared consumer's health; called once a second by the transport's health thread. */
  void checkHealth() {
    List<Shared> open;
    synchronized (lock) {
      open = new ArrayList<>(consumers);
    }
    for (Shared shared : open) {
      shared.checkHealth();
    }
  }

  /** Stops every shared consumer, in parallel, within the close timeout; their subscriptions deliver no more. */
  void close() {
    List<Shared> open;
    synchronized (lock) {
      closed = true;
      open = new ArrayList<>(consumers);
      consumers.clear();
    }
    for (Shared shared : open) {
      shared.stop();
    }
    closeLookup();
    long deadline = System.nanoTime() + closeTimeout.multipliedBy(2).plusSeconds(1).toNanos();
    for (Shared shared : open) {
      shared.awaitStopped(deadline);
    }
  }

  /** A subscription closed: its topic is free again, and a consumer left without subscriptions stops. */
  private void release(Shared shared, String topic) {
    boolean last;
    synchronized (lock) {
      topics.remove(topic);
      last = --shared.reserved == 0 && consumers.remove(shared);
    }
    if (last) {
      shared.stop();
      shared.awaitStopped(System.nanoTime() + closeTimeout.multipliedBy(2).plusSeconds(1).toNanos());
    }
  }

  /** A consumer stopped on an error takes no more subscriptions. */
  private void retire(Shared shared) {
    synchronized (lock) {
      consumers.remove(shared);
    }
  }

  /** Partitions found for a subscription: at its start (with end offsets, -1 when unknown) or later. */
  private record Found(Shared.Member member, Map<TopicPartition, Long> partitions, boolean start) {}

  /**
   * One consumer and its poll thread. Everything that touches the consumer runs on that thread; other threads hand it
   * joining and leaving subscriptions through queues and wake it.
   */
  private final class Shared implements Runnable {
    private final Consumer<byte[], byte[]> consumer;
    private final String name;
    private final Thread thread;
    /** Subscriptions placed on this consumer and not yet released; guarded by {@link AnonymousConsumers#lock}. */
    private int reserved;
    private volatile boolean running = true;
    private volatile boolean stopped;
    private final ConcurrentLinkedQueue<Member> joining = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Member> leaving = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<PartitionProgress.Slot> requeued = new ConcurrentLinkedQueue<>();
    /** The subscriptions served; read by the health thread. */
    private final Set<Member> members = ConcurrentHashMap.newKeySet();
    private final ConsumerSilence silence = new ConsumerSilence(silenceLimitNanos);
    /** Whether any partition is assigned and not paused, so that fetch responses keep coming. */
    private volatile boolean fetching;
    private volatile @Nullable String stoppedBecause;
    private volatile @Nullable String lastPollError;
    /** The subscription whose records the poll thread is handing over, if any. */
    private volatile @Nullable Member handling;
    // Poll thread only.
    private final Map<TopicPartition, Member> owners = new HashMap<>();
    private final ConcurrentLinkedQueue<Found> found = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean lookingUp = new AtomicBoolean();
    private volatile long nextScanNanos = System.nanoTime();

    Shared(Consumer<byte[], byte[]> consumer, String name) {
      this.consumer = consumer;
      this.name = name;
      this.thread = new Thread(this, "omnibus-kafka-" + name);
    }

    void join(Member member, Map<TopicPartition, Long> endOffsets) {
      joining.add(member);
      found.add(new Found(member, endOffsets, true));
      wake();
      if (stopped && joining.remove(member)) {
        String because = stoppedBecause;
        member.failure = new IllegalStateException("the shared Kafka consumer " + name + " stopped"
            + (because == null ? "" : ": " + because));
        member.positioned.countDown();
      }
    }

    /** Partitions of a topic created after the subscription, to read from their beginning; any thread. */
    void found(Member member, Map<TopicPartition, Long> partitions) {
      if (stopped) {
        return;
      }
      if (partitions.isEmpty()) {
        nextScanNanos = System.nanoTime(); // not told: look it up at once
      } else {
        found.add(new Found(member, partitions, false));
      }
      wake();
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
        LOG.warn("Kafka shared consumer {} did not stop in time; a handler is still running", name);
      }
    }

    @Override
    public void run() {
      try {
        silence.watch(consumer);
        while (running) {
          admit();
          release();
          assignFound();
          scan();
          ConsumerRecords<byte[], byte[]> records;
          if (owners.isEmpty()) {
            fetching = false;
            LockSupport.parkNanos(this, POLL_TIMEOUT.toNanos());
            continue;
          }
          try {
            records = consumer.poll(POLL_TIMEOUT);
          } catch (WakeupException e) {
            records = ConsumerRecords.empty(); // a joining, leaving or settling subscription: attend to it now
          } catch (TopicAuthorizationException e) {
            failTopics(e);
            continue;
          } catch (AuthenticationException | AuthorizationException e) {
            fail(e);
            return;
          } catch (InterruptException e) {
            LOG.warn("Kafka shared consumer {} interrupted; stopping", name);
            fail(e);
            return;
          } catch (KafkaException e) {
            LOG.warn("Kafka shared consumer {}: poll failed, retrying in {}: {}", name, ERROR_BACKOFF, e.toString());
            lastPollError = Causes.message(e);
            LockSupport.parkNanos(this, ERROR_BACKOFF.toNanos());
            continue;
          }
          deliver(records);
          settle();
        }
      } catch (RuntimeException | Error e) {
        LOG.error("Kafka shared consumer {} stopped: {}", name, e.toString(), e);
        fail(e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e));
      } finally {
        shutdown();
      }
    }

    /** Takes in the subscriptions that joined; their partitions are looked up by {@link #scan}. */
    private void admit() {
      Member member;
      while ((member = joining.poll()) != null) {
        members.add(member);
        member.admitted = true;
      }
    }

    /** Unassigns the partitions of the subscriptions that left and tells their close() they are gone. */
    private void release() {
      Member member;
      Set<TopicPartition> gone = new HashSet<>();
      List<Member> left = new ArrayList<>();
      while ((member = leaving.poll()) != null) {
        members.remove(member);
        for (PartitionProgress progress : member.partitions.values()) {
          progress.discardAll();
          owners.remove(progress.partition);
          gone.add(progress.partition);
        }
        member.partitions.clear();
        left.add(member);
      }
      if (!gone.isEmpty()) {
        consumer.assign(owners.keySet());
      }
      for (Member done : left) {
        done.released.countDown();
        done.positioned.countDown();
      }
    }

    /**
     * Assigns partitions found for the subscriptions: a joining subscription's at the end offsets its subscribe() looked
     * up (or, when that failed, at the end as the consumer finds it), partitions that appear later from their
     * beginning. Never blocks: the lookups are the admin client's.
     */
    private void assignFound() {
      Found found;
      Set<TopicPartition> atEnd = new HashSet<>();
      Set<TopicPartition> fromBeginning = new HashSet<>();
      Map<TopicPartition, Long> at = new HashMap<>();
      List<Member> joined = new ArrayList<>();
      while ((found = this.found.poll()) != null) {
        Member member = found.member;
        if (member.closing.get() || member.failed) {
          continue;
        }
        if (!member.admitted && joining.remove(member)) {
          // Joined after this round's admit(): take it in now rather than lose its start.
          members.add(member);
          member.admitted = true;
        } else if (!members.contains(member)) {
          continue;
        }
        for (Map.Entry<TopicPartition, Long> entry : found.partitions.entrySet()) {
          TopicPartition partition = entry.getKey();
          Member owner = owners.get(partition);
          if (owner != null) {
            if (!owner.closing.get()) {
              continue;
            }
            // Closed, its release not processed yet, and its topic subscribed again: the new subscription takes over.
            PartitionProgress left = owner.partitions.remove(partition);
            if (left != null) {
              left.discardAll();
            }
          }
          owners.put(partition, member);
          member.partitions.put(partition, new PartitionProgress(partition));
          if (member.paused) {
            member.pausedPending.add(partition);
          }
          if (found.start || member.endWhenFound) {
            if (entry.getValue() >= 0) {
              at.put(partition, entry.getValue());
            } else {
              atEnd.add(partition);
            }
          } else {
            fromBeginning.add(partition);
          }
        }
        if (found.start) {
          joined.add(member);
        } else if (!found.partitions.isEmpty()) {
          member.endWhenFound = false;
        }
        if (!found.partitions.isEmpty() && member.missing != null) {
          member.missing = null; // created by someone else meanwhile
          member.health.up();
        }
      }
      if (!at.isEmpty() || !atEnd.isEmpty() || !fromBeginning.isEmpty()) {
        consumer.assign(owners.keySet());
        at.forEach(consumer::seek);
        if (!atEnd.isEmpty()) {
          consumer.seekToEnd(atEnd);
        }
        if (!fromBeginning.isEmpty()) {
          consumer.seekToBeginning(fromBeginning);
        }
        for (Member member : members) {
          if (!member.pausedPending.isEmpty()) {
            consumer.pause(member.pausedPending);
            member.pausedPending.clear();
          }
        }
      }
      for (Member member : joined) {
        member.positioned.countDown();
      }
    }

    /**
     * Every {@link #SCAN_INTERVAL_NANOS}, looks for partitions added to the topics served: from the consumer's
     * metadata for topics it reads (no request), with an asynchronous admin request for topics without partitions yet.
     */
    private void scan() {
      long now = System.nanoTime();
      if (now < nextScanNanos) {
        return;
      }
      nextScanNanos = now + SCAN_INTERVAL_NANOS;
      List<String> unknown = new ArrayList<>();
      for (Member member : members) {
        if (member.closing.get() || member.failed || !member.admitted) {
          continue;
        }
        if (member.partitions.isEmpty()) {
          unknown.add(member.topic);
          continue;
        }
        List<PartitionInfo> infos;
        try {
          infos = consumer.partitionsFor(member.topic, Duration.ZERO);
        } catch (WakeupException e) {
          nextScanNanos = now; // woken for something else: scan again on the next round
          return;
        } catch (KafkaException e) {
          continue;
        }
        Map<TopicPartition, Long> added = new HashMap<>();
        for (PartitionInfo info : infos) {
          TopicPartition partition = new TopicPartition(info.topic(), info.partition());
          if (!owners.containsKey(partition)) {
            added.put(partition, -1L);
          }
        }
        if (!added.isEmpty()) {
          found.add(new Found(member, added, false));
        }
      }
      if (!unknown.isEmpty() && lookingUp.compareAndSet(false, true)) {
        lookUpLater(unknown);
      }
    }

    /** Finds the partitions of topics that had none, on the admin client's thread; they are read from the beginning. */
    private void lookUpLater(List<String> unknown) {
      Map<String, Member> byTopic = new HashMap<>();
      for (Member member : members) {
        byTopic.put(member.topic, member);
      }
      try {
        Map<String, KafkaFuture<TopicDescription>> descriptions = admin.get().describeTopics(unknown)
            .topicNameValues();
        // One lookup at a time: the next scan asks again only once this one is answered.
        KafkaFuture.allOf(descriptions.values().toArray(KafkaFuture[]::new))
            .whenComplete((ignored, failure) -> lookingUp.set(false));
        descriptions.forEach((topic, description) ->
            description.whenComplete((found, failure) -> {
              if (found == null || found.partitions().isEmpty()) {
                return;
              }
              Member member = byTopic.get(topic);
              if (member != null) {
                Map<TopicPartition, Long> partitions = new HashMap<>();
                found.partitions().forEach(info -> partitions.put(new TopicPartition(topic, info.partition()), -1L));
                this.found.add(new Found(member, partitions, false));
                wake();
              }
            }));
      } catch (RuntimeException e) {
        LOG.debug("Kafka shared consumer {}: cannot look topics up: {}", name, e.toString());
        lookingUp.set(false);
      }
    }

    private void deliver(ConsumerRecords<byte[], byte[]> records) {
      if (records.isEmpty()) {
        return;
      }
      for (TopicPartition partition : records.partitions()) {
        Member member = owners.get(partition);
        if (member != null) {
          PartitionProgress progress = member.partitions.get(partition);
          if (progress != null) {
            progress.rewound = false;
          }
        }
      }
      for (TopicPartition partition : records.partitions()) {
        Member member = owners.get(partition);
        PartitionProgress progress = member == null ? null : member.partitions.get(partition);
        if (progress == null) {
          continue;
        }
        // Set before the closing check below: a close() that does not see it here will see no handler of its start.
        handling = member;
        try {
          for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
            if (!running || member.closing.get() || progress.rewound || owners.get(partition) != member
                || member.partitions.get(partition) != progress) {
              break;
            }
            if (!member.hasRoom()) {
              // Its prefetch is reached: this record comes again once the subscription resumes.
              consumer.seek(partition, record.offset());
              pause(member);
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
      member.delivered++;
      Delivery delivery = new Delivery(member, mapping.toMessage(record), progress.attemptOf(record.offset()), slot);
      try {
        member.handler.onDelivery(delivery);
      } catch (RuntimeException e) {
        LOG.warn("Handler of Kafka anonymous subscription to '{}' threw on {}-{}@{}; redelivering: {}", member.topic,
            record.topic(), record.partition(), record.offset(), e.toString());
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
          continue; // released meanwhile, or already rewound past by an earlier nack
        }
        consumer.seek(progress.partition, slot.offset);
        progress.rewind(slot.offset);
      }
    }

    /** Applies nacks and pauses each subscription with too much unsettled, resumes it once there is room. */
    private void settle() {
      drainRequeued();
      boolean anyFetching = false;
      for (Member member : members) {
        if (member.partitions.isEmpty()) {
          continue;
        }
        int pending = 0;
        int window = 0;
        for (PartitionProgress progress : member.partitions.values()) {
          progress.advance();
          pending += progress.pending();
          window += progress.unsettled();
        }
        member.pendingAtSettle = pending;
        member.delivered = 0;
        boolean full = pending >= member.maxUnsettled || window >= member.maxWindow;
        if (!member.paused && full) {
          pause(member);
        } else if (member.paused && !full) {
          consumer.resume(member.partitions.keySet());
          member.paused = false;
        }
        anyFetching |= !member.paused;
      }
      fetching = anyFetching;
    }

    private void pause(Member member) {
      consumer.pause(member.partitions.keySet());
      member.paused = true;
    }

    private void failMember(Member member, RuntimeException failure) {
      // Its subscribe() may still be waiting (it throws the failure) or have returned (its health says it).
      member.failure = failure;
      LOG.error("Kafka anonymous subscription to '{}' stopped: {}", member.topic, failure.toString());
      member.health.lost(Health.State.STALLED, "the consumer stopped: " + Causes.message(failure));
      member.failed = true;
      leaving.add(member); // its close() releases its topic
    }

    private void failTopics(TopicAuthorizationException e) {
      for (Member member : members) {
        if (e.unauthorizedTopics().contains(member.topic)) {
          failMember(member, e);
        }
      }
      release();
    }

    private void fail(RuntimeException failure) {
      stoppedBecause = Causes.message(failure);
      running = false;
      retire(this);
      for (Member member : members) {
        member.failure = failure;
        LOG.error("Kafka anonymous subscription to '{}' stopped: {}", member.topic, failure.toString());
      }
    }

    private void shutdown() {
      stopped = true;
      fetching = false;
      try {
        consumer.close(CloseOptions.timeout(closeTimeout));
      } catch (RuntimeException e) {
        LOG.warn("Kafka shared consumer {}: close failed: {}", name, e.toString());
      }
      Member member;
      while ((member = joining.poll()) != null) {
        members.add(member);
      }
      String because = stoppedBecause;
      for (Member left : members) {
        for (PartitionProgress progress : left.partitions.values()) {
          progress.discardAll();
        }
        if (left.failure == null) {
          left.failure = new IllegalStateException("the shared Kafka consumer " + name + " stopped"
              + (because == null ? "" : ": " + because));
        }
        if (because != null) {
          left.health.lost(Health.State.STALLED, "the consumer stopped: " + because);
        }
        left.positioned.countDown();
        left.released.countDown();
      }
      owners.clear();
    }

    /**
     * Samples the consumer's received bytes while it fetches (a consumer without a group hears nothing else): its
     * subscriptions are stalled after the silence limit without any, up again with the next; stalled for good once
     * the poll loop stopped on an error. Health thread; never blocks.
     */
    void checkHealth() {
      if (stoppedBecause != null) {
        return;
      }
      // Without a group the consumer hears only fetch responses: when it fetches nothing, silence says nothing.
      switch (silence.sample(fetching)) {
        case HEARD -> {
          for (Member member : members) {
            if (member.missing == null) {
              member.health.up();
            }
          }
        }
        case SILENT -> {
          String pollError = lastPollError;
          String reason = "no answer from the Kafka cluster for " + silence.silentSeconds() + " s (no fetch response)"
              + (pollError == null ? "" : "; last poll error: " + pollError);
          for (Member member : members) {
            member.health.lost(Health.State.STALLED, reason);
          }
        }
        default -> { } // not polling yet, or heard within the limit
      }
    }

    /** One anonymous subscription served by this consumer. */
    final class Member implements TransportSubscription {
      private final String topic;
      private final DeliveryHandler handler;
      private final int maxUnsettled;
      /** How many delivered records may wait behind an unsettled one. */
      private final int maxWindow;
      private final CountDownLatch positioned = new CountDownLatch(1);
      private final CountDownLatch released = new CountDownLatch(1);
      private final AtomicBoolean closing = new AtomicBoolean();
      private final HealthState health = new HealthState();
      private volatile @Nullable RuntimeException failure;
      /** Whether its partitions are paused; read by settling threads to wake the poll. */
      private volatile boolean paused;
      // Poll thread only.
      private final Map<TopicPartition, PartitionProgress> partitions = new HashMap<>();
      private final Set<TopicPartition> pausedPending = new HashSet<>();
      /** Why its topic is missing (it could not be created), until the topic is found; keeps its health stalled. */
      private volatile @Nullable String missing;
      /** Its end offsets could not be looked up: the partitions found first are read from their end. */
      private volatile boolean endWhenFound;
      /** Whether the poll thread took it in. */
      private boolean admitted;
      private boolean failed;
      private int pendingAtSettle;
      private int delivered;

      Member(String topic, DeliveryHandler handler, int maxUnsettled) {
        this.topic = topic;
        this.handler = handler;
        this.maxUnsettled = maxUnsettled;
        this.maxWindow = Math.max(WINDOW, maxUnsettled);
      }

      /** Whether another record may be handed over within the prefetch; counts exactly only near the limit. */
      private boolean hasRoom() {
        if (pendingAtSettle + delivered < maxUnsettled) {
          return true;
        }
        int pending = 0;
        for (PartitionProgress progress : partitions.values()) {
          pending += progress.pending();
        }
        pendingAtSettle = pending;
        delivered = 0;
        return pending < maxUnsettled;
      }

      @Override
      public Health.Status health() {
        return health.get();
      }

      /**
       * Stops delivery: no handler call starts after this returns, and one running is waited for; the topic's partitions
       * are unassigned by the poll thread soon after.
       */
      @Override
      public void close() {
        if (!closing.compareAndSet(false, true)) {
          return;
        }
        health.closed();
        leaving.add(this);
        wake();
        // Only a handler of this subscription that is running now must be waited for: the poll thread starts no other
        // (it checks closing after setting handling). Its partitions are released by the poll thread's next round,
        // together with those of the others closed meanwhile, so closing a thousand costs a few rounds, not one each.
        if (Thread.currentThread() != thread && !stopped && handling == this) {
          try {
            if (!released.await(closeTimeout.toMillis() * 2 + 1_000, TimeUnit.MILLISECONDS)) {
              LOG.warn("Kafka anonymous subscription to '{}' did not stop within {}; a handler of {} is still running",
                  topic, closeTimeout.multipliedBy(2), name);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        AnonymousConsumers.this.release(Shared.this, topic);
      }

      @Override
      public String toString() {
        return "KafkaSubscription[" + topic + " on " + name + "]";
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
        wakeIfPaused();
      }

      /** Wakes the poll so that a paused subscription resumes as soon as there is room. Only from other threads. */
      private void wakeIfPaused() {
        if (member.paused && Thread.currentThread() != thread) {
          consumer.wakeup();
        }
      }
    }
  }
}
