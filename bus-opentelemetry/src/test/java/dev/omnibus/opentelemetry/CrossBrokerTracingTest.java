package dev.omnibus.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
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
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One trace across three brokers: service A publishes an order on Kafka; service B handles it and publishes a
 * shipment on RabbitMQ; service C handles that and passes the shipment on over MQTT, where service D handles it. Each
 * service has its own OpenTelemetry SDK (one exporter collects them all), so the context crosses only in the events.
 */
class CrossBrokerTracingTest {

  record Order(String id, long total) {}

  record Shipment(String orderId) {}

  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final EventType<Order> PLACED = EventType.of("com.example.order.placed", Order.class)
      .channel("orders").subject(Order::id);
  private static final EventType<Shipment> SHIPMENT = EventType.of("com.example.shipment.requested", Shipment.class)
      .channel("shipments").subject(Shipment::orderId);
  private static final AttributeKey<String> SYSTEM = OmnibusTracing.SYSTEM;

  @TempDir
  Path dir;

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  private final List<AutoCloseable> resources = new ArrayList<>();
  private final List<Runnable> cleanUps = new ArrayList<>();

  @AfterEach
  void closeServices() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    cleanUps.forEach(Runnable::run);
  }

  /** A service's own OpenTelemetry, exporting to the shared in-memory exporter. */
  private OmnibusTracing service() {
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(spans)).build()).build();
    resources.add(sdk);
    return OmnibusTracing.of(sdk);
  }

  /** A traced bus of a service on a broker whose channels are at the given addresses. */
  private EventBus bus(OmnibusTracing tracing, TestBroker broker, String orders, String shipments, String group)
      throws IOException {
    EventBus bus = broker.configure(EventBus.builder().asyncApi(broker.document(dir, orders, shipments))
        .intercept(tracing)).build();
    resources.add(bus);
    cleanUps.add(() -> broker.forget(shipments, group, bus.deadLetterAddress("shipments", group)));
    return bus;
  }

  private SpanData span(String name, String system) {
    return Awaitility.await().atMost(WAIT).until(() -> spans.getFinishedSpanItems().stream()
        .filter(span -> span.getName().equals(name) && system.equals(span.getAttributes().get(SYSTEM)))
        .findFirst().orElse(null), span -> span != null);
  }

  private static void join(java.util.concurrent.CompletionStage<?> stage) {
    stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  @Test
  void anOrderPublishedOnKafkaHandledThroughRabbitMqAndMqttIsOneTraceWithEachHopAChildOfTheOneBefore()
      throws IOException {
    TestBroker kafka = TestBroker.kafka();
    TestBroker rabbitMq = TestBroker.rabbitMq();
    TestBroker mqtt = TestBroker.mqtt();
    rabbitMq.assumeReachable();
    mqtt.assumeReachable();
    String orders = kafka.address("orders");
    String shipments = rabbitMq.address("shipments");
    String relayed = mqtt.address("shipments");

    OmnibusTracing serviceD = service();
    bus(serviceD, mqtt, mqtt.address("orders"), relayed, "delivery").subscribe(SHIPMENT, "delivery", event -> { });

    OmnibusTracing serviceC = service();
    EventBus cOut = bus(serviceC, mqtt, mqtt.address("orders"), relayed, "none");
    bus(serviceC, rabbitMq, rabbitMq.address("orders"), shipments, "dispatch")
        .subscribe(SHIPMENT, "dispatch", event -> join(cOut.publish(SHIPMENT, event.data())));

    OmnibusTracing serviceB = service();
    EventBus bOut = bus(serviceB, rabbitMq, rabbitMq.address("orders"), shipments, "none");
    bus(serviceB, kafka, orders, kafka.address("shipments"), "billing")
        .subscribe(PLACED, "billing", event -> join(bOut.publish(SHIPMENT, new Shipment(event.data().id()))));

    EventBus serviceA = bus(service(), kafka, orders, kafka.address("shipments"), "none");
    join(serviceA.publish(PLACED, new Order("o-1", 10)));

    List<SpanData> hops = List.of(
        span("send orders", "kafka"),
        span("process orders", "kafka"),
        span("send shipments", "rabbitmq"),
        span("process shipments", "rabbitmq"),
        span("send shipments", "mqtt"),
        span("process shipments", "mqtt"));
    assertThat(hops.get(0).getParentSpanContext().isValid()).isFalse();
    for (int i = 1; i < hops.size(); i++) {
      assertThat(hops.get(i).getTraceId()).as("trace of hop %d", i).isEqualTo(hops.get(0).getTraceId());
      assertThat(hops.get(i).getParentSpanId()).as("parent of hop %d", i).isEqualTo(hops.get(i - 1).getSpanId());
      assertThat(hops.get(i).getKind()).isEqualTo(i % 2 == 0 ? SpanKind.PRODUCER : SpanKind.CONSUMER);
    }
  }
}
