package dev.omnibus;

/**
 * Thrown by a responder's handling when a request cannot be answered whatever happens next (it names no reply
 * address): the request goes to dead letters at once with this message, rather than being retried.
 */
final class UnanswerableRequest extends Exception {

  UnanswerableRequest(String message) {
    super(message, null, false, false);
  }
}
