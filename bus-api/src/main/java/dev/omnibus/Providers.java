package dev.omnibus;

import dev.omnibus.spi.ServerConfig;
import dev.omnibus.spi.TransportProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds the transport provider for a server's protocol, as SLF4J finds its provider: one, or a clear message. */
final class Providers {

  private static final Map<String, String> ARTIFACTS = Map.of(
      "kafka", "dev.omnibus:bus-kafka",
      "kafka-secure", "dev.omnibus:bus-kafka",
      "amqp", "dev.omnibus:bus-rabbitmq",
      "amqps", "dev.omnibus:bus-rabbitmq",
      "mqtt", "dev.omnibus:bus-mqtt",
      "mqtts", "dev.omnibus:bus-mqtt",
      "secure-mqtt", "dev.omnibus:bus-mqtt",
      "memory", "dev.omnibus:bus-inmemory");

  private Providers() {}

  static TransportProvider find(ServerConfig server, List<TransportProvider> registered, String serverPath) {
    String protocol = server.protocol().toLowerCase(Locale.ROOT);
    for (TransportProvider provider : registered) {
      if (provider.protocols().contains(protocol)) {
        return provider;
      }
    }
    List<TransportProvider> found = new ArrayList<>();
    for (TransportProvider provider : ServiceLoader.load(TransportProvider.class, classLoader())) {
      if (provider.protocols().contains(protocol)) {
        found.add(provider);
      }
    }
    if (found.size() == 1) {
      return found.get(0);
    }
    String path = serverPath.isEmpty() ? "" : serverPath + ".protocol";
    if (found.isEmpty()) {
      String artifact = ARTIFACTS.get(protocol);
      throw ConfigurationException.of(path, "No transport for protocol '" + protocol + "' (server '" + server.name()
          + "'): " + (artifact == null ? "Omnibus has no binding for it; " : "add " + artifact
          + " to the classpath or ") + "register one with EventBus.builder().transport(...)");
    }
    List<String> names = found.stream().map(p -> p.getClass().getName()).toList();
    throw ConfigurationException.of(path, "Several transports serve protocol '" + protocol + "' (server '"
        + server.name() + "'): " + names + "; choose one with EventBus.builder().transport(...)");
  }

  private static ClassLoader classLoader() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return context != null ? context : Providers.class.getClassLoader();
  }
}
