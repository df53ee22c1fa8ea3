package dev.omnibus;

import java.util.List;

/**
 * A payload does not match the schema of its message in the AsyncAPI document: on publish nothing was sent
 * ({@link #of}), on receive the event went to dead letters ({@link #received}). Lists every violation with its JSON
 * pointer.
 */
public final class ValidationException extends EventBusException {

  private final List<Violation> violations;

  private ValidationException(String message, List<Violation> violations) {
    super(message);
    this.violations = List.copyOf(violations);
  }

  /**
   * One violation.
   *
   * @param pointer the JSON pointer of the offending value in the payload ({@code ""} for the payload itself)
   * @param message what the schema requires
   */
  public record Violation(String pointer, String message) {
    @Override
    public String toString() {
      return (pointer.isEmpty() ? "/" : pointer) + ": " + message;
    }
  }

  /** A payload of the given event type on the given channel broke the schema. */
  public static ValidationException of(String eventType, String channel, List<Violation> violations) {
    return new ValidationException(describe(eventType, channel, violations, "; nothing was sent:"), violations);
  }

  /**
   * A received payload of the given event type on the given channel broke the schema; the event goes to dead
   * letters.
   */
  public static ValidationException received(String eventType, String channel, List<Violation> violations) {
    return new ValidationException(describe(eventType, channel, violations, "; it goes to dead letters:"),
        violations);
  }

  private static String describe(String eventType, String channel, List<Violation> violations, String outcome) {
    StringBuilder text = new StringBuilder("Payload of '" + eventType + "' on channel '" + channel
        + "' does not match its AsyncAPI schema (" + violations.size() + " violation"
        + (violations.size() == 1 ? "" : "s") + ")" + outcome);
    for (Violation violation : violations) {
      text.append("\n  - ").append(violation);
    }
    return text.toString();
  }

  /** Every violation found. */
  public List<Violation> violations() {
    return violations;
  }
}
