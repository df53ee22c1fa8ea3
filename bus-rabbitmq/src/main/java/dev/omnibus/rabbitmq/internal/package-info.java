/**
 * The RabbitMQ binding's implementation: settings read from the AsyncAPI server, the topology mapping, confirm-mode
 * publishing and consumers. Not an API: other modules must not import it.
 */
@NullMarked
package dev.omnibus.rabbitmq.internal;

import org.jspecify.annotations.NullMarked;
