package dev.omnibus.kafka;

import dev.omnibus.ConfigurationException;
import dev.omnibus.kafka.internal.KafkaTransport;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportProvider;
import java.util.Set;

/**
 * Opens Kafka transports for the AsyncAPI protocols {@code kafka} and {@code kafka-secure}.
 *
 * <p>The server's {@code host} is the bootstrap server list ({@code host:port}, comma-separated; port 9092 when
 * omitted). Its security schemes choose SASL PLAIN ({@code plain}, {@code userPassword}), SCRAM-SHA-256/512
 * ({@code scramSha256}, {@code scramSha512}), GSSAPI ({@code gssapi}) or mutual TLS ({@code X509}); {@code kafka-secure}
 * adds TLS. Kafka client properties are passed through {@code x-omnibus-kafka.<property>} options. The module's
 * README lists every option and the header mapping.
 *
 * <p>Stateless and thread-safe; found by {@link java.util.ServiceLoader}.
 */
public final class KafkaTransportProvider implements TransportProvider {

  private static final Set<String> PROTOCOLS = Set.of("kafka", "kafka-secure");

  /** For {@link java.util.ServiceLoader}. */
  public KafkaTransportProvider() {}

  @Override
  public Set<String> protocols() {
    return PROTOCOLS;
  }

  /**
   * Validates the server's settings and opens a transport. Connects lazily: the producer, the admin client and the
   * consumers connect on first use.
   *
   * @throws ConfigurationException listing every problem in the server's settings
   */
  @Override
  public Transport open(ServerConfig server) {
    if (!PROTOCOLS.contains(server.protocol())) {
      throw ConfigurationException.of("servers." + server.name() + ".protocol",
          "the Kafka binding serves protocols kafka and kafka-secure, not '" + server.protocol() + "'");
    }
    return KafkaTransport.open(server);
  }
}
