package dev.omnibus;

/** The bus or its transport was closed: nothing more can be published or subscribed through it. */
public final class TransportClosedException extends EventBusException {

  private TransportClosedException(String message) {
    super(message);
  }

  /** The named thing (a bus, a transport for a server) is closed. */
  public static TransportClosedException of(String what) {
    return new TransportClosedException(what + " is closed: build a new EventBus to publish or subscribe again");
  }
}
