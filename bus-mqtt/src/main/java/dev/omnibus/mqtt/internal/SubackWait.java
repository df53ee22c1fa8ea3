package dev.omnibus.mqtt.internal;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * Waits for a SUBACK without mistaking a busy session for a silent broker.
 *
 * <p>A member resuming a group's persistent session gets the messages the broker kept for it as soon as it connects;
 * the broker writes them before the SUBACK of the subscribe that follows, so with tens of thousands queued the SUBACK
 * arrives only once they were read. The wait therefore fails only when neither the SUBACK nor any message arrived for
 * a whole timeout: while messages keep coming the broker is working through the backlog, and the wait goes on.
 */
final class SubackWait {

  /** Waits on a client token for at most the given milliseconds; returns normally on timeout or completion. */
  @FunctionalInterface
  interface Waiter {
    void await(long millis) throws Exception;
  }

  /** The broker sent neither the SUBACK nor any message for a whole timeout. */
  static final class TimedOut extends Exception {
    private static final long serialVersionUID = 1L;

    TimedOut(Duration timeout) {
      super("no SUBACK and no message from the broker for " + timeout.toSeconds() + " s");
    }
  }

  private SubackWait() {}

  /**
   * Waits until {@code complete} holds, in slices of {@code timeout}, as long as {@code arrivals} (messages received on
   * the connection so far) grows from one slice to the next.
   *
   * @throws TimedOut when a whole slice passed without the SUBACK and without a message
   * @throws Exception the client's exception when the subscribe failed
   */
  static void await(Waiter waiter, BooleanSupplier complete, LongSupplier arrivals, Duration timeout)
      throws Exception {
    long seen = arrivals.getAsLong();
    while (true) {
      try {
        waiter.await(timeout.toMillis());
      } catch (Exception e) {
        if (complete.getAsBoolean()) {
          throw e; // completed with a failure: not a timeout
        }
      }
      if (complete.getAsBoolean()) {
        return;
      }
      long now = arrivals.getAsLong();
      if (now == seen) {
        throw new TimedOut(timeout);
      }
      seen = now;
    }
  }
}
