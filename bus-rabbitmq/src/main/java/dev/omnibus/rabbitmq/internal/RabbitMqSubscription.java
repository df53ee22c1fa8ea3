package dev.omnibus.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import dev.omnibus.Health;
import dev.omnibus.envelope.WireMessage;
import dev.omnibus.spi.DeliveryHandler;
import dev.omnibus.spi.TransportSubscription;
import dev.omnibus.spi.support.HealthState;
import dev.omnibus.spi.support.SettleOnceDelivery;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One consumer on its own channel: manual acknowledgement after the handler, prefetch as asked, one delivery at a time
 * (amqp-client dispatches a channel's deliveries in order, one after the other).
 *
 * <p>Thread-safe. {@link #close()} stops handing deliveries to the handler, waits (bounded) for the one under way,
 * cancels the consumer and closes the channel, which returns every unacknowledged message to its queue.
 *
 * <p>{@link #health()} follows the consumer's own callbacks: up on the broker's {@code basic.consume-ok} (also when
 * amqp-client re-registers the consumer after a recovery), stalled with the broker's reason when its channel shuts
 * down (the connection lost, or a channel error) or the broker cancels it (its queue deleted), closed once closed.
 */
final class RabbitMqSubscription implements TransportSubscription {

  private static final Logger LOG = LoggerFactory.getLogger(RabbitMqSubscription.class);
  private static final Duration HANDLER_GRACE = Duration.ofSeconds(5);

  private final Channel channel;
  private final String queue;
  private final DeliveryHandler handler;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final ReentrantLock handling = new ReentrantLock();
  private final Runnable onClose;
  private volatile String consumerTag = "";
  private final HealthState health = new HealthState();

  private RabbitMqSubscription(Channel channel, String queue, DeliveryHandler handler, Runnable onClose) {
    this.channel = channel;
    this.queue = queue;
    this.handler = handler;
    this.onClose = onClose;
  }

  /**
   * Starts consuming a queue whose declaration and bindings are in place. Returns once the broker confirmed the
   * consumer (basic.consume-ok), so that a message routed to the queue afterwards reaches the handler.
   */
  static RabbitMqSubscription start(Channel channel, String queue, DeliveryHandler handler, Runnable onClose)
      throws IOException {
    RabbitMqSubscription subscription = new RabbitMqSubscription(channel, queue, handler, onClose);
    subscription.consumerTag = channel.basicConsume(queue, false, subscription.new Consumer(channel));
    return subscription;
  }

  /** The queue consumed; {@code omnibus.anonymous.<uuid>.<n>} for anonymous subscriptions. */
  String queue() {
    return queue;
  }

  @Override
  public Health.Status health() {
    return health.get();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    health.closed();
    try {
      // Lets the delivery under way finish, so its acknowledgement still reaches the broker.
      boolean idle = handling.tryLock(HANDLER_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      if (idle) {
        handling.unlock();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      if (channel.isOpen()) {
        channel.basicCancel(consumerTag);
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("Cancelling consumer on queue {} failed: {}", queue, e.toString());
    }
    try {
      // Closing the channel requeues every unacknowledged delivery; close() on a closed channel unregisters it from
      // connection recovery.
      channel.close();
    } catch (IOException | TimeoutException | RuntimeException e) {
      LOG.debug("Closing consumer channel on queue {} failed: {}", queue, e.toString());
    }
    onClose.run();
  }

  private final class Consumer extends DefaultConsumer {

    Consumer(Channel channel) {
      super(channel);
    }

    @Override
    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
      if (closed.get()) {
        // Left unacknowledged: closing the channel returns it to the queue.
        return;
      }
      handling.lock();
      try {
        if (closed.get()) {
          return;
        }
        WireMessage message = MessageMapper.message(properties, body);
        AmqpDelivery delivery = new AmqpDelivery(getChannel(), envelope.getDeliveryTag(), message,
            attempt(envelope, properties));
        try {
          handler.onDelivery(delivery);
        } catch (RuntimeException | Error e) {
          LOG.warn("Handler for queue {} threw; the delivery is requeued", queue, e);
          delivery.nack(true);
        }
      } finally {
        handling.unlock();
      }
    }

    @Override
    public void handleConsumeOk(String tag) {
      super.handleConsumeOk(tag);
      health.up(); // also when amqp-client re-registered the consumer after recovering the connection
    }

    @Override
    public void handleShutdownSignal(String tag, ShutdownSignalException cause) {
      if (!closed.get() && !cause.isInitiatedByApplication()) {
        health.lost(Health.State.STALLED, "channel closed: " + PublisherChannel.replyText(cause));
      }
    }

    @Override
    public void handleCancel(String tag) {
      // The broker cancelled the consumer: its queue was deleted (or, for a mirrored queue, failed over).
      LOG.warn("RabbitMQ cancelled the consumer of queue {}: the queue was deleted; nothing more is received", queue);
      health.lost(Health.State.STALLED, "RabbitMQ cancelled the consumer of queue '" + queue
          + "' (the queue was deleted): nothing more is received");
    }
  }

  /** Which delivery of a message this is: x-delivery-count + 1 when the queue counts (quorum queues), else 1 or 2. */
  static int attempt(Envelope envelope, AMQP.BasicProperties properties) {
    Map<String, Object> headers = properties.getHeaders();
    if (headers != null && headers.get("x-delivery-count") instanceof Number count) {
      return (int) Math.min(Integer.MAX_VALUE - 1L, count.longValue()) + 1;
    }
    return envelope.isRedeliver() ? 2 : 1;
  }

  /** One delivery; the first of ack and nack counts. */
  private static final class AmqpDelivery extends SettleOnceDelivery {
    private final Channel channel;
    private final long tag;

    AmqpDelivery(Channel channel, long tag, WireMessage message, int attempt) {
      super(message, attempt);
      this.channel = channel;
      this.tag = tag;
    }

    @Override
    protected void onAck() {
      try {
        channel.basicAck(tag, false);
      } catch (IOException | AlreadyClosedException e) {
        // The channel is gone: the broker has requeued the message and delivers it again (at least once).
        LOG.debug("Ack of delivery {} not sent ({}); the message will be redelivered", tag, e.toString());
      }
    }

    @Override
    protected void onNack(boolean requeue) {
      try {
        channel.basicNack(tag, false, requeue);
      } catch (IOException | AlreadyClosedException e) {
        LOG.debug("Nack of delivery {} not sent ({}); the broker requeues it anyway", tag, e.toString());
      }
    }
  }
}
