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
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import dev.omnibus.RetryPolicy;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads an AsyncAPI document for {@code EventBus.builder().asyncApi(...)}: the selected server, every channel with its
 * bindings and options per direction, and payload validation as an interceptor. Found by the kernel with
 * {@link java.util.ServiceLoader}. Thread-safe (stateless).
 */
public final class AsyncApiReader implements ConfigurationReader {

  private static final Logger LOG = LoggerFactory.getLogger(AsyncApiReader.class);

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
        receiveOptions, enums, channel.path(), unavailable, reply(document, channel));
  }

  /**
   * The reply of the request/reply operations on a channel (the request channel), whichever their action. Operations
   * whose replies go to the same place are one reply carrying all their messages (a channel that answers pings with
   * pongs and subscriptions with statuses); when they go to different places, the first in document order is used,
   * with a warning, since the bus replies on a channel one way.
   */
  static @Nullable Reply reply(AsyncApiDocument document, AsyncApiChannel channel) {
    Reply chosen = null;
    for (AsyncApiOperation operation : document.operations()) {
      if (!operation.channelId().equals(channel.id()) || operation.reply() == null) {
        continue;
      }
      Reply reply = reply(document, operation, operation.reply());
      if (chosen == null) {
        chosen = reply;
      } else if (Objects.equals(chosen.channel(), reply.channel())
          && Objects.equals(chosen.addressLocation(), reply.addressLocation())) {
        Set<String> types = new LinkedHashSet<>(chosen.messageTypes());
        types.addAll(reply.messageTypes());
        chosen = new Reply(chosen.path(), chosen.channel(), chosen.address(), chosen.addressLocation(),
            List.copyOf(types), chosen.correlationLocation() != null ? chosen.correlationLocation()
                : reply.correlationLocation());
      } else {
        LOG.warn("{} and {} of {} reply to requests on channel '{}' in different ways; the bus replies on a channel"
            + " one way and uses the first: give the second operation its own channel", chosen.path(), reply.path(),
            document.origin(), channel.id());
      }
    }
    return chosen;
  }

  private static Reply reply(AsyncApiDocument document, AsyncApiOperation operation, AsyncApiReply reply) {
    AsyncApiChannel replyChannel = reply.channelId() == null ? null : document.channels().get(reply.channelId());
    Set<String> types = new LinkedHashSet<>();
    for (AsyncApiMessage message : reply.messages()) {
      types.add(message.cloudEventType() != null ? message.cloudEventType() : message.name());
    }
    String correlation = correlationLocation(reply.messages());
    if (correlation == null) {
      correlation = correlationLocation(operation.messages());
    }
    return new Reply(reply.path(), reply.channelId(), replyChannel == null ? null : replyChannel.address(),
        reply.addressLocation(), List.copyOf(types), correlation);
  }

  private static @Nullable String correlationLocation(List<AsyncApiMessage> messages) {
    for (AsyncApiMessage message : messages) {
      if (message.correlationLocation() != null) {
        return message.correlationLocation();
      }
    }
    return null;
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
