package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.micrometer.OmnibusMetrics;
import dev.omnibus.opentelemetry.OmnibusTracing;
import dev.omnibus.spring.boot.TestApp.OrderPlaced;
import dev.omnibus.spring.boot.TestApp.Received;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Metrics and tracing wired from the application's MeterRegistry and OpenTelemetry beans. */
class ObservabilityTest {

  private static ConfigurableApplicationContext run(List<String> properties, Class<?>... sources) {
    return new SpringApplicationBuilder(sources).web(WebApplicationType.NONE)
        .properties("omnibus.asyncapi=classpath:boot-test.yaml", "omnibus.in-memory=true", "omnibus.server=memory")
        .properties(properties.toArray(String[]::new))
        .run();
  }

  @SuppressWarnings("unchecked")
  private static void publishAndAwaitHandling(ConfigurableApplicationContext context, String orderId) {
    EventType<OrderPlaced> orderPlaced = context.getBean("orderPlaced", EventType.class);
    context.getBean(EventBus.class).publish(orderPlaced, new OrderPlaced(orderId, 100)).toCompletableFuture().join();
    Received received = context.getBean(Received.class);
    await().untilAsserted(() -> assertThat(received.billing).contains(orderId));
  }

  @Configuration(proxyBeanMethods = false)
  static class Meters {
    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }
  }

  @Configuration(proxyBeanMethods = false)
  static class Tracing {
    @Bean
    InMemorySpanExporter spanExporter() {
      return InMemorySpanExporter.create();
    }

    @Bean(destroyMethod = "close")
    OpenTelemetrySdk openTelemetry(InMemorySpanExporter exporter) {
      return OpenTelemetrySdk.builder()
          .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build())
          .build();
    }
  }

  @Test
  void publishesAndHandlingsAreMeteredInTheApplicationsRegistry() {
    try (ConfigurableApplicationContext context = run(List.of(), TestApp.class, Meters.class)) {
      MeterRegistry registry = context.getBean(MeterRegistry.class);

      publishAndAwaitHandling(context, "m-1");

      assertThat(registry.find(OmnibusMetrics.PUBLISH_DURATION).timers()).isNotEmpty()
          .allSatisfy(timer -> assertThat(timer.getId().getTag(OmnibusMetrics.SYSTEM)).isEqualTo("memory"))
          .extracting(Timer::count).contains(1L);
      await().untilAsserted(() -> assertThat(registry.find(OmnibusMetrics.PROCESS_DURATION)
          .tag(OmnibusMetrics.GROUP, "billing").timers()).extracting(Timer::count).contains(1L));
      assertThat(registry.find(OmnibusMetrics.REQUESTS_PENDING).gauge()).as("the bus's request meters").isNotNull();
      assertThat(registry.find(OmnibusMetrics.REQUESTS).tag(OmnibusMetrics.REQUEST_OUTCOME, "late")
          .functionCounter()).isNotNull();
    }
  }

  @Test
  void metricsAreOffWithTheProperty() {
    try (ConfigurableApplicationContext context =
        run(List.of("omnibus.metrics.enabled=false"), TestApp.class, Meters.class)) {
      publishAndAwaitHandling(context, "m-2");

      assertThat(context.getBeansOfType(OmnibusMetrics.class)).isEmpty();
      assertThat(context.getBean(MeterRegistry.class).find(OmnibusMetrics.PUBLISH_DURATION).timers()).isEmpty();
    }
  }

  @Test
  void withoutARegistryThereIsNoMetricsInterceptor() {
    try (ConfigurableApplicationContext context = run(List.of(), TestApp.class)) {
      assertThat(context.getBeansOfType(OmnibusMetrics.class)).isEmpty();
      assertThat(context.getBeansOfType(OmnibusTracing.class)).isEmpty();
    }
  }

  @Test
  void publishesAndHandlingsAreTracedWithTheApplicationsOpenTelemetry() {
    try (ConfigurableApplicationContext context = run(List.of(), TestApp.class, Tracing.class)) {
      InMemorySpanExporter exporter = context.getBean(InMemorySpanExporter.class);

      publishAndAwaitHandling(context, "t-1");

      await().untilAsserted(() -> {
        List<SpanData> spans = exporter.getFinishedSpanItems();
        SpanData producer = spans.stream().filter(span -> span.getKind() == SpanKind.PRODUCER).findFirst()
            .orElseThrow(() -> new AssertionError("no producer span in " + spans));
        assertThat(spans).filteredOn(span -> span.getKind() == SpanKind.CONSUMER).isNotEmpty()
            .allSatisfy(consumer -> assertThat(consumer.getTraceId()).isEqualTo(producer.getTraceId()));
      });
    }
  }

  @Test
  void tracingIsOffWithTheProperty() {
    try (ConfigurableApplicationContext context =
        run(List.of("omnibus.tracing.enabled=false"), TestApp.class, Tracing.class)) {
      publishAndAwaitHandling(context, "t-2");

      assertThat(context.getBeansOfType(OmnibusTracing.class)).isEmpty();
      assertThat(context.getBean(InMemorySpanExporter.class).getFinishedSpanItems()).isEmpty();
      assertThat(context.getBean(OpenTelemetry.class)).isNotNull();
    }
  }
}
