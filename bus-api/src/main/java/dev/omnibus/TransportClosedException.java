package dev.omnibus;

/**
 * The bus or its transport was closed: nothing more can be published or subscribed through it. Also thrown by a
 * subscribe whose connection was given up because the broker did not answer in time ({@link #noAnswer}); the bus
 * itself then stays open.
 */
public final class TransportClosedException extends EventBusException {

  private TransportClosedException(String message) {
    super(message);
  }

  /** The named thing (a bus, a transport for a server) is closed. */
  public static TransportClosedException of(String what) {
    return new TransportClosedException(what + " is closed: build a new EventBus to publish or subscribe again");
  }

  /**
   * The broker did not answer a subscribe in time (down, overloaded, or the network dropped packets), so the
   * subscription's connection was closed; the bus stays open and the same subscribe may be tried again.
   *
   * @param what what timed out, e.g. {@code Subscribing to channel 'orders' on MQTT server 'edge'}
   * @param detail how long was waited and the setting that says so
   */
  public static TransportClosedException noAnswer(String what, String detail) {
    return new TransportClosedException(what + " timed out: the broker did not answer (" + detail + "). Check that "
        + "the broker is up and not overloaded, then subscribe again: the bus stays open");
  }
}
