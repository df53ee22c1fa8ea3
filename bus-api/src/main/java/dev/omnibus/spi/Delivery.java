package dev.omnibus.spi;

import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;

/**
 * One received message and its acknowledgement. {@link #ack()} and {@link #nack(boolean)} may be called from any thread;
 * the first call counts, later ones are ignored.
 */
public interface Delivery {

  /** The message as received, its headers named by the transport's {@link dev.omnibus.envelope.HeaderConvention}. */
  WireMessage message();

  /**
   * The message as a CloudEvent, read by the bus's {@code envelope}: by default decoded now, on the calling (consumer)
   * thread. A transport that decoded the message already, with a codec of the same convention, may return that decoding
   * instead, or throw the exception it met: what it returns or throws must be what {@code envelope.decode(message())}
   * would. The in-memory broker decodes on the publishing thread, so that its consumer thread only handles.
   *
   * @throws MalformedEventException when the message is not a valid CloudEvent
   */
  default CloudEvent event(EnvelopeCodec envelope) {
    return envelope.decode(message());
  }

  /**
   * Which delivery of this message this is, 1 for the first; as far as the transport knows (RabbitMQ's redelivered
   * flag gives 2 at most, for example). The bus keeps its own count as well.
   */
  int attempt();

  /** The message was handled: the broker may forget it (commit the offset, basic.ack, PUBACK). */
  void ack();

  /**
   * The message was not handled. With {@code requeue} it is delivered again, to this or another consumer of the group,
   * without skipping later messages; without, the broker may drop it (the bus has dead-lettered it first).
   */
  void nack(boolean requeue);
}
