package dev.omnibus;

/**
 * Handles events of one type. Returning normally acknowledges the event; throwing asks the bus to deliver it again,
 * up to the subscription's attempts, after which it goes to the dead letter channel.
 *
 * <p>Called on a thread of the transport, one event at a time per ordering unit (partition, queue, topic).
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface EventHandler<T> {

  /** Handles one event. */
  void handle(Event<T> event) throws Exception;
}
