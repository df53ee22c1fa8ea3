package dev.omnibus;

import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportProvider;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Publishes and consumes typed events as CloudEvents over the broker of one AsyncAPI server.
 *
 * <pre>{@code
 * try (EventBus bus = EventBus.builder()
 *     .server(ServerConfig.of("local", "memory", "orders"))
 *     .source(URI.create("/orders-service"))
 *     .build()) {
 *   bus.subscribe(ORDER_PAID, "billing", event -> charge(event.data()));
 *   bus.publish(ORDER_PAID, new OrderPaid("o-1", 4599, "EUR")).toCompletableFuture().join();
 * }
 * }</pre>
 *
 * <p>Delivery is at least once: a handler's event is acknowledged only after the handler returned; a handler that
 * throws gets the event again, up to {@link Builder#maxAttempts(int)} times, after which the event goes to the dead
 * letter channel. Handlers must therefore tolerate duplicates.
 *
 * <p>Thread-safe. {@link #close()} is idempotent and bounded in time.
 */
public interface EventBus extends AutoCloseable {

  /** A builder. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Publishes an event with the given payload on its type's channel. The stage completes when the broker confirmed
   * the event, and fails with an {@link EventBusException}: {@link PublishException} when the broker did not confirm,
   * {@link SerializationException} when the payload cannot be encoded (nothing is sent),
   * {@link ConfigurationException} for an unknown channel or a missing channel parameter,
   * {@link TransportClosedException} after {@link #close()}.
   *
   * @param data the payload, or {@code null} for an event without data
   */
  <T> CompletionStage<Void> publish(EventType<T> type, @Nullable T data);

  /** Publishes a fully built event; as {@link #publish(EventType, Object)}. */
  <T> CompletionStage<Void> publish(Event<T> event);

  /**
   * Subscribes a handler to the events of one type on its channel.
   *
   * <p>With a group, the subscriptions of all buses in that group share the events: each event reaches one of them.
   * Within one bus, all subscriptions of a group on a channel form one consumer that dispatches by event type, so a
   * service can subscribe several types of one channel under one group without them competing. Events of a type no
   * handler of the group takes are acknowledged and skipped, except a type whose handler was closed while the group's
   * other handlers stay in this bus: its events still reaching this bus go to dead letters. Without a group ({@code null}), the handler gets every
   * event published after this method returned.
   *
   * @throws ConfigurationException when the channel is unknown, or this group already has a handler for this type
   * @throws TransportClosedException after {@link #close()}
   */
  <T> Subscription subscribe(EventType<T> type, @Nullable String group, EventHandler<T> handler);

  /** An anonymous subscription: {@link #subscribe(EventType, String, EventHandler)} without a group. */
  default <T> Subscription subscribe(EventType<T> type, EventHandler<T> handler) {
    return subscribe(type, null, handler);
  }

  /**
   * Subscribes a handler to the events of one type a batch at a time: the consumer collects up to {@code maxSize}
   * events, or those that arrived within {@code maxWait} of the first, and calls the handler once with them, in
   * delivery order, one batch after the other. Each event has its own outcome: acknowledged unless the handler
   * {@linkplain BatchHandler.Batch#fail failed} it; a failed one is retried on its own (a batch of one) after the
   * retry policy's backoff, then dead-lettered, while the others are acknowledged. A handler that throws fails every
   * event of its batch once. Events refused before any handler (malformed, invalid, undecodable) go to dead letters and
   * never reach a batch; the {@linkplain Builder#dedupe(Duration) dedupe} skips duplicates, also within one batch.
   * Each event still passes the interceptors on its own, before the handler (see docs/delivery.md, "Batches").
   *
   * <p>Groups work as for {@link #subscribe(EventType, String, EventHandler)}; one handler per type and group. The
   * events of a batch stay unsettled until its outcome, which needs
   * {@link TransportCapabilities.Feature#CONCURRENT_SETTLE} (all bindings of this project); where the binding lacks
   * it, batches hold one event and the bus logs a warning. A batch handler runs on a thread of its own; the
   * {@linkplain Builder#concurrency(int) concurrency} of its consumer does not apply to it.
   *
   * @param maxSize the most events in one batch, 1 to 10,000
   * @param maxWait how long a batch waits to fill after its first event arrived; zero hands out what has arrived
   * @throws IllegalArgumentException unless {@code 1 <= maxSize <= 10000} and {@code maxWait} is not negative
   * @throws ConfigurationException when the channel is unknown, or this group already has a handler for this type
   * @throws TransportClosedException after {@link #close()}
   */
  <T> Subscription subscribeBatch(EventType<T> type, @Nullable String group, int maxSize, Duration maxWait,
      BatchHandler<T> handler);

  /**
   * Subscribes a handler to every event of a channel as a raw CloudEvent, whatever its type. In a group, it takes the
   * events no typed handler of the group takes.
   */
  Subscription subscribe(String channel, @Nullable String group, RawEventHandler handler);

  /**
   * Sends a request and waits for its reply: the request is published on its type's channel like any event, with two
   * extensions: {@code replyto}, this bus's reply address, and {@code correlationid}, which the reply carries back
   * (the protocol's own reply-to and correlation fields carry them too where there are: AMQP {@code reply_to} and
   * {@code correlation_id}, MQTT 5 Response Topic and Correlation Data). A responder ({@link #respond}) answers it.
   *
   * <p>The reply comes to the reply channel the document names for the request's operation when it has a static
   * address, else to a reply inbox of this bus (a queue or topic of its own, or a shared reply topic on Kafka; see
   * {@code docs/request-reply.md}). The stage completes with the reply, or fails with {@link RequestTimeoutException}
   * when none came within {@code timeout}, with {@link RemoteFailureException} when the responder failed, or as
   * {@link #publish(Event)} fails when the request could not be sent. A reply that comes too late, twice, or for no
   * request of this bus is counted in {@link #requestStats()} and dropped.
   *
   * <p>The request's payload is checked against the document before it is sent, and the reply's when it arrives.
   *
   * @param request the request event
   * @param replyType the reply's type: its CloudEvents type and codec (a channel on it is the reply channel)
   * @param timeout how long to wait for the reply
   * @return the reply, or the failure
   */
  <Q, R> CompletionStage<Event<R>> request(Event<Q> request, EventType<R> replyType, Duration timeout);

  /**
   * Sends a request of the given type and data and waits for its reply: see {@link #request(Event, EventType,
   * Duration)}.
   */
  default <Q, R> CompletionStage<Event<R>> request(EventType<Q> type, @Nullable Q data, EventType<R> replyType,
      Duration timeout) {
    return request(type.event(data).build(), replyType, timeout);
  }

  /**
   * Answers requests of a type: the responder's return value goes back to each request's reply address as an event of
   * {@code replyType} carrying the request's correlation id. In a group, responders compete: each request is answered
   * by one member, as any group's events are handled by one. The request is acknowledged once the broker confirmed
   * the reply; if the reply cannot be sent, the request is retried like a failed event.
   *
   * <p>A request without a reply address (no {@code replyto}, and none in the document) cannot be answered: it goes
   * to dead letters at once with that reason. A responder that throws sends an error reply, which fails the request
   * with {@link RemoteFailureException}, unless the bus was built with {@link Builder#replyOnFailure(boolean)
   * replyOnFailure(false)}.
   *
   * @param requestType the requests' type (and channel)
   * @param group the responders' group, or {@code null} for every responder to answer
   * @param replyType the replies' type
   * @param responder computes each reply
   * @return the subscription; closing it stops answering
   */
  <Q, R> Subscription respond(EventType<Q> requestType, @Nullable String group, EventType<R> replyType,
      Responder<Q, R> responder);

  /** What became of this bus's requests and of the replies that reached it. */
  RequestStats requestStats();

  /**
   * Publishes a dead letter again, as it was originally, onto the channel it came from (the {@code dlqchannel}
   * extension), without the dead letter extensions. The stage completes as for {@link #publish(Event)}.
   *
   * <p>Who gets it again depends on the broker. Where it can address one consumer group
   * ({@link TransportCapabilities.Feature#GROUP_REPLAY}: RabbitMQ, which sends it to the group's queue, and memory),
   * a dead letter of a group ({@code dlqgroup}) reaches only that group. Where it cannot (Kafka, MQTT), and for the
   * dead letter of an anonymous subscription, the event is published on the channel again and reaches every group
   * and subscription of it, including those that had handled it: make their handlers idempotent (or give the bus a
   * {@link Builder#dedupe(Duration) dedupe} window, which skips an event a group has handled), or, on Kafka, rather
   * than replay, publish the failed event to a replay topic that only the failing group reads. On MQTT a shared
   * subscription is per topic, so no message can be addressed to one group.
   */
  CompletionStage<Void> replay(io.cloudevents.CloudEvent deadLetter);

  /**
   * The broker address of the dead letter channel of a channel as consumed by a group (or anonymously), e.g.
   * {@code orders.dlq} on Kafka and memory, {@code orders.billing.dlq} on RabbitMQ, {@code orders/dlq} on MQTT.
   * Declare a channel with this address to subscribe to the dead letters.
   */
  String deadLetterAddress(String channel, @Nullable String group);

  /**
   * The state of the connection to the broker and of every consumer of this bus, now: connected, reconnecting with
   * the error that broke the connection, or closed; each consumer consuming or stalled with its reason.
   * {@link Health#ready()} is the readiness a service exposes. Never blocks on the broker; cheap enough to call on
   * every probe.
   */
  Health health();

  /** The resolved server this bus talks to. */
  ServerConfig server();

  /** What the transport of this bus can do in general; {@link #capabilities(String)} tells it for one channel. */
  TransportCapabilities capabilities();

  /**
   * What the transport can do for one channel, which may be less than in general: on RabbitMQ, an {@code is: queue}
   * channel has no separate groups and no fan-out.
   *
   * @throws ConfigurationException when the channel is unknown or cannot be used on this server
   */
  TransportCapabilities capabilities(String channel);

  /**
   * Stops consuming, lets handlers under way finish (they may still publish what their work produces), then refuses
   * new publishes, waits for unconfirmed ones (at most the close timeout), and closes the transport. Events not
   * acknowledged stay with the broker for redelivery. Idempotent; a second caller returns when the first is done.
   */
  @Override
  void close();

  /**
   * Builds an {@link EventBus}. Not thread-safe.
   *
   * <p>The broker comes from a server: an AsyncAPI document's server, or a {@link ServerConfig} given directly. The
   * transport for its protocol is found with {@link java.util.ServiceLoader} (add the binding's jar, e.g.
   * {@code dev.omnibus:bus-kafka}) or registered with {@link #transport(TransportProvider)}.
   */
  final class Builder {
    final List<TransportProvider> providers = new ArrayList<>();
    final List<Interceptor> interceptors = new ArrayList<>();
    @Nullable ConfigurationReader reader;
    boolean strictBindings;
    final Map<String, ChannelOverride> channels = new LinkedHashMap<>();
    final Map<String, String> variables = new LinkedHashMap<>();
    final Map<String, Credentials> credentials = new LinkedHashMap<>();
    @Nullable Object asyncApi;
    @Nullable String serverName;
    @Nullable ServerConfig server;
    @Nullable URI source;
    final List<EventType<?>> eventTypes = new ArrayList<>();
    ValidationMode validation = ValidationMode.ENFORCE;
    @Nullable RetryPolicy retry;
    final Map<String, RetryPolicy> groupRetry = new LinkedHashMap<>();
    int concurrency = 1;
    final Map<String, Integer> groupConcurrency = new LinkedHashMap<>();
    @Nullable DedupeStore dedupe;
    RetryPolicy.Timer backoffTimer = RetryPolicy.Timer.realTime();
    Duration closeTimeout = Duration.ofSeconds(10);
    boolean replyOnFailure = true;
    Function<String, @Nullable String> environment = System::getenv;

    Builder() {}

    /** A channel declared on the builder: its address and bindings, overriding the document's. */
    record ChannelOverride(@Nullable String address, @Nullable Bindings bindings, @Nullable Mode mode) {}

    /** Loads the AsyncAPI document from a file. */
    public Builder asyncApi(java.nio.file.Path document) {
      this.asyncApi = Objects.requireNonNull(document, "document");
      return this;
    }

    /** Loads the AsyncAPI document from a classpath resource, e.g. {@code "asyncapi.yaml"}. */
    public Builder asyncApi(String classpathResource) {
      this.asyncApi = Objects.requireNonNull(classpathResource, "classpathResource");
      return this;
    }

    /**
     * Selects a server of the document by name: the default the deployment may change. The environment variable
     * {@code OMNIBUS_SERVER}, when set, selects the server instead, so the same code runs on another broker by
     * configuration alone; with neither, the document's only server is used.
     */
    public Builder server(String name) {
      this.serverName = Objects.requireNonNull(name, "name");
      return this;
    }

    /** Uses a server given directly instead of a document's. */
    public Builder server(ServerConfig server) {
      this.server = Objects.requireNonNull(server, "server");
      return this;
    }

    /** Sets a server variable, before {@code OMNIBUS_VAR_<NAME>} and the variable's default. */
    public Builder variable(String name, String value) {
      variables.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /**
     * Sets the credentials for a server of the document, before {@code OMNIBUS_<SERVER>_USERNAME} and
     * {@code _PASSWORD}. Never put secrets in the document.
     */
    public Builder credentials(String serverName, Credentials credentials) {
      this.credentials.put(Objects.requireNonNull(serverName, "serverName"),
          Objects.requireNonNull(credentials, "credentials"));
      return this;
    }

    /**
     * Adds an interceptor around every publish and handling; the first added is outermost. See {@link Interceptor}.
     */
    public Builder intercept(Interceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Reads the document with this reader instead of the one found on the classpath. */
    public Builder reader(ConfigurationReader reader) {
      this.reader = Objects.requireNonNull(reader, "reader");
      return this;
    }

    /**
     * Refuses bindings that hold a field their binding does not define, or one in the wrong place, instead of logging
     * a warning naming its path (the default, so documents written by other tools load). The binding checks them when
     * the bus is built; this is the server option {@link ServerConfig#STRICT_BINDINGS}, as the document's
     * {@code x-omnibus-strict-bindings: true} is.
     */
    public Builder strictBindings(boolean strict) {
      this.strictBindings = strict;
      return this;
    }

    /** Registers a transport provider, chosen before any found on the classpath for the same protocol. */
    public Builder transport(TransportProvider provider) {
      providers.add(Objects.requireNonNull(provider, "provider"));
      return this;
    }

    /**
     * Declares a channel, or gives the address of a document channel (required where its address is {@code null}).
     * Without a document, a channel that is not declared has its id as address.
     */
    public Builder channel(String id, String address) {
      return channel(id, address, null);
    }

    /** Declares a channel with bindings, as a document's channel {@code bindings} would. */
    public Builder channel(String id, String address, @Nullable Bindings bindings) {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(address, "address");
      ChannelOverride previous = channels.get(id);
      channels.put(id, new ChannelOverride(address, bindings, previous == null ? null : previous.mode()));
      return this;
    }

    /** Carries a channel's events in another content mode (binary is the default; structured is JSON). */
    public Builder mode(String channelId, Mode mode) {
      Objects.requireNonNull(channelId, "channelId");
      Objects.requireNonNull(mode, "mode");
      ChannelOverride previous = channels.get(channelId);
      channels.put(channelId, previous == null ? new ChannelOverride(null, null, mode)
          : new ChannelOverride(previous.address(), previous.bindings(), mode));
      return this;
    }

    /** Sets the CloudEvents {@code source} of published events. Default: {@code /omnibus/<server name>}. */
    public Builder source(URI source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /**
     * Registers the event types this service publishes or consumes. Each is matched to its message in the document
     * when the bus is built (a type whose channel has no such message is a {@link ConfigurationException}), and they
     * are what an AsyncAPI export of this bus describes.
     */
    public Builder register(EventType<?>... types) {
      for (EventType<?> type : types) {
        eventTypes.add(Objects.requireNonNull(type, "type"));
      }
      return this;
    }

    /**
     * How payloads are checked against the document's payload schemas (default {@link ValidationMode#ENFORCE}:
     * invalid payloads are refused on publish and dead-lettered on receive).
     */
    public Builder validation(ValidationMode mode) {
      this.validation = Objects.requireNonNull(mode, "mode");
      return this;
    }

    /**
     * How many times a handler gets an event before it goes to dead letters (default 5, at least 1), with the
     * default backoff. Shorthand for {@code retry(RetryPolicy.attempts(maxAttempts))}.
     */
    public Builder maxAttempts(int maxAttempts) {
      return retry(RetryPolicy.attempts(maxAttempts));
    }

    /**
     * The retry policy of every subscription, before the document's {@code x-omnibus-retry-*} options of a channel or
     * its receive operation. Default {@link RetryPolicy#defaults()}.
     */
    public Builder retry(RetryPolicy policy) {
      this.retry = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** The retry policy of one consumer group, before everything else. */
    public Builder retry(String group, RetryPolicy policy) {
      groupRetry.put(Objects.requireNonNull(group, "group"), Objects.requireNonNull(policy, "policy"));
      return this;
    }

    /**
     * How many handlers of each subscription may run at once (default 1), before the document's
     * {@code x-omnibus-concurrency} of a channel or its receive operation. Events of one key ({@code partitionkey},
     * else {@code subject}) are still handled one at a time, in the order published; events without a key in any
     * order. A failing event is retried holding only its key's lane, so other keys go on. Where the binding cannot
     * settle deliveries out of order, handlers run one at a time and the bus logs a warning (see
     * {@link TransportCapabilities.Feature#CONCURRENT_SETTLE}).
     *
     * @throws IllegalArgumentException unless {@code 1 <= concurrency <= 1024}
     */
    public Builder concurrency(int concurrency) {
      this.concurrency = checkConcurrency(concurrency);
      return this;
    }

    /** The concurrency of one consumer group, before everything else; see {@link #concurrency(int)}. */
    public Builder concurrency(String group, int concurrency) {
      groupConcurrency.put(Objects.requireNonNull(group, "group"), checkConcurrency(concurrency));
      return this;
    }

    private static int checkConcurrency(int concurrency) {
      if (concurrency < 1 || concurrency > DefaultEventBus.MAX_CONCURRENCY) {
        throw new IllegalArgumentException("concurrency must be from 1 to " + DefaultEventBus.MAX_CONCURRENCY
            + ", was " + concurrency);
      }
      return concurrency;
    }

    /**
     * Measures the waits between attempts with this timer instead of real time; for tests, so that a retry policy with
     * long backoffs is exercised without waiting (the test kit's {@code TestClock}). Closing the bus still cuts a
     * wait short.
     */
    public Builder backoff(RetryPolicy.Timer timer) {
      this.backoffTimer = Objects.requireNonNull(timer, "timer");
      return this;
    }

    /**
     * Whether a {@link Responder} that throws sends an error reply (the default), which fails the request at once with
     * {@link RemoteFailureException}; with {@code false} the request is retried and dead-lettered like a failed event,
     * and its requester times out.
     */
    public Builder replyOnFailure(boolean replyOnFailure) {
      this.replyOnFailure = replyOnFailure;
      return this;
    }

    /**
     * Skips events a group already handled (same {@code source} and {@code id}) within the store's memory, so that
     * handlers see a redelivered duplicate once. Off by default.
     */
    public Builder dedupe(DedupeStore store) {
      this.dedupe = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Dedupes in memory within a window, remembering at most 100,000 events: {@link DedupeStore#inMemory}. */
    public Builder dedupe(Duration window) {
      return dedupe(DedupeStore.inMemory(100_000, window));
    }

    /** How long {@link EventBus#close()} may take (default 10 s). */
    public Builder closeTimeout(Duration closeTimeout) {
      if (closeTimeout.isNegative()) {
        throw new IllegalArgumentException("closeTimeout must not be negative");
      }
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** Reads {@code OMNIBUS_*} settings from this function instead of the process environment; for tests. */
    public Builder environment(Function<String, @Nullable String> environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /**
     * Builds the bus: resolves the server and channels, finds the transport and opens it.
     *
     * @throws ConfigurationException listing every problem found, each with its document path
     */
    public EventBus build() {
      return DefaultEventBus.build(this);
    }
  }
}
