package dev.omnibus.benchmarks.loopback;

import dev.omnibus.Interceptor;
import dev.omnibus.micrometer.OmnibusMetrics;
import dev.omnibus.opentelemetry.OmnibusTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Metrics and tracing as a service runs them: {@link OmnibusMetrics} on a Micrometer registry and
 * {@link OmnibusTracing} on the OpenTelemetry SDK with its default batch span processor, whose exporter drops the
 * spans (what is measured is the bus's cost, not a collector's). Every span is sampled.
 */
final class Observability implements AutoCloseable {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicLong exported = new AtomicLong();
  private final OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder()
          .addSpanProcessor(BatchSpanProcessor.builder(new Discarding(exported)).build())
          .build())
      .build();

  /** Metrics outermost, then tracing, as docs/observability.md advises. */
  List<Interceptor> interceptors() {
    return List.of(OmnibusMetrics.of(registry), OmnibusTracing.of(sdk));
  }

  @Override
  public void close() {
    sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
    LoopbackRunner.log("observability: " + exported.get() + " spans exported (the batch processor drops what its "
        + "queue cannot hold), " + registry.getMeters().size() + " meters");
    sdk.close();
    registry.close();
  }

  /** An exporter that counts the spans and drops them. */
  private record Discarding(AtomicLong exported) implements SpanExporter {
    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
      exported.addAndGet(spans.size());
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode flush() {
      return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
      return CompletableResultCode.ofSuccess();
    }
  }
}
