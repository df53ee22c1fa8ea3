package dev.omnibus.spi;

import java.util.Map;
import java.util.Optional;

/**
 * The AsyncAPI bindings of one object (server, channel, operation or message), by protocol ({@code kafka},
 * {@code amqp}, {@code mqtt}...), as written in the document: each value is the plain parsed binding object
 * ({@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean}). Neither the kernel nor the document
 * reader knows any protocol's grammar: each binding parses and checks its own protocol's bindings (server bindings in
 * {@link TransportProvider#open}, channel and operation bindings in {@link Transport#check}), reporting each problem
 * under {@link #pathOf(String)} and the field, e.g. {@code channels.orders.bindings.kafka.partitions}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param byProtocol the binding object per protocol name
 * @param path where the {@code bindings} object is written in the document, e.g.
 *     {@code channels.orders.bindings}; empty when the bindings were given in code
 */
public record Bindings(Map<String, Object> byProtocol, String path) {

  private static final Bindings NONE = new Bindings(Map.of(), "");

  public Bindings {
    byProtocol = Map.copyOf(byProtocol);
  }

  /** Bindings given in code, with no document path. */
  public Bindings(Map<String, Object> byProtocol) {
    this(byProtocol, "");
  }

  /** No bindings. */
  public static Bindings none() {
    return NONE;
  }

  /**
   * The binding for a protocol, when present and of the given type; a binding object is a
   * {@code Map<String, Object>}.
   */
  public <T> Optional<T> get(String protocol, Class<T> type) {
    Object binding = byProtocol.get(protocol);
    return type.isInstance(binding) ? Optional.of(type.cast(binding)) : Optional.empty();
  }

  /** Whether a binding for the protocol is declared. */
  public boolean has(String protocol) {
    return byProtocol.containsKey(protocol);
  }

  /** The document path of one protocol's binding, e.g. {@code channels.orders.bindings.kafka}. */
  public String pathOf(String protocol) {
    return path.isEmpty() ? protocol : path + "." + protocol;
  }
}
