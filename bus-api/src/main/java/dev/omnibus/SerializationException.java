package dev.omnibus;

/**
 * A payload could not be encoded on publish or decoded on receive, or a received message is not a valid CloudEvent.
 * On receive the message goes to dead letters with this exception's message as the reason.
 */
public final class SerializationException extends EventBusException {

  private SerializationException(String message, Throwable cause) {
    super(message, cause);
  }

  private SerializationException(String message) {
    super(message);
  }

  /** Encoding or decoding failed because of the cause. */
  public static SerializationException of(String message, Throwable cause) {
    return new SerializationException(message, cause);
  }

  /** Encoding or decoding failed. */
  public static SerializationException of(String message) {
    return new SerializationException(message);
  }
}
