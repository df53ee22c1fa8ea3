package dev.omnibus.micrometer;

import dev.omnibus.EventBus;
import dev.omnibus.Interceptor;
import dev.omnibus.ValidationException;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;
import org.jspecify.annotations.Nullable;

/**
 * Records what a bus does as Micrometer meters: events published (with the broker-confirm latency), received, handled
 * (with the handling time), failed attempts, retries, dead letters by reason, duplicates, validation refusals, handlers
 * running, and the lag from an event's CloudEvents {@code time} to the start of its handling.
 *
 * <pre>{@code
 * MeterRegistry registry = new SimpleMeterRegistry(); // or a PrometheusMeterRegistry, an OtlpMeterRegistry...
 * EventBus bus = EventBus.builder()
 *     .asyncApi("asyncapi.yaml")
 *     .intercept(OmnibusMetrics.of(registry))
 *     .build();
 * }</pre>
 *
 * <p>Names and tags follow the OpenTelemetry messaging semantic conventions where they define one
 * ({@value #PUBLISH_DURATION}, {@value #RECEIVED}, {@value #PROCESS_DURATION}; tags {@value #SYSTEM},
 * {@value #DESTINATION}, {@value #GROUP}, {@value #ERROR_TYPE}) and are prefixed {@code omnibus.} where they do not.
 * Every tag is of low cardinality: the destination is the channel id (a parametrized channel's address is not), never
 * an event's id, subject or address. docs/observability.md describes each meter.
 *
 * <p>Register it first (outermost), so that it sees what the other interceptors refuse, e.g. payload validation. One
 * instance may serve several buses, each tagged with its own binding. Thread-safe.
 */
public final class OmnibusMetrics implements Interceptor {

  /** Timer: publishes the broker confirmed, from the call to the confirmation (semantic conventions' name). */
  public static final String PUBLISH_DURATION = "messaging.client.operation.duration";
  /** Counter: publishes that failed or were refused, by {@value #ERROR_TYPE}. */
  public static final String PUBLISH_FAILURES = "omnibus.publish.failures";
  /** Counter: deliveries that reached the consumer, whatever became of them (semantic conventions' name). */
  public static final String RECEIVED = "messaging.client.consumed.messages";
  /** Timer: handlings whose handler returned, from the start of the handling to its end (conventions' name). */
  public static final String PROCESS_DURATION = "messaging.process.duration";
  /** Counter: handler attempts that threw, by {@value #ERROR_TYPE}. */
  public static final String HANDLER_FAILURES = "omnibus.handler.failures";
  /** Counter: failed attempts given again after the retry policy's backoff. */
  public static final String RETRIES = "omnibus.retries";
  /** Counter: deliveries sent to dead letters, by {@value #DEAD_LETTER_REASON}. */
  public static final String DEAD_LETTERS = "omnibus.dead.letters";
  /** Counter: deliveries the consumer's dedupe store knew as handled already. */
  public static final String DUPLICATES = "omnibus.duplicates";
  /** Counter: events payload validation refused, on publish ({@code send}) or on receipt ({@code process}). */
  public static final String VALIDATION_REFUSALS = "omnibus.validation.refusals";
  /**
   * Function counter: what became of a bus's requests and of replies nobody waited for, by
   * {@value #REQUEST_OUTCOME} ({@link #bindRequests}).
   */
  public static final String REQUESTS = "omnibus.requests";
  /** Gauge: a bus's requests waiting for their reply now ({@link #bindRequests}). */
  public static final String REQUESTS_PENDING = "omnibus.requests.pending";
  /**
   * Tag of {@link #REQUESTS}: {@code sent}, {@code replied}, {@code failed} (an error reply), {@code timed_out},
   * {@code late}, {@code duplicate} or {@code orphan} (replies dropped).
   */
  public static final String REQUEST_OUTCOME = "omnibus.request.outcome";
  /** Gauge: handlings running now. */
  public static final String ACTIVE_HANDLERS = "omnibus.handlers.active";
  /** Timer: from the event's CloudEvents {@code time} to the start of its handling (events without a time skip it). */
  public static final String LAG = "omnibus.consumer.lag";

  /** Tag: the broker, {@code kafka}, {@code rabbitmq}, {@code mqtt}, {@code memory}. */
  public static final String SYSTEM = "messaging.system";
  /** Tag: the channel id. */
  public static final String DESTINATION = "messaging.destination.name";
  /** Tag: the consumer group, empty for an anonymous subscription and on publish. */
  public static final String GROUP = "messaging.consumer.group.name";
  /** Tag: the exception's class name. */
  public static final String ERROR_TYPE = "error.type";
  /** Tag: {@code send} (publish) or {@code process} (handling). */
  public static final String OPERATION_TYPE = "messaging.operation.type";
  /** Tag: what a publish is, {@code event}, {@code dead_letter} or {@code replay}. */
  public static final String PUBLISH_KIND = "omnibus.publish.kind";
  /** Tag: why a delivery was dead-lettered, {@code malformed}, {@code invalid}, {@code exhausted}... */
  public static final String DEAD_LETTER_REASON = "omnibus.dead_letter.reason";

  private final MeterRegistry registry;
  private final Clock clock;
  private final Map<PublishKey, PublishMeters> publishMeters = new ConcurrentHashMap<>();
  private final Map<ConsumerKey, ConsumerMeters> consumerMeters = new ConcurrentHashMap<>();
  /**
   * The time of the handling this thread ran last, until its outcome is told: the handling time is recorded as a
   * handled event's only once the bus says the handler ran and returned (a duplicate or a refusal also returns).
   */
  private final ThreadLocal<long[]> lastHandling = ThreadLocal.withInitial(() -> new long[] {-1});

  private OmnibusMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.clock = registry.config().clock();
  }

  /** Metrics recorded in the given registry. */
  public static OmnibusMetrics of(MeterRegistry registry) {
    return new OmnibusMetrics(Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Also meters a bus's request/reply ({@link EventBus#requestStats()}): {@value #REQUESTS} by
   * {@value #REQUEST_OUTCOME} and {@value #REQUESTS_PENDING}, tagged with the bus's messaging system and server name.
   * The meters read the bus when the registry is scraped; they hold it weakly, so a closed and forgotten bus is not
   * kept alive by them.
   *
   * @param bus the bus, built with this interceptor or not
   * @return this
   */
  public OmnibusMetrics bindRequests(EventBus bus) {
    Objects.requireNonNull(bus, "bus");
    Tags tags = Tags.of(SYSTEM, system(bus.server().protocol()), "omnibus.server", bus.server().name());
    Map<String, ToDoubleFunction<EventBus>> outcomes = Map.of(
        "sent", b -> b.requestStats().sent(),
        "replied", b -> b.requestStats().replied(),
        "failed", b -> b.requestStats().failed(),
        "timed_out", b -> b.requestStats().timedOut(),
        "late", b -> b.requestStats().late(),
        "duplicate", b -> b.requestStats().duplicate(),
        "orphan", b -> b.requestStats().orphan());
    outcomes.forEach((outcome, count) -> FunctionCounter.builder(REQUESTS, bus, count)
        .description("Requests by what became of them, and replies dropped").tags(tags.and(REQUEST_OUTCOME, outcome))
        .register(registry));
    Gauge.builder(REQUESTS_PENDING, bus, b -> b.requestStats().pending())
        .description("Requests waiting for their reply").tags(tags).register(registry);
    return this;
  }

  @Override
  public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
    PublishMeters meters = publishMeters.computeIfAbsent(
        new PublishKey(publishing.server().protocol(), publishing.channel(), publishing.kind()),
        PublishMeters::new);
    long start = clock.monotonicTime();
    CompletionStage<Void> sent;
    try {
      sent = next.proceed(publishing);
    } catch (RuntimeException e) {
      meters.failed(e);
      throw e;
    }
    return sent.whenComplete((ignored, failure) -> {
      if (failure == null) {
        meters.duration.record(clock.monotonicTime() - start, TimeUnit.NANOSECONDS);
      } else {
        meters.failed(failure);
      }
    });
  }

  @Override
  public void aroundHandle(Handling handling, HandleChain next) throws Exception {
    ConsumerMeters meters = consumer(handling.server().protocol(), handling.channel(), handling.group());
    OffsetDateTime time = handling.event().getTime();
    if (time != null) {
      long lagMillis = clock.wallTime() - time.toInstant().toEpochMilli();
      meters.lag.record(Math.max(0, lagMillis), TimeUnit.MILLISECONDS);
    }
    meters.active.incrementAndGet();
    long start = clock.monotonicTime();
    try {
      next.proceed(handling);
    } finally {
      meters.active.decrementAndGet();
      lastHandling.get()[0] = clock.monotonicTime() - start;
    }
  }

  @Override
  public void onOutcome(Outcome outcome) {
    long[] last = lastHandling.get();
    long took = last[0];
    last[0] = -1;
    ConsumerMeters meters = consumer(outcome.server().protocol(), outcome.channel(), outcome.group());
    meters.received.increment();
    switch (outcome.result()) {
      case HANDLED -> {
        if (took >= 0) {
          meters.processDuration.record(took, TimeUnit.NANOSECONDS);
        }
      }
      case DUPLICATE -> meters.duplicates.increment();
      case RETRIED -> meters.retries.increment();
      case DEAD_LETTERED -> {
        Reason reason = outcome.reason();
        String why = reason == null ? "unknown" : reason.name().toLowerCase(Locale.ROOT);
        registry.counter(DEAD_LETTERS, meters.tags.and(DEAD_LETTER_REASON, why)).increment();
        if (reason == Reason.INVALID) {
          meters.receiveRefusals.increment();
        }
      }
      default -> {
        // SKIPPED and REQUEUED count as received only.
      }
    }
    if (outcome.handlerFailed()) {
      registry.counter(HANDLER_FAILURES, meters.tags.and(ERROR_TYPE, errorType(outcome.error()))).increment();
    }
  }

  private ConsumerMeters consumer(String protocol, String channel, @Nullable String group) {
    return consumerMeters.computeIfAbsent(new ConsumerKey(protocol, channel, group), ConsumerMeters::new);
  }

  /**
   * The {@value #SYSTEM} of a server protocol: the semantic conventions' name of the broker ({@code amqp} is served by
   * the RabbitMQ binding); a protocol of another binding is its own name.
   */
  static String system(String protocol) {
    return switch (protocol) {
      case "kafka", "kafka-secure" -> "kafka";
      case "amqp", "amqps" -> "rabbitmq";
      case "mqtt", "mqtts", "secure-mqtt", "ws", "wss" -> "mqtt";
      default -> protocol;
    };
  }

  private static String errorType(@Nullable Throwable error) {
    Throwable cause = unwrap(error);
    return cause == null ? "unknown" : cause.getClass().getName();
  }

  private static @Nullable Throwable unwrap(@Nullable Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private record PublishKey(String protocol, String channel, Kind kind) {}

  private record ConsumerKey(String protocol, String channel, @Nullable String group) {}

  /** The meters of one kind of publish to one channel of one binding, looked up once. */
  private final class PublishMeters {
    final String system;
    final String channel;
    final Tags tags;
    final Timer duration;

    PublishMeters(PublishKey key) {
      system = system(key.protocol());
      channel = key.channel();
      tags = Tags.of(SYSTEM, system, DESTINATION, channel,
          PUBLISH_KIND, key.kind().name().toLowerCase(Locale.ROOT));
      duration = Timer.builder(PUBLISH_DURATION)
          .description("Publishes the broker confirmed, from the call to the confirmation")
          .tags(tags.and("messaging.operation.name", "send", OPERATION_TYPE, "send"))
          .register(registry);
    }

    void failed(Throwable failure) {
      Throwable cause = unwrap(failure);
      registry.counter(PUBLISH_FAILURES, tags.and(ERROR_TYPE, errorType(cause))).increment();
      if (cause instanceof ValidationException) {
        registry.counter(VALIDATION_REFUSALS, Tags.of(SYSTEM, system, DESTINATION, channel, GROUP, "",
            OPERATION_TYPE, "send")).increment();
      }
    }
  }

  /** The meters of one consumer (channel and group) of one binding, looked up once. */
  private final class ConsumerMeters {
    final Tags tags;
    final Counter received;
    final Timer processDuration;
    final Counter retries;
    final Counter duplicates;
    final Counter receiveRefusals;
    final Timer lag;
    final AtomicInteger active = new AtomicInteger();

    ConsumerMeters(ConsumerKey key) {
      tags = Tags.of(SYSTEM, system(key.protocol()), DESTINATION, key.channel(),
          GROUP, key.group() == null ? "" : key.group());
      received = Counter.builder(RECEIVED).description("Deliveries that reached the consumer").tags(tags)
          .register(registry);
      processDuration = Timer.builder(PROCESS_DURATION).description("Handlings whose handler returned")
          .tags(tags).register(registry);
      retries = Counter.builder(RETRIES).description("Failed attempts given again").tags(tags).register(registry);
      duplicates = Counter.builder(DUPLICATES).description("Deliveries known as handled already").tags(tags)
          .register(registry);
      receiveRefusals = Counter.builder(VALIDATION_REFUSALS).description("Events payload validation refused")
          .tags(tags.and(OPERATION_TYPE, "process")).register(registry);
      lag = Timer.builder(LAG).description("From the event's time to the start of its handling").tags(tags)
          .register(registry);
      Gauge.builder(ACTIVE_HANDLERS, active, AtomicInteger::get).description("Handlings running now").tags(tags)
          .register(registry);
    }
  }
}
