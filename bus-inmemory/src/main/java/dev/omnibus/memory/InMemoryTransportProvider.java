package dev.omnibus.memory;

import dev.omnibus.memory.internal.InMemoryTransport;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportProvider;
import java.util.Set;

/**
 * Serves protocol {@code memory}: the server's host names the {@link InMemoryBroker}, so every bus of a JVM whose
 * server has the same host shares one broker, as services share a real one. Found with ServiceLoader.
 */
public final class InMemoryTransportProvider implements TransportProvider {

  @Override
  public Set<String> protocols() {
    return Set.of("memory");
  }

  @Override
  public Transport open(ServerConfig server) {
    return new InMemoryTransport(InMemoryBroker.named(server.host()).broker());
  }
}
