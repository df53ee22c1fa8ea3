package dev.omnibus;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What {@link EventBus#health()} reports: the state of the bus's connection to its broker and of each of its consumers
 * (one per channel and group, and one per anonymous subscription), at the moment of the call.
 *
 * <pre>{@code
 * Health health = bus.health();
 * if (!health.ready()) {
 *   log.warn("bus not ready: {}", health);   // e.g. transport RECONNECTING: Connection refused
 * }
 * }</pre>
 *
 * <p>A service exposes {@link #ready()} as its readiness: true only while the broker connection is up and every
 * consumer is consuming. {@link #state()} is the worst state found, for a liveness or status page.
 *
 * @param server the name of the server the bus talks to
 * @param protocol its protocol, e.g. {@code kafka}
 * @param transport the state of the connection to the broker
 * @param consumers the state of each running consumer, in no particular order
 */
public record Health(String server, String protocol, Status transport, List<Consumer> consumers) {

  /** A state of the connection or of a consumer, from the best to the worst. */
  public enum State {
    /** Connected, or consuming. */
    UP,
    /** The connection was lost and the client is reconnecting; {@link Status#lastError()} says why it was lost. */
    RECONNECTING,
    /**
     * A consumer that does not consume: its channel, session or consumer loop was lost and is being re-established,
     * or it failed to; {@link Status#lastError()} says why. Nothing is lost meanwhile: unacknowledged events stay with
     * the broker.
     */
    STALLED,
    /** Closed by the application ({@link EventBus#close()}, {@link Subscription#close()}). */
    CLOSED
  }

  /**
   * One state with the error that caused it and when it began.
   *
   * @param state the state
   * @param lastError why the connection or consumer is not {@link State#UP} (a client's message, never a secret), or
   *     the last error seen while up; {@code null} when none
   * @param since when this state began
   */
  public record Status(State state, @Nullable String lastError, Instant since) {

    public Status {
      Objects.requireNonNull(state, "state");
      Objects.requireNonNull(since, "since");
    }

    /** Up since the given time. */
    public static Status up(Instant since) {
      return new Status(State.UP, null, since);
    }

    /** In a state other than up because of an error. */
    public static Status of(State state, @Nullable String lastError, Instant since) {
      return new Status(state, lastError, since);
    }
  }

  /**
   * The state of one consumer of a channel.
   *
   * @param channel the channel id
   * @param group the consumer group, or {@code null} for an anonymous subscription
   * @param status its state
   */
  public record Consumer(String channel, @Nullable String group, Status status) {

    public Consumer {
      Objects.requireNonNull(channel, "channel");
      Objects.requireNonNull(status, "status");
    }
  }

  public Health {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(transport, "transport");
    consumers = List.copyOf(consumers);
  }

  /** Whether the service can do its work: the connection is up and every consumer is consuming. */
  public boolean ready() {
    return state() == State.UP;
  }

  /** The worst state of the connection and the consumers. */
  public State state() {
    State worst = transport.state();
    for (Consumer consumer : consumers) {
      if (consumer.status().state().compareTo(worst) > 0) {
        worst = consumer.status().state();
      }
    }
    return worst;
  }
}
