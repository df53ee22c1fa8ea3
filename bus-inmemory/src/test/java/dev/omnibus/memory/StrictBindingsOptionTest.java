package dev.omnibus.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.omnibus.EventBus;
import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.Transport;
import dev.omnibus.spi.TransportProvider;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code EventBus.builder().strictBindings(true)} reaches the binding as the server option {@code strict-bindings},
 * the one place a binding reads it from (the document's {@code x-omnibus-strict-bindings} arrives the same way).
 */
class StrictBindingsOptionTest {

  /** Opens in-memory transports, remembering the server it was given. */
  private static final class Recording implements TransportProvider {
    final AtomicReference<ServerConfig> opened = new AtomicReference<>();

    @Override
    public Set<String> protocols() {
      return Set.of("memory");
    }

    @Override
    public Transport open(ServerConfig server) {
      opened.set(server);
      return new InMemoryTransportProvider().open(server);
    }
  }

  private static ServerConfig openedWith(EventBus.Builder builder) {
    Recording provider = new Recording();
    builder.server(ServerConfig.of("local", "memory", "strict-" + UUID.randomUUID())).transport(provider).build()
        .close();
    return provider.opened.get();
  }

  @Test
  void the_builders_strict_bindings_become_the_servers_strict_bindings_option() {
    ServerConfig server = openedWith(EventBus.builder().strictBindings(true));
    assertThat(server.strictBindings()).isTrue();
    assertThat(server.options()).containsEntry(ServerConfig.STRICT_BINDINGS, "true");
  }

  @Test
  void without_strict_bindings_the_server_is_opened_as_given() {
    assertThat(openedWith(EventBus.builder()).options()).doesNotContainKey(ServerConfig.STRICT_BINDINGS);
  }
}
