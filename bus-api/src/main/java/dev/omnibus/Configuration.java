package dev.omnibus;

import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.ServerConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a builder resolves to: the server and the channels, from a document (read by a {@link ConfigurationReader})
 * or from the builder alone.
 *
 * @param serverPath the server's path in the document ({@code servers.production}), empty without a document
 * @param channelsDeclared whether only declared channels may be used (a document was given)
 * @param unusable the document's channels that cannot be used here, with the reason (no address, other server)
 * @param interceptors what the document adds around publish and handling (payload validation)
 */
record Configuration(ServerConfig server, String serverPath, Map<String, ChannelDef> channels,
    boolean channelsDeclared, Map<String, ConfigurationException> unusable, List<Interceptor> interceptors) {

  private static final Logger LOG = LoggerFactory.getLogger(Configuration.class);
  static final String SERVER_VARIABLE = "OMNIBUS_SERVER";

  static Configuration resolve(EventBus.Builder builder) {
    if (builder.asyncApi != null) {
      return fromDocument(builder);
    }
    if (builder.server == null) {
      throw ConfigurationException.of("No server: give the bus an AsyncAPI document with "
          + "EventBus.builder().asyncApi(...) or a server with EventBus.builder().server(ServerConfig.of(...))");
    }
    Map<String, ChannelDef> channels = new LinkedHashMap<>();
    builder.channels.forEach((id, override) -> channels.put(id, ChannelDef.of(id,
        override.address() != null ? override.address() : id, override.bindings(),
        override.mode() != null ? override.mode() : Mode.BINARY)));
    return new Configuration(strictness(builder, builder.server), "", channels, false, Map.of(), List.of());
  }

  /**
   * The server with the builder's {@link EventBus.Builder#strictBindings(boolean)} as its
   * {@link ServerConfig#STRICT_BINDINGS} option, which each binding reads when it parses its bindings.
   */
  private static ServerConfig strictness(EventBus.Builder builder, ServerConfig server) {
    return builder.strictBindings ? server.withOption(ServerConfig.STRICT_BINDINGS, "true") : server;
  }

  /**
   * The server is chosen by deployment first: {@code OMNIBUS_SERVER} in the environment, else the builder's
   * {@code server(name)}, else the document's only server. So the same code moves between brokers by configuration,
   * as the README promises.
   */
  static @Nullable String selectedServer(EventBus.Builder builder) {
    String fromEnvironment = builder.environment.apply(SERVER_VARIABLE);
    if (fromEnvironment != null && !fromEnvironment.isBlank()) {
      if (builder.serverName != null && !builder.serverName.equals(fromEnvironment.trim())) {
        LOG.info("{}={} selects the server instead of the builder's '{}'", SERVER_VARIABLE, fromEnvironment.trim(),
            builder.serverName);
      }
      return fromEnvironment.trim();
    }
    return builder.serverName;
  }

  private static Configuration fromDocument(EventBus.Builder builder) {
    ConfigurationReader reader = reader(builder);
    ConfigurationReader.Result result = reader.read(new ConfigurationReader.Request(builder.asyncApi,
        builder.server, builder.server != null ? null : selectedServer(builder), builder.variables, builder.credentials,
        builder.environment, builder.validation, builder.eventTypes));
    ServerConfig server = strictness(builder, result.server());
    Map<String, ChannelDef> channels = new LinkedHashMap<>();
    Map<String, ConfigurationException> unusable = new HashMap<>();
    for (ConfigurationReader.Channel channel : result.channels()) {
      EventBus.Builder.ChannelOverride override = builder.channels.get(channel.id());
      if (channel.unavailable() != null) {
        unusable.put(channel.id(), ConfigurationException.of(channel.path() + ".servers", channel.unavailable()));
        continue;
      }
      String address = override != null && override.address() != null ? override.address() : channel.address();
      if (address == null) {
        unusable.put(channel.id(), ConfigurationException.of(channel.path() + ".address", "Channel '"
            + channel.id() + "' has no address in the document: give it at runtime with "
            + "EventBus.builder().channel(\"" + channel.id() + "\", \"<address>\")"));
        continue;
      }
      Mode mode = override != null && override.mode() != null ? override.mode() : channel.mode();
      channels.put(channel.id(), new ChannelDef(channel.id(), address,
          override != null && override.bindings() != null ? override.bindings() : channel.bindings(),
          channel.sendBindings(), channel.receiveBindings(), mode, channel.sendOptions(), channel.receiveOptions(),
          channel.parameterEnums(), channel.path(), channel.reply()));
    }
    builder.channels.forEach((id, override) -> {
      if (!channels.containsKey(id) && !unusable.containsKey(id) && override.address() != null) {
        channels.put(id, ChannelDef.of(id, override.address(), override.bindings(),
            override.mode() != null ? override.mode() : Mode.BINARY));
      }
    });
    return new Configuration(server, builder.server != null ? "" : result.serverPath(), channels, true, unusable,
        result.interceptors());
  }

  private static ConfigurationReader reader(EventBus.Builder builder) {
    if (builder.reader != null) {
      return builder.reader;
    }
    List<ConfigurationReader> found = new ArrayList<>();
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    for (ConfigurationReader reader : ServiceLoader.load(ConfigurationReader.class,
        context != null ? context : Configuration.class.getClassLoader())) {
      found.add(reader);
    }
    if (found.isEmpty()) {
      throw ConfigurationException.of("No AsyncAPI reader for '" + builder.asyncApi + "': add dev.omnibus:bus-asyncapi "
          + "to the classpath, or configure the server in code with EventBus.builder().server(ServerConfig.of(...))");
    }
    if (found.size() > 1) {
      throw ConfigurationException.of("Several configuration readers found: "
          + found.stream().map(r -> r.getClass().getName()).toList()
          + "; keep one on the classpath or choose with EventBus.builder().reader(...)");
    }
    return found.get(0);
  }
}
