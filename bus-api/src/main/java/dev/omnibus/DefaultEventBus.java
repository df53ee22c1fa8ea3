package dev.omnibus;

import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.internal.PayloadContract;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportProvider;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link EventBus}: typed marshalling and the delivery layer above one {@link Transport}. */
final class DefaultEventBus implements EventBus {

  private static final Logger LOG = LoggerFactory.getLogger(DefaultEventBus.class);

  private final ServerConfig server;
  private final Transport transport;
  private final TransportCapabilities capabilities;
  private final EnvelopeCodec envelope;
  private final Map<String, ChannelDef> channels;
  private final boolean channelsDeclared;
  private final Map<String, ConfigurationException> unusableChannels;
  private final PayloadContract contract;
  private final URI source;
  private final @Nullable RetryPolicy retry;
  private final Map<String, RetryPolicy> groupRetry;
  private final @Nullable DedupeStore dedupe;
  private final Duration closeTimeout;
  /** Set once by close(): no new subscription from then on. */
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Set once consuming has stopped: no publish from then on (handlers finishing during close may still publish). */
  private volatile boolean closed;
  private final java.util.concurrent.CountDownLatch closeDone = new java.util.concurrent.CountDownLatch(1);
  private final Object lock = new Object();
  private final Map<String, Dispatcher> groupDispatchers = new HashMap<>();
  private final Set<Dispatcher> dispatchers = ConcurrentHashMap.newKeySet();
  private final Set<CompletableFuture<Void>> inFlight = ConcurrentHashMap.newKeySet();

  private DefaultEventBus(Configuration configuration, Transport transport, EventBus.Builder builder) {
    this.server = configuration.server();
    this.transport = transport;
    this.capabilities = transport.capabilities();
    this.envelope = EnvelopeCodec.of(capabilities.convention());
    this.channelsDeclared = configuration.channelsDeclared();
    this.unusableChannels = configuration.unusable();
    this.contract = configuration.contract();
    Map<String, ChannelDef> resolved = new HashMap<>();
    configuration.channels().forEach((id, channel) -> resolved.put(id, adaptMode(channel)));
    this.channels = new ConcurrentHashMap<>(resolved);
    this.source = builder.source != null ? builder.source : URI.create("/omnibus/" + server.name());
    this.retry = builder.retry;
    this.groupRetry = Map.copyOf(builder.groupRetry);
    this.dedupe = builder.dedupe;
    this.closeTimeout = builder.closeTimeout;
  }

  static EventBus build(EventBus.Builder builder) {
    Configuration configuration = Configuration.resolve(builder);
    TransportProvider provider = Providers.find(configuration.server(), builder.providers,
        configuration.serverPath());
    Transport transport;
    try {
      transport = provider.open(configuration.server());
    } catch (EventBusException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ConfigurationException.because("Cannot open the " + configuration.server().protocol()
          + " transport for server '" + configuration.server().name() + "': " + e.getMessage(), e);
    }
    return new DefaultEventBus(configuration, transport, builder);
  }

  /** A transport that cannot carry binary mode gets structured mode on every channel (MQTT 3.1.1). */
  private ChannelDef adaptMode(ChannelDef channel) {
    if (channel.mode() == Mode.BINARY && !capabilities.supports(Feature.BINARY_MODE)) {
      return new ChannelDef(channel.id(), channel.address(), channel.bindings(), channel.sendBindings(),
          channel.receiveBindings(), Mode.STRUCTURED, channel.options(), channel.parameterEnums(), channel.path());
    }
    return channel;
  }

  ChannelDef channel(String id) {
    ChannelDef channel = channels.get(id);
    if (channel != null) {
      return channel;
    }
    ConfigurationException unusable = unusableChannels.get(id);
    if (unusable != null) {
      throw unusable;
    }
    if (channelsDeclared) {
      throw ConfigurationException.of("channels." + id, "Unknown channel '" + id + "'; the document declares "
          + new java.util.TreeSet<>(channels.keySet()) + ". Use one of them in EventType.channel(...)");
    }
    return channels.computeIfAbsent(id, key -> adaptMode(ChannelDef.of(key, key, null, Mode.BINARY)));
  }

  @Override
  public <T> CompletionStage<Void> publish(EventType<T> type, @Nullable T data) {
    return publish(type.event(data).build());
  }

  @Override
  public <T> CompletionStage<Void> publish(Event<T> event) {
    java.util.Objects.requireNonNull(event, "event");
    if (closed) {
      return CompletableFuture.failedFuture(TransportClosedException.of("EventBus for server '" + server.name() + "'"));
    }
    ChannelDef channel;
    CloudEvent cloudEvent;
    String address;
    WireMessage message;
    try {
      channel = channel(event.eventType().channel());
      cloudEvent = toCloudEvent(event);
      address = channel.fill(name -> parameterValue(event, name), event.type());
      message = envelope.encode(cloudEvent, channel.mode());
    } catch (EventBusException e) {
      return CompletableFuture.failedFuture(e);
    } catch (MalformedEventException e) {
      return CompletableFuture.failedFuture(SerializationException.of("Event of type '" + event.type()
          + "' is not a valid CloudEvent, nothing was sent: " + String.join("; ", e.violations()), e));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(SerializationException.of("Event of type '" + event.type()
          + "' cannot be encoded, nothing was sent: " + e.getMessage(), e));
    }
    return send(channel.sendDestination(address), message);
  }

  private CompletionStage<Void> send(Destination destination, WireMessage message) {
    CompletableFuture<Void> result = new CompletableFuture<>();
    inFlight.add(result);
    result.whenComplete((ignored, failure) -> inFlight.remove(result));
    CompletionStage<Void> sent;
    try {
      sent = transport.send(destination, message);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((ignored, failure) -> {
      if (failure == null) {
        result.complete(null);
      } else {
        result.completeExceptionally(asBusException(failure, destination));
      }
    });
    return result;
  }

  private EventBusException asBusException(Throwable failure, Destination destination) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof EventBusException busException) {
      return busException;
    }
    return PublishException.of(destination.address(), server.name(), String.valueOf(cause.getMessage()), cause);
  }

  private <T> @Nullable String parameterValue(Event<T> event, String name) {
    T data = event.data();
    if (data != null) {
      String mapped = event.eventType().parameterOf(name, data);
      if (mapped != null) {
        return mapped;
      }
    }
    Object extension = event.extension(name.toLowerCase(java.util.Locale.ROOT));
    return extension == null ? null : extension.toString();
  }

  private <T> CloudEvent toCloudEvent(Event<T> event) {
    CloudEventBuilder builder = CloudEventBuilder.v1()
        .withId(event.id())
        .withSource(event.source() != null ? event.source() : source)
        .withType(event.type());
    if (event.subject() != null) {
      builder.withSubject(event.subject());
    }
    if (event.time() != null) {
      builder.withTime(event.time());
    }
    if (event.dataSchema() != null) {
      builder.withDataSchema(event.dataSchema());
    }
    T data = event.data();
    byte[] payload = data == null ? null : event.eventType().codec().encode(data);
    contract.checkPublish(event.eventType().channel(), event.type(), payload, event.dataContentType());
    if (payload != null) {
      builder.withDataContentType(event.dataContentType());
      builder.withData(payload);
    }
    try {
      event.extensions().forEach((name, value) -> withExtension(builder, name, value));
    } catch (io.cloudevents.rw.CloudEventRWException | IllegalArgumentException e) {
      throw SerializationException.of("Event of type '" + event.type() + "' has an invalid extension: "
          + e.getMessage(), e);
    }
    return builder.build();
  }

  private static void withExtension(CloudEventBuilder builder, String name, Object value) {
    if (value instanceof String string) {
      builder.withExtension(name, string);
    } else if (value instanceof Number number) {
      builder.withExtension(name, number);
    } else if (value instanceof Boolean bool) {
      builder.withExtension(name, bool);
    } else if (value instanceof URI uri) {
      builder.withExtension(name, uri);
    } else if (value instanceof OffsetDateTime time) {
      builder.withExtension(name, time);
    } else if (value instanceof byte[] bytes) {
      builder.withExtension(name, bytes);
    } else {
      throw SerializationException.of("Extension '" + name + "' has a value of no CloudEvents type ("
          + value.getClass().getName() + "): use String, Integer, Boolean, URI, OffsetDateTime or byte[]");
    }
  }

  @Override
  public <T> Subscription subscribe(EventType<T> type, @Nullable String group, EventHandler<T> handler) {
    java.util.Objects.requireNonNull(type, "type");
    java.util.Objects.requireNonNull(handler, "handler");
    return register(type.channel(), group, dispatcher -> dispatcher.add(type, handler));
  }

  @Override
  public Subscription subscribe(String channelId, @Nullable String group, RawEventHandler handler) {
    java.util.Objects.requireNonNull(channelId, "channel");
    java.util.Objects.requireNonNull(handler, "handler");
    return register(channelId, group, dispatcher -> dispatcher.addRaw(handler));
  }

  private Subscription register(String channelId, @Nullable String group,
      java.util.function.Function<Dispatcher, Subscription> register) {
    if (group != null && group.isBlank()) {
      throw new IllegalArgumentException("group must not be blank; use null for an anonymous subscription");
    }
    synchronized (lock) {
      if (closing.get()) {
        throw TransportClosedException.of("EventBus for server '" + server.name() + "'");
      }
      ChannelDef channel = channel(channelId);
      if (group == null) {
        Dispatcher dispatcher = new Dispatcher(this, channel, null);
        Subscription subscription = register.apply(dispatcher);
        start(dispatcher);
        return subscription;
      }
      String key = channel.id() + '\u0000' + group;
      Dispatcher existing = groupDispatchers.get(key);
      if (existing != null) {
        return register.apply(existing);
      }
      Dispatcher dispatcher = new Dispatcher(this, channel, group);
      Subscription subscription = register.apply(dispatcher);
      start(dispatcher);
      groupDispatchers.put(key, dispatcher);
      return subscription;
    }
  }

  private void start(Dispatcher dispatcher) {
    dispatcher.start(transport, new SubscribeOptions(dispatcher.group(), 0));
    dispatchers.add(dispatcher);
  }

  /**
   * Removes one handler of a dispatcher. When it is the last one, the dispatcher stops consuming first, so that no
   * delivery finds its handler gone and is skipped: what it has not acknowledged goes back to the broker. Under the
   * bus's lock, so a concurrent subscribe of the same group cannot join a dispatcher that is stopping.
   */
  void unsubscribe(Dispatcher dispatcher, Runnable removeHandler) {
    synchronized (lock) {
      if (!dispatcher.lastHandler()) {
        removeHandler.run();
        return;
      }
      dispatcher.stop();
      removeHandler.run();
      dispatchers.remove(dispatcher);
      if (dispatcher.group() != null) {
        groupDispatchers.remove(dispatcher.channel().id() + '\u0000' + dispatcher.group(), dispatcher);
      }
    }
  }

  PayloadContract contract() {
    return contract;
  }

  /** The group's own policy, else the builder's before the channel's options, else the defaults with them. */
  RetryPolicy retryPolicy(ChannelDef channel, @Nullable String group) {
    RetryPolicy forGroup = group == null ? null : groupRetry.get(group);
    if (forGroup != null) {
      return forGroup;
    }
    if (retry != null) {
      return retry;
    }
    return RetryPolicy.defaults().withOptions(channel.options());
  }

  @Nullable DedupeStore dedupe() {
    return dedupe;
  }

  EnvelopeCodec envelope() {
    return envelope;
  }

  /**
   * Sends a dead letter for a delivery and waits for the broker's confirmation. Returns whether the delivery may be
   * acknowledged: when the dead letter was stored, and when it can never be encoded (logged once at ERROR, so that the
   * message does not block its partition or queue). When sending fails, the caller leaves the original
   * unacknowledged so nothing is lost.
   */
  boolean deadLetter(Dispatcher dispatcher, @Nullable CloudEvent event, WireMessage raw, String reason, int attempts,
      @Nullable Throwable error) {
    Destination origin = dispatcher.destination();
    String dlqAddress = deadLetterAddress(origin, dispatcher.group());
    Mode mode = capabilities.supports(Feature.BINARY_MODE) ? Mode.BINARY : Mode.STRUCTURED;
    WireMessage message;
    try {
      message = DeadLetters.encode(envelope, mode, event, raw, source,
          new DeadLetters.Cause(reason, attempts, origin.channel(), origin.address(), dispatcher.group(), error));
    } catch (RuntimeException e) {
      LOG.error("Cannot encode a dead letter for a message of channel '{}' (to '{}'), so it is acknowledged and "
          + "dropped rather than block the channel: {}; dead letter refused: {}", origin.channel(), dlqAddress,
          DeadLetters.text(reason), DeadLetters.text(e.getMessage()));
      return true;
    }
    try {
      send(origin.withAddress(dlqAddress).withMode(mode), message).toCompletableFuture()
          .get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
      LOG.warn("Dead-lettered an event of channel '{}' to '{}': {}", origin.channel(), dlqAddress,
          DeadLetters.text(reason));
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.error("Cannot dead-letter an event of channel '{}' to '{}'; leaving it unacknowledged: {}",
          origin.channel(), dlqAddress, DeadLetters.text(e.toString()));
      return false;
    }
  }

  @Override
  public CompletionStage<Void> replay(CloudEvent deadLetter) {
    Object channelId = deadLetter.getExtension(DeadLetters.DLQ_CHANNEL);
    Object address = deadLetter.getExtension(DeadLetters.DLQ_ADDRESS);
    if (channelId == null || address == null || DeadLetters.MALFORMED_TYPE.equals(deadLetter.getType())) {
      return CompletableFuture.failedFuture(ConfigurationException.of("Not a replayable dead letter (id "
          + deadLetter.getId() + "): it needs the dlqchannel and dlqaddress extensions and a valid original event"));
    }
    if (closed) {
      return CompletableFuture.failedFuture(TransportClosedException.of("EventBus for server '" + server.name() + "'"));
    }
    try {
      ChannelDef channel = channel(channelId.toString());
      CloudEventBuilder original = CloudEventBuilder.v1(deadLetter);
      for (String name : List.of(DeadLetters.DLQ_REASON, DeadLetters.DLQ_ATTEMPTS, DeadLetters.DLQ_CHANNEL,
          DeadLetters.DLQ_ADDRESS, DeadLetters.DLQ_GROUP, DeadLetters.DLQ_ERROR)) {
        original.withoutExtension(name);
      }
      WireMessage message = envelope.encode(original.build(), channel.mode());
      return send(channel.sendDestination(address.toString()), message);
    } catch (EventBusException e) {
      return CompletableFuture.failedFuture(e);
    } catch (MalformedEventException e) {
      return CompletableFuture.failedFuture(SerializationException.of(e.getMessage(), e));
    }
  }

  @Override
  public String deadLetterAddress(String channelId, @Nullable String group) {
    return deadLetterAddress(channel(channelId).receiveDestination(), group);
  }

  /** A parameterised channel's dead letters share one address, its parameters replaced by {@code _}. */
  private String deadLetterAddress(Destination origin, @Nullable String group) {
    return transport.deadLetterAddress(
        origin.isPattern() ? origin.withAddress(origin.addressWithWildcards("_")) : origin, group);
  }

  @Override
  public ServerConfig server() {
    return server;
  }

  @Override
  public TransportCapabilities capabilities() {
    return capabilities;
  }

  @Override
  public void close() {
    if (!closing.compareAndSet(false, true)) {
      // Another thread is closing: return when it is done (close is bounded in time anyway).
      try {
        closeDone.await(closeTimeout.toNanos() * 2, TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return;
    }
    try {
      closeOnce();
    } finally {
      closeDone.countDown();
    }
  }

  private void closeOnce() {
    long deadline = System.nanoTime() + closeTimeout.toNanos();
    List<Dispatcher> running;
    synchronized (lock) {
      running = new ArrayList<>(dispatchers);
      dispatchers.clear();
      groupDispatchers.clear();
    }
    // Stop consuming first: handlers under way finish and may still publish what their work produces.
    for (Dispatcher dispatcher : running) {
      dispatcher.stop();
    }
    closed = true;
    List<CompletableFuture<Void>> pending = new ArrayList<>(inFlight);
    try {
      CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
          .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      // Each caller has its own failed stage; closing goes on.
    } catch (TimeoutException e) {
      LOG.warn("Closing the bus for server '{}' with {} publishes unconfirmed after {}", server.name(),
          inFlight.size(), closeTimeout);
    }
    transport.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    transport.close();
  }

  @Override
  public String toString() {
    return "EventBus[server=" + server.name() + ", protocol=" + server.protocol() + "]";
  }
}
