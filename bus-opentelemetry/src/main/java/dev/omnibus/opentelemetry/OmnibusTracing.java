package dev.omnibus.opentelemetry;

import dev.omnibus.Interceptor;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * Traces what a bus does with OpenTelemetry: a {@code PRODUCER} span per publish (dead letters and replays included)
 * and a {@code CONSUMER} span per handling attempt, after the messaging semantic conventions. The trace context
 * travels in the event itself, as the CloudEvents distributed-tracing extension ({@code traceparent},
 * {@code tracestate}), so it crosses every binding in binary and structured mode and any CloudEvents consumer sees it.
 *
 * <pre>{@code
 * OpenTelemetry openTelemetry = ...; // the SDK your service configured, or GlobalOpenTelemetry.get()
 * EventBus bus = EventBus.builder()
 *     .asyncApi("asyncapi.yaml")
 *     .intercept(OmnibusTracing.of(openTelemetry))
 *     .build();
 * }</pre>
 *
 * <p>A publish's span is a child of the current span (a handler's consumer span when the handler publishes), else of
 * the {@code traceparent} the event already carries, else a new trace; its context replaces the event's
 * {@code traceparent}. A handling's span is a child of the event's {@code traceparent}, whoever wrote it, and is the
 * current span while the handler runs. Each retry is a span of its own (attribute {@value #ATTEMPT}); a dead letter's
 * publish is a child of the attempt that failed last. docs/observability.md shows the span model.
 *
 * <p>Register it first (outermost), so that its spans cover what the other interceptors do. One instance may serve
 * several buses. Thread-safe.
 */
public final class OmnibusTracing implements Interceptor {

  /** The instrumentation scope name of the spans. */
  public static final String INSTRUMENTATION_SCOPE = "dev.omnibus";
  /** The CloudEvents distributed-tracing extension attribute holding the W3C {@code traceparent}. */
  public static final String TRACEPARENT = "traceparent";
  /** The CloudEvents distributed-tracing extension attribute holding the W3C {@code tracestate}. */
  public static final String TRACESTATE = "tracestate";
  /** Span attribute: which attempt a handling is, 1 for the first. */
  public static final String ATTEMPT = "omnibus.attempt";

  static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
  static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
  static final AttributeKey<String> DESTINATION_TEMPLATE = AttributeKey.stringKey("messaging.destination.template");
  static final AttributeKey<String> GROUP = AttributeKey.stringKey("messaging.consumer.group.name");
  static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
  static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
  static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
  static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
  static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
  static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
  static final AttributeKey<String> EVENT_ID = AttributeKey.stringKey("cloudevents.event_id");
  static final AttributeKey<String> EVENT_SOURCE = AttributeKey.stringKey("cloudevents.event_source");
  static final AttributeKey<String> EVENT_TYPE = AttributeKey.stringKey("cloudevents.event_type");
  static final AttributeKey<String> EVENT_SUBJECT = AttributeKey.stringKey("cloudevents.event_subject");
  static final AttributeKey<String> EVENT_SPEC_VERSION = AttributeKey.stringKey("cloudevents.event_spec_version");
  static final AttributeKey<String> CHANNEL = AttributeKey.stringKey("omnibus.channel");
  static final AttributeKey<String> PUBLISH_KIND = AttributeKey.stringKey("omnibus.publish.kind");
  static final AttributeKey<Long> ATTEMPT_KEY = AttributeKey.longKey(ATTEMPT);

  private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
  private static final TextMapGetter<CloudEvent> FROM_EVENT = new TextMapGetter<>() {
    // Abstract up to OpenTelemetry 1.6x (the one Spring Boot's BOM manages): overridden so the class works on both.
    @Override
    public Iterable<String> keys(CloudEvent event) {
      return event.getExtensionNames();
    }

    @Override
    public @Nullable String get(@Nullable CloudEvent event, String key) {
      Object value = event == null ? null : event.getExtension(key);
      return value == null ? null : value.toString();
    }
  };
  private static final TextMapSetter<String[]> TO_PAIR = (pair, key, value) -> {
    if (pair == null) {
      return;
    }
    if (TRACEPARENT.equals(key)) {
      pair[0] = value;
    } else if (TRACESTATE.equals(key)) {
      pair[1] = value;
    }
  };

  private final Tracer tracer;
  /**
   * The span of the handling that failed last on this thread, until its outcome is told: the parent of the dead
   * letter the bus publishes in between, on the same thread.
   */
  private final ThreadLocal<@Nullable SpanContext> failedHandling = new ThreadLocal<>();

  private OmnibusTracing(Tracer tracer) {
    this.tracer = tracer;
  }

  /** Tracing with the given OpenTelemetry (its tracer provider; the context always travels as W3C trace context). */
  public static OmnibusTracing of(OpenTelemetry openTelemetry) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    return new OmnibusTracing(openTelemetry.getTracer(INSTRUMENTATION_SCOPE));
  }

  @Override
  @SuppressWarnings("try") // the scope is only made current
  public CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
    CloudEvent event = publishing.event();
    Context parent = publishParent(publishing);
    // Dead letters and retry copies go to an address of their own, not to the channel.
    String destination = publishing.kind() == Kind.DEAD_LETTER || publishing.kind() == Kind.RETRY
        ? publishing.address() : publishing.channel();
    SpanBuilder builder = tracer.spanBuilder("send " + destination)
        .setSpanKind(SpanKind.PRODUCER)
        .setParent(parent)
        .setAttribute(SYSTEM, system(publishing.server().protocol()))
        .setAttribute(DESTINATION, publishing.address())
        .setAttribute(OPERATION_NAME, "send")
        .setAttribute(OPERATION_TYPE, "send")
        .setAttribute(CHANNEL, publishing.channel())
        .setAttribute(PUBLISH_KIND, publishing.kind().name().toLowerCase(Locale.ROOT));
    server(builder, publishing.server().hostName(), publishing.server().port().orElse(null));
    Span span = event(builder, event).startSpan();
    Context context = parent.with(span);
    CompletionStage<Void> sent;
    try (Scope ignored = context.makeCurrent()) {
      sent = next.proceed(publishing.withEvent(withContext(event, context)));
    } catch (RuntimeException e) {
      failed(span, e);
      span.end();
      throw e;
    }
    return sent.whenComplete((confirmed, failure) -> {
      if (failure != null) {
        failed(span, unwrap(failure));
      }
      span.end();
    });
  }

  @Override
  @SuppressWarnings("try") // the scope is only made current
  public void aroundHandle(Handling handling, HandleChain next) throws Exception {
    CloudEvent event = handling.event();
    Context parent = W3C.extract(Context.root(), event, FROM_EVENT);
    SpanBuilder builder = tracer.spanBuilder("process " + handling.channel())
        .setSpanKind(SpanKind.CONSUMER)
        .setParent(parent)
        .setAttribute(SYSTEM, system(handling.server().protocol()))
        .setAttribute(OPERATION_NAME, "process")
        .setAttribute(OPERATION_TYPE, "process")
        .setAttribute(CHANNEL, handling.channel())
        .setAttribute(ATTEMPT_KEY, (long) handling.attempt());
    String address = handling.address();
    builder.setAttribute(address.indexOf('{') >= 0 ? DESTINATION_TEMPLATE : DESTINATION, address);
    if (handling.group() != null) {
      builder.setAttribute(GROUP, handling.group());
    }
    server(builder, handling.server().hostName(), handling.server().port().orElse(null));
    Span span = event(builder, event).startSpan();
    failedHandling.remove();
    try (Scope ignored = parent.with(span).makeCurrent()) {
      next.proceed(handling);
    } catch (Exception | Error e) {
      failed(span, e);
      failedHandling.set(span.getSpanContext());
      throw e;
    } finally {
      span.end();
    }
  }

  @Override
  public void onOutcome(Outcome outcome) {
    failedHandling.remove();
  }

  /**
   * A dead letter's or a retry copy's: the handling that failed on this thread. Otherwise the current span's (a
   * handler publishing), else the event's own {@code traceparent} (an event relayed, a replay), else none: a new trace.
   */
  private Context publishParent(Publishing publishing) {
    if (publishing.kind() == Kind.DEAD_LETTER || publishing.kind() == Kind.RETRY) {
      SpanContext failed = failedHandling.get();
      if (failed != null) {
        return Context.root().with(Span.wrap(failed));
      }
    }
    Context current = Context.current();
    if (Span.fromContext(current).getSpanContext().isValid()) {
      return current;
    }
    return W3C.extract(current, publishing.event(), FROM_EVENT);
  }

  /** The event with the context's {@code traceparent} (and {@code tracestate}, or none) as extensions. */
  private static CloudEvent withContext(CloudEvent event, Context context) {
    String[] pair = new String[2];
    W3C.inject(context, pair, TO_PAIR);
    if (pair[0] == null) {
      return event;
    }
    CloudEventBuilder traced = CloudEventBuilder.v1(event).withExtension(TRACEPARENT, pair[0]);
    if (pair[1] == null || pair[1].isEmpty()) {
      traced.withoutExtension(TRACESTATE);
    } else {
      traced.withExtension(TRACESTATE, pair[1]);
    }
    return traced.build();
  }

  private static SpanBuilder event(SpanBuilder builder, CloudEvent event) {
    builder.setAttribute(MESSAGE_ID, event.getId())
        .setAttribute(EVENT_ID, event.getId())
        .setAttribute(EVENT_SOURCE, event.getSource().toString())
        .setAttribute(EVENT_TYPE, event.getType())
        .setAttribute(EVENT_SPEC_VERSION, event.getSpecVersion().toString());
    if (event.getSubject() != null) {
      builder.setAttribute(EVENT_SUBJECT, event.getSubject());
    }
    return builder;
  }

  private static void server(SpanBuilder builder, String host, @Nullable Integer port) {
    builder.setAttribute(SERVER_ADDRESS, host);
    if (port != null) {
      builder.setAttribute(SERVER_PORT, port.longValue());
    }
  }

  private static void failed(Span span, Throwable error) {
    span.setStatus(StatusCode.ERROR, String.valueOf(error.getMessage()));
    span.setAttribute(ERROR_TYPE, error.getClass().getName());
    span.recordException(error);
  }

  private static Throwable unwrap(Throwable error) {
    Throwable cause = error;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  /**
   * The semantic conventions' {@code messaging.system} of a server protocol ({@code amqp} is served by the RabbitMQ
   * binding); a protocol of another binding is its own name.
   */
  static String system(String protocol) {
    return switch (protocol) {
      case "kafka", "kafka-secure" -> "kafka";
      case "amqp", "amqps" -> "rabbitmq";
      case "mqtt", "mqtts", "secure-mqtt", "ws", "wss" -> "mqtt";
      default -> protocol;
    };
  }
}
