package dev.omnibus.asyncapi;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationReader;
import dev.omnibus.ValidationMode;
import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.ServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import dev.omnibus.RetryPolicy;

/**
 * Reads an AsyncAPI document for {@code EventBus.builder().asyncApi(...)}: the selected server, every channel with its
 * bindings and options per direction, and payload validation as an interceptor. Found by the kernel with
 * {@link java.util.ServiceLoader}. Thread-safe (stateless).
 */
public final class AsyncApiReader implements ConfigurationReader {

  /** For the ServiceLoader. */
  public AsyncApiReader() {}

  @Override
  public Result read(Request request) {
    AsyncApiDocument document = request.document() instanceof Path path
        ? AsyncApiDocument.load(path) : AsyncApiDocument.fromClasspath((String) request.document());
    List<ConfigurationException.Problem> problems = new ArrayList<>();
    ServerConfig server = request.server() == null ? null : document.withDocumentOptions(request.server());
    String serverPath = "";
    if (server == null) {
      try {
        server = document.resolveServer(new ServerSelection(request.serverName(), request.variables(),
            request.credentials(), request.environment()));
        serverPath = "servers." + server.name();
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
      }
    }
    List<Channel> channels = new ArrayList<>();
    for (AsyncApiChannel channel : document.channels().values()) {
      String unavailable = server == null || channel.availableOn(server.name()) ? null
          : "Channel '" + channel.id() + "' is not available on server '" + server.name()
              + "': the document limits it to " + channel.servers() + "; select one of those servers";
      channels.add(channel(document, channel, unavailable, problems));
    }
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(withOrigin(document, problems));
    }
    PayloadContract contract = request.validation() == ValidationMode.OFF && request.eventTypes().isEmpty()
        ? PayloadContract.none()
        : AsyncApiContracts.compile(document, server.name(), request.validation(), request.eventTypes());
    return new Result(server, serverPath, document.origin(), channels,
        contract == PayloadContract.none() ? List.of() : List.of(new PayloadValidation(contract)));
  }

  private static Channel channel(AsyncApiDocument document, AsyncApiChannel channel, String unavailable,
      List<ConfigurationException.Problem> problems) {
    Bindings send = Bindings.none();
    Bindings receive = Bindings.none();
    for (AsyncApiOperation operation : document.operations()) {
      if (!operation.channelId().equals(channel.id())) {
        continue;
      }
      if (operation.action() == AsyncApiOperation.Action.SEND) {
        if (send.byProtocol().isEmpty()) {
          send = operation.bindings();
        }
      } else if (receive.byProtocol().isEmpty()) {
        receive = operation.bindings();
      }
    }
    Map<String, String> sendOptions = document.options(channel.id(), AsyncApiOperation.Action.SEND);
    Map<String, String> receiveOptions = document.options(channel.id(), AsyncApiOperation.Action.RECEIVE);
    Mode mode = Mode.BINARY;
    String declaredMode = receiveOptions.getOrDefault("mode", sendOptions.get("mode"));
    if (declaredMode != null) {
      switch (declaredMode.toLowerCase(Locale.ROOT)) {
        case "binary" -> mode = Mode.BINARY;
        case "structured" -> mode = Mode.STRUCTURED;
        default -> problems.add(new ConfigurationException.Problem(channel.path() + ".x-omnibus-mode",
            "x-omnibus-mode must be 'binary' or 'structured', was '" + declaredMode + "'"));
      }
    }
    try {
      RetryPolicy.defaults().withOptions(receiveOptions);
    } catch (IllegalArgumentException e) {
      problems.add(new ConfigurationException.Problem(channel.path(), e.getMessage()
          + ": use a whole number of attempts, durations like 200ms, 2s or PT1S, and numbers for multiplier/jitter"));
    }
    Map<String, List<String>> enums = new HashMap<>();
    channel.parameters().forEach((name, parameter) -> enums.put(name, parameter.enumValues()));
    return new Channel(channel.id(), channel.address(), mode, channel.bindings(), send, receive, sendOptions,
        receiveOptions, enums, channel.path(), unavailable);
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
