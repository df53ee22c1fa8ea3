package dev.omnibus.mqtt.internal;

import dev.omnibus.ConfigurationException;
import dev.omnibus.Health;
import dev.omnibus.PublishException;
import dev.omnibus.TransportClosedException;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.Causes;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.PublishWindow;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT transport: one publishing client, connected when the transport opens; one client shared by the anonymous
 * subscriptions ({@link AnonymousSubscriptions}); a few persistent sessions shared by the group subscriptions
 * ({@link GroupSessions}).
 *
 * <p>Thread-safe: send and subscribe are called from any thread, concurrently. {@link #send} never blocks: it hands
 * the message to a {@link PublishWindow} with as many sends unconfirmed at once as the broker's Receive Maximum
 * allows; the others, and every send made while paho reconnects, are held in order and published when there is room
 * and the connection is back, or fail after {@code x-omnibus-send-hold-timeout}.
 *
 * <p>{@link #health()} is the publishing client's connection as paho reports it: reconnecting with the reason from the
 * loss of the connection (paho's {@code disconnected} / {@code connectionLost}) until it reconnected
 * ({@code connectComplete}); each subscription reports its own health, following its shared connection.
 */
public final class MqttTransport implements Transport {

  private static final Logger LOG = LoggerFactory.getLogger(MqttTransport.class);
  /** The largest PUBLISH packet MQTT can express (the Remaining Length limit). */
  private static final int MQTT_MAX_PACKET = 268_435_455;

  private final MqttSettings settings;
  private final MqttBindings bindings;
  private final String clientIdBase;
  private final String publisherId;
  private final MqttConnection publisher;
  private final PublishWindow<Outgoing> window;
  private final ScheduledFuture<?> expiry;
  private final TransportCapabilities capabilities;
  /** Publishing client ids in use in this JVM, by server URI: two buses with one {@code clientId} must not collide. */
  private static final Set<String> PUBLISHER_IDS = ConcurrentHashMap.newKeySet();

  private final Set<MqttSubscription> subscriptions = ConcurrentHashMap.newKeySet();
  private final AnonymousSubscriptions anonymous;
  private final GroupSessions groups;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final HealthState health = new HealthState();

  private MqttTransport(MqttSettings settings, MqttBindings bindings, String clientIdBase, String publisherId,
      MqttConnection publisher) {
    this.settings = settings;
    this.bindings = bindings;
    this.publisherId = publisherId;
    this.clientIdBase = clientIdBase;
    this.publisher = publisher;
    // No room until the broker said its Receive Maximum (resized once connected). Paho's publish does not block, so
    // the sender's thread (or paho's, when a confirmation frees room) dispatches.
    this.window = PublishWindow.<Outgoing>builder(settings.serverName(), this::dispatch)
        .limits(settings.held())
        .connected(publisher::isConnected)
        .closedFailure(() -> TransportClosedException.of("MQTT transport for server '" + settings.serverName() + "'"))
        .build();
    this.expiry = EXPIRY.scheduleWithFixedDelay(this::expireHeldSends, 500, 500, TimeUnit.MILLISECONDS);
    this.capabilities = capabilities(settings);
    this.anonymous = new AnonymousSubscriptions(settings, () -> clientIdBase + "-" + shortRandom());
    this.groups = new GroupSessions(settings, clientIdBase, MqttTransport::shortRandom);
  }

  /** What one send publishes. */
  private record Outgoing(String topic, WireMessage message, int qos, boolean retain, @Nullable Long expirySeconds) {}

  /** Hands one send to paho, which confirms it (PUBACK, PUBCOMP) or fails it on its own thread. */
  private boolean dispatch(PublishWindow.Send<Outgoing> send) {
    Outgoing outgoing = send.payload();
    publisher.publish(outgoing.topic(), outgoing.message(), outgoing.qos(), outgoing.retain(),
        outgoing.expirySeconds(), (ignored, failure) -> {
          if (failure == null) {
            send.confirmed();
          } else {
            send.failed(Causes.message(failure), failure);
          }
        });
    return true;
  }

  /**
   * Reads a server's settings and its MQTT server binding, connects the publishing client and returns the transport.
   *
   * @throws ConfigurationException listing every problem of the settings and the server binding, or when the broker
   *     cannot be reached or refuses the connection
   */
  public static MqttTransport open(ServerConfig server) {
    return open(MqttSettings.from(server), MqttBindings.of(server));
  }

  private static MqttTransport open(MqttSettings settings, MqttBindings bindings) {
    String base = settings.clientId() != null ? settings.clientId() : "omnibus-" + GroupSessions.sanitize(hostName(), 24);
    String publisherId = settings.clientId() != null
        ? claimPublisherId(settings.uri(), settings.clientId()) : base + "-" + shortRandom();
    MqttConnection publisher = null;
    MqttTransport opened = null;
    try {
      publisher = connection(settings, new MqttConnection.Options(publisherId, true, 0, false,
          settings.receiveMaximum(), true));
      MqttTransport transport = new MqttTransport(settings, bindings, base, publisherId, publisher);
      opened = transport;
      publisher.connect(transport.new PublisherListener());
      LOG.debug("Connected to MQTT server '{}' at {} as {} ({}), publish window {}", settings.serverName(),
          settings.uri(), publisherId, settings.version(), publisher.publishWindow());
      transport.window.resize(publisher.publishWindow());
      return transport;
    } catch (Exception e) {
      if (opened != null) {
        opened.expiry.cancel(false);
      }
      if (publisher != null) {
        publisher.close(settings.closeTimeout());
      }
      PUBLISHER_IDS.remove(settings.uri() + "|" + publisherId);
      String tls = TlsFailure.describe(e, URI.create(settings.uri()).getHost()).orElse(null);
      if (tls != null) {
        throw ConfigurationException.because("Cannot connect to MQTT server '" + settings.serverName() + "' at "
            + settings.uri() + ": " + tls, e);
      }
      throw ConfigurationException.because("Cannot connect to MQTT server '" + settings.serverName() + "' at "
          + settings.uri() + ": " + Causes.message(e) + ". Check that the broker runs, the host and port, the "
          + "protocol version and the credentials", e);
    }
  }

  static MqttConnection connection(MqttSettings settings, MqttConnection.Options options) throws Exception {
    return settings.version().hasProperties()
        ? new Paho5Connection(settings, options) : new Paho3Connection(settings, options);
  }

  private static TransportCapabilities capabilities(MqttSettings settings) {
    TransportCapabilities.Builder builder = TransportCapabilities.builder(HeaderConvention.MQTT)
        .supports(Feature.STRUCTURED_MODE, Feature.CONSUMER_GROUPS, Feature.ANONYMOUS_FAN_OUT, Feature.REDELIVERY,
            Feature.WILDCARD_SUBSCRIPTIONS)
        // Manual acks: each PUBACK names its packet id and goes out when its handler is done, in any order (brokers
        // track them by id), so concurrent handlers do not wait for one another; the Receive Maximum is a group
        // session's, shared by its subscriptions and at least any prefetch by default (GroupSessions).
        .supports(Feature.CONCURRENT_SETTLE, Feature.RETRY_DESTINATIONS)
        .maxMessageBytes(settings.maximumPacketSize() == null
            ? MQTT_MAX_PACKET : (int) Math.min(MQTT_MAX_PACKET, settings.maximumPacketSize()))
        .publishConfirmation("PUBACK at QoS 1 (the default), PUBCOMP at QoS 2, written to the socket at QoS 0");
    if (settings.version().hasProperties()) {
      builder.supports(Feature.BINARY_MODE);
    }
    if (settings.persistentGroups()) {
      builder.supports(Feature.DURABLE_GROUPS);
    }
    return builder.build();
  }

  @Override
  public CompletionStage<Void> send(Destination destination, WireMessage message) {
    if (closed.get()) {
      return Transport.failed(TransportClosedException.of("MQTT transport for server '" + settings.serverName() + "'"));
    }
    String topic = destination.address();
    if (!Topics.isValidTopicName(topic)) {
      return Transport.failed(PublishException.of(destination.channel(), settings.serverName(), "'" + topic
          + "' is not an MQTT topic name: it must be non-empty, without wildcards or unfilled {parameters}"));
    }
    MqttOperationBinding binding;
    try {
      binding = bindings.operation(destination);
    } catch (ConfigurationException e) {
      return Transport.failed(PublishException.of(destination.channel(), settings.serverName(), e.getMessage(), e));
    }
    int qos = binding == null || binding.qos() == null ? 1 : binding.qos();
    if (qos < 0 || qos > 2) {
      return Transport.failed(PublishException.of(destination.channel(), settings.serverName(),
          "the operation binding's qos must be 0, 1 or 2, was " + qos));
    }
    boolean retain = binding != null && Boolean.TRUE.equals(binding.retain());
    Long expiry = binding == null ? null : binding.messageExpiryInterval();
    return window.send(destination.channel(), new Outgoing(topic, message, qos, retain, expiry));
  }

  @Override
  public TransportSubscription subscribe(Destination destination, SubscribeOptions options, DeliveryHandler handler) {
    if (closed.get()) {
      throw TransportClosedException.of("MQTT transport for server '" + settings.serverName() + "'");
    }
    String group = options.group();
    String filter;
    try {
      filter = Topics.filter(destination, group);
    } catch (IllegalArgumentException e) {
      throw ConfigurationException.of("channels." + destination.channel(), e.getMessage());
    }
    MqttOperationBinding binding = bindings.operation(destination);
    int qos = binding == null || binding.qos() == null ? 1 : binding.qos();
    if (qos < 0 || qos > 2) {
      throw ConfigurationException.of("channels." + destination.channel() + ".bindings.mqtt.qos",
          "qos must be 0, 1 or 2, was " + qos);
    }
    if (group == null) {
      return subscribeAnonymous(destination, filter, qos, handler);
    }
    try {
      MqttSubscription subscription = groups.subscribe(group, filter, qos, handler, subscriptions::remove);
      subscriptions.add(subscription);
      if (closed.get()) {
        subscription.close(false);
        throw TransportClosedException.of("MQTT transport for server '" + settings.serverName() + "'");
      }
      return subscription;
    } catch (TransportClosedException e) {
      throw e;
    } catch (Exception e) {
      throw subscribeFailure(destination, filter, e);
    }
  }

  /** An anonymous subscription: on a clean-session connection shared with the others (see AnonymousSubscriptions). */
  private TransportSubscription subscribeAnonymous(Destination destination, String filter, int qos,
      DeliveryHandler handler) {
    String description = "MQTT subscription to '" + filter + "' on server '" + settings.serverName() + "'";
    try {
      return anonymous.subscribe(filter, qos, handler, description);
    } catch (TransportClosedException e) {
      throw e;
    } catch (Exception e) {
      throw subscribeFailure(destination, filter, e);
    }
  }

  private RuntimeException subscribeFailure(Destination destination, String filter, Exception e) {
    if (e instanceof SubackWait.TimedOut) {
      // Not a configuration problem: the broker went silent (down, overloaded, or the network dropped packets).
      return TransportClosedException.noAnswer("Subscribing to channel '" + destination.channel() + "' ('"
          + filter + "') on MQTT server '" + settings.serverName() + "'", e.getMessage()
          + ", x-omnibus-connect-timeout");
    }
    return ConfigurationException.because("Cannot subscribe to channel '" + destination.channel() + "' ('" + filter
        + "') on MQTT server '" + settings.serverName() + "': " + Causes.message(e), e);
  }

  /** How many connections serve this transport's anonymous subscriptions now. */
  int anonymousConnections() {
    return anonymous.connections();
  }

  /** How many connections serve this transport's group subscriptions now. */
  int groupConnections() {
    return groups.connections();
  }

  /** The client ids of the sessions of this transport's group subscriptions. */
  Set<String> groupClientIds() {
    return groups.clientIds();
  }

  /** Checks the destination's MQTT channel and operation bindings; see {@link MqttBindings}. */
  @Override
  public void check(Destination destination) {
    bindings.check(destination);
  }

  @Override
  public TransportCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public boolean flush(Duration timeout) {
    return window.flush(timeout);
  }

  /** MQTT's dead letter topic for a channel is a sub-topic: {@code <topic>/dlq}. */
  @Override
  public Destination deadLetter(Destination origin, @Nullable String group) {
    return Destination.deadLetters(origin.channel(), origin.addressWithWildcards("_") + "/dlq", origin.mode());
  }

  /**
   * A group's retry topic is a sub-topic, {@code <topic>/<group>/retry}: consumed by the group's shared subscription
   * as the channel is, and matched by no single-level filter of the channel.
   */
  @Override
  public Destination retryDestination(Destination origin, String group) {
    return Destination.retries(origin.channel(), origin.addressWithWildcards("_") + "/" + group + "/retry",
        origin.mode());
  }

  /**
   * A bus's reply inbox is a topic of its own, {@code omnibus/replies/<inbox id>}, read by a plain (not shared)
   * subscription; requests name it in their Response Topic.
   */
  @Override
  public Destination replyInbox(String inboxId, dev.omnibus.envelope.Mode mode) {
    return Destination.replies("omnibus-replies", "omnibus/replies/" + inboxId, mode);
  }

  @Override
  public Health.Status health() {
    return health.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.closed();
    // Every member of this transport goes: nothing to hand over among them, and handovers still waiting end now.
    for (MqttSubscription subscription : subscriptions.toArray(new MqttSubscription[0])) {
      subscription.close(false);
    }
    groups.close();
    anonymous.close();
    window.flush(settings.closeTimeout());
    window.close();
    window.failInFlight("the transport closed before the broker confirmed the message", null);
    expiry.cancel(false);
    publisher.close(settings.closeTimeout());
    PUBLISHER_IDS.remove(settings.uri() + "|" + publisherId);
  }

  /**
   * The server binding's {@code clientId} for the publishing client, as given; a second bus on the same server in this
   * JVM gets {@code <clientId>-2} and so on, since the broker would otherwise drop one connection for the other.
   */
  private static String claimPublisherId(String uri, String clientId) {
    if (PUBLISHER_IDS.add(uri + "|" + clientId)) {
      return clientId;
    }
    for (int n = 2; ; n++) {
      if (PUBLISHER_IDS.add(uri + "|" + clientId + "-" + n)) {
        return clientId + "-" + n;
      }
    }
  }

  /** Expires the held sends of every MQTT transport of this JVM. */
  private static final ScheduledExecutorService EXPIRY = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "omnibus-mqtt-send-expiry");
    thread.setDaemon(true);
    return thread;
  });

  /** Whether the publishing client is connected: a test waits for a cut connection to be noticed. */
  boolean publisherConnected() {
    return publisher.isConnected();
  }

  private final class PublisherListener implements MqttConnection.Listener {
    @Override
    public void onMessage(MqttConnection.Inbound message) {
      // The publishing client subscribes to nothing.
    }

    @Override
    public void onLost(@Nullable Throwable cause) {
      LOG.warn("Connection to MQTT server '{}' lost ({}); reconnecting, holding sends for at most {} ms",
          settings.serverName(), cause == null ? "closed by the broker" : cause.toString(),
          settings.held().hold().toMillis());
      // Messages in flight may or may not have reached the broker, and a new clean session will not confirm them:
      // fail them so their senders publish again (at least once), which frees the window for the held ones.
      window.failInFlight("the connection was lost before the broker confirmed the message"
          + (cause == null ? "" : " (" + Causes.message(cause) + ")"), cause);
      if (!closed.get()) {
        health.lost(Health.State.RECONNECTING, "connection lost: " + (cause == null ? "closed by the broker"
            : Causes.message(cause)));
      }
    }

    @Override
    public void onConnected(boolean reconnect) {
      health.up();
      if (reconnect) {
        LOG.info("Reconnected to MQTT server '{}'; publishing {} held sends", settings.serverName(), window.held());
        window.resume();
      }
    }
  }

  /** Twice a second: fails the sends held longer than the hold. Never throws, which would cancel the schedule. */
  private void expireHeldSends() {
    try {
      window.expire(System.nanoTime());
    } catch (RuntimeException e) {
      LOG.warn("Expiring held sends of MQTT server '{}' failed", settings.serverName(), e);
    }
  }
  private static String hostName() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "host";
    }
  }

  private static String shortRandom() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
  }
}
