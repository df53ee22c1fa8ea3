/** The RPC pair: request/reply from the document's {@code reply} object, in memory or on RabbitMQ. */
@NullMarked
package dev.omnibus.examples.rpc;

import org.jspecify.annotations.NullMarked;
