package dev.omnibus.spi;

import java.util.Set;

/**
 * Opens transports for the AsyncAPI {@code protocol} values it serves. Found with {@link java.util.ServiceLoader} or
 * registered with {@code EventBus.builder().transport(provider)}.
 *
 * <p>Implementations are stateless and thread-safe; {@link #open} is called once per bus, on the thread building it.
 */
public interface TransportProvider {

  /** The AsyncAPI {@code protocol} values served, lower case, e.g. {@code kafka} and {@code kafka-secure}. */
  Set<String> protocols();

  /**
   * Opens a transport for one resolved server. Validates the server's settings and its server bindings (the binding
   * parses its own protocol's, see {@link Bindings}) and fails with one {@link dev.omnibus.ConfigurationException}
   * naming every problem with its document path; may connect lazily.
   *
   * <p>Called on the thread building the bus; may block while connecting.
   */
  Transport open(ServerConfig server);
}
