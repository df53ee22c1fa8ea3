package dev.omnibus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Address;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.impl.ForgivingExceptionHandler;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import com.rabbitmq.client.TrafficListener;
import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.Health;
import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.PublishWindow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The RabbitMQ transport of one server: one connection for publishing and one for consuming (RabbitMQ throttles a
 * publishing connection under memory alarms; consumers on it would stall too), both recovering automatically with
 * their topology after a broker restart.
 *
 * <p>Thread-safe. {@link #send} never blocks: it hands the send to a {@link PublishWindow}, whose dispatcher runs on
 * a worker thread and publishes sends in order on one confirm-mode channel, with at most
 * {@link RabbitMqSettings#confirmWindow()} awaiting their confirm; each subscription has its own channel. Send results
 * complete on the transport's worker threads, never on the connection's I/O thread, so a caller's callback cannot
 * stall the confirms of other sends.
 *
 * <p>While the confirm window is full, and while the publishing connection is down or recovering, sends are held in
 * order and published once there is room and amqp-client reports the recovery complete (on a fresh channel); one held
 * longer than {@code x-omnibus-send-hold-timeout} fails, as does one that finds {@code x-omnibus-max-held-sends}
 * held. Sends published but unconfirmed when the connection was lost fail: the broker may or may not have them, and
 * their confirms cannot come on the recovered channel.
 *
 * <p>{@link #health()} follows amqp-client's own signals, never asking the broker: a connection's shutdown (not asked
 * for by the application) makes it {@link Health.State#RECONNECTING RECONNECTING} with the broker's reply text
 * ({@code CONNECTION_FORCED - broker forced connection closure with reason 'shutdown'}), each failed recovery attempt
 * (every {@code networkRecoveryInterval}, 2 s) updates the reason ({@code Connection refused}), and the recovery's end
 * makes it up again. The worse of the publishing and the consuming connection is reported.
 */
public final class RabbitMqTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(RabbitMqTransport.class);
  private static final int RPC_TIMEOUT_MS = 10_000;
  private static final int CLOSE_TIMEOUT_MS = 5_000;

  private final RabbitMqSettings settings;
  private final AmqpBindings bindings;
  private final Topology topology;
  private final Declarer declarer;
  private final ConnectionFactory factory;
  private final Connection publishConnection;
  private final Connection consumeConnection;
  private final Object spareLock = new Object();
  /**
   * The next subscription's channel, opened ahead on a worker while the one before declares and consumes: a
   * subscription waits for no {@code channel.open} of its own (nor, the first one, for the broker's first channel).
   */
  private @Nullable CompletableFuture<Channel> spare; // guarded by spareLock
  private final Object publisherLock = new Object();
  private volatile @Nullable PublisherChannel publisher;
  private boolean publisherClosed; // guarded by publisherLock
  /** False from the loss of the publishing connection until amqp-client has recovered it with its topology. */
  private volatile boolean connected = true;
  private final PublishWindow<Outgoing> window;
  private final Object topologyLock = new Object();
  private @Nullable Channel topologyChannel;
  // By name, one set per kind: a key built per publish ("queue " + name) cost a string and its hash on every send.
  private final Set<String> declaredQueues = ConcurrentHashMap.newKeySet();
  private final Set<String> declaredExchanges = ConcurrentHashMap.newKeySet();
  private final Set<RabbitMqSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final TransportCapabilities capabilities;
  private final HealthState publishHealth = new HealthState();
  private final HealthState consumeHealth = new HealthState();

  /**
   * Reads a server's settings and its AMQP server binding, then connects.
   *
   * @throws ConfigurationException listing every problem of the settings and the server binding, or naming what went
   *     wrong while connecting
   */
  public static RabbitMqTransport open(ServerConfig server) {
    return open(server, TrafficListener.NO_OP);
  }

  /** As {@link #open(ServerConfig)}, telling {@code traffic} every AMQP command written and read: for tests. */
  static RabbitMqTransport open(ServerConfig server, TrafficListener traffic) {
    List<Problem> problems = new ArrayList<>();
    AmqpBindings bindings = null;
    try {
      bindings = AmqpBindings.of(server);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    RabbitMqSettings settings = null;
    try {
      settings = RabbitMqSettings.from(server);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
    }
    if (settings == null || bindings == null) {
      throw ConfigurationException.of(problems);
    }
    return new RabbitMqTransport(settings, bindings, traffic);
  }

  /**
   * Connects the publishing and the consuming connection, at the same time; fails with a
   * {@link ConfigurationException} naming what went wrong.
   */
  private RabbitMqTransport(RabbitMqSettings settings, AmqpBindings bindings, TrafficListener traffic) {
    this.settings = settings;
    this.bindings = bindings;
    this.topology = new Topology(settings, bindings);
    this.declarer = new Declarer(settings);
    this.workers = Executors.newCachedThreadPool(daemonThreads("omnibus-rabbitmq-" + settings.server() + "-worker-"));
    this.factory = factory(settings);
    factory.setTrafficListener(traffic);
    factory.setExceptionHandler(new RecoveryFailures());
    // Both at once: a bus opens in the time of one connection, and its first subscription does not wait for one
    // (a connection costs about as much as ten subscriptions). A bus that only publishes keeps an idle connection.
    CompletableFuture<Connection> consuming = CompletableFuture.supplyAsync(() -> connect("consume"), workers);
    try {
      this.publishConnection = connect("publish");
    } catch (RuntimeException e) {
      consuming.thenAccept(RabbitMqTransport::closeQuietly);
      workers.shutdown();
      throw e;
    }
    try {
      this.consumeConnection = consuming.join();
    } catch (CompletionException e) {
      closeQuietly(publishConnection);
      workers.shutdown();
      throw e.getCause() instanceof RuntimeException cause ? cause : e;
    }
    this.window = PublishWindow.<Outgoing>builder(settings.server(), this::dispatch)
        .window(settings.confirmWindow())
        .limits(settings.held())
        .connected(() -> connected && publishConnection.isOpen())
        // Publishing may block (a declare round trip, a connection blocked by a broker alarm): never on the sender.
        .dispatchOn(workers)
        // A burst of confirms (one basic.ack settles many sends) completes on one worker, not a hand-off each.
        .completeOn(new BurstExecutor(workers))
        .closedFailure(this::closedException)
        .build();
    publishConnection.addShutdownListener(this::onPublishConnectionLost);
    if (publishConnection instanceof Recoverable recoverable) {
      recoverable.addRecoveryListener(new RecoveryListener() {
        @Override
        public void handleRecoveryStarted(Recoverable connection) {
          recoveryStarted();
        }

        @Override
        public void handleRecovery(Recoverable connection) {
          recoveryCompleted();
        }
      });
    }
    track(publishConnection, publishHealth);
    track(consumeConnection, consumeHealth);
    this.timer = Executors.newSingleThreadScheduledExecutor(
        daemonThreads("omnibus-rabbitmq-" + settings.server() + "-confirm-timer-"));
    timer.scheduleWithFixedDelay(this::tick, 1, 1, TimeUnit.SECONDS);
    this.capabilities = capabilitiesFor(false);
    synchronized (spareLock) {
      spare = CompletableFuture.supplyAsync(this::openConsumerChannel, workers);
    }
  }

  /** The settings this transport was opened with. */
  public RabbitMqSettings settings() {
    return settings;
  }

  @Override
  public CompletionStage<Void> send(Destination destination, WireMessage message) {
    if (closed.get()) {
      return Transport.failed(closedException());
    }
    Topology.Route route;
    AMQP.BasicProperties properties;
    AmqpOperationBinding binding;
    try {
      binding = bindings.operation(destination);
      route = topology.route(destination);
      properties = MessageMapper.properties(message, binding);
    } catch (ConfigurationException e) {
      return Transport.failed(PublishException.of(destination.address(), settings.server(), e.getMessage(), e));
    } catch (RuntimeException e) {
      return Transport.failed(PublishException.of(destination.address(), settings.server(),
          PublisherChannel.rootMessage(e), e));
    }
    // A group's queue is sent to by name: mandatory, so that a queue gone missing fails the replay, not drops it.
    // So is a group's dead letter queue: a dead letter no queue takes fails (the original comes again), and the next
    // declares the queue anew (Confirmation).
    boolean mandatory = destination.kind() == Destination.Kind.GROUP || destination.kind() == Destination.Kind.RETRY
        || route.kept() != null || (binding != null && binding.mandatory() != null ? binding.mandatory() : settings.mandatory());
    // Published by a worker as soon as the confirm window has room and the connection is up; held in order until then.
    return window.send(destination.address(), new Outgoing(route, mandatory, properties, message.body()));
  }

  /**
   * Hands one send to the broker, declaring its exchange or queue first if needed; called by the window on a worker,
   * one send at a time, in send order. Returns false, without failing the send, when it did not reach the broker
   * because the publishing connection is down: it is then held until the connection has recovered.
   */
  private boolean dispatch(PublishWindow.Send<Outgoing> send) {
    Outgoing outgoing = send.payload();
    try {
      ensureDeclared(outgoing.route());
    } catch (RuntimeException e) {
      if (!publishConnection.isOpen()) {
        return false;
      }
      send.failed(e instanceof ConfigurationException ? e.getMessage() : PublisherChannel.rootMessage(e), e);
      return true;
    }
    Topology.QueueSpec kept = outgoing.route().kept();
    Confirmation confirmation = new Confirmation(send, kept == null ? null : () -> declaredQueues.remove(kept.name()));
    // Twice at most: a channel closed by a channel error (not the connection) is replaced once.
    for (int attempt = 0; attempt < 2; attempt++) {
      PublisherChannel channel;
      try {
        channel = publisher();
      } catch (TransportClosedException e) {
        send.failed(e);
        return true;
      } catch (RuntimeException e) {
        if (!publishConnection.isOpen()) {
          return false;
        }
        send.failed(PublisherChannel.rootMessage(e), e);
        return true;
      }
      if (channel.publish(outgoing.route().exchange().name(), outgoing.route().routingKey(), outgoing.mandatory(),
          outgoing.properties(), outgoing.body(), confirmation)) {
        return true;
      }
      if (!publishConnection.isOpen()) {
        return false;
      }
    }
    send.failed("the channel to the broker was closed", null);
    return true;
  }

  @Override
  public TransportSubscription subscribe(Destination destination, SubscribeOptions options, DeliveryHandler handler) {
    if (closed.get()) {
      throw closedException();
    }
    Topology.Source source = topology.source(destination, options.group());
    Channel channel;
    try {
      channel = consumerChannel();
    } catch (IOException | RuntimeException e) {
      throw ConfigurationException.because("Cannot open a channel to RabbitMQ for channel '" + destination.channel()
          + "' on server '" + settings.server() + "': " + PublisherChannel.rootMessage(e), e);
    }
    try {
      // Three round trips in all: the channel's opening, the declarations confirmed by basic.qos, basic.consume.
      String queue = declarer.source(channel, source,
          options.prefetch() == 0 ? settings.prefetch() : options.prefetch());
      RabbitMqSubscription[] self = new RabbitMqSubscription[1];
      RabbitMqSubscription subscription =
          RabbitMqSubscription.start(channel, queue, handler, () -> subscriptions.remove(self[0]));
      self[0] = subscription;
      subscriptions.add(subscription);
      if (closed.get()) {
        subscription.close();
        throw closedException();
      }
      return subscription;
    } catch (ConfigurationException | TransportClosedException e) {
      closeQuietly(channel);
      throw e;
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      throw ConfigurationException.because("Cannot subscribe to channel '" + destination.channel() + "' on server '"
          + settings.server() + "': " + PublisherChannel.rootMessage(e), e);
    }
  }

  /**
   * What the transport does for channels without an AMQP binding or with {@code is: routingKey}. No per-key order:
   * RabbitMQ orders per queue, and the members of a group share one queue, so one key's events interleave across
   * members (a queue with a single consumer does keep the publish order).
   */
  @Override
  public TransportCapabilities capabilities() {
    return capabilities;
  }

  /**
   * What the transport does for one destination. An {@code is: queue} channel is one queue every subscriber competes
   * on: no separate groups, no anonymous fan-out, no wildcards; but it keeps what is sent before anyone subscribes.
   */
  public TransportCapabilities capabilities(Destination destination) {
    return topology.isQueue(destination) ? capabilitiesFor(true) : capabilities;
  }

  private static TransportCapabilities capabilitiesFor(boolean queueChannel) {
    TransportCapabilities.Builder builder = TransportCapabilities.builder(HeaderConvention.AMQP)
        .supports(Feature.BINARY_MODE, Feature.STRUCTURED_MODE, Feature.DURABLE_GROUPS, Feature.REDELIVERY,
            Feature.GROUP_REPLAY)
        // basic.ack / basic.nack name one delivery tag each, from any thread; closing the channel requeues the rest.
        .supports(Feature.CONCURRENT_SETTLE, Feature.RETRY_DESTINATIONS)
        // RabbitMQ's own limit (max_message_size, 128 MiB by default since 3.8); a broker may set it lower.
        .maxMessageBytes(128 * 1024 * 1024)
        .publishConfirmation("publisher confirm (basic.ack); a nack, or a mandatory send no queue takes, fails it");
    if (queueChannel) {
      builder.supports(Feature.RETAINS_UNCONSUMED);
    } else {
      builder.supports(Feature.CONSUMER_GROUPS, Feature.ANONYMOUS_FAN_OUT, Feature.WILDCARD_SUBSCRIPTIONS);
    }
    return builder.build();
  }

  /** Checks the destination's AMQP channel and operation bindings; see {@link AmqpBindings}. */
  @Override
  public void check(Destination destination) {
    bindings.check(destination);
    // The queue type and, for a queue channel, whether its queue can be of that type.
    topology.policy(destination);
    topology.isQueue(destination);
  }

  @Override
  public Destination deadLetter(Destination origin, @Nullable String group) {
    // Sent through the channel's exchange (the group's dead letter queue is bound to it), without the operation's
    // bindings: a receive operation's expiration or cc would otherwise apply to dead letters.
    // Its queue is of the channel's type: the options carry it.
    return new Destination(origin.channel(), topology.deadLetterAddress(origin, group), origin.mode(),
        origin.channelBindings(), Bindings.none(), topology.deadLetterOptions(origin, group),
        Destination.Kind.DEAD_LETTERS);
  }

  /** The group's durable retry queue {@code <queue>.retry}, sent to and consumed through the default exchange. */
  @Override
  public Destination retryDestination(Destination origin, String group) {
    return topology.retryQueue(origin, group);
  }

  /**
   * The group's durable queue {@code <address>.<group>}, sent to through the default exchange; for an {@code is: queue}
   * channel the queue itself, which all its subscribers share.
   */
  @Override
  public Optional<Destination> groupDestination(Destination channelDestination, String group) {
    return Optional.of(topology.groupQueue(channelDestination, group));
  }

  @Override
  public boolean flush(Duration timeout) {
    return window.flush(timeout);
  }

  /**
   * The worse of the publishing and the consuming connection: up, or reconnecting with the broker's reason for closing
   * it (or the last recovery attempt's failure); closed once closed. Never blocks.
   */
  @Override
  public Health.Status health() {
    Health.Status publishing = publishHealth.get();
    Health.Status consuming = consumeHealth.get();
    return consuming.state().compareTo(publishing.state()) > 0 ? consuming : publishing;
  }

  /** Follows a connection's shutdown and recovery in a health state. */
  private void track(Connection connection, HealthState health) {
    connection.addShutdownListener(cause -> {
      if (!cause.isInitiatedByApplication() && !closed.get()) {
        health.lost(Health.State.RECONNECTING, "connection lost: " + PublisherChannel.replyText(cause));
      }
    });
    if (connection instanceof Recoverable recoverable) {
      recoverable.addRecoveryListener(new RecoveryListener() {
        @Override
        public void handleRecoveryStarted(Recoverable recovering) {
          // still reconnecting: up once the recovery, topology included, has completed
        }

        @Override
        public void handleRecovery(Recoverable recovered) {
          health.up();
        }
      });
    }
  }

  /**
   * amqp-client's default handling of errors, plus: a failed recovery attempt gives its connection's health the
   * latest reason ({@code Connection refused} while the broker is away).
   */
  private final class RecoveryFailures extends ForgivingExceptionHandler {
    @Override
    public void handleConnectionRecoveryException(Connection connection, Throwable exception) {
      super.handleConnectionRecoveryException(connection, exception);
      HealthState health = connection == publishConnection ? publishHealth
          : connection == consumeConnection ? consumeHealth : null;
      if (health != null && !closed.get()) {
        health.lost(Health.State.RECONNECTING, "reconnecting: " + PublisherChannel.rootMessage(exception));
      }
    }
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    publishHealth.closed();
    consumeHealth.closed();
    for (RabbitMqSubscription subscription : subscriptions) {
      subscription.close();
    }
    // Held sends are published if the connection recovers meanwhile; those still held then fail.
    flush(Duration.ofMillis(CLOSE_TIMEOUT_MS));
    window.close();
    PublisherChannel current;
    synchronized (publisherLock) {
      publisherClosed = true;
      current = publisher;
    }
    if (current != null) {
      current.close();
    }
    synchronized (topologyLock) {
      if (topologyChannel != null) {
        closeQuietly(topologyChannel);
      }
    }
    closeQuietly(publishConnection);
    CompletableFuture<Channel> unused;
    synchronized (spareLock) {
      unused = spare;
      spare = null;
    }
    if (unused != null) {
      unused.thenAccept(RabbitMqTransport::closeQuietly);
    }
    closeQuietly(consumeConnection);
    timer.shutdownNow();
    workers.shutdown();
  }

  private void ensureDeclared(Topology.Route route) {
    if (declarer.mode() == RabbitMqSettings.DeclareMode.NONE) {
      return;
    }
    ensureExchangeOrQueue(route);
    Topology.QueueSpec kept = route.kept();
    if (kept != null && declarer.mode() == RabbitMqSettings.DeclareMode.DECLARE
        && !declaredQueues.contains(kept.name())) {
      synchronized (topologyLock) {
        if (!declaredQueues.contains(kept.name())) {
          declarer.kept(topologyChannel(), kept, route.exchange(), route.routingKey());
          declaredQueues.add(kept.name());
        }
      }
    }
  }

  private void ensureExchangeOrQueue(Topology.Route route) {
    Set<String> declared = route.queue() != null ? declaredQueues : declaredExchanges;
    String key = route.queue() != null ? route.queue().name() : route.exchange().name();
    if (route.exchange().isDefault() && route.queue() == null || declared.contains(key)) {
      return;
    }
    synchronized (topologyLock) {
      if (declared.contains(key)) {
        return;
      }
      Channel channel = topologyChannel();
      if (route.queue() != null) {
        declarer.queue(channel, route.queue());
      } else {
        declarer.exchange(channel, route.exchange());
      }
      declared.add(key);
    }
  }

  /** The channel declarations before a send run on, opened anew if a failed declaration closed it; under the lock. */
  private Channel topologyChannel() {
    Channel channel = topologyChannel;
    try {
      if (channel == null || !channel.isOpen()) {
        channel = publishConnection.createChannel();
        topologyChannel = channel;
      }
      return channel;
    } catch (IOException e) {
      throw ConfigurationException.because("Cannot open a channel to RabbitMQ on server '" + settings.server()
          + "': " + PublisherChannel.rootMessage(e), e);
    }
  }

  private PublisherChannel publisher() {
    PublisherChannel current = publisher;
    if (current != null && current.usable()) {
      return current;
    }
    synchronized (publisherLock) {
      if (publisherClosed) {
        throw closedException();
      }
      current = publisher;
      if (current != null && current.usable()) {
        return current;
      }
      if (current != null) {
        current.close();
      }
      try {
        current = new PublisherChannel(publishConnection.createChannel(), this::onPublisherChannelError);
      } catch (IOException e) {
        throw PublishException.of("-", settings.server(), "cannot open a channel: " + PublisherChannel.rootMessage(e),
            e);
      }
      publisher = current;
      return current;
    }
  }

  private void onPublisherChannelError(ShutdownSignalException cause) {
    // A 404 on publish means an exchange vanished (or was never there in none mode): declare again next time.
    declaredQueues.clear();
    declaredExchanges.clear();
    LOG.warn("RabbitMQ closed the publishing channel of server '{}': {}", settings.server(),
        PublisherChannel.replyText(cause));
  }

  /**
   * Once a second: fails sends waiting too long for their confirm, and held sends waiting too long for the connection
   * (so none waits forever for a recovery that never completes); resumes held sends if the connection is up, in case
   * a recovery went unnoticed. Never throws, which would cancel the schedule.
   */
  private void tick() {
    try {
      PublisherChannel current = publisher;
      if (current != null) {
        current.expire(settings.confirmTimeout().toNanos(), System.nanoTime());
      }
      if (window.expire(System.nanoTime()) > 0 && connected && publishConnection.isOpen()) {
        window.resume();
      }
    } catch (RuntimeException e) {
      LOG.warn("Expiring sends of RabbitMQ server '{}' failed", settings.server(), e);
    }
  }

  private void onPublishConnectionLost(ShutdownSignalException cause) {
    if (cause.isInitiatedByApplication() || closed.get()) {
      return;
    }
    connected = false;
    LOG.warn("Lost the publishing connection to RabbitMQ server '{}' ({}); recovering, holding sends for at most {} ms",
        settings.server(), PublisherChannel.replyText(cause), settings.held().hold().toMillis());
  }

  /**
   * amqp-client began recovering the publishing connection: sends are held from now on. Called by its recovery
   * listener; package-private so that a test can enter the recovering state without restarting the shared broker.
   */
  void recoveryStarted() {
    connected = false;
  }

  /**
   * amqp-client recovered the publishing connection and its topology (on its recovery thread): the held sends go out,
   * in order, on a worker. Package-private for the same tests as {@link #recoveryStarted()}.
   */
  void recoveryCompleted() {
    LOG.info("Recovered the publishing connection to RabbitMQ server '{}'; publishing {} held sends",
        settings.server(), window.held());
    // The old publisher channel shut down with the connection and stays abandoned (its numbering restarted):
    // dispatch() opens a fresh one for the held sends.
    connected = true;
    window.resume();
  }

  /**
   * A channel for a subscription: the spare, unless it failed to open or was closed since (it is then opened again
   * here, so that its error is the caller's), and a new spare opened behind it.
   */
  private Channel consumerChannel() throws IOException {
    CompletableFuture<Channel> ready;
    synchronized (spareLock) {
      ready = spare;
      spare = closed.get() ? null : CompletableFuture.supplyAsync(this::openConsumerChannel, workers);
    }
    if (ready != null) {
      try {
        Channel channel = ready.join();
        if (channel.isOpen()) {
          return channel;
        }
        closeQuietly(channel);
      } catch (CompletionException e) {
        LOG.debug("The spare consumer channel did not open ({}); opening one now", e.getCause().toString());
      }
    }
    return newConsumerChannel();
  }

  private Channel openConsumerChannel() {
    try {
      return newConsumerChannel();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Channel newConsumerChannel() throws IOException {
    Channel channel = consumeConnection.createChannel();
    if (channel == null) {
      throw new IOException("the consuming connection has all the channels the broker allows open (channel_max): "
          + "close subscriptions, or raise channel_max on the broker");
    }
    return channel;
  }

  private Connection connect(String role) {
    String name = "omnibus-" + settings.server() + "-" + role;
    try {
      // Every node of the cluster: amqp-client tries them in turn, now and on each recovery (a node gone, another up).
      return factory.newConnection(workers, addresses(settings), name);
    } catch (com.rabbitmq.client.AuthenticationFailureException e) {
      throw ConfigurationException.of("servers." + settings.server() + ".security", "RabbitMQ at "
          + String.join(", ", settings.addresses()) + " refused the login of user '" + settings.username() + "': check the credentials");
    } catch (IOException | TimeoutException e) {
      String reason = PublisherChannel.rootMessage(e);
      if (reason.contains("vhost") || reason.contains("NOT_ALLOWED")) {
        throw ConfigurationException.of("servers." + settings.server() + ".pathname", "virtual host '"
            + settings.virtualHost() + "' is not available to user '" + settings.username() + "': " + reason);
      }
      throw ConfigurationException.because("Cannot connect to RabbitMQ at " + String.join(", ", settings.addresses())
          + " (server '" + settings.server() + "', virtual host '" + settings.virtualHost() + "'): " + reason, e);
    }
  }

  private static ConnectionFactory factory(RabbitMqSettings settings) {
    ConnectionFactory factory = new ConnectionFactory();
    factory.setHost(settings.host());
    factory.setPort(settings.port());
    factory.setVirtualHost(settings.virtualHost());
    factory.setUsername(settings.username());
    factory.setPassword(settings.password());
    if (settings.tls()) {
      try {
        // The JVM's default trust store (javax.net.ssl.trustStore) decides which brokers are trusted.
        factory.useSslProtocol(javax.net.ssl.SSLContext.getDefault());
        factory.enableHostnameVerification();
      } catch (java.security.NoSuchAlgorithmException e) {
        throw ConfigurationException.because("No TLS available in this JVM for amqps server '" + settings.server()
            + "'", e);
      }
    }
    factory.setAutomaticRecoveryEnabled(true);
    factory.setTopologyRecoveryEnabled(true);
    factory.setNetworkRecoveryInterval(2_000);
    factory.setConnectionTimeout((int) settings.connectTimeout().toMillis());
    factory.setHandshakeTimeout((int) settings.connectTimeout().toMillis());
    factory.setChannelRpcTimeout(RPC_TIMEOUT_MS);
    factory.setShutdownTimeout(CLOSE_TIMEOUT_MS);
    factory.setThreadFactory(daemonThreads("omnibus-rabbitmq-" + settings.server() + "-io-"));
    return factory;
  }

  private static List<Address> addresses(RabbitMqSettings settings) {
    return settings.addresses().stream().map(Address::parseAddress).toList();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, prefix + counter.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  private static void closeQuietly(Channel channel) {
    try {
      channel.close();
    } catch (IOException | TimeoutException | RuntimeException e) {
      LOG.debug("Closing channel failed: {}", e.toString());
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close(CLOSE_TIMEOUT_MS);
    } catch (IOException | RuntimeException e) {
      LOG.debug("Closing connection failed: {}", e.toString());
    }
  }

  private TransportClosedException closedException() {
    return TransportClosedException.of("The RabbitMQ transport for server '" + settings.server() + "'");
  }

  /** What one send publishes: where, how, and the bytes. */
  private record Outgoing(Topology.Route route, boolean mandatory, AMQP.BasicProperties properties,
      byte @Nullable [] body) {}

  /**
   * A dispatched send waiting for its confirm, as the publisher channel sees it. The window completes the caller's
   * stage on a worker thread, never on the connection's I/O thread, so callbacks the caller chains cannot stall
   * confirms.
   */
  private static final class Confirmation implements PublisherChannel.Pending {
    private final PublishWindow.Send<Outgoing> send;
    /** Forgets the declaration of the route's kept queue, when a send to it comes back: someone deleted it. */
    private final @Nullable Runnable forgetKept;
    private volatile @Nullable String returnedReason;

    Confirmation(PublishWindow.Send<Outgoing> send, @Nullable Runnable forgetKept) {
      this.send = send;
      this.forgetKept = forgetKept;
    }

    @Override
    public String exchange() {
      return send.payload().route().exchange().name();
    }

    @Override
    public String routingKey() {
      return send.payload().route().routingKey();
    }

    @Override
    public @Nullable String messageId() {
      return send.payload().properties().getMessageId();
    }

    @Override
    public void returned(String reason) {
      returnedReason = reason;
      if (forgetKept != null) {
        forgetKept.run();
      }
    }

    @Override
    public boolean isReturned() {
      return returnedReason != null;
    }

    @Override
    public void confirmed() {
      String reason = returnedReason;
      if (reason == null) {
        send.confirmed();
      } else {
        send.failed(reason, null);
      }
    }

    @Override
    public void failed(String reason, @Nullable Throwable cause) {
      send.failed(reason, cause);
    }
  }
}
