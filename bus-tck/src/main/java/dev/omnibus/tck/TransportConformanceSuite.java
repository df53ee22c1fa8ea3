package dev.omnibus.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.omnibus.ConfigurationException;
import dev.omnibus.Event;
import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.Interceptor;
import dev.omnibus.RemoteFailureException;
import dev.omnibus.RequestStats;
import dev.omnibus.RequestTimeoutException;
import dev.omnibus.RetryPolicy;
import dev.omnibus.SerializationException;
import dev.omnibus.Subscription;
import dev.omnibus.TransportClosedException;
import dev.omnibus.ValidationException;
import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Destination;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportCapabilities;
import dev.omnibus.spi.TransportCapabilities.Feature;
import dev.omnibus.spi.TransportProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The conformance suite every binding runs: extend it in a {@code *ConformanceTest} class and say how to build a bus
 * on your broker.
 *
 * <pre>{@code
 * class KafkaConformanceTest extends TransportConformanceSuite {
 *   @Override
 *   protected EventBus.Builder newBus() {
 *     return EventBus.builder().server(ServerConfig.of("tck", "kafka", kafka.bootstrapServers()));
 *   }
 * }
 * }</pre>
 *
 * <p>Each scenario uses channels of its own (unique addresses), builds the buses it needs (each bus stands for one
 * service) and closes them afterwards. A scenario needing a capability the binding does not declare is skipped with
 * the reason, never passed. Failures list the missing and the extra event ids.
 */
public abstract class TransportConformanceSuite {

  /** How long a scenario waits for events to arrive; brokers on shared 2-core machines need slack. */
  protected static final Duration WAIT = Duration.ofSeconds(60);

  private static final EventType<String> TEXT = EventType.of("dev.omnibus.tck.text", String.class);
  private static final EventType<byte[]> BYTES = EventType.of("dev.omnibus.tck.bytes", byte[].class);
  private static final EventType<Order> ORDER = EventType.of("dev.omnibus.tck.order", Order.class)
      .subject(Order::orderId);

  /** A JSON payload with the shapes users send: text, numbers, lists, nested records, java.time, enums. */
  public record Order(String orderId, long totalMinor, List<Line> lines, Instant placedAt, Status status) {}

  /** A nested record. */
  public record Line(String sku, int quantity) {}

  /** An enum. */
  public enum Status {
    PLACED,
    PAID
  }

  private final List<EventBus> buses = new CopyOnWriteArrayList<>();
  private String testName = "test";
  private int channelCount;

  /**
   * A builder configured for the binding under test: its server (and transport, if not found by ServiceLoader).
   * Called once for each bus a scenario needs.
   */
  protected abstract EventBus.Builder newBus();

  /**
   * Declares a channel on a builder. Override to add channel bindings for a variant (e.g. an AMQP {@code is: queue}
   * channel); the default declares the address alone.
   */
  protected EventBus.Builder withChannel(EventBus.Builder builder, String channelId, String address) {
    return builder.channel(channelId, address);
  }

  /**
   * Declares a channel reading a dead letter address. The default is {@link #withChannel}; override when the bindings
   * that adds do not fit a dead letter address (a Kafka topic binding naming another topic).
   */
  protected EventBus.Builder withDeadLetterChannel(EventBus.Builder builder, String channelId, String address) {
    return withChannel(builder, channelId, address);
  }

  private EventBus openDeadLetterReader(EventBus consumer, String group, List<io.cloudevents.CloudEvent> sink) {
    String address = consumer.deadLetterAddress("c", group);
    EventBus reader = openBus(Map.of(), b -> withDeadLetterChannel(b, "dead", address));
    reader.subscribe("dead", "reader", sink::add);
    return reader;
  }

  /**
   * The capabilities of the binding under test for a channel declared with {@link #withChannel}, as the bus reports
   * them ({@link EventBus#capabilities(String)}): a variant whose channels can do less than the binding in general (a
   * RabbitMQ {@code is: queue} channel has no separate groups) has its scenarios gated on what its channels can do.
   */
  protected TransportCapabilities capabilities() {
    return openBus("c", uniqueAddress()).capabilities("c");
  }

  /**
   * What separates the levels of an address on this broker, so that a {@code {param}} segment is a whole level:
   * {@code "."} by default (AMQP topics, Kafka patterns, memory); override with {@code "/"} for MQTT.
   */
  protected String levelSeparator() {
    return ".";
  }

  @BeforeEach
  void rememberTestName(TestInfo info) {
    testName = info.getTestMethod().map(m -> m.getName()).orElse("test")
        .replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT);
  }

  @AfterEach
  void closeBuses() {
    for (EventBus bus : buses) {
      bus.close();
    }
    buses.clear();
  }

  /** A unique address for a channel of this scenario: lower-case letters, digits and dots. */
  protected String uniqueAddress() {
    channelCount++;
    String random = Long.toString(Math.abs(new Random().nextLong()), 36);
    String name = testName.length() > 40 ? testName.substring(0, 40) : testName;
    return "tck." + name + "." + random + "." + channelCount;
  }

  /** Builds a bus with the given channels (channel id → address) and options. */
  protected EventBus openBus(Map<String, String> channels, java.util.function.UnaryOperator<EventBus.Builder> more) {
    EventBus.Builder builder = newBus().source(URI.create("/tck/" + testName));
    for (Map.Entry<String, String> channel : channels.entrySet()) {
      builder = withChannel(builder, channel.getKey(), channel.getValue());
    }
    EventBus bus = more.apply(builder).build();
    buses.add(bus);
    return bus;
  }

  private EventBus openBus(java.util.function.UnaryOperator<EventBus.Builder> more) {
    return openBus(Map.of(), more);
  }

  private EventBus openBus(String channelId, String address) {
    return openBus(Map.of(channelId, address), b -> b);
  }

  private void requires(Feature feature, String why) {
    assumeThat(capabilities().supports(feature))
        .as("%s not supported by this binding: %s", feature, why)
        .isTrue();
  }

  private static List<String> publishTexts(EventBus bus, EventType<String> type, int count, String prefix) {
    List<CompletableFuture<Void>> sent = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Event<String> event = type.event(prefix + i).build();
      ids.add(event.id());
      sent.add(bus.publish(event).toCompletableFuture());
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
        .join();
    return ids;
  }

  private static <T> void join(java.util.concurrent.CompletionStage<T> stage) {
    stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  @Nested
  @DisplayName("publish and subscribe")
  class PublishSubscribe {

    @Test
    void aTypedJsonPayloadArrivesAsPublished() {
      String address = uniqueAddress();
      EventType<Order> type = ORDER.channel("orders");
      EventBus bus = openBus("orders", address);
      Received<Order> received = new Received<>();
      bus.subscribe(type, "g", received::add);
      Order order = new Order("o-1", 4599, List.of(new Line("sku-1", 2), new Line("sku-2", 1)),
          Instant.parse("2026-11-22T10:15:30.123Z"), Status.PAID);
      Event<Order> event = type.event(order).build();
      join(bus.publish(event));

      received.awaitAll(List.of(event.id()), WAIT);
      Event<Order> got = received.events().get(0);
      assertThat(got.data()).isEqualTo(order);
      assertThat(got.subject()).isEqualTo("o-1");
      assertThat(got.dataContentType()).isEqualTo("application/json");
      assertThat(got.type()).isEqualTo("dev.omnibus.tck.order");
    }

    @Test
    void concurrentPublishersLoseNothing() throws Exception {
      EventType<String> type = TEXT.channel("c");
      EventBus bus = openBus("c", uniqueAddress());
      Received<String> received = new Received<>();
      bus.subscribe(type, "g", received::add);
      ExecutorService publishers = Executors.newFixedThreadPool(4);
      try {
        List<CompletableFuture<List<String>>> batches = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
          int publisher = p;
          batches.add(CompletableFuture.supplyAsync(() -> publishTexts(bus, type, 250, "p" + publisher + "-"),
              publishers));
        }
        Set<String> ids = new HashSet<>();
        for (CompletableFuture<List<String>> batch : batches) {
          ids.addAll(batch.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        }
        received.awaitAll(ids, WAIT);
      } finally {
        publishers.shutdownNow();
      }
    }

    @Test
    void manyChannelsAtOnceEachGetTheirOwnEvents() {
      int channels = 8;
      Map<String, String> addresses = new HashMap<>();
      for (int c = 0; c < channels; c++) {
        addresses.put("c" + c, uniqueAddress());
      }
      EventBus bus = openBus(addresses, b -> b);
      Map<String, Received<String>> received = new HashMap<>();
      for (int c = 0; c < channels; c++) {
        Received<String> r = new Received<>();
        received.put("c" + c, r);
        bus.subscribe(TEXT.channel("c" + c), "g", r::add);
      }
      Map<String, List<String>> sent = new HashMap<>();
      for (int c = 0; c < channels; c++) {
        sent.put("c" + c, publishTexts(bus, TEXT.channel("c" + c), 20, "c" + c + "-"));
      }
      for (int c = 0; c < channels; c++) {
        received.get("c" + c).awaitAll(sent.get("c" + c), WAIT);
      }
    }

    @Test
    void eventsOfOneChannelNeverReachAnother() {
      EventBus bus = openBus(Map.of("a", uniqueAddress(), "b", uniqueAddress()), x -> x);
      Received<String> onA = new Received<>();
      Received<String> onB = new Received<>();
      bus.subscribe(TEXT.channel("a"), "g", onA::add);
      bus.subscribe(TEXT.channel("b"), "g", onB::add);
      List<String> toA = publishTexts(bus, TEXT.channel("a"), 10, "a");
      List<String> toB = publishTexts(bus, TEXT.channel("b"), 10, "b");
      onA.awaitAll(toA, WAIT);
      onB.awaitAll(toB, WAIT);
    }

    @Test
    void anEventOfATypeNoHandlerTakesDoesNotStopTheOthers() {
      EventBus bus = openBus("c", uniqueAddress());
      Received<String> received = new Received<>();
      bus.subscribe(TEXT.channel("c"), "g", received::add);
      join(bus.publish(BYTES.channel("c"), new byte[] {1, 2, 3}));
      List<String> ids = publishTexts(bus, TEXT.channel("c"), 5, "t");
      received.awaitAll(ids, WAIT);
    }
  }

  @Nested
  @DisplayName("envelope fidelity")
  class EnvelopeFidelity {

    @Test
    void everyAttributeKindAndExtensionRoundTrips() {
      roundTripEveryAttributeKind(null);
    }

    @Test
    void everyAttributeKindRoundTripsInStructuredMode() {
      requires(Feature.STRUCTURED_MODE, "structured content mode is not offered");
      roundTripEveryAttributeKind(Mode.STRUCTURED);
    }

    private void roundTripEveryAttributeKind(Mode mode) {
      String address = uniqueAddress();
      EventBus bus = openBus(Map.of("c", address), b -> mode == null ? b : b.mode("c", mode));
      EventType<String> type = TEXT.channel("c");
      Received<String> received = new Received<>();
      bus.subscribe(type, "g", received::add);
      OffsetDateTime time = OffsetDateTime.of(2026, 11, 22, 10, 15, 30, 123_000_000, ZoneOffset.ofHours(2));
      Event<String> event = type.event("payload")
          .id("id-" + address)
          .source(URI.create("https://example.com/tck/source?x=1"))
          .subject("subject-1")
          .time(time)
          .dataSchema(URI.create("https://example.com/schemas/text.json"))
          .extension("astring", "text value")
          .extension("aninteger", 2147483647)
          .extension("anegative", -2147483648)
          .extension("aboolean", true)
          .extension("auri", URI.create("https://example.com/x"))
          .extension("atime", OffsetDateTime.of(2020, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC))
          .extension("abinary", new byte[] {(byte) 0xE0, (byte) 0xFF, 0x00, 0x44, (byte) 0xAA})
          .extension("partitionkey", "key-1")
          .build();
      join(bus.publish(event));

      received.awaitAll(List.of(event.id()), WAIT);
      Event<String> got = received.events().get(0);
      assertThat(got.id()).isEqualTo(event.id());
      assertThat(got.source()).isEqualTo(URI.create("https://example.com/tck/source?x=1"));
      assertThat(got.type()).isEqualTo("dev.omnibus.tck.text");
      assertThat(got.subject()).isEqualTo("subject-1");
      assertThat(got.time()).isNotNull();
      assertThat(got.time().toInstant()).isEqualTo(time.toInstant());
      assertThat(got.dataSchema()).isEqualTo(URI.create("https://example.com/schemas/text.json"));
      assertThat(got.dataContentType()).isEqualToIgnoringCase("text/plain; charset=utf-8");
      assertThat(got.data()).isEqualTo("payload");
      // Binary mode carries extension values as their canonical strings (STANDARDS.md §1.4); compare in that form.
      Map<String, String> canonical = new HashMap<>();
      got.extensions().forEach((name, value) -> canonical.put(name, EnvelopeCodec.canonicalString(value)));
      assertThat(canonical).containsEntry("astring", "text value")
          .containsEntry("aninteger", "2147483647")
          .containsEntry("anegative", "-2147483648")
          .containsEntry("aboolean", "true")
          .containsEntry("auri", "https://example.com/x")
          .containsEntry("abinary", "4P8ARKo=")
          .containsEntry("partitionkey", "key-1");
      assertThat(OffsetDateTime.parse(canonical.get("atime")).toInstant())
          .isEqualTo(Instant.parse("2020-01-02T03:04:05Z"));
    }

    @Test
    void anEventWithoutDataArrivesWithoutData() {
      EventBus bus = openBus("c", uniqueAddress());
      Received<String> received = new Received<>();
      bus.subscribe(TEXT.channel("c"), "g", received::add);
      Event<String> event = TEXT.channel("c").event(null).build();
      join(bus.publish(event));
      received.awaitAll(List.of(event.id()), WAIT);
      assertThat(received.events().get(0).data()).isNull();
      assertThat(received.events().get(0).dataContentType()).isNull();
    }

    @Test
    void oneMebibyteOfDataArrivesIntact() {
      int size = 1024 * 1024;
      int max = capabilities().maxMessageBytes();
      assumeThat(max == 0 || max >= size + 4096)
          .as("this binding carries at most %d bytes per message", max).isTrue();
      EventBus bus = openBus("c", uniqueAddress());
      Received<byte[]> received = new Received<>();
      bus.subscribe(BYTES.channel("c"), "g", received::add);
      byte[] data = new byte[size];
      new Random(42).nextBytes(data);
      Event<byte[]> event = BYTES.channel("c").event(data).build();
      join(bus.publish(event));
      received.awaitAll(List.of(event.id()), WAIT);
      assertThat(received.events().get(0).data()).isEqualTo(data);
    }

    @Test
    void nonAsciiTextSurvivesInDataSubjectAndExtensions() {
      EventBus bus = openBus("c", uniqueAddress());
      Received<String> received = new Received<>();
      bus.subscribe(TEXT.channel("c"), "g", received::add);
      String text = "Grüße, 日本語, emoji \uD83D\uDC4B, ελληνικά";
      Event<String> event = TEXT.channel("c").event(text).subject("sübject-日本").extension("note", "naïve €").build();
      join(bus.publish(event));
      received.awaitAll(List.of(event.id()), WAIT);
      Event<String> got = received.events().get(0);
      assertThat(got.data()).isEqualTo(text);
      assertThat(got.subject()).isEqualTo("sübject-日本");
      assertThat(got.extension("note")).hasToString("naïve €");
    }

    @Test
    void aPayloadThatCannotBeEncodedIsRefusedAndNothingIsSent() {
      EventBus bus = openBus("c", uniqueAddress());
      Received<String> received = new Received<>();
      bus.subscribe(TEXT.channel("c"), null, received::add);
      Event<String> invalid = TEXT.channel("c").event("x").extension("Not_Valid", "v").build();
      assertThatThrownBy(() -> join(bus.publish(invalid))).hasCauseInstanceOf(SerializationException.class);
      List<String> ids = publishTexts(bus, TEXT.channel("c"), 1, "after");
      received.awaitAll(ids, WAIT);
    }
  }

  @Nested
  @DisplayName("acknowledgement")
  class Acknowledgement {

    @Test
    void aFailedHandlerGetsTheEventAgain() {
      requires(Feature.REDELIVERY, "a nacked event is not delivered again");
      EventBus bus = openBus("c", uniqueAddress());
      Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
      Received<String> handled = new Received<>();
      bus.subscribe(TEXT.channel("c"), "g", event -> {
        if (calls.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet() == 1) {
          throw new IllegalStateException("first attempt fails");
        }
        handled.add(event);
      });
      List<String> ids = publishTexts(bus, TEXT.channel("c"), 10, "n");
      handled.awaitAll(ids, WAIT);
      assertThat(calls.values()).allSatisfy(count -> assertThat(count.get()).isGreaterThanOrEqualTo(2));
    }

    @Test
    void deliveryContinuesAfterAnEventFailsEveryAttempt() {
      requires(Feature.REDELIVERY, "a nacked event is not delivered again");
      EventBus bus = openBus(Map.of("c", uniqueAddress()), b -> b.maxAttempts(3));
      AtomicInteger poisonCalls = new AtomicInteger();
      Received<String> handled = new Received<>();
      bus.subscribe(TEXT.channel("c"), "g", event -> {
        if ("poison".equals(event.data())) {
          poisonCalls.incrementAndGet();
          throw new IllegalStateException("always fails");
        }
        handled.add(event);
      });
      join(bus.publish(TEXT.channel("c"), "poison"));
      List<String> ids = publishTexts(bus, TEXT.channel("c"), 20, "ok");
      handled.awaitAll(ids, WAIT);
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> poisonCalls.get() >= 3);
      assertThat(poisonCalls.get()).as("attempts for an event that always fails, with maxAttempts 3").isEqualTo(3);
    }

    @Test
    void anUndecodablePayloadDoesNotBlockTheSubscription() {
      EventBus bus = openBus("c", uniqueAddress());
      Received<Order> handled = new Received<>();
      bus.subscribe(ORDER.channel("c"), "g", handled::add);
      // Same CloudEvents type as ORDER, but text that is not an Order: the payload cannot be decoded.
      EventType<String> impostor = EventType.of(ORDER.type(), String.class).channel("c");
      join(bus.publish(impostor, "not json at all"));
      Event<Order> good = ORDER.channel("c").event(new Order("o-2", 1, List.of(), Instant.EPOCH, Status.PLACED))
          .build();
      join(bus.publish(good));
      handled.awaitAll(List.of(good.id()), WAIT);
    }
  }

  @Nested
  @DisplayName("dead letters and replay")
  class Replay {

    /** A group whose handler fails {@code poison} (to dead letters, one attempt) while {@code failing} holds. */
    private void subscribeFailing(EventBus bus, String group, AtomicBoolean failing,
        Received<String> handled) {
      bus.subscribe(TEXT.channel("c"), group, event -> {
        if (failing.get() && "poison".equals(event.data())) {
          throw new IllegalStateException(group + " cannot handle it yet");
        }
        handled.add(event);
      });
    }

    @Test
    void aReplayedDeadLetterReachesTheGroupThatFailedItAgain() {
      EventBus consumer = openBus(Map.of("c", uniqueAddress()), b -> b.maxAttempts(1));
      List<io.cloudevents.CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
      openDeadLetterReader(consumer, "billing", deadLetters);
      AtomicBoolean failing = new AtomicBoolean(true);
      Received<String> billing = new Received<>();
      subscribeFailing(consumer, "billing", failing, billing);
      Event<String> poison = TEXT.channel("c").event("poison").build();
      join(consumer.publish(poison));
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !deadLetters.isEmpty());

      failing.set(false);
      join(consumer.replay(deadLetters.get(0)));

      billing.awaitAll(List.of(poison.id()), WAIT);
    }

    @Test
    void aReplayedDeadLetterReachesOnlyTheGroupThatFailedIt() {
      requires(Feature.CONSUMER_GROUPS, "named groups are not separate consumers");
      requires(Feature.GROUP_REPLAY, "the broker cannot address one group: a replay reaches every group");
      String address = uniqueAddress();
      EventBus billingService = openBus(Map.of("c", address), b -> b.maxAttempts(1));
      EventBus shippingService = openBus("c", address);
      List<io.cloudevents.CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
      openDeadLetterReader(billingService, "billing", deadLetters);
      AtomicBoolean failing = new AtomicBoolean(true);
      Received<String> billing = new Received<>();
      subscribeFailing(billingService, "billing", failing, billing);
      Received<String> shipping = new Received<>();
      shippingService.subscribe(TEXT.channel("c"), "shipping", shipping::add);
      Event<String> poison = TEXT.channel("c").event("poison").subject("order-1").build();
      join(billingService.publish(poison));
      shipping.awaitAll(List.of(poison.id()), WAIT);
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !deadLetters.isEmpty());

      failing.set(false);
      join(billingService.replay(deadLetters.get(0)));
      billing.awaitAll(List.of(poison.id()), WAIT);

      // Same key, sent after the replay was confirmed: a replay that had reached shipping's one consumer came first.
      Event<String> after = TEXT.channel("c").event("after").subject("order-1").build();
      join(billingService.publish(after));
      shipping.awaitAll(List.of(poison.id(), after.id()), WAIT);
      assertThat(shipping.ids()).as("shipping had handled the event: the replay is not for it")
          .containsExactly(poison.id(), after.id());
    }
  }

  @Nested
  @DisplayName("channel parameters")
  class ChannelParameters {

    @Test
    void aParameterValueHoldingADotIsRefusedBeforeAnythingIsSent() {
      // Declared without withChannel's bindings: a binding naming one queue or topic leaves no level for a parameter.
      String address = uniqueAddress() + levelSeparator() + "{region}";
      EventBus bus = openBus(b -> b.channel("c", address));
      assumeThat(bus.capabilities("c").supports(Feature.WILDCARD_SUBSCRIPTIONS))
          .as("%s not supported by this binding: a parameterised channel cannot be subscribed",
              Feature.WILDCARD_SUBSCRIPTIONS)
          .isTrue();
      Received<String> received = new Received<>();
      bus.subscribe(TEXT.channel("c"), "g", received::add);

      Event<String> dotted = TEXT.channel("c").event("dotted").extension("region", "eu.west").build();
      assertThatThrownBy(() -> join(bus.publish(dotted)))
          .hasCauseInstanceOf(ConfigurationException.class)
          .cause().hasMessageContaining("Parameter 'region' of channel 'c' must be one address level, was 'eu.west'");
      Event<String> dashed = TEXT.channel("c").event("dashed").extension("region", "eu-west").build();
      join(bus.publish(dashed));

      // Only the dashed event was sent: awaitAll fails on any extra id, such as the dotted one's.
      received.awaitAll(List.of(dashed.id()), WAIT);
    }
  }

  @Nested
  @DisplayName("contract")
  class Contract {

    @Test
    void anInvalidPayloadIsRefusedWithEveryViolationAndNeverReachesTheBroker() {
      String address = uniqueAddress();
      EventBus bus = openBus(Map.of("c", address), b -> b.asyncApi("dev/omnibus/tck/contract.yaml")
          .register(ORDER.channel("c")));
      Received<Order> received = new Received<>();
      bus.subscribe(ORDER.channel("c"), "g", received::add);
      // Same order id (the key) as the valid event below: had it been sent, it would arrive first, in key order.
      Order invalid = new Order("o-1", -1, List.of(new Line("sku", 0)), Instant.EPOCH, Status.PAID);

      assertThatThrownBy(() -> join(bus.publish(ORDER.channel("c"), invalid)))
          .hasCauseInstanceOf(ValidationException.class)
          .cause().satisfies(e -> assertThat(((ValidationException) e).violations())
              .extracting(ValidationException.Violation::pointer)
              .contains("/totalMinor", "/lines/0/quantity"));
      Event<Order> valid = ORDER.channel("c").event(new Order("o-1", 1, List.of(), Instant.EPOCH, Status.PLACED))
          .build();
      join(bus.publish(valid));

      // Only the valid event was sent: awaitAll fails on any extra id, such as the invalid event's.
      received.awaitAll(List.of(valid.id()), WAIT);
      assertThat(received.size()).isEqualTo(1);
    }
  }

  @Nested
  @DisplayName("ordering")
  class Ordering {

    @Test
    void eventsOfOneKeyArriveInPublishOrder() {
      requires(Feature.PER_KEY_ORDER, "no ordering per key");
      EventBus bus = openBus("c", uniqueAddress());
      Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
      AtomicInteger count = new AtomicInteger();
      bus.subscribe(TEXT.channel("c"), "g", event -> {
        String[] parts = event.data().split(":");
        seen.computeIfAbsent(parts[0], k -> Collections.synchronizedList(new ArrayList<>()))
            .add(Integer.parseInt(parts[1]));
        count.incrementAndGet();
      });
      int keys = 16;
      int events = 1000;
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        String key = "k" + (i % keys);
        sent.add(bus.publish(TEXT.channel("c").event(key + ":" + i).subject(key).build()).toCompletableFuture());
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
          .join();
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> count.get() >= events);
      assertThat(seen).hasSize(keys);
      seen.forEach((key, sequence) -> assertThat(sequence).as("order of key %s", key).isSorted());
    }
  }

  @Nested
  @DisplayName("concurrency")
  class Concurrency {

    private static final int CONCURRENCY = 8;

    @Test
    void handlersOfDifferentKeysRunAtOnceWhileEachKeyKeepsItsOrder() throws Exception {
      // One member: every binding hands one consumer its destination's events in publish order (PER_KEY_ORDER is about
      // a group's members), so the order per key seen here is the bus's lanes keeping it under concurrency.
      requires(Feature.CONCURRENT_SETTLE, "deliveries cannot be settled out of order, so handlers run one at a time");
      EventBus bus = openBus(Map.of("c", uniqueAddress()), b -> b.concurrency(CONCURRENCY));
      int keys = 16;
      int events = 800;
      int together = 4;
      CountDownLatch overlap = new CountDownLatch(together);
      AtomicBoolean overlapped = new AtomicBoolean();
      Map<String, AtomicInteger> running = new ConcurrentHashMap<>();
      Map<String, List<Integer>> seen = new ConcurrentHashMap<>();
      List<String> violations = new CopyOnWriteArrayList<>();
      AtomicInteger count = new AtomicInteger();
      bus.subscribe(TEXT.channel("c"), "g", event -> {
        String[] parts = event.data().split(":");
        String key = parts[0];
        if (running.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
          violations.add("two events of key " + key + " at once");
        }
        try {
          if (overlap.getCount() > 0) {
            // The first handlers wait for each other: only handlers running at the same time get past this.
            overlap.countDown();
            if (overlap.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
              overlapped.set(true);
            }
          }
          seen.computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
              .add(Integer.parseInt(parts[1]));
        } finally {
          running.get(key).decrementAndGet();
          count.incrementAndGet();
        }
      });
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      for (int i = 0; i < events; i++) {
        String key = "k" + (i % keys);
        sent.add(bus.publish(TEXT.channel("c").event(key + ":" + i).subject(key).build()).toCompletableFuture());
      }
      CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS)
          .join();
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> count.get() >= events);

      assertThat(overlapped).as("%d handlers ran at the same time", together).isTrue();
      assertThat(violations).isEmpty();
      assertThat(seen).hasSize(keys);
      seen.forEach((key, sequence) -> assertThat(sequence).as("order of key %s", key).isSorted());
    }

    @Test
    void aFailingEventIsRetriedWithoutHoldingBackOtherKeys() {
      requires(Feature.CONCURRENT_SETTLE, "deliveries cannot be settled out of order, so a retry holds the queue");
      EventBus bus = openBus(Map.of("c", uniqueAddress()), b -> b.concurrency(CONCURRENCY)
          .retry(RetryPolicy.attempts(10_000).backoff(Duration.ofMillis(5), Duration.ofMillis(20), 2.0)));
      int others = 50;
      CountDownLatch othersDone = new CountDownLatch(others);
      List<String> order = new CopyOnWriteArrayList<>();
      AtomicInteger failures = new AtomicInteger();
      bus.subscribe(TEXT.channel("c"), "g", event -> {
        if (event.data().equals("stuck")) {
          if (othersDone.getCount() > 0) {
            failures.incrementAndGet();
            throw new IllegalStateException("fails until the other keys are handled");
          }
          order.add("stuck");
          return;
        }
        order.add(event.data());
        othersDone.countDown();
      });
      join(bus.publish(TEXT.channel("c").event("stuck").subject("slow-key").build()));
      for (int i = 0; i < others; i++) {
        join(bus.publish(TEXT.channel("c").event("other" + i).subject("key" + i).build()));
      }

      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> order.contains("stuck"));
      assertThat(failures.get()).isPositive();
      assertThat(order).hasSize(others + 1).last().isEqualTo("stuck");
    }

    @Test
    void closingWithHandlersInFlightLosesNothing() throws Exception {
      requires(Feature.CONCURRENT_SETTLE, "deliveries cannot be settled out of order");
      requires(Feature.DURABLE_GROUPS, "a group does not keep what its closed member left unacknowledged");
      String address = uniqueAddress();
      EventBus first = openBus(Map.of("c", address), b -> b.concurrency(CONCURRENCY));
      CountDownLatch release = new CountDownLatch(1);
      CountDownLatch inFlight = new CountDownLatch(CONCURRENCY);
      Received<String> handledByFirst = new Received<>();
      first.subscribe(TEXT.channel("c"), "g", event -> {
        inFlight.countDown();
        release.await();
        handledByFirst.add(event);
      });
      List<String> ids = publishTexts(first, TEXT.channel("c"), 200, "inflight");
      assertThat(inFlight.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("%d handlers in flight", CONCURRENCY)
          .isTrue();

      CompletableFuture<Void> closing = CompletableFuture.runAsync(first::close);
      release.countDown();
      closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      EventBus second = openBus(Map.of("c", address), b -> b.concurrency(CONCURRENCY));
      Received<String> handledBySecond = new Received<>();
      second.subscribe(TEXT.channel("c"), "g", handledBySecond::add);

      org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> {
        Set<String> handled = new HashSet<>(handledByFirst.ids());
        handled.addAll(handledBySecond.ids());
        assertThat(handled).containsAll(ids);
      });
      assertThat(handledByFirst.size()).isGreaterThanOrEqualTo(CONCURRENCY);
    }
  }

  @Nested
  @DisplayName("non-blocking retries")
  class NonBlockingRetries {

    /** Many attempts, short waits: the failing event outlives the others by what it waits for, not by luck. */
    private final RetryPolicy patient = RetryPolicy.attempts(10_000)
        .backoff(Duration.ofMillis(10), Duration.ofMillis(50), 2.0).nonBlocking();

    @Test
    void aFailingEventDoesNotHoldBackTheEventsBehindIt() {
      requires(Feature.RETRY_DESTINATIONS, "no retry destination: every retry blocks its partition or queue");
      EventBus bus = openBus(Map.of("c", uniqueAddress()), b -> b.retry(patient));
      int others = 20;
      CountDownLatch othersDone = new CountDownLatch(others);
      List<String> order = new CopyOnWriteArrayList<>();
      AtomicInteger failures = new AtomicInteger();
      bus.subscribe(TEXT.channel("c"), "g", event -> {
        if (event.data().equals("stuck")) {
          if (othersDone.getCount() > 0) {
            failures.incrementAndGet();
            throw new IllegalStateException("fails until the events behind it are handled");
          }
          order.add("stuck");
          return;
        }
        order.add(event.data());
        othersDone.countDown();
      });
      // One key for all: a blocking retry would hold every event behind the failing one, whatever the concurrency.
      join(bus.publish(TEXT.channel("c").event("stuck").subject("one-key").build()));
      for (int i = 0; i < others; i++) {
        join(bus.publish(TEXT.channel("c").event("other" + i).subject("one-key").build()));
      }

      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> order.contains("stuck"));
      assertThat(failures.get()).isPositive();
      assertThat(order).hasSize(others + 1).last().isEqualTo("stuck");
    }

    @Test
    void aRetriedEventReachesItsHandlerAsPublished() {
      requires(Feature.RETRY_DESTINATIONS, "no retry destination: every retry blocks its partition or queue");
      EventBus bus = openBus(Map.of("c", uniqueAddress()), b -> b.retry(patient));
      Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
      Received<String> handled = new Received<>();
      List<String> problems = new CopyOnWriteArrayList<>();
      bus.subscribe(TEXT.channel("c"), "g", event -> {
        if (calls.computeIfAbsent(event.id(), id -> new AtomicInteger()).incrementAndGet() < 3) {
          throw new IllegalStateException("the first two attempts fail");
        }
        if (!event.extensions().keySet().stream().filter(name -> name.startsWith("retry")).toList().isEmpty()) {
          problems.add(event.id() + " came with " + event.extensions().keySet());
        }
        if (!("n-" + event.subject()).equals(event.data())) {
          problems.add(event.id() + " came as " + event.subject() + "/" + event.data());
        }
        handled.add(event);
      });
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        Event<String> event = TEXT.channel("c").event("n-" + i).subject(Integer.toString(i)).build();
        ids.add(event.id());
        join(bus.publish(event));
      }

      handled.awaitAll(ids, WAIT);
      assertThat(problems).isEmpty();
      assertThat(handled.ids()).as("each event handled once, by its id").containsExactlyInAnyOrderElementsOf(ids);
      assertThat(calls.values()).allSatisfy(count -> assertThat(count.get()).isEqualTo(3));
    }

    @Test
    void aRetryWaitingWhenItsConsumerClosesReachesTheNextMemberOfItsGroup() throws Exception {
      requires(Feature.RETRY_DESTINATIONS, "no retry destination: every retry blocks its partition or queue");
      requires(Feature.DURABLE_GROUPS, "a group does not keep what its closed member left unacknowledged");
      String address = uniqueAddress();
      RetryPolicy tenMinutes = RetryPolicy.attempts(5).backoff(Duration.ofMinutes(10), Duration.ofMinutes(10), 1.0)
          .withJitter(0).nonBlocking();
      CountDownLatch copyStored = new CountDownLatch(1);
      Interceptor watcher = new Interceptor() {
        @Override
        public java.util.concurrent.CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
          java.util.concurrent.CompletionStage<Void> sent = next.proceed(publishing);
          if (publishing.kind() == Interceptor.Kind.RETRY) {
            sent.thenRun(copyStored::countDown);
          }
          return sent;
        }
      };
      EventBus first = openBus(Map.of("c", address), b -> b.retry(tenMinutes).intercept(watcher));
      first.subscribe(TEXT.channel("c"), "g", event -> {
        throw new IllegalStateException("this member cannot handle it");
      });
      Event<String> event = TEXT.channel("c").event("late").build();
      join(first.publish(event));
      assertThat(copyStored.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("the retry copy was stored").isTrue();

      first.close();
      // Its own timer lets the copy go at once: what is tested is that the copy is still there, not the wait.
      EventBus second = openBus(Map.of("c", address), b -> b.retry(tenMinutes)
          .backoff(delay -> CompletableFuture.completedFuture(null)));
      Received<String> handled = new Received<>();
      second.subscribe(TEXT.channel("c"), "g", handled::add);

      handled.awaitAll(List.of(event.id()), WAIT);
    }

    @Test
    void anEventFailingEveryAttemptIsDeadLetteredAsABlockingRetryWouldBe() {
      requires(Feature.RETRY_DESTINATIONS, "no retry destination: every retry blocks its partition or queue");
      EventBus bus = openBus(Map.of("c", uniqueAddress()), b -> b.retry(RetryPolicy.attempts(3)
          .backoff(Duration.ofMillis(10), Duration.ofMillis(50), 2.0).nonBlocking()));
      List<io.cloudevents.CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
      openDeadLetterReader(bus, "g", deadLetters);
      AtomicInteger poisonCalls = new AtomicInteger();
      Received<String> handled = new Received<>();
      bus.subscribe(TEXT.channel("c"), "g", event -> {
        if ("poison".equals(event.data())) {
          poisonCalls.incrementAndGet();
          throw new IllegalStateException("always fails");
        }
        handled.add(event);
      });
      Event<String> poison = TEXT.channel("c").event("poison").build();
      join(bus.publish(poison));
      List<String> ids = publishTexts(bus, TEXT.channel("c"), 5, "ok");

      handled.awaitAll(ids, WAIT);
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !deadLetters.isEmpty());
      io.cloudevents.CloudEvent letter = deadLetters.get(0);
      assertThat(letter.getId()).isEqualTo(poison.id());
      assertThat(String.valueOf(letter.getExtension("dlqattempts"))).isEqualTo("3");
      assertThat(String.valueOf(letter.getExtension("dlqreason"))).isEqualTo("handler failed 3 times");
      assertThat(letter.getExtension("retryattempt")).as("the dead letter is the event, not its retry copy").isNull();
      assertThat(poisonCalls.get()).isEqualTo(3);
      assertThat(deadLetters).hasSize(1);
    }
  }

  @Nested
  @DisplayName("batches")
  class Batches {

    private static final int SIZE = 10;

    @Test
    void everyEventArrivesInBatchesOfAtMostTheirSizeWithNothingLost() {
      requires(Feature.CONCURRENT_SETTLE, "deliveries cannot stay unsettled while others arrive: batches hold one");
      EventBus bus = openBus("c", uniqueAddress());
      List<Integer> sizes = new CopyOnWriteArrayList<>();
      Received<String> handled = new Received<>();
      bus.subscribeBatch(TEXT.channel("c"), "g", SIZE, Duration.ofMillis(50), batch -> {
        sizes.add(batch.events().size());
        batch.events().forEach(handled::add);
      });
      List<String> ids = publishTexts(bus, TEXT.channel("c"), 300, "batched");

      handled.awaitAll(ids, WAIT);
      assertThat(sizes).allSatisfy(size -> assertThat(size).isBetween(1, SIZE));
    }

    @Test
    void aFailedEventIsDeadLetteredAloneWhileTheOthersOfItsBatchAreAcknowledged() {
      requires(Feature.CONCURRENT_SETTLE, "deliveries cannot stay unsettled while others arrive: batches hold one");
      EventBus bus = openBus(Map.of("c", uniqueAddress()), b -> b
          .retry(RetryPolicy.attempts(2).backoff(Duration.ofMillis(5), Duration.ofMillis(5), 1.0)));
      List<io.cloudevents.CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
      openDeadLetterReader(bus, "g", deadLetters);
      Received<String> handled = new Received<>();
      AtomicInteger poisonAttempts = new AtomicInteger();
      bus.subscribeBatch(TEXT.channel("c"), "g", SIZE, Duration.ofMillis(50), batch -> {
        for (Event<String> event : batch.events()) {
          if ("poison".equals(event.data())) {
            poisonAttempts.incrementAndGet();
            batch.fail(event, new IllegalStateException("poison cannot be handled"));
          } else {
            handled.add(event);
          }
        }
      });
      List<String> before = publishTexts(bus, TEXT.channel("c"), 5, "before");
      Event<String> poison = TEXT.channel("c").event("poison").build();
      join(bus.publish(poison));
      List<String> after = publishTexts(bus, TEXT.channel("c"), 5, "after");

      List<String> others = new ArrayList<>(before);
      others.addAll(after);
      handled.awaitAll(others, WAIT);
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !deadLetters.isEmpty());
      assertThat(deadLetters).singleElement().satisfies(deadLetter -> {
        assertThat(deadLetter.getId()).isEqualTo(poison.id());
        assertThat(deadLetter.getExtension("dlqattempts")).hasToString("2");
      });
      assertThat(poisonAttempts).hasValue(2);
      assertThat(handled.ids()).doesNotContain(poison.id());
    }

    @Test
    void closingWhileABatchIsHandledLosesNothing() throws Exception {
      requires(Feature.CONCURRENT_SETTLE, "deliveries cannot stay unsettled while others arrive: batches hold one");
      requires(Feature.DURABLE_GROUPS, "a group does not keep what its closed member left unacknowledged");
      String address = uniqueAddress();
      EventBus first = openBus("c", address);
      CountDownLatch inside = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Received<String> handledByFirst = new Received<>();
      first.subscribeBatch(TEXT.channel("c"), "g", SIZE, Duration.ofMillis(50), batch -> {
        inside.countDown();
        release.await();
        batch.events().forEach(handledByFirst::add);
      });
      List<String> ids = publishTexts(first, TEXT.channel("c"), 100, "inbatch");
      assertThat(inside.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("a batch under way").isTrue();

      CompletableFuture<Void> closing = CompletableFuture.runAsync(first::close);
      release.countDown();
      closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      EventBus second = openBus("c", address);
      Received<String> handledBySecond = new Received<>();
      second.subscribeBatch(TEXT.channel("c"), "g", SIZE, Duration.ofMillis(50),
          batch -> batch.events().forEach(handledBySecond::add));

      org.awaitility.Awaitility.await().atMost(WAIT).untilAsserted(() -> {
        Set<String> handled = new HashSet<>(handledByFirst.ids());
        handled.addAll(handledBySecond.ids());
        assertThat(handled).containsAll(ids);
      });
      assertThat(handledByFirst.size()).as("the batch under way finished").isPositive();
    }
  }

  @Nested
  @DisplayName("consumer groups")
  class ConsumerGroups {

    @Test
    void membersOfOneGroupShareTheEventsWithoutDuplicates() {
      requires(Feature.CONSUMER_GROUPS, "subscriptions of one group do not compete");
      String address = uniqueAddress();
      EventBus first = openBus("c", address);
      EventBus second = openBus("c", address);
      EventBus publisher = openBus("c", address);
      Received<String> one = new Received<>();
      Received<String> two = new Received<>();
      first.subscribe(TEXT.channel("c"), "workers", one::add);
      second.subscribe(TEXT.channel("c"), "workers", two::add);
      List<String> ids = publishTexts(publisher, TEXT.channel("c"), 200, "w");
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> {
        Set<String> all = new HashSet<>(one.ids());
        all.addAll(two.ids());
        return all.containsAll(ids);
      });
      Set<String> both = new HashSet<>(one.ids());
      both.retainAll(new HashSet<>(two.ids()));
      assertThat(both).as("events delivered to both members of one group").isEmpty();
      assertThat(one.size() + two.size()).isEqualTo(ids.size());
    }

    @Test
    void everyGroupGetsEveryEvent() {
      requires(Feature.CONSUMER_GROUPS, "named groups are not separate consumers");
      String address = uniqueAddress();
      EventBus bus = openBus("c", address);
      EventBus other = openBus("c", address);
      Received<String> billing = new Received<>();
      Received<String> shipping = new Received<>();
      bus.subscribe(TEXT.channel("c"), "billing", billing::add);
      other.subscribe(TEXT.channel("c"), "shipping", shipping::add);
      List<String> ids = publishTexts(bus, TEXT.channel("c"), 50, "e");
      billing.awaitAll(ids, WAIT);
      shipping.awaitAll(ids, WAIT);
    }

    @Test
    void everyAnonymousSubscriptionGetsEveryEvent() {
      requires(Feature.ANONYMOUS_FAN_OUT, "anonymous subscriptions do not each get every event");
      String address = uniqueAddress();
      EventBus bus = openBus("c", address);
      Received<String> a = new Received<>();
      Received<String> b = new Received<>();
      bus.subscribe(TEXT.channel("c"), a::add);
      openBus("c", address).subscribe(TEXT.channel("c"), b::add);
      List<String> ids = publishTexts(bus, TEXT.channel("c"), 50, "f");
      a.awaitAll(ids, WAIT);
      b.awaitAll(ids, WAIT);
    }

    @Test
    void oneBusSubscribingTwoTypesInOneGroupGetsBoth() {
      EventBus bus = openBus("c", uniqueAddress());
      Received<String> texts = new Received<>();
      Received<byte[]> bytes = new Received<>();
      bus.subscribe(TEXT.channel("c"), "g", texts::add);
      bus.subscribe(BYTES.channel("c"), "g", bytes::add);
      List<String> textIds = publishTexts(bus, TEXT.channel("c"), 10, "t");
      Event<byte[]> binary = BYTES.channel("c").event(new byte[] {7}).build();
      join(bus.publish(binary));
      texts.awaitAll(textIds, WAIT);
      bytes.awaitAll(List.of(binary.id()), WAIT);
    }
  }

  @Nested
  @DisplayName("durability")
  class Durability {

    @Test
    void aGroupThatResubscribesGetsWhatWasPublishedWhileItWasAway() {
      requires(Feature.DURABLE_GROUPS, "a group keeps nothing while none of its members is subscribed");
      String address = uniqueAddress();
      EventBus publisher = openBus("c", address);
      EventBus consumer = openBus("c", address);
      Received<String> firstRun = new Received<>();
      Subscription subscription = consumer.subscribe(TEXT.channel("c"), "durable", firstRun::add);
      List<String> before = publishTexts(publisher, TEXT.channel("c"), 20, "before");
      firstRun.awaitAll(before, WAIT);
      subscription.close();
      consumer.close();

      List<String> whileAway = publishTexts(publisher, TEXT.channel("c"), 20, "away");
      Received<String> secondRun = new Received<>();
      openBus("c", address).subscribe(TEXT.channel("c"), "durable", secondRun::add);
      secondRun.awaitCount(whileAway.size(), WAIT);
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> secondRun.ids().containsAll(whileAway));
    }

    @Test
    void aGroupSubscribingLaterGetsEventsPublishedBeforeIt() {
      requires(Feature.RETAINS_UNCONSUMED, "messages published before a group exists are not kept for it");
      String address = uniqueAddress();
      EventBus publisher = openBus("c", address);
      List<String> early = publishTexts(publisher, TEXT.channel("c"), 10, "early");
      Received<String> late = new Received<>();
      openBus("c", address).subscribe(TEXT.channel("c"), "late", late::add);
      late.awaitAll(early, WAIT);
    }

    @Test
    void anEventUnacknowledgedByAClosedMemberReachesAnotherMember() throws Exception {
      requires(Feature.CONSUMER_GROUPS, "subscriptions of one group do not compete");
      requires(Feature.REDELIVERY, "unacknowledged events are not delivered again");
      String address = uniqueAddress();
      EventBus first = openBus("c", address);
      CountDownLatch holding = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      Subscription stuck = first.subscribe(TEXT.channel("c"), "g", event -> {
        holding.countDown();
        release.await(WAIT.toSeconds(), TimeUnit.SECONDS);
        throw new IllegalStateException("member is going away without handling");
      });
      join(first.publish(TEXT.channel("c"), "held"));
      assertThat(holding.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("first member got the event").isTrue();
      // Close while the handler is still running; the handler then fails, so the event is never acknowledged.
      CompletableFuture<Void> closing = CompletableFuture.runAsync(stuck::close);
      release.countDown();
      closing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      Received<String> second = new Received<>();
      openBus("c", address).subscribe(TEXT.channel("c"), "g", second::add);
      second.awaitCount(1, WAIT);
      assertThat(second.events()).extracting(Event::data).contains("held");
    }
  }

  @Nested
  @DisplayName("request/reply")
  class RequestReply {

    private final EventType<String> question = EventType.of("dev.omnibus.tck.question", String.class)
        .channel("rpc");
    private final EventType<String> answer = EventType.of("dev.omnibus.tck.answer", String.class);

    private <T> T await(java.util.concurrent.CompletionStage<T> stage) {
      return stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
    }

    private void awaitStats(EventBus bus, java.util.function.Predicate<RequestStats> condition, String what)
        throws InterruptedException {
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!condition.test(bus.requestStats())) {
        assertThat(System.nanoTime() - deadline).as("%s; stats %s", what, bus.requestStats()).isNegative();
        TimeUnit.MILLISECONDS.sleep(20);
      }
    }

    @Test
    void aRequestGetsItsReplyFromAResponderOfAnotherBus() {
      String address = uniqueAddress();
      EventBus responders = openBus("rpc", address);
      responders.respond(question, "responders", answer, request -> "re:" + request.data());
      EventBus requester = openBus("rpc", address);

      Event<String> reply = await(requester.request(question, "hello", answer, WAIT));

      assertThat(reply.data()).isEqualTo("re:hello");
      assertThat(reply.type()).isEqualTo("dev.omnibus.tck.answer");
      assertThat(reply.extension("correlationid")).isNotNull();
      RequestStats stats = requester.requestStats();
      assertThat(stats.replied()).isEqualTo(1);
      assertThat(stats.pending()).isZero();
    }

    @Test
    void competingRespondersOfOneGroupAnswerEachRequestOnce() throws Exception {
      String address = uniqueAddress();
      AtomicInteger first = new AtomicInteger();
      AtomicInteger second = new AtomicInteger();
      openBus("rpc", address).respond(question, "responders", answer, request -> {
        first.incrementAndGet();
        return "re:" + request.data();
      });
      openBus("rpc", address).respond(question, "responders", answer, request -> {
        second.incrementAndGet();
        return "re:" + request.data();
      });
      EventBus requester = openBus("rpc", address);
      List<CompletableFuture<Event<String>>> replies = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        replies.add(requester.request(question, "q" + i, answer, WAIT).toCompletableFuture());
      }
      for (int i = 0; i < 40; i++) {
        assertThat(await(replies.get(i)).data()).isEqualTo("re:q" + i);
      }
      assertThat(first.get() + second.get()).as("answers given by the two responders").isEqualTo(40);
      assertThat(requester.requestStats().duplicate()).isZero();
    }

    @Test
    void aRequestNobodyAnswersTimesOut() {
      EventBus requester = openBus("rpc", uniqueAddress());

      assertThatThrownBy(() -> await(requester.request(question, "anyone?", answer, Duration.ofMillis(300))))
          .hasCauseInstanceOf(RequestTimeoutException.class)
          .hasMessageContaining("No reply to request 'dev.omnibus.tck.question'");
      assertThat(requester.requestStats().timedOut()).isEqualTo(1);
      assertThat(requester.requestStats().pending()).isZero();
    }

    @Test
    void aLateReplyIsCountedAndDroppedNeverGivenToTheNextCaller() throws Exception {
      String address = uniqueAddress();
      CountDownLatch slowMayAnswer = new CountDownLatch(1);
      openBus("rpc", address).respond(question, "responders", answer, request -> {
        if ("slow".equals(request.data())) {
          assertThat(slowMayAnswer.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        }
        return "re:" + request.data();
      });
      EventBus requester = openBus("rpc", address);

      assertThatThrownBy(() -> await(requester.request(question, "slow", answer, Duration.ofMillis(500))))
          .hasCauseInstanceOf(RequestTimeoutException.class);
      slowMayAnswer.countDown();
      Event<String> next = await(requester.request(question, "fast", answer, WAIT));

      assertThat(next.data()).isEqualTo("re:fast");
      awaitStats(requester, stats -> stats.late() == 1, "the slow reply counted as late");
      assertThat(requester.requestStats().replied()).isEqualTo(1);
    }

    @Test
    void aResponderThatThrowsFailsTheRequestWithItsError() {
      String address = uniqueAddress();
      openBus("rpc", address).respond(question, "responders", answer, request -> {
        throw new IllegalStateException("out of stock: " + request.data());
      });
      EventBus requester = openBus("rpc", address);

      assertThatThrownBy(() -> await(requester.request(question, "sku-1", answer, WAIT)))
          .hasCauseInstanceOf(RemoteFailureException.class)
          .hasMessageContaining("java.lang.IllegalStateException: out of stock: sku-1");
      assertThat(requester.requestStats().failed()).isEqualTo(1);
    }

    @Test
    void correlationNeverCrossesUnderAThousandConcurrentRequests() {
      String address = uniqueAddress();
      EventBus responders = openBus(Map.of("rpc", address),
          b -> capabilities().supports(Feature.CONCURRENT_SETTLE) ? b.concurrency(8) : b);
      responders.respond(question, "responders", answer, request -> "re:" + request.data());
      EventBus requester = openBus("rpc", address);
      int count = 1_000;
      List<CompletableFuture<Event<String>>> replies = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        replies.add(requester.request(question, "q" + i, answer, WAIT).toCompletableFuture());
      }
      for (int i = 0; i < count; i++) {
        assertThat(await(replies.get(i)).data()).as("reply to request %d", i).isEqualTo("re:q" + i);
      }
      RequestStats stats = requester.requestStats();
      assertThat(stats.replied()).isEqualTo(count);
      assertThat(stats.late() + stats.duplicate() + stats.orphan()).isZero();
    }
  }

  @Nested
  @DisplayName("lifecycle")
  class Lifecycle {

    @Test
    void closingThePublisherFlushesWhatWasPublished() {
      String address = uniqueAddress();
      EventBus consumer = openBus("c", address);
      Received<String> received = new Received<>();
      consumer.subscribe(TEXT.channel("c"), "g", received::add);
      EventBus publisher = openBus("c", address);
      List<CompletableFuture<Void>> sent = new ArrayList<>();
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        Event<String> event = TEXT.channel("c").event("flush" + i).build();
        ids.add(event.id());
        sent.add(publisher.publish(event).toCompletableFuture());
      }
      publisher.close();
      assertThat(sent).allSatisfy(stage -> assertThat(stage).isCompleted().isNotCompletedExceptionally());
      received.awaitAll(ids, WAIT);
    }

    @Test
    void closeIsIdempotentAndSafeFromSeveralThreads() throws Exception {
      EventBus bus = openBus("c", uniqueAddress());
      bus.subscribe(TEXT.channel("c"), "g", event -> { });
      CompletableFuture<Void> a = CompletableFuture.runAsync(bus::close);
      CompletableFuture<Void> b = CompletableFuture.runAsync(bus::close);
      a.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      b.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThatCode(bus::close).doesNotThrowAnyException();
    }

    @Test
    void publishingAfterCloseFailsWithTransportClosed() {
      EventBus bus = openBus("c", uniqueAddress());
      bus.close();
      assertThatThrownBy(() -> join(bus.publish(TEXT.channel("c"), "late")))
          .hasCauseInstanceOf(TransportClosedException.class);
      assertThatThrownBy(() -> bus.subscribe(TEXT.channel("c"), "g", event -> { }))
          .isInstanceOf(TransportClosedException.class);
    }

    @Test
    void aClosedSubscriptionGetsNothingMore() {
      requires(Feature.ANONYMOUS_FAN_OUT, "two anonymous subscriptions do not each get every event, so the open one "
          + "cannot witness what the closed one would have been sent");
      String address = uniqueAddress();
      EventBus bus = openBus("c", address);
      Received<String> closed = new Received<>();
      Received<String> open = new Received<>();
      Subscription subscription = bus.subscribe(TEXT.channel("c"), closed::add);
      bus.subscribe(TEXT.channel("c"), open::add);
      List<String> first = publishTexts(bus, TEXT.channel("c"), 5, "first");
      closed.awaitAll(first, WAIT);
      subscription.close();
      subscription.close();
      List<String> second = publishTexts(bus, TEXT.channel("c"), 5, "second");
      // The open subscription got the second batch, so it was delivered; the closed one must not have it.
      open.awaitAll(concat(first, second), WAIT);
      assertThat(closed.ids()).doesNotContainAnyElementsOf(second);
    }
  }

  /**
   * Writes a message to an address as it is, past Omnibus's encoder and its checks, as a producer that is not Omnibus
   * would: the malformed-input scenarios inject with it. The default sends it with the binding's own transport
   * (found by {@link ServiceLoader} for the protocol of {@link #newBus()}'s server) to {@link #rawDestination}.
   */
  protected void publishRaw(String address, WireMessage message) throws Exception {
    ServerConfig server = openBus(b -> b).server();
    String protocol = server.protocol().toLowerCase(java.util.Locale.ROOT);
    TransportProvider provider = ServiceLoader.load(TransportProvider.class).stream()
        .map(ServiceLoader.Provider::get)
        .filter(candidate -> candidate.protocols().contains(protocol))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no TransportProvider for '" + protocol
            + "' on the test classpath: override publishRaw"));
    Mode mode = EnvelopeCodec.isStructured(message.contentType()) ? Mode.STRUCTURED : Mode.BINARY;
    try (Transport transport = provider.open(server)) {
      join(transport.send(rawDestination(address, mode), message));
    }
  }

  /** Where {@link #publishRaw} sends: the address with no bindings; override when {@link #withChannel} adds some. */
  protected Destination rawDestination(String address, Mode mode) {
    return new Destination(address, address, mode, Bindings.none(), Bindings.none(), Map.of());
  }

  /**
   * Whether the broker carries noncharacters (U+FFFE, U+FDD0...) in header values; {@code true} by default. MQTT 5
   * brokers refuse them in user properties (MQTT 5.0 §1.5.4), so those inputs are not sent there.
   */
  protected boolean carriesNoncharactersInHeaders() {
    return true;
  }

  @Nested
  @DisplayName("malformed input")
  class MalformedInput {

    private static final String GOOD_TYPE = "dev.omnibus.tck.text";

    private Map<String, String> ceHeaders(HeaderConvention convention, String specVersion, String id) {
      Map<String, String> headers = new HashMap<>();
      headers.put(convention.headerName("specversion"), specVersion);
      headers.put(convention.headerName("id"), id);
      headers.put(convention.headerName("source"), "/tck/malformed");
      headers.put(convention.headerName("type"), GOOD_TYPE);
      return headers;
    }

    private static WireMessage structured(String json) {
      return new WireMessage(Map.of(), "application/cloudevents+json", utf8(json), null);
    }

    /**
     * Messages the bus refuses whose dead letters once failed to encode: content types that pass a loose check but
     * are no media type, and noncharacters echoed into {@code dlqreason} or {@code dlqheaders}.
     */
    private List<WireMessage> malformedMessages() {
      TransportCapabilities capabilities = capabilities();
      HeaderConvention convention = capabilities.convention();
      List<WireMessage> messages = new ArrayList<>();
      if (capabilities.supports(Feature.BINARY_MODE)) {
        messages.add(new WireMessage(ceHeaders(convention, "1.0", "m1"), "application/json, charset=utf-8",
            utf8("{\"a\":1}"), null));
        messages.add(new WireMessage(ceHeaders(convention, "1.0", "m2"), "text/plain garbage", utf8("x"), null));
        if (carriesNoncharactersInHeaders()) {
          Map<String, String> headers = ceHeaders(convention, "1.0\uFFFE", "m3");
          headers.put("xnote", "\uFDD0 note \uDBFF\uDFFF");
          messages.add(new WireMessage(headers, "text/plain", utf8("y"), null));
        }
      }
      messages.add(structured("{\"specversion\":\"1.0\uFFFE\",\"id\":\"s1\",\"source\":\"/tck\","
          + "\"type\":\"" + GOOD_TYPE + "\",\"data\":\"x\"}"));
      messages.add(structured("{\"specversion\":\"1.0\",\"id\":\"s2\",\"source\":\"/tck\",\"type\":\""
          + GOOD_TYPE + "\",\"time\":\"\uFDD0\uFFFF\",\"datacontenttype\":\"application/json, charset=utf-8\"}"));
      return messages;
    }

    @Test
    void malformedMessagesWithUnencodableTextAreDeadLetteredAndTheEventsAfterThemArrive() throws Exception {
      String address = uniqueAddress();
      EventBus consumer = openBus("c", address);
      List<io.cloudevents.CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
      openDeadLetterReader(consumer, "g", deadLetters);
      Received<String> received = new Received<>();
      consumer.subscribe(TEXT.channel("c"), "g", received::add);
      List<WireMessage> malformed = malformedMessages();
      for (WireMessage message : malformed) {
        publishRaw(address, message);
      }
      List<String> good = publishTexts(consumer, TEXT.channel("c"), 10, "after");

      received.awaitAll(good, WAIT);
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> deadLetters.size() >= malformed.size());
      assertThat(deadLetters).hasSize(malformed.size()).allSatisfy(deadLetter -> {
        assertThat(deadLetter.getType()).isEqualTo("dev.omnibus.deadletter.malformed");
        assertThat(deadLetter.getExtension("dlqreason")).asString().startsWith("malformed:");
      });
    }

    @Test
    void aHandlerErrorWithNoncharactersIsDeadLetteredWithAValidDlqerror() {
      String address = uniqueAddress();
      EventBus consumer = openBus(Map.of("c", address), b -> b.maxAttempts(1));
      List<io.cloudevents.CloudEvent> deadLetters = new CopyOnWriteArrayList<>();
      openDeadLetterReader(consumer, "g", deadLetters);
      Received<String> received = new Received<>();
      consumer.subscribe(TEXT.channel("c"), "g", event -> {
        if ("poison".equals(event.data())) {
          throw new IllegalStateException("bad \uFFFE\uFDD0 value\u0000");
        }
        received.add(event);
      });
      Event<String> poison = TEXT.channel("c").event("poison").build();
      join(consumer.publish(poison));
      List<String> good = publishTexts(consumer, TEXT.channel("c"), 5, "after");

      received.awaitAll(good, WAIT);
      org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !deadLetters.isEmpty());
      assertThat(deadLetters.get(0).getId()).isEqualTo(poison.id());
      assertThat(deadLetters.get(0).getExtension("dlqerror"))
          .isEqualTo("java.lang.IllegalStateException: bad \uFFFD\uFFFD value ");
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  /** UTF-8 bytes; for subclasses writing their own scenarios. */
  protected static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
