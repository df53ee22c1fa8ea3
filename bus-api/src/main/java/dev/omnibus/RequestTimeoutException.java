package dev.omnibus;

import java.time.Duration;

/**
 * No reply came to a request within its timeout. The request may still have been handled: a reply that comes later is
 * counted as late ({@link RequestStats#late()}) and dropped, never given to another caller.
 */
public final class RequestTimeoutException extends EventBusException {

  private final String correlationId;

  private RequestTimeoutException(String message, String correlationId) {
    super(message);
    this.correlationId = correlationId;
  }

  static RequestTimeoutException of(String requestType, String channel, String correlationId, Duration timeout) {
    return new RequestTimeoutException("No reply to request '" + requestType + "' on channel '" + channel
        + "' within " + timeout + " (correlation id " + correlationId + "): check that a responder subscribes the "
        + "channel (EventBus.respond) and that the reply address is reachable, or give the request more time",
        correlationId);
  }

  /** The correlation id of the request that timed out. */
  public String correlationId() {
    return correlationId;
  }
}
