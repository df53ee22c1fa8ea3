package dev.omnibus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownSignalException;
import dev.omnibus.spi.support.Causes;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One AMQP channel in confirm mode, publishing with a pipeline of outstanding confirms tracked by sequence number.
 *
 * <p>Thread-safe: publishing is serialised on a private lock, because a channel is not safe for concurrent publishing
 * and the sequence number must be read and used atomically. Confirms, returns and shutdown arrive on the connection's
 * thread and touch only the concurrent map of outstanding sends.
 *
 * <p>Used until it shuts down for any reason, then abandoned: the transport opens a fresh one. Sequence numbers restart
 * on a recovered channel, so keeping an automatically recovered publisher channel would let a new confirm complete an
 * old send; a shut down instance therefore never publishes again, and its sends waiting for a confirm fail at the
 * shutdown (their confirms can no longer come).
 *
 * <p>The sequence numbers are counted here, not read from {@link Channel#getNextPublishSeqNo()}: the client advances
 * its own before it encodes the message, so a publish refused without reaching the broker (a property over 255 bytes)
 * would shift every later confirm onto the wrong send. Here a number is used only by a message handed to the broker,
 * which numbers the messages of a channel in confirm mode 1, 2, 3… as it receives them.
 */
final class PublisherChannel {

  private static final Logger LOG = LoggerFactory.getLogger(PublisherChannel.class);

  private final Channel channel;
  private final Object publishLock = new Object();
  private final ConcurrentNavigableMap<Long, Outstanding> outstanding = new ConcurrentSkipListMap<>();
  private final Consumer<ShutdownSignalException> onChannelError;
  private long nextSequence = 1; // guarded by publishLock
  private volatile boolean dead;

  /** A send handed to the broker, and when: the confirm timeout counts from there, not from the send. */
  private record Outstanding(Pending pending, long publishedNanos) {}

  /** A send waiting for its confirm. Completed once, by whichever of confirm, return, failure comes first. */
  interface Pending {
    String exchange();

    String routingKey();

    @Nullable String messageId();

    /** Marks the send as returned unroutable; the following confirm then fails it. */
    void returned(String reason);

    boolean isReturned();

    void confirmed();

    void failed(String reason, @Nullable Throwable cause);
  }

  PublisherChannel(Channel channel, Consumer<ShutdownSignalException> onChannelError) throws IOException {
    this.channel = channel;
    this.onChannelError = onChannelError;
    channel.confirmSelect();
    channel.addConfirmListener(new ConfirmListener() {
      @Override
      public void handleAck(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple, true);
      }

      @Override
      public void handleNack(long deliveryTag, boolean multiple) {
        settle(deliveryTag, multiple, false);
      }
    });
    channel.addReturnListener((ReturnListener) this::handleReturn);
    channel.addShutdownListener(this::handleShutdown);
  }

  /** Whether this channel can still publish. */
  boolean usable() {
    return !dead && channel.isOpen();
  }

  /**
   * Publishes one message; the pending send completes on its confirm. A failure to hand the message to the client
   * fails the pending send at once.
   *
   * @return false, leaving the pending send untouched, when the message was not handed to the broker because this
   *     channel is closed (or its connection is): it can be published again elsewhere without risking a duplicate
   */
  boolean publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties,
      byte @Nullable [] body, Pending pending) {
    synchronized (publishLock) {
      if (dead) {
        return false;
      }
      long sequence = nextSequence;
      outstanding.put(sequence, new Outstanding(pending, System.nanoTime()));
      try {
        channel.basicPublish(exchange, routingKey, mandatory, properties, body == null ? new byte[0] : body);
        nextSequence++;
        return true;
      } catch (AlreadyClosedException e) {
        // Refused before anything was written: the channel or its connection is closed.
        outstanding.remove(sequence);
        dead = true;
        return false;
      } catch (IllegalArgumentException e) {
        // Refused while encoding (a property over 255 bytes), before anything was written: the broker did not count
        // it, and neither do we.
        outstanding.remove(sequence);
        pending.failed(rootMessage(e), e);
        return true;
      } catch (IOException | RuntimeException e) {
        // Failed while writing: the broker may have part, all or none of it, so the numbering can no longer be
        // trusted. Abandon the channel; the sends waiting on it fail when it shuts down or is replaced.
        outstanding.remove(sequence);
        pending.failed(rootMessage(e), e);
        dead = true;
        return true;
      }
    }
  }

  /** Fails every send waiting longer than the timeout for its confirm; called periodically. */
  void expire(long timeoutNanos, long nowNanos) {
    for (Map.Entry<Long, Outstanding> entry : outstanding.entrySet()) {
      if (nowNanos - entry.getValue().publishedNanos() < timeoutNanos) {
        // Sequence order is publish order: later entries are younger.
        return;
      }
      if (outstanding.remove(entry.getKey(), entry.getValue())) {
        entry.getValue().pending().failed("no publisher confirm within " + timeoutNanos / 1_000_000 + " ms", null);
      }
    }
  }

  /** The number of sends waiting for their confirm. */
  int outstanding() {
    return outstanding.size();
  }

  /** Closes the channel, failing what still waits for a confirm. Bounded by the connection's RPC timeout. */
  void close() {
    dead = true;
    try {
      // Also on an already closed channel: close() unregisters it, so that connection recovery does not bring it back.
      channel.close();
    } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
      LOG.debug("Closing publisher channel {} failed: {}", channel.getChannelNumber(), e.toString());
    }
    failAll("the transport is closing", null);
  }

  private void settle(long deliveryTag, boolean multiple, boolean ack) {
    if (multiple) {
      ConcurrentNavigableMap<Long, Outstanding> settled = outstanding.headMap(deliveryTag, true);
      for (Map.Entry<Long, Outstanding> entry : settled.entrySet()) {
        if (outstanding.remove(entry.getKey(), entry.getValue())) {
          complete(entry.getValue().pending(), ack);
        }
      }
    } else {
      Outstanding entry = outstanding.remove(deliveryTag);
      if (entry != null) {
        complete(entry.pending(), ack);
      }
    }
  }

  private static void complete(Pending pending, boolean ack) {
    if (ack) {
      pending.confirmed();
    } else {
      pending.failed("the broker nacked the message (an internal error in RabbitMQ, e.g. a queue process crashed)",
          null);
    }
  }

  private void handleReturn(int replyCode, String replyText, String exchange, String routingKey,
      AMQP.BasicProperties properties, byte[] body) {
    // RabbitMQ sends basic.return before the confirm of the same message, on the same channel, in publish order: the
    // oldest matching send that was not yet returned is the one.
    for (Outstanding entry : outstanding.values()) {
      Pending pending = entry.pending();
      if (!pending.isReturned() && pending.exchange().equals(exchange) && pending.routingKey().equals(routingKey)
          && Objects.equals(pending.messageId(), properties.getMessageId())) {
        pending.returned("unroutable: no queue is bound to exchange '" + (exchange.isEmpty() ? "(default)" : exchange)
            + "' with routing key '" + routingKey + "' (" + replyCode + " " + replyText + ") and the send is mandatory");
        return;
      }
    }
  }

  private void handleShutdown(ShutdownSignalException cause) {
    dead = true;
    String reason;
    if (cause.isInitiatedByApplication()) {
      reason = "the channel was closed";
    } else if (cause.isHardError()) {
      // Connection loss (a broker restart, a network failure): the broker may or may not have these messages, and the
      // recovered channel numbers its confirms afresh, so theirs will never come.
      reason = "the connection to the broker was lost before it confirmed the message (" + replyText(cause)
          + "); it may or may not have been stored: publish again";
    } else {
      reason = "the broker closed the channel: " + replyText(cause);
    }
    failAll(reason, cause);
    if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
      onChannelError.accept(cause);
    }
  }

  private void failAll(String reason, @Nullable Throwable cause) {
    for (Long sequence : outstanding.keySet()) {
      Outstanding entry = outstanding.remove(sequence);
      if (entry != null) {
        entry.pending().failed(reason, cause);
      }
    }
  }

  /** The broker's reply text of a shutdown, e.g. {@code NOT_FOUND - no exchange 'x' in vhost '/'}. */
  static String replyText(ShutdownSignalException signal) {
    Object reason = signal.getReason();
    if (reason instanceof AMQP.Channel.Close close) {
      return close.getReplyText();
    }
    if (reason instanceof AMQP.Connection.Close close) {
      return close.getReplyText();
    }
    return String.valueOf(signal.getMessage());
  }

  /** What went wrong, in words: the broker's reply text when a shutdown is the root cause, else its message. */
  static String rootMessage(Throwable e) {
    return Causes.root(e) instanceof ShutdownSignalException signal ? replyText(signal) : Causes.message(e);
  }
}
