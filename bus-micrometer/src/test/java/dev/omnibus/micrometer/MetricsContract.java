package dev.omnibus.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.RetryPolicy;
import dev.omnibus.ValidationException;
import dev.omnibus.ValidationMode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link OmnibusMetrics} records, on one binding: each {@code *MetricsTest} runs it on its broker with a
 * {@link SimpleMeterRegistry}.
 */
abstract class MetricsContract {

  record Order(String id, long total) {}

  static final Duration WAIT = Duration.ofSeconds(60);
  static final String GROUP = "billing";
  static final EventType<Order> PLACED = EventType.of("com.example.order.placed", Order.class)
      .channel("orders").subject(Order::id);

  /** The tag keys a meter may carry: never an event's id, subject or address. */
  private static final Set<String> LOW_CARDINALITY_KEYS = Set.of(OmnibusMetrics.SYSTEM, OmnibusMetrics.DESTINATION,
      OmnibusMetrics.GROUP, OmnibusMetrics.ERROR_TYPE, OmnibusMetrics.OPERATION_TYPE, "messaging.operation.name",
      OmnibusMetrics.PUBLISH_KIND, OmnibusMetrics.DEAD_LETTER_REASON);

  @TempDir
  Path dir;

  private final TestBroker broker = broker();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final List<EventBus> buses = new ArrayList<>();
  private final List<String[]> consumers = new ArrayList<>();
  private String orders = "";
  private Path document = Path.of("");

  /** The binding under test. */
  abstract TestBroker broker();

  @BeforeEach
  void freshAddresses() throws IOException {
    broker.assumeReachable();
    orders = broker.address("orders");
    document = broker.document(dir, orders, broker.address("shipments"));
  }

  @AfterEach
  void closeBusesAndForgetQueues() {
    buses.forEach(EventBus::close);
    for (String[] consumer : consumers) {
      broker.forget(consumer[0], consumer[1], consumer[2]);
    }
  }

  /** A bus on the broker with the metrics interceptor, and validation as the document says. */
  EventBus bus(UnaryOperator<EventBus.Builder> settings) {
    EventBus bus = settings.apply(broker.configure(EventBus.builder().asyncApi(document))
        .intercept(OmnibusMetrics.of(registry))).build();
    buses.add(bus);
    consumers.add(new String[] {orders, GROUP, bus.deadLetterAddress("orders", GROUP)});
    return bus;
  }

  EventBus bus() {
    return bus(builder -> builder);
  }

  static void join(java.util.concurrent.CompletionStage<?> stage) {
    stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  String[] consumerTags(String... more) {
    List<String> tags = new ArrayList<>(List.of(OmnibusMetrics.SYSTEM, broker.system(), OmnibusMetrics.DESTINATION,
        "orders", OmnibusMetrics.GROUP, GROUP));
    tags.addAll(List.of(more));
    return tags.toArray(String[]::new);
  }

  double count(String name, String... tags) {
    return registry.find(name).tags(tags).counters().stream().mapToDouble(Counter::count).sum();
  }

  long timed(String name, String... tags) {
    return registry.find(name).tags(tags).timers().stream().mapToLong(Timer::count).sum();
  }

  void awaitCount(String name, double expected, String... tags) {
    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(count(name, tags)).isEqualTo(expected));
  }

  void awaitTimed(String name, long expected, String... tags) {
    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(timed(name, tags)).isEqualTo(expected));
  }

  @Test
  void publishesAreTimedUntilTheBrokerConfirmedThem() {
    EventBus bus = bus();
    for (int i = 0; i < 3; i++) {
      join(bus.publish(PLACED, new Order("o-" + i, 10)));
    }
    Timer timer = registry.get(OmnibusMetrics.PUBLISH_DURATION).tags(OmnibusMetrics.SYSTEM, broker.system(),
        OmnibusMetrics.DESTINATION, "orders", OmnibusMetrics.PUBLISH_KIND, "event").timer();
    assertThat(timer.count()).isEqualTo(3);
    assertThat(timer.totalTime(TimeUnit.NANOSECONDS)).isPositive();
  }

  @Test
  void handledEventsAreCountedAsReceivedAndTimed() {
    EventBus bus = bus();
    bus.subscribe(PLACED, GROUP, event -> { });
    join(bus.publish(PLACED, new Order("o-1", 10)));
    join(bus.publish(PLACED, new Order("o-2", 20)));
    awaitTimed(OmnibusMetrics.PROCESS_DURATION, 2, consumerTags());
    assertThat(count(OmnibusMetrics.RECEIVED, consumerTags())).isEqualTo(2);
    assertThat(count(OmnibusMetrics.HANDLER_FAILURES)).isZero();
  }

  @Test
  void aFailingHandlerCountsItsFailedAttemptsRetriesAndOneDeadLetter() {
    EventBus bus = bus(builder -> builder.retry(
        RetryPolicy.attempts(3).backoff(Duration.ofMillis(10), Duration.ofMillis(10), 1.0)));
    bus.subscribe(PLACED, GROUP, event -> {
      throw new IllegalStateException("payment service down");
    });
    join(bus.publish(PLACED, new Order("o-1", 10)));
    awaitCount(OmnibusMetrics.DEAD_LETTERS, 1, consumerTags(OmnibusMetrics.DEAD_LETTER_REASON, "exhausted"));
    assertThat(count(OmnibusMetrics.HANDLER_FAILURES,
        consumerTags(OmnibusMetrics.ERROR_TYPE, IllegalStateException.class.getName()))).isEqualTo(3);
    assertThat(count(OmnibusMetrics.RETRIES, consumerTags())).isEqualTo(2);
    assertThat(count(OmnibusMetrics.RECEIVED, consumerTags())).isEqualTo(3);
    assertThat(timed(OmnibusMetrics.PROCESS_DURATION)).isZero();
    awaitTimed(OmnibusMetrics.PUBLISH_DURATION, 1, OmnibusMetrics.PUBLISH_KIND, "dead_letter");
  }

  @Test
  void aBatchHandlersEventsAreCountedOneByOne() {
    EventBus bus = bus(builder -> builder.retry(
        RetryPolicy.attempts(2).backoff(Duration.ofMillis(10), Duration.ofMillis(10), 1.0)));
    bus.subscribeBatch(PLACED, GROUP, 10, Duration.ofMillis(50), batch -> {
      for (Event<Order> event : batch.events()) {
        if (event.data().id().equals("bad")) {
          batch.fail(event, new IllegalStateException("rejected"));
        }
      }
    });
    join(bus.publish(PLACED, new Order("o-1", 10)));
    join(bus.publish(PLACED, new Order("bad", 10)));
    join(bus.publish(PLACED, new Order("o-2", 10)));
    awaitCount(OmnibusMetrics.DEAD_LETTERS, 1, consumerTags(OmnibusMetrics.DEAD_LETTER_REASON, "exhausted"));
    // o-1 and o-2 handled; bad retried once, then dead-lettered: four outcomes, each counted as received.
    awaitCount(OmnibusMetrics.RECEIVED, 4, consumerTags());
    assertThat(count(OmnibusMetrics.HANDLER_FAILURES,
        consumerTags(OmnibusMetrics.ERROR_TYPE, IllegalStateException.class.getName()))).isEqualTo(2);
    assertThat(count(OmnibusMetrics.RETRIES, consumerTags())).isEqualTo(1);
  }

  @Test
  void anEventHandledAlreadyIsCountedAsADuplicate() {
    EventBus bus = bus(builder -> builder.dedupe(Duration.ofMinutes(5)));
    bus.subscribe(PLACED, GROUP, event -> { });
    Event<Order> event = PLACED.event(new Order("o-1", 10)).id("order-event-1").build();
    join(bus.publish(event));
    awaitTimed(OmnibusMetrics.PROCESS_DURATION, 1, consumerTags());
    join(bus.publish(event));
    awaitCount(OmnibusMetrics.DUPLICATES, 1, consumerTags());
    assertThat(timed(OmnibusMetrics.PROCESS_DURATION, consumerTags())).isEqualTo(1);
  }

  @Test
  void anInvalidPublishIsCountedAsRefusedByValidation() {
    EventBus bus = bus(builder -> builder.validation(ValidationMode.ENFORCE));
    assertThatThrownBy(() -> join(bus.publish(PLACED, new Order("o-1", -5))))
        .isInstanceOf(CompletionException.class).hasCauseInstanceOf(ValidationException.class);
    assertThat(count(OmnibusMetrics.VALIDATION_REFUSALS, OmnibusMetrics.SYSTEM, broker.system(),
        OmnibusMetrics.DESTINATION, "orders", OmnibusMetrics.OPERATION_TYPE, "send")).isEqualTo(1);
    assertThat(count(OmnibusMetrics.PUBLISH_FAILURES, OmnibusMetrics.ERROR_TYPE,
        ValidationException.class.getName())).isEqualTo(1);
    assertThat(timed(OmnibusMetrics.PUBLISH_DURATION)).isZero();
  }

  @Test
  void anInvalidReceivedEventIsCountedAsRefusedAndDeadLetteredAsInvalid() {
    EventBus consumer = bus(builder -> builder.validation(ValidationMode.ENFORCE));
    consumer.subscribe(PLACED, GROUP, event -> { });
    EventBus careless = bus(builder -> builder.validation(ValidationMode.OFF));
    join(careless.publish(PLACED, new Order("o-1", -5)));
    awaitCount(OmnibusMetrics.VALIDATION_REFUSALS, 1, consumerTags(OmnibusMetrics.OPERATION_TYPE, "process"));
    assertThat(count(OmnibusMetrics.DEAD_LETTERS, consumerTags(OmnibusMetrics.DEAD_LETTER_REASON, "invalid")))
        .isEqualTo(1);
  }

  @Test
  void runningHandlersAreGauged() throws InterruptedException {
    EventBus bus = bus();
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    bus.subscribe(PLACED, GROUP, event -> {
      started.countDown();
      release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
    });
    join(bus.publish(PLACED, new Order("o-1", 10)));
    assertThat(started.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    Gauge active = registry.get(OmnibusMetrics.ACTIVE_HANDLERS).tags(consumerTags()).gauge();
    assertThat(active.value()).isEqualTo(1);
    release.countDown();
    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(active.value()).isZero());
  }

  @Test
  void lagIsMeasuredFromTheEventTimeToTheStartOfItsHandling() {
    EventBus bus = bus();
    bus.subscribe(PLACED, GROUP, event -> { });
    OffsetDateTime fiveSecondsAgo = OffsetDateTime.now(ZoneOffset.UTC).minusSeconds(5);
    join(bus.publish(PLACED.event(new Order("o-1", 10)).time(fiveSecondsAgo).build()));
    awaitTimed(OmnibusMetrics.LAG, 1, consumerTags());
    Timer lag = registry.get(OmnibusMetrics.LAG).tags(consumerTags()).timer();
    assertThat(lag.max(TimeUnit.MILLISECONDS)).isBetween(5_000.0, 5_000.0 + WAIT.toMillis());
  }

  @Test
  void everyTagIsOfLowCardinalityAndNamesTheBinding() {
    EventBus bus = bus(builder -> builder.maxAttempts(1));
    Set<String> eventValues = new HashSet<>(List.of("id-42", "subject-42", orders));
    bus.subscribe(PLACED, GROUP, event -> {
      throw new IllegalStateException("refused");
    });
    join(bus.publish(PLACED.event(new Order("subject-42", 1)).id("id-42").build()));
    awaitCount(OmnibusMetrics.DEAD_LETTERS, 1, consumerTags());
    awaitTimed(OmnibusMetrics.PUBLISH_DURATION, 1, OmnibusMetrics.PUBLISH_KIND, "dead_letter");
    assertThat(registry.getMeters()).isNotEmpty().allSatisfy(meter -> {
      List<Tag> tags = meter.getId().getTags();
      assertThat(tags).extracting(Tag::getKey).isSubsetOf(LOW_CARDINALITY_KEYS);
      assertThat(tags).extracting(Tag::getValue).doesNotContainAnyElementsOf(eventValues);
      assertThat(tag(meter, OmnibusMetrics.SYSTEM)).isEqualTo(broker.system());
    });
  }

  private static @Nullable String tag(Meter meter, String key) {
    return meter.getId().getTag(key);
  }
}
