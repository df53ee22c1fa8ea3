package dev.omnibus;

import dev.omnibus.Interceptor.Kind;
import dev.omnibus.Interceptor.Publishing;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.SubscribeOptions;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportProvider;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.data.BytesCloudEventData;
import io.cloudevents.core.provider.CloudEventValidatorProvider;
import io.cloudevents.core.v1.CloudEventV1;
import io.cloudevents.rw.CloudEventRWException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link EventBus}: typed marshalling above one {@link Transport}, with its collaborators: the interceptor chain
 * ({@link Chains}), the sends under way ({@link Outbound}), dead letters ({@link DeadLetters}) and one
 * {@link Dispatcher} per consumer.
 */
final class DefaultEventBus implements EventBus {

  private static final Logger LOG = LoggerFactory.getLogger(DefaultEventBus.class);
  /** The most handlers one subscription may run at once. */
  static final int MAX_CONCURRENCY = 1024;
  /** The largest batch: a bound on what one subscription holds unsettled (twice this) and in memory. */
  static final int MAX_BATCH = 10_000;
  /** The longest responder error an error reply carries, in characters. */
  static final int MAX_REPLY_ERROR = 2_000;

  private final ServerConfig server;
  private final Transport transport;
  private final TransportCapabilities capabilities;
  private final EnvelopeCodec envelope;
  private final Map<String, ChannelDef> channels;
  private final boolean channelsDeclared;
  private final Map<String, ConfigurationException> unusableChannels;
  private final URI source;
  private final @Nullable RetryPolicy retry;
  private final Map<String, RetryPolicy> groupRetry;
  private final int concurrency;
  private final Map<String, Integer> groupConcurrency;
  private final @Nullable DedupeStore dedupe;
  private final RetryPolicy.Timer backoffTimer;
  private final Duration closeTimeout;
  private final Chains chains;
  private final Outbound outbound;
  private final DeadLetters deadLetters;
  private final Retries retries;
  /** Set once by close(): no new subscription from then on. */
  private final AtomicBoolean closing = new AtomicBoolean();
  /** Set once consuming has stopped: no publish from then on (handlers finishing during close may still publish). */
  private volatile boolean closed;
  private final Instant opened = Instant.now();
  private volatile Instant closedAt = Instant.now();
  private final CountDownLatch closeDone = new CountDownLatch(1);
  private final Object lock = new Object();
  private final Map<String, Dispatcher> groupDispatchers = new HashMap<>();
  /** The channels the document or the builder declared, as against those made up on first use. */
  private final Set<String> declaredChannels;
  private final Correlator correlator = new Correlator();
  /** Reply address by inbox key: a static reply channel's id, or the mode of this bus's own inbox. */
  private final Map<String, String> inboxes = new HashMap<>();
  private final boolean replyOnFailure;
  private final Set<Dispatcher> dispatchers = ConcurrentHashMap.newKeySet();

  private DefaultEventBus(Configuration configuration, Transport transport, EventBus.Builder builder) {
    this.server = configuration.server();
    this.transport = transport;
    this.capabilities = transport.capabilities();
    this.envelope = EnvelopeCodec.of(capabilities.convention());
    this.channelsDeclared = configuration.channelsDeclared();
    this.unusableChannels = configuration.unusable();
    Map<String, ChannelDef> resolved = new HashMap<>();
    configuration.channels().forEach((id, channel) -> resolved.put(id, adaptMode(channel)));
    this.channels = new ConcurrentHashMap<>(resolved);
    this.declaredChannels = Set.copyOf(resolved.keySet());
    this.replyOnFailure = builder.replyOnFailure;
    this.source = builder.source != null ? builder.source : URI.create("/omnibus/" + server.name());
    this.retry = builder.retry;
    this.groupRetry = Map.copyOf(builder.groupRetry);
    this.concurrency = builder.concurrency;
    this.groupConcurrency = Map.copyOf(builder.groupConcurrency);
    this.dedupe = builder.dedupe;
    this.backoffTimer = builder.backoffTimer;
    this.closeTimeout = builder.closeTimeout;
    List<Interceptor> interceptors = new ArrayList<>(builder.interceptors);
    interceptors.addAll(configuration.interceptors());
    this.chains = Chains.of(interceptors);
    this.outbound = new Outbound(transport, server.name());
    this.deadLetters = new DeadLetters(transport, server, envelope, source, closeTimeout, chains, outbound);
    this.retries = new Retries(transport, server, envelope, closeTimeout, chains, outbound);
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
    try {
      check(transport, configuration);
      for (ChannelDef channel : configuration.channels().values()) {
        String concurrency = channel.receiveOptions().get("concurrency");
        if (concurrency != null) {
          parseConcurrency(concurrency, channel.path());
        }
      }
    } catch (RuntimeException e) {
      transport.close();
      throw e;
    }
    return new DefaultEventBus(configuration, transport, builder);
  }

  /** Lets the binding check every channel's bindings in both directions, reporting all problems at once. */
  private static void check(Transport transport, Configuration configuration) {
    List<ConfigurationException.Problem> problems = new ArrayList<>();
    for (ChannelDef channel : configuration.channels().values()) {
      for (Destination destination : List.of(channel.receiveDestination(),
          channel.sendDestination(channel.address()))) {
        try {
          transport.check(destination);
        } catch (ConfigurationException e) {
          for (ConfigurationException.Problem problem : e.problems()) {
            if (!problems.contains(problem)) {
              problems.add(problem);
            }
          }
        }
      }
    }
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
  }

  /** A transport that cannot carry binary mode gets structured mode on every channel (MQTT 3.1.1). */
  private ChannelDef adaptMode(ChannelDef channel) {
    if (channel.mode() == Mode.BINARY && !capabilities.supports(Feature.BINARY_MODE)) {
      return new ChannelDef(channel.id(), channel.address(), channel.bindings(), channel.sendBindings(),
          channel.receiveBindings(), Mode.STRUCTURED, channel.sendOptions(), channel.receiveOptions(),
          channel.parameterEnums(), channel.path(), channel.reply());
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
          + new TreeSet<>(channels.keySet()) + ". Use one of them in EventType.channel(...)");
    }
    return channels.computeIfAbsent(id, key -> adaptMode(ChannelDef.of(key, key, null, Mode.BINARY)));
  }

  @Override
  public <T> CompletionStage<Void> publish(EventType<T> type, @Nullable T data) {
    return publish(type.event(data).build());
  }

  @Override
  public <T> CompletionStage<Void> publish(Event<T> event) {
    Objects.requireNonNull(event, "event");
    if (closed) {
      return CompletableFuture.failedFuture(TransportClosedException.of("EventBus for server '" + server.name() + "'"));
    }
    ChannelDef channel;
    CloudEvent cloudEvent;
    String address;
    try {
      channel = channel(event.eventType().channel());
      cloudEvent = toCloudEvent(event);
      address = channel.fill(name -> parameterValue(event, name), event.type());
    } catch (EventBusException e) {
      return CompletableFuture.failedFuture(e);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(SerializationException.of("Event of type '" + event.type()
          + "' cannot be encoded, nothing was sent: " + e.getMessage(), e));
    }
    Destination destination = channel.sendDestination(address);
    if (chains.isEmpty()) {
      // No interceptor to tell: no Publishing record and no terminal step are built per event.
      return encodeAndSend(destination, cloudEvent);
    }
    return chains.publish(new Publishing(cloudEvent, channel.id(), address, Kind.EVENT, server),
        publishing -> encodeAndSend(destination, publishing.event()));
  }

  /** The end of the publish chain: the event on the wire. */
  private CompletionStage<Void> encodeAndSend(Destination destination, CloudEvent event) {
    WireMessage message;
    try {
      message = envelope.encode(event, destination.mode());
    } catch (MalformedEventException e) {
      return CompletableFuture.failedFuture(SerializationException.of("Event of type '" + event.getType()
          + "' is not a valid CloudEvent, nothing was sent: " + String.join("; ", e.violations()), e));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(SerializationException.of("Event of type '" + event.getType()
          + "' cannot be encoded, nothing was sent: " + e.getMessage(), e));
    }
    return outbound.send(destination, message);
  }

  private <T> @Nullable String parameterValue(Event<T> event, String name) {
    T data = event.data();
    if (data != null) {
      String mapped = event.eventType().parameterOf(name, data);
      if (mapped != null) {
        return mapped;
      }
    }
    Object extension = event.extension(name.toLowerCase(Locale.ROOT));
    return extension == null ? null : extension.toString();
  }

  /**
   * The event as a CloudEvent, built as {@code CloudEventBuilder.build()} builds it but without the builder: its
   * extensions then go in a map sized for how many there are ({@link EnvelopeCodec#withExtension}), which the
   * validator, the envelope and the binding each walk once per publish; the builder's checks are made here (an
   * extension's name, the validators registered with the SDK).
   */
  private <T> CloudEvent toCloudEvent(Event<T> event) {
    CloudEventData data = null;
    String contentType = null;
    T payload = event.data();
    if (payload != null) {
      PayloadCodec<T> codec = event.eventType().codec();
      byte[] bytes = codec.encode(payload);
      // Jackson wrote these bytes, so they are JSON: structured mode then skips re-parsing them, which was two fifths of
      // its encode. Bytes from any other codec (byte[] payloads, users' codecs) are still checked by the envelope.
      data = codec instanceof Codecs.JsonCodec ? EnvelopeCodec.producedJson(bytes) : BytesCloudEventData.wrap(bytes);
      contentType = event.dataContentType();
    }
    Map<String, Object> extensions = Collections.emptyMap();
    for (Map.Entry<String, Object> extension : event.extensions().entrySet()) {
      extensions = EnvelopeCodec.withExtension(extensions, extension.getKey(),
          extensionValue(event, extension.getKey(), extension.getValue()));
    }
    CloudEvent cloudEvent = new CloudEventV1(event.id(), event.source() != null ? event.source() : source,
        event.type(), contentType, event.dataSchema(), event.subject(), event.time(), data, extensions);
    CloudEventValidatorProvider.getInstance().validate(cloudEvent);
    return cloudEvent;
  }

  /** An extension's value as the SDK's builder takes it, its name checked as the builder checks it. */
  private static Object extensionValue(Event<?> event, String name, Object value) {
    if (!isValidExtensionName(name)) {
      CloudEventRWException invalid = CloudEventRWException.newInvalidExtensionName(name);
      throw SerializationException.of("Event of type '" + event.type() + "' has an invalid extension: "
          + invalid.getMessage(), invalid);
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean || value instanceof URI
        || value instanceof OffsetDateTime || value instanceof byte[]) {
      return value;
    }
    throw SerializationException.of("Extension '" + name + "' has a value of no CloudEvents type ("
        + value.getClass().getName() + "): use String, Integer, Boolean, URI, OffsetDateTime or byte[]");
  }

  /** The SDK builder's rule for extension names: lower-case letters and digits. */
  private static boolean isValidExtensionName(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9')) {
        return false;
      }
    }
    return true;
  }

  @Override
  public <T> Subscription subscribe(EventType<T> type, @Nullable String group, EventHandler<T> handler) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    if (!type.required().isEmpty()) {
      requireCapabilities(type);
    }
    return register(type.channel(), group, dispatcher -> dispatcher.add(type, handler));
  }

  @Override
  public <T> Subscription subscribeBatch(EventType<T> type, @Nullable String group, int maxSize, Duration maxWait,
      BatchHandler<T> handler) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(maxWait, "maxWait");
    Objects.requireNonNull(handler, "handler");
    if (maxSize < 1 || maxSize > MAX_BATCH) {
      throw new IllegalArgumentException("maxSize must be from 1 to " + MAX_BATCH + ", was " + maxSize);
    }
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
    }
    if (!type.required().isEmpty()) {
      requireCapabilities(type);
    }
    boolean settlesLater = capabilities(type.channel()).supports(Feature.CONCURRENT_SETTLE);
    return register(type.channel(), group,
        dispatcher -> dispatcher.addBatch(type, maxSize, maxWait, handler, settlesLater));
  }

  private void requireCapabilities(EventType<?> type) {
    TransportCapabilities offered = capabilities(type.channel());
    EnumSet<Feature> missing = EnumSet.copyOf(type.required());
    missing.removeAll(offered.features());
    if (!missing.isEmpty()) {
      ChannelDef channel = channel(type.channel());
      throw ConfigurationException.of(channel.path(), "Event type '" + type.type() + "' requires " + missing
          + " on channel '" + channel.id() + "', which the " + server.protocol() + " binding (server '"
          + server.name() + "') does not offer there; it offers " + new TreeSet<>(offered.features())
          + ". Select a server or channel that offers it, or drop the requirement from EventType.requires(...)");
    }
  }

  @Override
  public Subscription subscribe(String channelId, @Nullable String group, RawEventHandler handler) {
    Objects.requireNonNull(channelId, "channel");
    Objects.requireNonNull(handler, "handler");
    return register(channelId, group, dispatcher -> dispatcher.addRaw(handler));
  }

  private Subscription register(String channelId, @Nullable String group,
      Function<Dispatcher, Subscription> register) {
    if (group != null && group.isBlank()) {
      throw new IllegalArgumentException("group must not be blank; use null for an anonymous subscription");
    }
    synchronized (lock) {
      if (closing.get()) {
        throw TransportClosedException.of("EventBus for server '" + server.name() + "'");
      }
      ChannelDef channel = channel(channelId);
      if (group == null) {
        Dispatcher dispatcher = newDispatcher(channel, null);
        Subscription subscription = register.apply(dispatcher);
        start(dispatcher);
        return subscription;
      }
      String key = channel.id() + '\u0000' + group;
      Dispatcher existing = groupDispatchers.get(key);
      if (existing != null) {
        return register.apply(existing);
      }
      Dispatcher dispatcher = newDispatcher(channel, group);
      Subscription subscription = register.apply(dispatcher);
      start(dispatcher);
      groupDispatchers.put(key, dispatcher);
      return subscription;
    }
  }

  private Dispatcher newDispatcher(ChannelDef channel, @Nullable String group) {
    return newDispatcher(channel, group, channel.receiveDestination());
  }

  private Dispatcher newDispatcher(ChannelDef channel, @Nullable String group, Destination destination) {
    DedupeInterceptor consumerDedupe = null;
    if (dedupe != null) {
      String consumer = group != null ? group : "anonymous@" + System.nanoTime();
      consumerDedupe = new DedupeInterceptor(dedupe, channel.id() + "|" + consumer + "|");
    }
    return new Dispatcher(new Dispatcher.Context(envelope, retryPolicy(channel, group), backoffTimer, chains,
        consumerDedupe, deadLetters, this::unsubscribe, server, concurrency(channel, group), retries), channel, group,
        destination);
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
  private void unsubscribe(Dispatcher dispatcher, Runnable removeHandler) {
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

  /**
   * The group's own policy, else the builder's, else the defaults with the {@code x-omnibus-retry-*} options that
   * apply to subscribers (the receive operation's before the channel's; a send operation's never).
   */
  private RetryPolicy retryPolicy(ChannelDef channel, @Nullable String group) {
    RetryPolicy forGroup = group == null ? null : groupRetry.get(group);
    if (forGroup != null) {
      return forGroup;
    }
    if (retry != null) {
      return retry;
    }
    return RetryPolicy.defaults().withOptions(channel.receiveOptions());
  }

  /**
   * The group's own concurrency, else the document's {@code x-omnibus-concurrency} of the channel or its receive
   * operation, else the builder's, else 1.
   */
  private int concurrency(ChannelDef channel, @Nullable String group) {
    Integer forGroup = group == null ? null : groupConcurrency.get(group);
    if (forGroup != null) {
      return forGroup;
    }
    String option = channel.receiveOptions().get("concurrency");
    if (option != null) {
      return parseConcurrency(option, channel.path());
    }
    return concurrency;
  }

  /** A channel's {@code x-omnibus-concurrency}, checked when the bus is built so a wrong value fails at start. */
  static int parseConcurrency(String value, String channelPath) {
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1 && parsed <= MAX_CONCURRENCY) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw ConfigurationException.of(channelPath, "x-omnibus-concurrency (of this channel or its receive operation) "
        + "must be a whole number from 1 to " + MAX_CONCURRENCY + ", how many handlers of a subscription run at once; "
        + "was '" + value + "'");
  }

  @Override
  public <Q, R> CompletionStage<Event<R>> request(Event<Q> request, EventType<R> replyType, Duration timeout) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(replyType, "replyType");
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    if (closed) {
      return CompletableFuture.failedFuture(TransportClosedException.of("EventBus for server '" + server.name() + "'"));
    }
    Correlator.Pending<R> pending;
    Event<Q> withReplyAddress;
    try {
      ChannelDef channel = channel(request.eventType().channel());
      String replyTo = inbox(channel, replyType);
      pending = correlator.open(replyType, request.type(), channel.id(), timeout);
      Map<String, Object> extensions = new HashMap<>();
      extensions.put(Correlator.REPLY_TO, replyTo);
      extensions.put(Correlator.CORRELATION_ID, pending.correlationId);
      String alias = correlationAlias(channel);
      if (alias != null) {
        correlator.alias(alias);
        extensions.put(alias, pending.correlationId);
      }
      String replyToAlias = replyToAlias(channel);
      if (replyToAlias != null) {
        extensions.put(replyToAlias, replyTo);
      }
      withReplyAddress = request.withExtensions(extensions);
    } catch (EventBusException e) {
      return CompletableFuture.failedFuture(e);
    }
    publish(withReplyAddress).whenComplete((sent, failure) -> {
      if (failure != null) {
        correlator.abandon(pending, failure instanceof java.util.concurrent.CompletionException wrapped
            && wrapped.getCause() != null ? wrapped.getCause() : failure);
      } else {
        correlator.sent();
      }
    });
    return pending.future.minimalCompletionStage();
  }

  /**
   * The reply channel of requests on {@code requestChannel}, when every requester's replies come to one declared
   * address: the document's reply channel, else the reply type's channel when the document or the builder declared it
   * with an address of its own. {@code null} when each requester reads its own inbox: the document's reply address is
   * a runtime expression ({@code $message.header#/replyTo}), or no channel with an address is given.
   */
  private @Nullable ChannelDef staticReplyChannel(ChannelDef requestChannel, EventType<?> replyType) {
    ConfigurationReader.Reply reply = requestChannel.reply();
    if (reply != null && reply.addressLocation() != null) {
      return null;
    }
    String id = reply != null && reply.channel() != null ? reply.channel() : replyType.channelOrNull();
    if (id == null || id.equals(requestChannel.id()) || !declaredChannels.contains(id)) {
      return null;
    }
    ChannelDef replyChannel = channels.get(id);
    return replyChannel == null || replyChannel.hasParameters() ? null : replyChannel;
  }

  /** The channel a reply belongs to for validation, metrics and traces: the document's reply channel if it names one. */
  private static String replyChannelId(ChannelDef requestChannel, EventType<?> replyType, Destination destination) {
    ConfigurationReader.Reply reply = requestChannel.reply();
    if (reply != null && reply.channel() != null) {
      return reply.channel();
    }
    String typed = replyType.channelOrNull();
    return typed != null ? typed : destination.channel();
  }

  /**
   * The extension that also carries the correlation id, from the document's {@code correlationId} location
   * {@code $message.header#/<name>}: see {@link #headerAlias}. Bindings map {@code correlation_id} (AMQP) and
   * {@code correlationData} (MQTT 5) to their protocol's own field anyway.
   */
  static @Nullable String correlationAlias(ChannelDef requestChannel) {
    ConfigurationReader.Reply reply = requestChannel.reply();
    return reply == null ? null : headerAlias(reply.correlationLocation(), Correlator.CORRELATION_ID,
        "correlationdata");
  }

  /**
   * The extension that also carries the reply address, from the document's reply address location
   * {@code $message.header#/<name>} (e.g. {@code REPLY_TOPIC}): see {@link #headerAlias}. Bindings map
   * {@code reply_to} (AMQP) and {@code responseTopic} (MQTT 5) to their protocol's own field anyway.
   */
  static @Nullable String replyToAlias(ChannelDef requestChannel) {
    ConfigurationReader.Reply reply = requestChannel.reply();
    return reply == null ? null : headerAlias(reply.addressLocation(), Correlator.REPLY_TO, "responsetopic");
  }

  /**
   * The CloudEvents extension a document's header location names: the header's name in lower case with only its
   * letters and digits ({@code $message.header#/REQUEST_ID} is {@code requestid}), or {@code null} when the location
   * is none, not a header, names the bus's own extension or the protocol's own field, or is no valid extension name.
   */
  private static @Nullable String headerAlias(@Nullable String location, String own, String protocolField) {
    String prefix = "$message.header#/";
    if (location == null || !location.startsWith(prefix)) {
      return null;
    }
    StringBuilder name = new StringBuilder(location.length() - prefix.length());
    for (int i = prefix.length(); i < location.length(); i++) {
      char c = Character.toLowerCase(location.charAt(i));
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        name.append(c);
      }
    }
    // Read on every request and answer: a plain loop, not a regular expression compiled each time.
    String alias = name.toString();
    return alias.isEmpty() || alias.equals(own) || alias.equals(protocolField) || alias.length() > 20 ? null : alias;
  }

  /** The address replies to a request on the channel come to, reading it from now on if not yet. */
  private String inbox(ChannelDef requestChannel, EventType<?> replyType) {
    ChannelDef replyChannel = staticReplyChannel(requestChannel, replyType);
    String key = replyChannel != null ? "channel " + replyChannel.id() : "inbox " + requestChannel.mode();
    synchronized (lock) {
      if (closing.get()) {
        throw TransportClosedException.of("EventBus for server '" + server.name() + "'");
      }
      String known = inboxes.get(key);
      if (known != null) {
        return known;
      }
      ChannelDef channel;
      Destination destination;
      if (replyChannel != null) {
        channel = replyChannel;
        destination = replyChannel.receiveDestination();
      } else {
        destination = transport.replyInbox(correlator.inboxId(), requestChannel.mode());
        channel = ChannelDef.of(destination.channel(), destination.address(), null, destination.mode());
      }
      Dispatcher dispatcher = newDispatcher(channel, null, destination);
      dispatcher.addRaw(correlator::onReply);
      start(dispatcher);
      inboxes.put(key, destination.address());
      return destination.address();
    }
  }

  @Override
  public <Q, R> Subscription respond(EventType<Q> requestType, @Nullable String group, EventType<R> replyType,
      Responder<Q, R> responder) {
    Objects.requireNonNull(requestType, "requestType");
    Objects.requireNonNull(replyType, "replyType");
    Objects.requireNonNull(responder, "responder");
    ChannelDef requestChannel = channel(requestType.channel());
    return subscribe(requestType, group, request -> answer(requestChannel, request, replyType, responder));
  }

  /** Computes the reply to one request and sends it, waiting for the broker's confirm. */
  private <Q, R> void answer(ChannelDef requestChannel, Event<Q> request, EventType<R> replyType,
      Responder<Q, R> responder) throws Exception {
    ChannelDef replyChannel = staticReplyChannel(requestChannel, replyType);
    Object replyTo = request.extension(Correlator.REPLY_TO);
    String replyToAlias = replyToAlias(requestChannel);
    if (replyTo == null && replyToAlias != null) {
      replyTo = request.extension(replyToAlias);
    }
    String address = replyTo != null ? replyTo.toString() : replyChannel != null ? replyChannel.address() : null;
    if (address == null || address.isBlank()) {
      throw new UnanswerableRequest("request '" + request.id() + "' of type '" + request.type() + "' names no reply "
          + "address (no '" + Correlator.REPLY_TO + "' extension, and no reply channel with an address for channel '"
          + requestChannel.id() + "'): it cannot be answered");
    }
    String alias = correlationAlias(requestChannel);
    Object correlation = request.extension(Correlator.CORRELATION_ID);
    if (correlation == null && alias != null) {
      correlation = request.extension(alias);
    }
    String correlationId = correlation != null ? correlation.toString() : request.id();
    Destination destination = replyChannel != null && address.equals(replyChannel.address())
        ? replyChannel.sendDestination(address)
        : transport.replyDestination(address, requestChannel.mode());
    String channelId = replyChannel != null ? replyChannel.id()
        : replyChannelId(requestChannel, replyType, destination);
    Map<String, Object> correlating = alias == null ? Map.of(Correlator.CORRELATION_ID, correlationId)
        : Map.of(Correlator.CORRELATION_ID, correlationId, alias, correlationId);
    Event<R> reply;
    try {
      reply = replyType.event(responder.respond(request)).build().withExtensions(correlating);
    } catch (Exception e) {
      if (!replyOnFailure) {
        throw e;
      }
      LOG.debug("Responder for '{}' failed on request {}: sending an error reply", request.type(), request.id(), e);
      sendReply(errorReply(replyType, correlating, e), channelId, destination);
      return;
    }
    try {
      sendReply(reply, channelId, destination);
    } catch (ValidationException | SerializationException e) {
      if (!replyOnFailure) {
        throw e;
      }
      LOG.warn("The reply to request {} of type '{}' was refused: sending an error reply", request.id(),
          request.type(), e);
      sendReply(errorReply(replyType, correlating, e), channelId, destination);
    }
  }

  private static <R> Event<R> errorReply(EventType<R> replyType, Map<String, Object> correlating,
      Exception failure) {
    String error = failure.getClass().getName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage());
    // One line of printable text: a CloudEvents attribute cannot carry control characters.
    error = error.replaceAll("\\p{Cntrl}+", " ").strip();
    if (error.length() > MAX_REPLY_ERROR) {
      error = error.substring(0, MAX_REPLY_ERROR) + "...";
    }
    return replyType.event(null).extension(Correlator.REPLY_ERROR, error).build().withExtensions(correlating);
  }

  private void sendReply(Event<?> reply, String channelId, Destination destination) throws Exception {
    CloudEvent cloudEvent = toCloudEvent(reply);
    try {
      chains.publish(new Publishing(cloudEvent, channelId, destination.address(), Kind.REPLY, server),
          publishing -> encodeAndSend(destination, publishing.event())).toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public RequestStats requestStats() {
    return correlator.stats();
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
    ChannelDef channel;
    Destination destination;
    try {
      channel = channel(channelId.toString());
      destination = channel.sendDestination(address.toString());
      Object group = deadLetter.getExtension(DeadLetters.DLQ_GROUP);
      if (group != null) {
        // Only the group that failed it, where the broker can address one group; else every group of the channel.
        destination = transport.groupDestination(destination, group.toString()).orElse(destination);
      }
    } catch (EventBusException e) {
      return CompletableFuture.failedFuture(e);
    }
    Destination target = destination;
    return chains.publish(new Publishing(DeadLetters.original(deadLetter), channel.id(), address.toString(),
        Kind.REPLAY, server), publishing -> encodeAndSend(target, publishing.event()));
  }

  @Override
  public String deadLetterAddress(String channelId, @Nullable String group) {
    return deadLetters.destination(channel(channelId).receiveDestination(), group).address();
  }

  @Override
  public Health health() {
    List<Health.Consumer> consumers = new ArrayList<>();
    for (Dispatcher dispatcher : dispatchers) {
      consumers.add(dispatcher.health());
    }
    Health.Status connection;
    if (closed) {
      connection = Health.Status.of(Health.State.CLOSED, null, closedAt);
    } else {
      Health.Status reported = transport.health();
      connection = reported != null ? reported : Health.Status.up(opened);
    }
    return new Health(server.name(), server.protocol(), connection, consumers);
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
  public TransportCapabilities capabilities(String channelId) {
    return transport.capabilities(channel(channelId).receiveDestination());
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
    correlator.close();
    closedAt = Instant.now();
    closed = true;
    try {
      int unconfirmed = outbound.await(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
      if (unconfirmed > 0) {
        LOG.warn("Closing the bus for server '{}' with {} publishes unconfirmed after {}", server.name(),
            unconfirmed, closeTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.flush(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    transport.close();
  }

  @Override
  public String toString() {
    return "EventBus[server=" + server.name() + ", protocol=" + server.protocol() + "]";
  }
}
