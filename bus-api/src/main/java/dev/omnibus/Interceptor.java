package dev.omnibus;

import io.cloudevents.CloudEvent;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Behaviour around every publish and every handling of a bus: one chain, in the order of
 * {@link EventBus.Builder#intercept(Interceptor)}, the first registered outermost. Payload validation and dedupe are
 * interceptors; metrics, tracing and the outbox plug in the same way.
 *
 * <p>An interceptor calls {@code next} to go on (before and after it is the place for its before/after/on-error
 * work), may replace the event it passes on (e.g. add a {@code traceparent} extension), or may end the chain without
 * calling {@code next}: a publish is then refused with the exception it returns or throws, a handling counts as done
 * and its event is acknowledged.
 *
 * <pre>{@code
 * Interceptor timing = new Interceptor() {
 *   @Override
 *   public void aroundHandle(Handling handling, HandleChain next) throws Exception {
 *     long start = System.nanoTime();
 *     try {
 *       next.proceed(handling);
 *     } finally {
 *       record(handling.channel(), handling.group(), System.nanoTime() - start);
 *     }
 *   }
 * };
 * }</pre>
 *
 * <p>Implementations must be thread-safe: publishes come from any application thread and handlings from each
 * subscription's consumer thread, concurrently. Both methods default to passing straight on.
 */
public interface Interceptor {

  /**
   * Around one publish (or a dead letter's or a replay's), after the event was built and its payload encoded, before
   * it is written to the wire. The returned stage completes when the broker confirmed the event.
   */
  default CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
    return next.proceed(publishing);
  }

  /**
   * Around one handling of a received event, after it was decoded from the wire, before its payload is decoded and its
   * handler called. An exception thrown before the handler ran (an interceptor's refusal, a payload that cannot be
   * decoded) sends the event to dead letters at once; one thrown by the handler counts as a failed attempt.
   */
  default void aroundHandle(Handling handling, HandleChain next) throws Exception {
    next.proceed(handling);
  }

  /** The rest of the publish chain. */
  @FunctionalInterface
  interface PublishChain {
    /** Passes the publish on; the stage completes when the broker confirmed it. */
    CompletionStage<Void> proceed(Publishing publishing);
  }

  /** The rest of the handling chain. */
  @FunctionalInterface
  interface HandleChain {
    /** Passes the handling on, down to the handler. */
    void proceed(Handling handling) throws Exception;
  }

  /** What a publish is: the event, and the channel and address it goes to. */
  enum Kind {
    /** An application's event. */
    EVENT,
    /** A dead letter the bus publishes for an event that could not be handled. */
    DEAD_LETTER,
    /** A dead letter published again by {@link EventBus#replay}. */
    REPLAY
  }

  /**
   * One publish.
   *
   * @param event the CloudEvent to send
   * @param channel the channel id
   * @param address the concrete broker address
   * @param kind an application event, a dead letter or a replay
   */
  record Publishing(CloudEvent event, String channel, String address, Kind kind) {

    /** This publish with another event (e.g. with an extension added). */
    public Publishing withEvent(CloudEvent replacement) {
      return new Publishing(replacement, channel, address, kind);
    }
  }

  /**
   * One handling of a received event.
   *
   * @param event the CloudEvent as received
   * @param channel the channel id
   * @param group the consumer group, or {@code null} for an anonymous subscription
   * @param attempt which attempt this is, 1 for the first
   * @param receivedNanos {@link System#nanoTime()} when the delivery reached the bus, to measure time in the bus
   */
  record Handling(CloudEvent event, String channel, @Nullable String group, int attempt, long receivedNanos) {

    /** This handling with another event. */
    public Handling withEvent(CloudEvent replacement) {
      return new Handling(replacement, channel, group, attempt, receivedNanos);
    }
  }
}
