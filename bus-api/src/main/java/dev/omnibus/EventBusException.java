package dev.omnibus;

/**
 * The root of every exception Omnibus throws or completes a stage with. Its message says what went wrong and what to
 * do about it; raw client exceptions are only ever its cause.
 */
public class EventBusException extends RuntimeException {

  EventBusException(String message) {
    super(message);
  }

  EventBusException(String message, Throwable cause) {
    super(message, cause);
  }
}
