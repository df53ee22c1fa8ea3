package dev.omnibus.spi.support;

import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.Delivery;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A {@link Delivery} whose acknowledgement takes effect once, as the SPI promises: the first of {@link #ack()} and
 * {@link #nack(boolean)} counts, from any thread, and every later call is ignored. A binding extends it and says what
 * acknowledging means on its broker:
 *
 * <pre>{@code
 * final class AmqpDelivery extends SettleOnceDelivery {
 *   AmqpDelivery(Channel channel, long tag, WireMessage message, int attempt) {
 *     super(message, attempt);
 *     // ...
 *   }
 *
 *   protected void onAck() {
 *     channel.basicAck(tag, false);
 *   }
 *
 *   protected void onNack(boolean requeue) {
 *     channel.basicNack(tag, false, requeue);
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe: {@link #onAck()} or {@link #onNack(boolean)} runs at most once in all, on the thread of the call that
 * settled the delivery.
 */
public abstract class SettleOnceDelivery implements Delivery {

  private final WireMessage message;
  private final int attempt;
  /** {@link #settled}, set once: a field of the delivery rather than an object of its own for each one. */
  private static final VarHandle SETTLED;

  static {
    try {
      SETTLED = MethodHandles.lookup().findVarHandle(SettleOnceDelivery.class, "settled", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile boolean settled;

  /**
   * A delivery of a message.
   *
   * @param message the message as received
   * @param attempt which delivery of the message this is, 1 for the first
   * @throws IllegalArgumentException when {@code attempt} is below 1
   */
  protected SettleOnceDelivery(WireMessage message, int attempt) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be 1 or more, was " + attempt);
    }
    this.message = message;
    this.attempt = attempt;
  }

  @Override
  public final WireMessage message() {
    return message;
  }

  @Override
  public final int attempt() {
    return attempt;
  }

  /** Acknowledges the message with {@link #onAck()}, unless the delivery was already settled. */
  @Override
  public final void ack() {
    if (SETTLED.compareAndSet(this, false, true)) {
      onAck();
    }
  }

  /** Rejects the message with {@link #onNack(boolean)}, unless the delivery was already settled. */
  @Override
  public final void nack(boolean requeue) {
    if (SETTLED.compareAndSet(this, false, true)) {
      onNack(requeue);
    }
  }

  /** Whether {@link #ack()} or {@link #nack(boolean)} was called. */
  public final boolean isSettled() {
    return settled;
  }

  /** Acknowledges the message on the broker; called once at most, and only if no nack came first. */
  protected abstract void onAck();

  /**
   * Rejects the message on the broker, for redelivery with {@code requeue}; called once at most, and only if no ack
   * came first.
   */
  protected abstract void onNack(boolean requeue);
}
