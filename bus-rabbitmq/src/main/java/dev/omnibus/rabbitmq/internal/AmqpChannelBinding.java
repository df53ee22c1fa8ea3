package dev.omnibus.rabbitmq.internal;

import org.jspecify.annotations.Nullable;

/**
 * An AsyncAPI AMQP 0-9-1 channel binding, as {@link AmqpBindings} read it.
 *
 * @param is {@code routingKey} (the default: the address is a routing key on {@link #exchange()}) or {@code queue}
 *     (the address is the queue {@link #queue()})
 * @param exchange the exchange, when {@code is} is {@code routingKey} and one is declared
 * @param queue the queue, when {@code is} is {@code queue} and one is declared
 * @param bindingVersion the declared binding version, or {@code null} for the latest
 */
record AmqpChannelBinding(Is is, @Nullable Exchange exchange, @Nullable Queue queue, @Nullable String bindingVersion) {

  /** What the channel address names. */
  enum Is {
    ROUTING_KEY,
    QUEUE
  }

  /**
   * An exchange declaration.
   *
   * @param name the exchange name (at most 255 characters), or {@code null} for the default
   * @param type {@code topic}, {@code direct}, {@code fanout}, {@code default} or {@code headers}; {@code null} = topic
   * @param durable whether it survives a broker restart, or {@code null} for the default (true)
   * @param autoDelete whether it is deleted when unused, or {@code null} for the default (false)
   * @param vhost the virtual host, or {@code null} for {@code /}
   */
  record Exchange(
      @Nullable String name,
      @Nullable String type,
      @Nullable Boolean durable,
      @Nullable Boolean autoDelete,
      @Nullable String vhost) {}

  /**
   * A queue declaration.
   *
   * @param name the queue name (at most 255 characters), or {@code null} for the channel address
   * @param durable whether it survives a broker restart, or {@code null} for the default (true)
   * @param exclusive whether only one connection may use it, or {@code null} for the default (false)
   * @param autoDelete whether it is deleted when unused, or {@code null} for the default (false)
   * @param vhost the virtual host, or {@code null} for {@code /}
   * @param queueType the extension {@code x-queue-type} ({@code classic} or {@code quorum}), RabbitMQ's argument of
   *     that name, or {@code null}
   */
  record Queue(
      @Nullable String name,
      @Nullable Boolean durable,
      @Nullable Boolean exclusive,
      @Nullable Boolean autoDelete,
      @Nullable String vhost,
      QueuePolicy.@Nullable Type queueType) {}
}
