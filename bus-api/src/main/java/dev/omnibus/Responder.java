package dev.omnibus;

import org.jspecify.annotations.Nullable;

/**
 * Answers requests: registered with {@link EventBus#respond}, called once per request, its return value is sent back
 * to the requester as the reply's data. The bus sends the reply to the request's reply address with the request's
 * correlation id, and acknowledges the request only once the broker confirmed the reply.
 *
 * <p>If it throws, the requester gets a {@link RemoteFailureException} with the exception's class and message (an
 * error reply), unless the bus was built with {@code replyOnFailure(false)}: then the request is retried and
 * dead-lettered like any failed event, and the requester times out.
 *
 * @param <Q> the request's payload type
 * @param <R> the reply's payload type
 */
@FunctionalInterface
public interface Responder<Q, R> {

  /**
   * Answers one request.
   *
   * @param request the request as received
   * @return the reply's data; {@code null} for a reply without data
   * @throws Exception to send an error reply (or to retry, see above)
   */
  @Nullable R respond(Event<Q> request) throws Exception;
}
