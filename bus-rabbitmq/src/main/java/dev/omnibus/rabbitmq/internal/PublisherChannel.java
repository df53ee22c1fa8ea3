package dev.omnibus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.ReturnListener;
import com.rabbitmq.client.ShutdownSignalException;
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
 * old send.
 */
final class PublisherChannel {

  private static final Logger LOG = LoggerFactory.getLogger(PublisherChannel.class);

  private final Channel channel;
  private final Object publishLock = new Object();
  private final ConcurrentNavigableMap<Long, Pending> outstanding = new ConcurrentSkipListMap<>();
  private final Consumer<ShutdownSignalException> onChannelError;
  private volatile boolean dead;

  /** A send waiting for its confirm. Completed once, by whichever of confirm, return, failure comes first. */
  interface Pending {
    String exchange();

    String routingKey();

    @Nullable String messageId();

    long startedNanos();

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
   */
  void publish(String exchange, String routingKey, boolean mandatory, AMQP.BasicProperties properties,
      byte @Nullable [] body, Pending pending) {
    synchronized (publishLock) {
      if (dead) {
        pending.failed("the channel to the broker was closed", null);
        return;
      }
      long sequence = channel.getNextPublishSeqNo();
      outstanding.put(sequence, pending);
      try {
        channel.basicPublish(exchange, routingKey, mandatory, properties, body == null ? new byte[0] : body);
      } catch (IOException | RuntimeException e) {
        // Covers AlreadyClosedException (connection lost) and IllegalArgumentException (a property over 255 bytes).
        outstanding.remove(sequence);
        pending.failed(rootMessage(e), e);
        if (!channel.isOpen()) {
          dead = true;
        }
      }
    }
  }

  /** Fails every send waiting longer than the timeout; called periodically. */
  void expire(long timeoutNanos, long nowNanos) {
    for (Map.Entry<Long, Pending> entry : outstanding.entrySet()) {
      if (nowNanos - entry.getValue().startedNanos() < timeoutNanos) {
        // Sequence order is publish order: later entries are younger.
        return;
      }
      if (outstanding.remove(entry.getKey(), entry.getValue())) {
        entry.getValue().failed("no publisher confirm within " + timeoutNanos / 1_000_000 + " ms", null);
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
      ConcurrentNavigableMap<Long, Pending> settled = outstanding.headMap(deliveryTag, true);
      for (Map.Entry<Long, Pending> entry : settled.entrySet()) {
        if (outstanding.remove(entry.getKey(), entry.getValue())) {
          complete(entry.getValue(), ack);
        }
      }
    } else {
      Pending pending = outstanding.remove(deliveryTag);
      if (pending != null) {
        complete(pending, ack);
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
    for (Pending pending : outstanding.values()) {
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
    String reason = cause.isInitiatedByApplication()
        ? "the channel was closed"
        : "the broker closed the " + (cause.isHardError() ? "connection" : "channel") + ": " + replyText(cause);
    failAll(reason, cause);
    if (!cause.isHardError() && !cause.isInitiatedByApplication()) {
      onChannelError.accept(cause);
    }
  }

  private void failAll(String reason, @Nullable Throwable cause) {
    for (Long sequence : outstanding.keySet()) {
      Pending pending = outstanding.remove(sequence);
      if (pending != null) {
        pending.failed(reason, cause);
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

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root instanceof ShutdownSignalException signal) {
      return replyText(signal);
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
