package dev.omnibus.benchmarks.loopback;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.omnibus.benchmarks.orders.Orders;
import dev.omnibus.benchmarks.orders.Orders.Order;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Semaphore;

/**
 * Plain amqp-client with the bus's topology and settings: a durable topic exchange, a durable queue bound with the
 * address, persistent messages, publisher confirms handled asynchronously with a window of
 * {@value #CONFIRM_WINDOW} unconfirmed messages, a consumer with prefetch {@value #PREFETCH} acknowledging each
 * message after handling it. Headers {@code cloudEvents_*} (seven attributes) plus the {@code content_type} and
 * {@code message_id} properties, as the bus writes them.
 */
final class RabbitMqRawSide implements Side {

  static final int CONFIRM_WINDOW = 1_000;
  static final int PREFETCH = 250;

  private final Connection publishing;
  private final Connection consuming;
  private final Channel publisher;
  private final Channel consumer;
  private final String exchange;
  private final String routingKey;
  private final String queue;
  private final Semaphore window = new Semaphore(CONFIRM_WINDOW);
  private final ConcurrentNavigableMap<Long, Confirmation> unconfirmed = new ConcurrentSkipListMap<>();

  RabbitMqRawSide(ConnectionFactory factory, String exchange, String routingKey, String queue, Receiver receiver)
      throws Exception {
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.queue = queue;
    publishing = factory.newConnection("raw-publisher");
    consuming = factory.newConnection("raw-consumer");
    publisher = publishing.createChannel();
    publisher.exchangeDeclare(exchange, "topic", true);
    publisher.queueDeclare(queue, true, false, false, null);
    publisher.queueBind(queue, exchange, routingKey);
    publisher.confirmSelect();
    publisher.addConfirmListener((tag, multiple) -> settle(tag, multiple, null),
        (tag, multiple) -> settle(tag, multiple, new IllegalStateException("nacked by RabbitMQ")));

    consumer = consuming.createChannel();
    consumer.basicQos(PREFETCH);
    consumer.basicConsume(queue, false, (consumerTag, delivery) -> {
      Object type = delivery.getProperties().getHeaders() == null
          ? null : delivery.getProperties().getHeaders().get("cloudEvents_type");
      if (type != null && Orders.TYPE.equals(type.toString())) {
        receiver.received(Orders.read(delivery.getBody()));
      }
      consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
    }, consumerTag -> { });
  }

  private void settle(long tag, boolean multiple, Throwable failure) {
    Map<Long, Confirmation> settled = multiple ? unconfirmed.headMap(tag, true) : unconfirmed.subMap(tag, true,
        tag, true);
    for (var iterator = settled.entrySet().iterator(); iterator.hasNext(); ) {
      Confirmation confirmation = iterator.next().getValue();
      iterator.remove();
      window.release();
      confirmation.settle(failure);
    }
  }

  @Override
  public String label() {
    return "raw amqp-client";
  }

  @Override
  public void send(Order order, Confirmation confirmation) throws InterruptedException {
    RawHeaders ce = RawHeaders.of(order);
    AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
        .deliveryMode(2)
        .contentType(Orders.CONTENT_TYPE)
        .messageId(ce.id())
        .headers(Map.of(
            "cloudEvents_id", ce.id(),
            "cloudEvents_source", ce.source(),
            "cloudEvents_type", ce.type(),
            "cloudEvents_specversion", ce.specVersion(),
            "cloudEvents_time", ce.time(),
            "cloudEvents_subject", ce.subject(),
            "cloudEvents_traceparent", ce.traceparent()))
        .build();
    byte[] body = Orders.json(order);
    window.acquire();
    long tag = publisher.getNextPublishSeqNo();
    unconfirmed.put(tag, confirmation);
    try {
      publisher.basicPublish(exchange, routingKey, false, properties, body);
    } catch (Exception e) {
      if (unconfirmed.remove(tag) != null) {
        window.release();
        confirmation.failed(e);
      }
    }
  }

  @Override
  public void close() {
    try {
      consumer.close();
    } catch (Exception e) {
      // closing anyway
    }
    try {
      publisher.queueDelete(queue);
    } catch (Exception e) {
      // best effort
    }
    try {
      publishing.close(10_000);
    } catch (Exception e) {
      // closing anyway
    }
    try {
      consuming.close(10_000);
    } catch (Exception e) {
      // closing anyway
    }
  }
}
