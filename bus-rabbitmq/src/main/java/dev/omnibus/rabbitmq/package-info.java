/**
 * The RabbitMQ (AMQP 0-9-1) binding of Omnibus, for the AsyncAPI protocols {@code amqp} and {@code amqps}. Users only
 * add the jar: {@link dev.omnibus.rabbitmq.RabbitMqTransportProvider} is found with {@link java.util.ServiceLoader}.
 */
@NullMarked
package dev.omnibus.rabbitmq;

import org.jspecify.annotations.NullMarked;
