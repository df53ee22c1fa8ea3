package dev.omnibus.spi;

import java.util.Map;
import java.util.Optional;

/**
 * The AsyncAPI bindings of one object (server, channel, operation or message), by protocol: {@code kafka},
 * {@code amqp}, {@code mqtt}. Values are the typed binding records of {@code dev.omnibus.spi.binding} where Omnibus
 * understands the binding, else the raw parsed value ({@code Map}, {@code List}, {@code String}...).
 *
 * <p>Immutable and thread-safe.
 *
 * @param byProtocol the binding object per protocol name
 */
public record Bindings(Map<String, Object> byProtocol) {

  private static final Bindings NONE = new Bindings(Map.of());

  public Bindings {
    byProtocol = Map.copyOf(byProtocol);
  }

  /** No bindings. */
  public static Bindings none() {
    return NONE;
  }

  /** The binding for a protocol, when present and of the given type. */
  public <T> Optional<T> get(String protocol, Class<T> type) {
    Object binding = byProtocol.get(protocol);
    return type.isInstance(binding) ? Optional.of(type.cast(binding)) : Optional.empty();
  }

  /** Whether a binding for the protocol is declared. */
  public boolean has(String protocol) {
    return byProtocol.containsKey(protocol);
  }
}
