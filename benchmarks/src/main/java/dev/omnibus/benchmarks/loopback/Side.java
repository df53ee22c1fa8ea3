package dev.omnibus.benchmarks.loopback;

import dev.omnibus.benchmarks.orders.Orders.Order;
import org.jspecify.annotations.Nullable;

/**
 * One way of moving orders through a broker and back in this JVM: a raw client, or the bus. It consumes what it
 * publishes and reports each order received to the {@link Receiver} it was opened with.
 *
 * <p>{@link #send} is called from one thread, the runner's; it may block for the side's own flow control (a confirm
 * window), as an application using that client would.
 */
public interface Side extends AutoCloseable {

  /** What a received order is reported to; called on the side's consumer thread. */
  @FunctionalInterface
  interface Receiver {
    void received(Order order);
  }

  /** What a send's outcome is reported to; called on the client's thread. */
  interface Confirmation {
    void confirmed();

    void failed(Throwable failure);

    /** {@link #confirmed()} when there is no failure, else {@link #failed}: for a client's completion callback. */
    default void settle(@Nullable Throwable failure) {
      if (failure == null) {
        confirmed();
      } else {
        failed(failure);
      }
    }
  }

  /** A short label for reports, e.g. {@code raw kafka-clients}. */
  String label();

  /** Publishes one order; {@code confirmation} hears when the broker confirmed it (or did not). */
  void send(Order order, Confirmation confirmation) throws InterruptedException;

  /** Stops consuming, closes the clients and removes what this side created on the broker. */
  @Override
  void close();

  /** Opens a side. */
  @FunctionalInterface
  interface Factory {
    Side open(Receiver receiver) throws Exception;
  }
}
