package dev.omnibus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.RetryPolicy;
import dev.omnibus.envelope.Mode;
import io.cloudevents.CloudEvent;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link OmnibusTracing} records and carries, on one binding: each {@code *TracingTest} runs it on its broker with
 * the OpenTelemetry SDK's in-memory span exporter.
 */
abstract class TracingContract {

  record Order(String id, long total) {}

  record Shipment(String orderId) {}

  static final Duration WAIT = Duration.ofSeconds(60);
  static final EventType<Order> PLACED = EventType.of("com.example.order.placed", Order.class)
      .channel("orders").subject(Order::id);
  static final EventType<Shipment> SHIPMENT = EventType.of("com.example.shipment.requested", Shipment.class)
      .channel("shipments").subject(Shipment::orderId);
  /** A context written by a service that is not Omnibus (the W3C Trace Context specification's example). */
  static final String FOREIGN_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
  static final String FOREIGN_SPAN = "00f067aa0ba902b7";
  static final String FOREIGN_TRACEPARENT = "00-" + FOREIGN_TRACE + "-" + FOREIGN_SPAN + "-01";

  @TempDir
  Path dir;

  final TestBroker broker = broker();
  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  final OpenTelemetrySdk openTelemetry = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(spans)).build())
      .build();
  private final List<EventBus> buses = new ArrayList<>();
  String orders = "";
  String shipments = "";
  private Path document = Path.of("");

  /** The binding under test. */
  abstract TestBroker broker();

  @BeforeEach
  void freshAddresses() throws IOException {
    broker.assumeReachable();
    orders = broker.address("orders");
    shipments = broker.address("shipments");
    document = broker.document(dir, orders, shipments);
  }

  @AfterEach
  void closeBusesAndForgetQueues() {
    for (EventBus bus : buses) {
      bus.close();
      for (String group : List.of("billing", "audit")) {
        broker.forget(orders, group, bus.deadLetterAddress("orders", group));
        broker.forget(shipments, group, bus.deadLetterAddress("shipments", group));
      }
    }
    openTelemetry.close();
  }

  /** A bus with tracing. */
  EventBus traced(UnaryOperator<EventBus.Builder> settings) {
    return bus(settings.apply(EventBus.builder().intercept(OmnibusTracing.of(openTelemetry))));
  }

  EventBus traced() {
    return traced(builder -> builder);
  }

  /** A bus without tracing: a service that only reads and writes CloudEvents. */
  EventBus plain(UnaryOperator<EventBus.Builder> settings) {
    return bus(settings.apply(EventBus.builder()));
  }

  private EventBus bus(EventBus.Builder builder) {
    EventBus bus = broker.configure(builder.asyncApi(document)).build();
    buses.add(bus);
    return bus;
  }

  static void join(java.util.concurrent.CompletionStage<?> stage) {
    stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  SpanData awaitSpan(Predicate<SpanData> which) {
    return Awaitility.await().atMost(WAIT).until(
        () -> spans.getFinishedSpanItems().stream().filter(which).findFirst().orElse(null), span -> span != null);
  }

  static Predicate<SpanData> named(String name) {
    return span -> span.getName().equals(name);
  }

  /** The W3C {@code traceparent} of a span: version, trace id, span id, flags. */
  static String traceparent(SpanData span) {
    return "00-" + span.getTraceId() + "-" + span.getSpanId() + "-" + span.getSpanContext().getTraceFlags().asHex();
  }

  static <T> T attribute(SpanData span, AttributeKey<T> key) {
    return span.getAttributes().get(key);
  }

  CloudEvent receivedByAPlainConsumer(Mode mode) {
    List<CloudEvent> received = new CopyOnWriteArrayList<>();
    plain(builder -> builder.mode("orders", mode)).subscribe("orders", "audit", received::add);
    join(traced(builder -> builder.mode("orders", mode)).publish(PLACED, new Order("o-1", 10)));
    Awaitility.await().atMost(WAIT).until(() -> !received.isEmpty());
    return received.get(0);
  }

  @Test
  void aPublishIsAProducerSpanAfterTheMessagingConventions() {
    join(traced().publish(PLACED.event(new Order("o-1", 10)).id("event-1").build()));
    SpanData send = awaitSpan(named("send orders"));
    assertThat(send.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(send.getParentSpanContext().isValid()).isFalse();
    assertThat(attribute(send, OmnibusTracing.SYSTEM)).isEqualTo(broker.system());
    assertThat(attribute(send, OmnibusTracing.DESTINATION)).isEqualTo(orders);
    assertThat(attribute(send, OmnibusTracing.OPERATION_TYPE)).isEqualTo("send");
    assertThat(attribute(send, OmnibusTracing.MESSAGE_ID)).isEqualTo("event-1");
    assertThat(attribute(send, OmnibusTracing.PUBLISH_KIND)).isEqualTo("event");
    assertThat(send.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void theContextTravelsInTheEventInBinaryModeSoAnyCloudEventsConsumerSeesIt() {
    CloudEvent received = receivedByAPlainConsumer(Mode.BINARY);
    assertThat(received.getExtension(OmnibusTracing.TRACEPARENT))
        .hasToString(traceparent(awaitSpan(named("send orders"))));
  }

  @Test
  void theContextTravelsInTheEventInStructuredModeToo() {
    CloudEvent received = receivedByAPlainConsumer(Mode.STRUCTURED);
    assertThat(received.getExtension(OmnibusTracing.TRACEPARENT))
        .hasToString(traceparent(awaitSpan(named("send orders"))));
  }

  @Test
  void aHandlingIsAConsumerSpanChildOfThePublish() {
    EventBus bus = traced();
    bus.subscribe(PLACED, "billing", event -> { });
    join(bus.publish(PLACED, new Order("o-1", 10)));
    SpanData process = awaitSpan(named("process orders"));
    SpanData send = awaitSpan(named("send orders"));
    assertThat(process.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(process.getTraceId()).isEqualTo(send.getTraceId());
    assertThat(process.getParentSpanId()).isEqualTo(send.getSpanId());
    assertThat(attribute(process, OmnibusTracing.SYSTEM)).isEqualTo(broker.system());
    assertThat(attribute(process, OmnibusTracing.GROUP)).isEqualTo("billing");
    assertThat(attribute(process, OmnibusTracing.OPERATION_TYPE)).isEqualTo("process");
    assertThat(attribute(process, OmnibusTracing.DESTINATION)).isEqualTo(orders);
    assertThat(attribute(process, OmnibusTracing.ATTEMPT_KEY)).isEqualTo(1L);
  }

  @Test
  void whatAHandlerPublishesIsAChildOfItsHandling() {
    EventBus bus = traced();
    bus.subscribe(PLACED, "billing", event -> join(bus.publish(SHIPMENT, new Shipment(event.data().id()))));
    join(bus.publish(PLACED, new Order("o-1", 10)));
    SpanData shipment = awaitSpan(named("send shipments"));
    SpanData process = awaitSpan(named("process orders"));
    assertThat(shipment.getParentSpanId()).isEqualTo(process.getSpanId());
    assertThat(shipment.getTraceId()).isEqualTo(process.getTraceId());
  }

  @Test
  void eachRetryIsASpanAndTheDeadLetterPublishIsAChildOfTheLastAttempt() {
    EventBus bus = traced(builder -> builder.retry(
        RetryPolicy.attempts(2).backoff(Duration.ofMillis(10), Duration.ofMillis(10), 1.0)));
    bus.subscribe(PLACED, "billing", event -> {
      throw new IllegalStateException("payment service down");
    });
    join(bus.publish(PLACED, new Order("o-1", 10)));
    SpanData deadLetter = awaitSpan(span -> "dead_letter".equals(attribute(span, OmnibusTracing.PUBLISH_KIND)));
    SpanData send = awaitSpan(named("send orders"));
    List<SpanData> attempts = spans.getFinishedSpanItems().stream().filter(named("process orders")).toList();
    assertThat(attempts).hasSize(2).allSatisfy(attempt -> {
      assertThat(attempt.getParentSpanId()).isEqualTo(send.getSpanId());
      assertThat(attempt.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
      assertThat(attribute(attempt, OmnibusTracing.ERROR_TYPE)).isEqualTo(IllegalStateException.class.getName());
    });
    assertThat(attempts).extracting(attempt -> attribute(attempt, OmnibusTracing.ATTEMPT_KEY))
        .containsExactly(1L, 2L);
    assertThat(deadLetter.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(deadLetter.getParentSpanId()).isEqualTo(attempts.get(1).getSpanId());
    assertThat(deadLetter.getTraceId()).isEqualTo(send.getTraceId());
  }

  @Test
  void aForeignTraceparentBecomesTheParentOfTheHandling() {
    traced().subscribe(PLACED, "billing", event -> { });
    join(plain(builder -> builder).publish(PLACED.event(new Order("o-1", 10))
        .extension(OmnibusTracing.TRACEPARENT, FOREIGN_TRACEPARENT).build()));
    SpanData process = awaitSpan(named("process orders"));
    assertThat(process.getTraceId()).isEqualTo(FOREIGN_TRACE);
    assertThat(process.getParentSpanId()).isEqualTo(FOREIGN_SPAN);
    assertThat(process.getParentSpanContext().isRemote()).isTrue();
  }

  @Test
  @SuppressWarnings("try") // the scope is only made current
  void aPublishInsideAnApplicationSpanIsItsChild() {
    EventBus bus = traced();
    Span checkout = openTelemetry.getTracer("shop").spanBuilder("checkout").startSpan();
    try (Scope ignored = checkout.makeCurrent()) {
      join(bus.publish(PLACED, new Order("o-1", 10)));
    } finally {
      checkout.end();
    }
    SpanData send = awaitSpan(named("send orders"));
    assertThat(send.getParentSpanId()).isEqualTo(checkout.getSpanContext().getSpanId());
    assertThat(send.getTraceId()).isEqualTo(checkout.getSpanContext().getTraceId());
  }
}
