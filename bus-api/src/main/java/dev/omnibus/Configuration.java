package dev.omnibus;

import dev.omnibus.envelope.Mode;
import dev.omnibus.internal.PayloadContract;
import dev.omnibus.spi.ServerConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a builder resolves to: the server and the channels.
 *
 * @param serverPath the server's path in the document ({@code servers.production}), empty without a document
 * @param channelsDeclared whether only declared channels may be used (a document was given)
 * @param contract the payload schemas to check, compiled once
 * @param unusable the document's channels that cannot be used here, with the reason (no address, other server)
 */
record Configuration(ServerConfig server, String serverPath, Map<String, ChannelDef> channels,
    boolean channelsDeclared, Map<String, ConfigurationException> unusable, PayloadContract contract) {

  static Configuration resolve(EventBus.Builder builder) {
    if (builder.asyncApi != null) {
      return AsyncApiConfiguration.resolve(builder);
    }
    if (builder.server == null) {
      throw ConfigurationException.of("No server: give the bus an AsyncAPI document with "
          + "EventBus.builder().asyncApi(...) or a server with EventBus.builder().server(ServerConfig.of(...))");
    }
    Map<String, ChannelDef> channels = new LinkedHashMap<>();
    builder.channels.forEach((id, override) -> channels.put(id, ChannelDef.of(id,
        override.address() != null ? override.address() : id, override.bindings(),
        override.mode() != null ? override.mode() : Mode.BINARY)));
    return new Configuration(builder.server, "", channels, false, Map.of(), PayloadContract.none());
  }
}
