package dev.omnibus.envelope;

import java.util.List;

/**
 * A message or event that is not a valid CloudEvent. The message lists every violation found; {@link #violations()}
 * gives them one by one, for a dead letter's reason header.
 */
public final class MalformedEventException extends RuntimeException {

  private final List<String> violations;

  MalformedEventException(List<String> violations, @org.jspecify.annotations.Nullable Throwable cause) {
    super("Not a valid CloudEvent: " + String.join("; ", violations), cause);
    this.violations = List.copyOf(violations);
  }

  static MalformedEventException of(String violation) {
    return new MalformedEventException(List.of(violation), null);
  }

  static MalformedEventException of(String violation, Throwable cause) {
    return new MalformedEventException(List.of(violation), cause);
  }

  /** Each violation, in the order found. Never empty. */
  public List<String> violations() {
    return violations;
  }
}
