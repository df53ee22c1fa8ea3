package dev.omnibus.sse;

import io.cloudevents.CloudEvent;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * The answer of the authentication hook ({@link SseBridge.Builder#authenticate}) to one request: open the stream,
 * perhaps showing only some events, or refuse it with an HTTP status.
 *
 * <pre>{@code
 * request -> request.header("Authorization")
 *     .flatMap(tokens::verify)
 *     .map(user -> SseAccess.granted(event -> user.tenant().equals(event.getExtension("tenant"))))
 *     .orElse(SseAccess.denied(401, "a bearer token is required"))
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class SseAccess {

  private static final SseAccess GRANTED = new SseAccess(0, "", null);

  private final int status;
  private final String message;
  private final @Nullable Predicate<CloudEvent> filter;

  private SseAccess(int status, String message, @Nullable Predicate<CloudEvent> filter) {
    this.status = status;
    this.message = message;
    this.filter = filter;
  }

  /** Opens the stream with every event of it. */
  public static SseAccess granted() {
    return GRANTED;
  }

  /**
   * Opens the stream with only the events this client may see. The filter runs on the bus's handler thread for every
   * event of the channel, so it must be quick and must not block.
   */
  public static SseAccess granted(Predicate<CloudEvent> filter) {
    return new SseAccess(0, "", Objects.requireNonNull(filter, "filter"));
  }

  /**
   * Refuses the stream with an HTTP status and a plain-text message. A browser's {@code EventSource} does not
   * reconnect after a refusal: it reports an error and stays closed.
   *
   * @param status an HTTP error status, 400 to 599 (401 unauthenticated, 403 forbidden, 503 overloaded)
   */
  public static SseAccess denied(int status, String message) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be an HTTP error status (400 to 599), not " + status);
    }
    return new SseAccess(status, Objects.requireNonNull(message, "message"), null);
  }

  /** Whether the stream is opened. */
  public boolean isGranted() {
    return status == 0;
  }

  /** The HTTP status of a refusal; empty when granted. */
  public Optional<Integer> status() {
    return isGranted() ? Optional.empty() : Optional.of(status);
  }

  /** The message of a refusal; empty when granted. */
  public String message() {
    return message;
  }

  /** The events this client may see, when granted with a filter. */
  public Optional<Predicate<CloudEvent>> filter() {
    return Optional.ofNullable(filter);
  }

  @Override
  public String toString() {
    return isGranted() ? (filter == null ? "granted" : "granted(filtered)") : "denied(" + status + ", " + message + ")";
  }
}
