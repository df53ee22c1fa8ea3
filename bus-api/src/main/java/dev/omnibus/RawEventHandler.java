package dev.omnibus;

import io.cloudevents.CloudEvent;

/**
 * Handles every event of a channel as a raw {@link CloudEvent}, whatever its type: for tools, bridges and dead letter
 * readers. Same acknowledgement rules as {@link EventHandler}.
 */
@FunctionalInterface
public interface RawEventHandler {

  /** Handles one event. */
  void handle(CloudEvent event) throws Exception;
}
