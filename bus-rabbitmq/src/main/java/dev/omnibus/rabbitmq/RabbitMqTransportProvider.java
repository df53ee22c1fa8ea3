package dev.omnibus.rabbitmq;

import dev.omnibus.rabbitmq.internal.RabbitMqTransport;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportProvider;
import java.util.Set;

/**
 * Opens RabbitMQ transports for AsyncAPI servers with protocol {@code amqp} or {@code amqps} (AMQP 0-9-1, through the
 * RabbitMQ Java client). Registered for {@link java.util.ServiceLoader}; the README of {@code bus-rabbitmq} lists the
 * bindings, {@code x-omnibus-*} options and security schemes it understands.
 *
 * <p>Stateless and thread-safe.
 */
public final class RabbitMqTransportProvider implements TransportProvider {

  private static final Set<String> PROTOCOLS = Set.of("amqp", "amqps");

  /** For {@link java.util.ServiceLoader}. */
  public RabbitMqTransportProvider() {}

  @Override
  public Set<String> protocols() {
    return PROTOCOLS;
  }

  /**
   * Validates the server and connects to it (the publishing connection; the consuming one opens with the first
   * subscription). Fails with a {@link dev.omnibus.ConfigurationException} listing every problem in the server's
   * settings and its AMQP server binding, naming a refused login or a missing virtual host, or saying that the broker is unreachable.
   */
  @Override
  public Transport open(ServerConfig server) {
    return RabbitMqTransport.open(server);
  }
}
