package dev.omnibus;

/** How payloads are checked against the payload schemas of the AsyncAPI document. */
public enum ValidationMode {
  /** Not checked. */
  OFF,
  /** Checked; a violation is logged, the event goes on. */
  WARN,
  /** Checked; on publish an invalid payload is refused and nothing is sent, on receive it goes to dead letters. */
  ENFORCE
}
