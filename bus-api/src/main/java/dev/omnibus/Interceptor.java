package dev.omnibus;

import dev.omnibus.spi.ServerConfig;
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
 * <p>What the chain cannot show, what the bus did with a delivery once the chain returned or threw (handled, skipped
 * as a duplicate, given again for a retry, dead-lettered and why), is told to {@link #onOutcome(Outcome)}.
 *
 * <p>Implementations must be thread-safe: publishes come from any application thread and handlings from each
 * subscription's consumer thread, concurrently. Every method defaults to passing straight on (or doing nothing).
 */
public interface Interceptor {

  /**
   * Around one publish (or a dead letter's or a replay's), after the event was built and its payload encoded, before
   * it is written to the wire. The returned stage completes when the broker confirmed the event. A dead letter is
   * published on the consumer thread that handled (or refused) the event, before {@link #onOutcome} tells it.
   */
  default CompletionStage<Void> aroundPublish(Publishing publishing, PublishChain next) {
    return next.proceed(publishing);
  }

  /**
   * Around one handling of a received event, after it was decoded from the wire, before its payload is decoded and its
   * handler called. An exception thrown before the handler ran (an interceptor's refusal, a payload that cannot be
   * decoded) sends the event to dead letters at once; one thrown by the handler counts as a failed attempt.
   *
   * <p>For a batch handler ({@link EventBus#subscribeBatch}) the chain runs for each event on its own, before the
   * handler is called once for the batch: its end is the event's admission (dedupe, payload decoding), so the chain
   * does not wrap the handler's work, and {@link #onOutcome} is told each event's result after the batch.
   */
  default void aroundHandle(Handling handling, HandleChain next) throws Exception {
    next.proceed(handling);
  }

  /**
   * What the bus did with one delivery, once it settled it: acknowledged, handed back for a retry, or dead-lettered
   * (the dead letter already published). Told for every delivery of a consumer's channel that reached the bus, also
   * those that never entered the chain (a message that is not a CloudEvent, an event no handler of the consumer
   * takes); not for those handed back untouched because the consumer is stopping. Called on the consumer thread that ran {@link #aroundHandle} for that delivery, right after the chain and
   * the settlement, so per-thread state kept by {@code aroundHandle} can be picked up here. An exception it throws is
   * logged and ignored.
   */
  default void onOutcome(Outcome outcome) {}

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
    REPLAY,
    /**
     * A copy of a failed event the bus publishes to its group's retry destination, to be handled again later
     * ({@link RetryPolicy#nonBlocking()}).
     */
    RETRY,
    /**
     * A responder's reply to a request ({@link EventBus#respond}), sent to the request's reply address. Its data is
     * checked as an event's; an error reply (extension {@code replyerror}) carries none.
     */
    REPLY
  }

  /**
   * One publish.
   *
   * @param event the CloudEvent to send
   * @param channel the channel id (for a dead letter: the channel the failed event was consumed from)
   * @param address the concrete broker address
   * @param kind an application event, a dead letter or a replay
   * @param server the server the bus publishes to; its {@link ServerConfig#protocol() protocol} names the binding
   */
  record Publishing(CloudEvent event, String channel, String address, Kind kind, ServerConfig server) {

    /** This publish with another event (e.g. with an extension added). */
    public Publishing withEvent(CloudEvent replacement) {
      return new Publishing(replacement, channel, address, kind, server);
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
   * @param address the address the consumer subscribed to: a parametrized channel's keeps its {@code {parameters}}
   * @param server the server the bus consumes from; its {@link ServerConfig#protocol() protocol} names the binding
   */
  record Handling(CloudEvent event, String channel, @Nullable String group, int attempt, long receivedNanos,
      String address, ServerConfig server) {

    /** This handling with another event. */
    public Handling withEvent(CloudEvent replacement) {
      return new Handling(replacement, channel, group, attempt, receivedNanos, address, server);
    }
  }

  /** What became of a delivery. */
  enum Result {
    /** The handler returned; the event was acknowledged. */
    HANDLED,
    /** The consumer had handled this event ({@code source} and {@code id}) already: acknowledged, not handled. */
    DUPLICATE,
    /** Acknowledged without a handler: none takes its type in this consumer, or an interceptor ended the chain. */
    SKIPPED,
    /** The handler failed and attempts are left: the event is given again after the retry policy's backoff. */
    RETRIED,
    /** Sent to dead letters ({@link Outcome#reason()} says why) and acknowledged. */
    DEAD_LETTERED,
    /**
     * Handed back to the broker without counting an attempt: its handler was closed on the way, or its dead letter
     * could not be stored. It comes again.
     */
    REQUEUED
  }

  /** Why a delivery was dead-lettered: a small, fixed set, fit for a metric's tag. */
  enum Reason {
    /** The message is not a valid CloudEvent. */
    MALFORMED,
    /** Its payload broke the document's schema ({@link ValidationException}). */
    INVALID,
    /** Its payload could not be decoded to the handler's type ({@link SerializationException}). */
    UNDECODABLE,
    /** An interceptor refused it before its handler ran. */
    REFUSED,
    /** Its handler failed on every attempt the retry policy allows. */
    EXHAUSTED,
    /** Its type's handler left this member of the group while the group stayed. */
    NO_HANDLER
  }

  /**
   * What the bus did with one delivery.
   *
   * @param result handled, skipped, retried, dead-lettered...
   * @param reason why it was dead-lettered (also when a {@link Result#REQUEUED} delivery's dead letter could not be
   *     stored); {@code null} for the other results
   * @param channel the channel id
   * @param group the consumer group, or {@code null} for an anonymous subscription
   * @param event the event as decoded, {@code null} for a message that is not a CloudEvent
   * @param attempt which attempt this was, 1 for the first
   * @param error what failed: the handler's or an interceptor's exception, the decoding failure; {@code null} when
   *     nothing failed
   * @param server the server the bus consumes from
   */
  record Outcome(Result result, @Nullable Reason reason, String channel, @Nullable String group,
      @Nullable CloudEvent event, int attempt, @Nullable Throwable error, ServerConfig server) {

    /** Whether the handler ran and threw: a failed attempt, retried or dead-lettered. */
    public boolean handlerFailed() {
      return result == Result.RETRIED || reason == Reason.EXHAUSTED;
    }
  }
}
