package dev.omnibus;

/**
 * The responder failed to answer a request and said so in an error reply: its {@link Responder} threw. The message
 * names the responder's exception class and message; nothing else of the responder crosses the wire.
 */
public final class RemoteFailureException extends EventBusException {

  private final String remoteError;
  private final String correlationId;

  private RemoteFailureException(String message, String remoteError, String correlationId) {
    super(message);
    this.remoteError = remoteError;
    this.correlationId = correlationId;
  }

  static RemoteFailureException of(String requestType, String correlationId, String remoteError) {
    return new RemoteFailureException("The responder to request '" + requestType + "' failed (correlation id "
        + correlationId + "): " + remoteError, remoteError, correlationId);
  }

  /** What the responder reported: its exception's class and message. */
  public String remoteError() {
    return remoteError;
  }

  /** The correlation id of the request. */
  public String correlationId() {
    return correlationId;
  }
}
