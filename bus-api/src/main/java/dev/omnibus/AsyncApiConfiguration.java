package dev.omnibus;

import dev.omnibus.asyncapi.AsyncApiChannel;
import dev.omnibus.contract.internal.AsyncApiContracts;
import dev.omnibus.internal.PayloadContract;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.AsyncApiOperation;
import dev.omnibus.asyncapi.ServerSelection;
import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Resolves a builder with an AsyncAPI document: the selected server and the channels usable on it. */
final class AsyncApiConfiguration {

  private AsyncApiConfiguration() {}

  static Configuration resolve(EventBus.Builder builder) {
    AsyncApiDocument document = builder.asyncApi instanceof Path path
        ? AsyncApiDocument.load(path) : AsyncApiDocument.fromClasspath((String) builder.asyncApi);
    List<ConfigurationException.Problem> problems = new ArrayList<>();
    ServerConfig server = null;
    if (builder.server != null) {
      server = builder.server;
    } else {
      try {
        server = document.resolveServer(new ServerSelection(builder.serverName, builder.variables,
            builder.credentials, builder.environment));
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      }
    }
    Map<String, ChannelDef> channels = new LinkedHashMap<>();
    Map<String, ConfigurationException> unusable = new HashMap<>();
    for (AsyncApiChannel channel : document.channels().values()) {
      EventBus.Builder.ChannelOverride override = builder.channels.get(channel.id());
      if (server != null && !channel.availableOn(server.name())) {
        unusable.put(channel.id(), ConfigurationException.of(channel.path() + ".servers", "Channel '"
            + channel.id() + "' is not available on server '" + server.name() + "': the document limits it to "
            + channel.servers() + "; select one of those servers"));
        continue;
      }
      String address = override != null && override.address() != null ? override.address() : channel.address();
      if (address == null) {
        unusable.put(channel.id(), ConfigurationException.of(channel.path() + ".address", "Channel '"
            + channel.id() + "' has no address in the document: give it at runtime with "
            + "EventBus.builder().channel(\"" + channel.id() + "\", \"<address>\")"));
        continue;
      }
      channels.put(channel.id(), channelDef(document, channel, address, override, problems));
    }
    builder.channels.forEach((id, override) -> {
      if (!channels.containsKey(id) && !unusable.containsKey(id) && override.address() != null) {
        channels.put(id, ChannelDef.of(id, override.address(), override.bindings(),
            override.mode() != null ? override.mode() : Mode.BINARY));
      }
    });
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(withOrigin(document, problems));
    }
    PayloadContract contract = builder.validation == ValidationMode.OFF && builder.eventTypes.isEmpty()
        ? PayloadContract.none()
        : AsyncApiContracts.compile(document, server.name(), builder.validation, builder.eventTypes);
    return new Configuration(server, "servers." + server.name(), channels, true, unusable, contract);
  }

  private static ChannelDef channelDef(AsyncApiDocument document, AsyncApiChannel channel, String address,
      EventBus.Builder.@org.jspecify.annotations.Nullable ChannelOverride override,
      List<ConfigurationException.Problem> problems) {
    Bindings send = Bindings.none();
    Bindings receive = Bindings.none();
    Map<String, String> options = new LinkedHashMap<>(channel.options());
    for (AsyncApiOperation operation : document.operations()) {
      if (!operation.channelId().equals(channel.id())) {
        continue;
      }
      if (operation.action() == AsyncApiOperation.Action.SEND && send.byProtocol().isEmpty()) {
        send = operation.bindings();
      } else if (operation.action() == AsyncApiOperation.Action.RECEIVE && receive.byProtocol().isEmpty()) {
        receive = operation.bindings();
      }
      operation.options().forEach(options::putIfAbsent);
    }
    Mode mode = Mode.BINARY;
    String declaredMode = options.get("mode");
    if (declaredMode != null) {
      switch (declaredMode.toLowerCase(Locale.ROOT)) {
        case "binary" -> mode = Mode.BINARY;
        case "structured" -> mode = Mode.STRUCTURED;
        default -> problems.add(new ConfigurationException.Problem(channel.path() + ".x-omnibus-mode",
            "x-omnibus-mode must be 'binary' or 'structured', was '" + declaredMode + "'"));
      }
    }
    if (override != null && override.mode() != null) {
      mode = override.mode();
    }
    try {
      RetryPolicy.defaults().withOptions(options);
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigurationException.Problem(channel.path(), e.getMessage()
          + ": use a whole number of attempts, durations like 200ms, 2s or PT1S, and numbers for multiplier/jitter"));
    }
    Bindings bindings = override != null && override.bindings() != null ? override.bindings() : channel.bindings();
    Map<String, List<String>> enums = new HashMap<>();
    channel.parameters().forEach((name, parameter) -> enums.put(name, parameter.enumValues()));
    return new ChannelDef(channel.id(), address, bindings, send, receive, mode, options, enums, channel.path());
  }

  private static List<ConfigurationException.Problem> withOrigin(AsyncApiDocument document,
      List<ConfigurationException.Problem> problems) {
    List<ConfigurationException.Problem> located = new ArrayList<>();
    for (ConfigurationException.Problem problem : problems) {
      located.add(new ConfigurationException.Problem(problem.path(),
          problem.message().contains(document.origin()) ? problem.message()
              : problem.message() + " (in " + document.origin() + ")"));
    }
    return located;
  }
}
