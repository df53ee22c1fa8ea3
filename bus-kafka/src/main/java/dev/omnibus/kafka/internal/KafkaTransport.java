package dev.omnibus.kafka.internal;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.Health;
import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.Causes;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.InFlight;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka transport of one server: one idempotent producer ({@code acks=all}) shared by every channel, one admin
 * client that creates missing topics, consumers shared by the anonymous subscriptions to plain topics (one poll thread
 * per {@value AnonymousConsumers#CAPACITY} of them, see {@link AnonymousConsumers}), one consumer per group id shared by
 * that group's subscriptions to plain topics ({@link GroupConsumers}), and one consumer thread per other subscription.
 *
 * <p>Thread-safe. {@link #send} completes its stage on the producer's I/O thread: dependent stages must not block
 * (use the {@code *Async} variants for slow work), as with any Kafka producer callback.
 *
 * <p>{@link #health()}: a Kafka client has no connection to watch (it connects to each broker as needed and retries by
 * itself, silently), so once a second a health thread asks the cluster for its id with the admin client
 * ({@code describeCluster}, at most 3 s, never more than one at a time): reconnecting with the
 * client's reason from the first probe unanswered (and until the first answer), up again with the next answer. The
 * same thread samples each subscription ({@link KafkaSubscription#checkHealth()}).
 */
public final class KafkaTransport implements Transport {

  /** The topic every bus's replies come to, unless the document names a reply channel. */
  static final String REPLY_TOPIC = "omnibus.replies";

  private static final Logger LOG = LoggerFactory.getLogger(KafkaTransport.class);
  private static final String PARAMETER_SEGMENT = "[^.]+";
  private static final Pattern PARAMETER = Pattern.compile("\\{[^}]+}");

  private final ServerConfig server;
  private final KafkaClientSettings settings;
  private final KafkaBindings bindings;
  private final RecordMapping mapping = new RecordMapping();
  private final TopicProvisioner topics;
  private final TransportCapabilities capabilities;
  private final Object clientLock = new Object();
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Set<KafkaSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AtomicInteger consumerCount = new AtomicInteger();
  private final InFlight inFlight = new InFlight();
  private final AnonymousConsumers anonymousConsumers;
  private final GroupConsumers groupConsumers;
  private volatile @Nullable Producer<byte[], byte[]> producer;
  /** The topic checked last by {@link Topic#validate}; a benign race, strings are immutable. */
  private volatile @Nullable String lastValidTopic;
  private volatile @Nullable Admin admin;
  private volatile @Nullable Admin topicAdmin;
  private final HealthState health = new HealthState();
  private final AtomicBoolean probing = new AtomicBoolean();
  private final ScheduledFuture<?> healthCheck;

  /** How long one health probe waits for the cluster's answer. */
  static final int PROBE_TIMEOUT_MS = 3_000;
  /** The one thread of every Kafka transport of this JVM that starts the health probes; they never block it. */
  private static final ScheduledExecutorService HEALTH = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "omnibus-kafka-health");
    thread.setDaemon(true);
    return thread;
  });

  private KafkaTransport(ServerConfig server, KafkaClientSettings settings, KafkaBindings bindings) {
    this.server = server;
    this.settings = settings;
    this.bindings = bindings;
    this.topics = new TopicProvisioner(this::topicAdmin, settings.wireMessageBytes(), settings.subscribeTimeout());
    this.capabilities = TransportCapabilities.builder(HeaderConvention.KAFKA)
        .supports(Feature.BINARY_MODE, Feature.STRUCTURED_MODE, Feature.CONSUMER_GROUPS, Feature.DURABLE_GROUPS,
            Feature.ANONYMOUS_FAN_OUT, Feature.PER_KEY_ORDER, Feature.REDELIVERY, Feature.WILDCARD_SUBSCRIPTIONS,
            Feature.RETAINS_UNCONSUMED,
            // Each record's slot is settled from any thread; only a partition's contiguous settled prefix is committed.
            Feature.CONCURRENT_SETTLE, Feature.RETRY_DESTINATIONS)
        .maxMessageBytes(settings.maxMessageBytes())
        .publishConfirmation("acks=" + settings.acks() + " written")
        .build();
    this.anonymousConsumers = new AnonymousConsumers(server.name(),
        index -> settings.sharedAnonymousConsumer("omnibus-" + server.name() + "-anonymous-" + index), this::admin, mapping,
        settings.subscribeTimeout(), settings.closeTimeout(),
        silenceLimit(settings.sharedAnonymousConsumer("omnibus-" + server.name() + "-anonymous")));
    this.groupConsumers = new GroupConsumers(server.name(), settings::sharedGroupConsumer, mapping,
        settings.subscribeTimeout(), settings.closeTimeout(),
        silenceLimit(settings.sharedGroupConsumer("omnibus", "omnibus-" + server.name() + "-group")));
    health.lost(Health.State.RECONNECTING, "connecting to the Kafka cluster at " + bootstrapServers());
    this.healthCheck = HEALTH.scheduleWithFixedDelay(this::checkHealth, 0, 1, TimeUnit.SECONDS);
  }

  /** Whether the cluster answers now, as the last health probe found; never blocks. */
  @Override
  public Health.Status health() {
    return health.get();
  }

  /**
   * Starts a probe unless one is under way, and samples every subscription. Runs on the health thread; never blocks
   * (the probe completes on the admin client's thread) and never throws, which would cancel the schedule.
   */
  private void checkHealth() {
    try {
      for (KafkaSubscription subscription : subscriptions) {
        subscription.checkHealth();
      }
      anonymousConsumers.checkHealth();
      groupConsumers.checkHealth();
      if (closed.get() || !probing.compareAndSet(false, true)) {
        return;
      }
      try {
        admin().describeCluster(new DescribeClusterOptions().timeoutMs(PROBE_TIMEOUT_MS)).clusterId()
            .whenComplete((id, failure) -> {
              probing.set(false);
              if (failure == null) {
                health.up();
              } else if (!closed.get()) {
                health.lost(Health.State.RECONNECTING, "no answer from the Kafka cluster at " + bootstrapServers()
                    + " within " + PROBE_TIMEOUT_MS + " ms: " + Causes.message(failure));
              }
            });
      } catch (RuntimeException e) {
        probing.set(false);
        if (!closed.get()) {
          health.lost(Health.State.RECONNECTING, "cannot reach the Kafka cluster at " + bootstrapServers() + ": "
              + Causes.message(e));
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("Health check of Kafka server '{}' failed", server.name(), e);
    }
  }

  private String bootstrapServers() {
    return String.valueOf(settings.admin().get(org.apache.kafka.clients.CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG));
  }

  /**
   * Opens a transport for a {@code kafka} or {@code kafka-secure} server; clients connect on first use.
   *
   * @throws ConfigurationException listing every problem in the server's settings and its Kafka server binding
   */
  public static KafkaTransport open(ServerConfig server) {
    List<Problem> problems = new ArrayList<>();
    KafkaBindings bindings = KafkaBindings.of(server);
    try {
      bindings.server(server);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    KafkaClientSettings settings = null;
    try {
      settings = KafkaClientSettings.fromServer(server);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    if (settings == null || !problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
    return new KafkaTransport(server, settings, bindings);
  }

  /** Checks the destination's Kafka channel and operation bindings; see {@link KafkaBindings}. */
  @Override
  public void check(Destination destination) {
    bindings.check(destination);
  }

  @Override
  public CompletionStage<Void> send(Destination destination, WireMessage message) {
    if (closed.get()) {
      return Transport.failed(closedException());
    }
    String topic;
    try {
      topic = topicOf(destination);
      if (!topic.equals(lastValidTopic)) {
        Topic.validate(topic);
        lastValidTopic = topic; // a channel's sends repeat their topic: checked once, not on every send
      }
      if (settings.createTopics()) {
        topics.ensure(topic, specOf(destination, topic));
      }
    } catch (InvalidTopicException | TopicProvisioner.TopicUnavailableException | ConfigurationException e) {
      return Transport.failed(PublishException.of(destination.channel(), server.name(), e.getMessage(), e));
    } catch (RuntimeException e) {
      return Transport.failed(PublishException.of(destination.channel(), server.name(),
          "topic '" + destinationTopic(destination) + "': " + Causes.message(e), e));
    }
    ProducerRecord<byte[], byte[]> record = mapping.toRecord(topic, message);
    CompletableFuture<Void> result = new CompletableFuture<>();
    // Counted out by a stage on the result, not in the callback: a caller may complete the stage first (orTimeout).
    inFlight.track(result);
    try {
      producer().send(record, (metadata, failure) -> {
        if (failure == null) {
          result.complete(null);
        } else {
          result.completeExceptionally(PublishException.of(destination.channel(), server.name(),
              "topic '" + topic + "': " + Causes.message(failure), failure));
        }
      });
    } catch (IllegalStateException e) {
      // The producer was closed between the check above and this send.
      result.completeExceptionally(closed.get() ? closedException()
          : PublishException.of(destination.channel(), server.name(), Causes.message(e), e));
    } catch (KafkaException e) {
      result.completeExceptionally(PublishException.of(destination.channel(), server.name(),
          "topic '" + topic + "': " + Causes.message(e), e));
    }
    return result;
  }

  @Override
  public TransportSubscription subscribe(Destination destination, SubscribeOptions options, DeliveryHandler handler) {
    if (closed.get()) {
      throw closedException();
    }
    KafkaOperationBinding operation = bindings.operation(destination);
    // The group is the bus's: an anonymous subscription never joins the binding's groupId, which would share its
    // events with the group's members instead of getting every one of them.
    String group = options.group();
    boolean anonymous = group == null;
    String groupId = anonymous ? "omnibus-anonymous-" + UUID.randomUUID() : group;
    if (!anonymous && destination.kind() == Destination.Kind.RETRY) {
      // A consumer group of its own, so that the retry consumers joining or leaving do not rebalance the channel's.
      groupId = group + ".retry";
    }
    String topic = destinationTopic(destination);
    Pattern pattern = topic.indexOf('{') >= 0 ? wildcardPattern(topic) : null;
    int maxUnsettled = options.prefetch() > 0 ? options.prefetch() : 1_000;
    // A prefetch (the bus asks for one at a concurrency above 1, and for batches) is held by a consumer of its own: a
    // shared consumer can hold one subscription's records back only by seeking back and fetching them again, a fetch
    // round trip per few records once handlings keep the subscription at its prefetch.
    if (pattern == null && destination.kind() == Destination.Kind.CHANNEL && options.prefetch() == 0
        && (operation == null || operation.clientId() == null) && !settings.hasConsumerOptions(destination)) {
      // A plain topic: without a group a shared group-less consumer serves it, in a group the group's consumer on this
      // transport beside the group's other topics; unless one serves that topic already. A missing topic is created
      // in the background, without the wait: it is read from its beginning once the consumer sees it.
      TopicProvisioner.TopicSpec spec = specOf(destination, topic);
      @Nullable Supplier<CompletableFuture<TopicProvisioner.Creation>> creation =
          settings.createTopics() ? () -> topics.create(topic, spec) : null;
      try {
        Optional<TransportSubscription> shared = anonymous
            ? anonymousConsumers.subscribe(topic, handler, maxUnsettled, creation)
            : groupConsumers.subscribe(groupId, topic, handler, maxUnsettled, creation);
        if (shared.isPresent()) {
          return shared.get();
        }
      } catch (KafkaException | IllegalStateException e) {
        throw ConfigurationException.because("Cannot subscribe to channel '" + destination.channel() + "' on server '"
            + server.name() + "': " + Causes.message(e), e);
      }
    }
    if (pattern == null && settings.createTopics()) {
      try {
        topics.ensure(topic, specOf(destination, topic));
      } catch (RuntimeException e) {
        // The consumer keeps trying: the topic may be created by someone else, or the cluster come back.
        LOG.warn("Kafka subscription to channel '{}' on server '{}': {}", destination.channel(), server.name(),
            e.getMessage());
      }
    }
    String clientId = operation == null || operation.clientId() == null
        ? "omnibus-" + server.name() + "-consumer-" + consumerCount.incrementAndGet()
        : operation.clientId();
    Map<String, Object> properties = settings.consumer(destination, groupId, anonymous, clientId,
        options.prefetch(), pattern != null);
    String description = (pattern == null ? topic : pattern.pattern()) + (anonymous ? "" : " group " + groupId);
    KafkaSubscription[] holder = new KafkaSubscription[1];
    KafkaSubscription subscription;
    try {
      subscription = new KafkaSubscription(new KafkaConsumer<>(properties), pattern == null ? topic : null, pattern,
          handler, mapping, anonymous, maxUnsettled, settings.closeTimeout(),
          silenceLimit(properties), description, () -> subscriptions.remove(holder[0]));
    } catch (KafkaException e) {
      throw ConfigurationException.because("Cannot create a Kafka consumer for channel '" + destination.channel()
          + "' on server '" + server.name() + "': " + Causes.message(e), e);
    }
    holder[0] = subscription;
    subscriptions.add(subscription);
    if (closed.get()) {
      subscription.close();
      throw closedException();
    }
    try {
      if (!subscription.start(settings.subscribeTimeout())) {
        LOG.warn("Kafka subscription {} on server '{}' got no partitions within {}; it keeps trying", description,
            server.name(), settings.subscribeTimeout());
      }
    } catch (RuntimeException e) {
      throw ConfigurationException.because("Cannot subscribe to channel '" + destination.channel() + "' on server '"
          + server.name() + "': " + Causes.message(e), e);
    }
    return subscription;
  }

  /**
   * How long a consumer may hear nothing from the cluster before it counts as stalled: three heartbeat intervals, at
   * least 3 s.
   */
  private static Duration silenceLimit(Map<String, Object> consumerProperties) {
    long heartbeatMs = milliseconds(consumerProperties, ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 3_000);
    // A consumer without a group hears only fetch responses, at least every fetch.max.wait.ms while it fetches.
    long fetchWaitMs = milliseconds(consumerProperties, ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
    return Duration.ofMillis(Math.max(3_000, Math.max(3 * heartbeatMs, 3 * fetchWaitMs)));
  }

  private static long milliseconds(Map<String, Object> consumerProperties, String property, long otherwise) {
    Object value = consumerProperties.get(property);
    if (value != null) {
      try {
        return Long.parseLong(value.toString().trim());
      } catch (NumberFormatException e) {
        // Kafka rejects it when the consumer is created
      }
    }
    return otherwise;
  }

  @Override
  public TransportCapabilities capabilities() {
    return capabilities;
  }

  /**
   * Waits for the sends accepted so far: their records are acknowledged (or failed) within the producer's
   * {@code linger.ms} plus a round trip, so no producer flush is needed, and none blocks a thread beyond the timeout.
   */
  @Override
  public boolean flush(Duration timeout) {
    return inFlight.await(timeout);
  }

  /** A channel's dead letter topic is {@code <topic>.dlq}, the channel's parameters replaced by {@code _}. */
  @Override
  public Destination deadLetter(Destination origin, @Nullable String group) {
    String topic = destinationTopic(origin).replaceAll("\\{[^}]+}", "_");
    return Destination.deadLetters(origin.channel(), topic + ".dlq", origin.mode());
  }

  /**
   * Every bus reads its replies from one shared topic, {@code omnibus.replies}, with a consumer of its own (no group,
   * from the end, every partition), and keeps those carrying its own correlation prefix: a topic per bus would be
   * left behind on the cluster by every bus that ever sent a request. The cost is that each requester reads every
   * reply of the cluster's requesters; a service with heavy request traffic names a reply channel of its own in the
   * document.
   */
  @Override
  public Destination replyInbox(String inboxId, dev.omnibus.envelope.Mode mode) {
    return Destination.replies("omnibus-replies", REPLY_TOPIC, mode);
  }

  /**
   * A group's retry topic is {@code <topic>.<group>.retry}, the channel's parameters replaced by {@code _}: created on
   * first send as the dead letter topic is, consumed by the group beside the channel's topic.
   */
  @Override
  public Destination retryDestination(Destination origin, String group) {
    String topic = destinationTopic(origin).replaceAll("\\{[^}]+}", "_");
    return Destination.retries(origin.channel(), topic + "." + group + ".retry", origin.mode());
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    healthCheck.cancel(false);
    health.closed();
    List<KafkaSubscription> open = new ArrayList<>(subscriptions);
    // Close consumers in parallel so that close stays bounded by one consumer's timeout, not their sum.
    List<Thread> closers = new ArrayList<>();
    for (KafkaSubscription subscription : open) {
      Thread closer = new Thread(subscription::close, "omnibus-kafka-close-" + subscription);
      closer.setDaemon(true);
      closer.start();
      closers.add(closer);
    }
    Thread sharedCloser = new Thread(anonymousConsumers::close, "omnibus-kafka-close-anonymous-" + server.name());
    sharedCloser.setDaemon(true);
    sharedCloser.start();
    closers.add(sharedCloser);
    Thread groupCloser = new Thread(groupConsumers::close, "omnibus-kafka-close-groups-" + server.name());
    groupCloser.setDaemon(true);
    groupCloser.start();
    closers.add(groupCloser);
    long deadline = System.nanoTime() + settings.closeTimeout().multipliedBy(2).plusSeconds(2).toNanos();
    for (Thread closer : closers) {
      try {
        closer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    synchronized (clientLock) {
      Producer<byte[], byte[]> currentProducer = producer;
      if (currentProducer != null) {
        try {
          currentProducer.close(settings.closeTimeout());
        } catch (RuntimeException e) {
          LOG.warn("Kafka producer of server '{}' did not close cleanly: {}", server.name(), e.toString());
        }
      }
      for (Admin currentAdmin : new Admin[] {admin, topicAdmin}) {
        if (currentAdmin != null) {
          try {
            currentAdmin.close(settings.closeTimeout());
          } catch (RuntimeException e) {
            LOG.warn("Kafka admin client of server '{}' did not close cleanly: {}", server.name(), e.toString());
          }
        }
      }
    }
  }

  @Override
  public String toString() {
    return "KafkaTransport[" + settings + "]";
  }

  /** Whether the destination is a topic of its own (dead letters, retries): the channel binding does not apply. */
  private static boolean ownTopic(Destination destination) {
    return destination.isDeadLetters() || destination.kind() == Destination.Kind.RETRY;
  }

  /** The topic a destination names: the channel binding's {@code topic}, else the address. */
  private String destinationTopic(Destination destination) {
    KafkaChannelBinding binding = ownTopic(destination) ? null : bindings.channel(destination);
    if (ownTopic(destination) || binding == null || binding.topic() == null || binding.topic().isBlank()) {
      return destination.address();
    }
    return binding.topic();
  }

  private String topicOf(Destination destination) {
    String topic = destinationTopic(destination);
    if (topic.indexOf('{') >= 0) {
      throw new InvalidTopicException("address '" + topic + "' still has parameters: publish needs a concrete topic");
    }
    return topic;
  }

  private TopicProvisioner.TopicSpec specOf(Destination destination, String topic) {
    KafkaChannelBinding binding = ownTopic(destination) ? null : bindings.channel(destination);
    // The binding describes the channel's own topic; a dead letter or retry destination carries no channel binding.
    if (binding == null || ownTopic(destination)) {
      return new TopicProvisioner.TopicSpec(null, null, Map.of());
    }
    return new TopicProvisioner.TopicSpec(binding.partitions(), binding.replicas(), binding.topicConfiguration());
  }

  /**
   * The regular expression a parameterised address subscribes with: the literal parts quoted, each {@code {param}}
   * one or more characters other than a dot (a single topic "level", as MQTT {@code +} and AMQP {@code *}).
   */
  static Pattern wildcardPattern(String address) {
    StringBuilder regex = new StringBuilder();
    Matcher matcher = PARAMETER.matcher(address);
    int literalStart = 0;
    while (matcher.find()) {
      if (matcher.start() > literalStart) {
        regex.append(Pattern.quote(address.substring(literalStart, matcher.start())));
      }
      regex.append(PARAMETER_SEGMENT);
      literalStart = matcher.end();
    }
    if (literalStart < address.length()) {
      regex.append(Pattern.quote(address.substring(literalStart)));
    }
    return Pattern.compile(regex.toString());
  }

  private Producer<byte[], byte[]> producer() {
    Producer<byte[], byte[]> current = producer;
    if (current != null) {
      return current;
    }
    synchronized (clientLock) {
      if (closed.get()) {
        throw new IllegalStateException("closed");
      }
      if (producer == null) {
        producer = new KafkaProducer<>(settings.producer());
      }
      return producer;
    }
  }

  private Admin admin() {
    Admin current = admin;
    if (current != null) {
      return current;
    }
    synchronized (clientLock) {
      if (closed.get()) {
        throw new IllegalStateException("closed");
      }
      if (admin == null) {
        admin = Admin.create(settings.admin());
      }
      return admin;
    }
  }

  /**
   * The admin client that creates topics, one of its own: an admin client sends one request at a time to a broker,
   * and a creation (a controller write, tens of milliseconds) would hold up subscribe's topic lookups and the health
   * probe queued behind it.
   */
  private Admin topicAdmin() {
    Admin current = topicAdmin;
    if (current != null) {
      return current;
    }
    synchronized (clientLock) {
      if (closed.get()) {
        throw new IllegalStateException("closed");
      }
      if (topicAdmin == null) {
        Map<String, Object> properties = new HashMap<>(settings.admin());
        properties.put(AdminClientConfig.CLIENT_ID_CONFIG,
            "omnibus-" + server.name() + "-topics");
        topicAdmin = Admin.create(properties);
      }
      return topicAdmin;
    }
  }

  private TransportClosedException closedException() {
    return TransportClosedException.of("The Kafka transport for server '" + server.name() + "'");
  }
}
