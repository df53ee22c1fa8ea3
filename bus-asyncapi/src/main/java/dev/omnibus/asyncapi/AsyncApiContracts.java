package dev.omnibus.asyncapi;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventType;
import dev.omnibus.ValidationMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Compiles the payload schemas of a document into a {@link PayloadContract}. */
public final class AsyncApiContracts {

  private static final Logger LOG = LoggerFactory.getLogger(AsyncApiContracts.class);

  private AsyncApiContracts() {}

  /**
   * Compiles the schemas of the messages on the channels the bus uses, and matches each registered event type to its
   * message (the drift check).
   *
   * @param serverName the selected server, for channel restrictions
   * @throws dev.omnibus.ConfigurationException when a registered type has no message on its channel, naming both,
   *     or when a payload schema cannot be compiled
   */
  public static PayloadContract compile(AsyncApiDocument document, String serverName, ValidationMode mode,
      Collection<EventType<?>> registered) {
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(mode, "mode");
    List<ConfigurationException.Problem> problems = new ArrayList<>(driftProblems(document, registered));
    if (mode == ValidationMode.OFF) {
      throwIfAny(problems, document);
      return PayloadContract.none();
    }
    Map<String, PayloadSchema> compiled = new HashMap<>();
    Map<String, Lookup> publish = new HashMap<>();
    Map<String, Lookup> receive = new HashMap<>();
    for (AsyncApiChannel channel : document.channels().values()) {
      if (!channel.availableOn(serverName)) {
        continue;
      }
      publish.put(channel.id(), lookup(candidates(document, channel, AsyncApiOperation.Action.SEND), compiled,
          problems));
      receive.put(channel.id(), lookup(candidates(document, channel, AsyncApiOperation.Action.RECEIVE), compiled,
          problems));
    }
    throwIfAny(problems, document);
    return new CompiledContract(mode, publish, receive);
  }

  /**
   * The message of a channel that an event type is: the one whose CloudEvents type ({@code x-omnibus-type} or a
   * {@code ce_type} header {@code const}) is the type's, else the one named like it; {@code null} when none is.
   */
  public static @Nullable AsyncApiMessage match(AsyncApiDocument document, String channelId, String eventType) {
    AsyncApiChannel channel = document.channels().get(channelId);
    if (channel == null) {
      return null;
    }
    List<AsyncApiMessage> messages = candidates(document, channel, AsyncApiOperation.Action.SEND);
    for (AsyncApiMessage message : messages) {
      if (eventType.equals(message.cloudEventType())) {
        return message;
      }
    }
    for (AsyncApiMessage message : messages) {
      if (eventType.equals(message.name())) {
        return message;
      }
    }
    return null;
  }

  /** Every message on a channel: those of its operations with the preferred action first, then its own. */
  static List<AsyncApiMessage> candidates(AsyncApiDocument document, AsyncApiChannel channel,
      AsyncApiOperation.Action preferred) {
    List<AsyncApiMessage> out = new ArrayList<>();
    for (AsyncApiOperation operation : document.operations()) {
      if (operation.channelId().equals(channel.id()) && operation.action() == preferred) {
        out.addAll(operation.messages());
      }
    }
    out.addAll(channel.messages());
    for (AsyncApiOperation operation : document.operations()) {
      if (operation.channelId().equals(channel.id()) && operation.action() != preferred) {
        out.addAll(operation.messages());
      }
    }
    return out;
  }

  private static List<ConfigurationException.Problem> driftProblems(AsyncApiDocument document,
      Collection<EventType<?>> registered) {
    List<ConfigurationException.Problem> problems = new ArrayList<>();
    for (EventType<?> type : registered) {
      String channelId;
      try {
        channelId = type.channel();
      } catch (ConfigurationException e) {
        problems.addAll(e.problems());
        continue;
      }
      AsyncApiChannel channel = document.channels().get(channelId);
      if (channel == null) {
        problems.add(new ConfigurationException.Problem("channels", "registered " + type + " uses channel '"
            + channelId + "', which the document does not declare; its channels are "
            + String.join(", ", document.channels().keySet()) + ": add the channel with a message for '"
            + type.type() + "', or fix the type's channel"));
        continue;
      }
      if (match(document, channelId, type.type()) == null) {
        List<AsyncApiMessage> messages = candidates(document, channel, AsyncApiOperation.Action.SEND);
        Map<String, AsyncApiMessage> distinct = new LinkedHashMap<>();
        messages.forEach(message -> distinct.putIfAbsent(message.name() + " " + message.cloudEventType(), message));
        String listed = distinct.isEmpty() ? "none" : distinct.values().stream()
            .map(message -> message.name() + (message.cloudEventType() == null ? " (no CloudEvents type)"
                : " (type " + message.cloudEventType() + ")"))
            .collect(Collectors.joining(", "));
        problems.add(new ConfigurationException.Problem(channel.path() + ".messages", "registered " + type
            + " has no message on channel '" + channelId + "': no message there has CloudEvents type '"
            + type.type() + "' (x-omnibus-type or a ce_type header const) or is named '" + type.type()
            + "'; the channel's messages are: " + listed + ". Add the message or fix the type (the document is the"
            + " contract)"));
      }
    }
    return problems;
  }

  private static Lookup lookup(List<AsyncApiMessage> messages, Map<String, PayloadSchema> compiled,
      List<ConfigurationException.Problem> problems) {
    Map<String, Entry> byType = new HashMap<>();
    Map<String, Entry> byName = new HashMap<>();
    for (AsyncApiMessage message : messages) {
      Entry entry = entry(message, compiled, problems);
      if (message.cloudEventType() != null) {
        byType.putIfAbsent(message.cloudEventType(), entry);
      }
      byName.putIfAbsent(message.name(), entry);
    }
    return new Lookup(byType, byName);
  }

  private static Entry entry(AsyncApiMessage message, Map<String, PayloadSchema> compiled,
      List<ConfigurationException.Problem> problems) {
    if (message.payload() == null) {
      return new Entry(message.name(), message.path(), null);
    }
    PayloadSchema.Format format = PayloadSchema.Format.of(message.schemaFormat());
    String key = format + " " + message.payload();
    PayloadSchema known = compiled.get(key);
    if (known != null) {
      return new Entry(message.name(), message.path(), known);
    }
    if (format == PayloadSchema.Format.UNSUPPORTED) {
      LOG.info("The payload of message '{}' ({}) is written as '{}', which Omnibus does not validate; its payloads"
          + " are not checked", message.name(), message.path(), message.schemaFormat());
      return new Entry(message.name(), message.path(), null);
    }
    if (PayloadSchema.hasReference(message.payload())) {
      LOG.warn("The payload schema of message '{}' ({}) keeps a reference Omnibus does not follow (a remote or"
          + " recursive $ref); its payloads are not checked", message.name(), message.path());
      return new Entry(message.name(), message.path(), null);
    }
    try {
      PayloadSchema schema = PayloadSchema.compile(message.payload(), format);
      compiled.put(key, schema);
      return new Entry(message.name(), message.path(), schema);
    } catch (RuntimeException e) {
      if (problems.stream().anyMatch(problem -> problem.path().equals(message.path() + ".payload"))) {
        return new Entry(message.name(), message.path(), null); // the same message, reached from both directions
      }
      problems.add(new ConfigurationException.Problem(message.path() + ".payload", "the payload schema cannot be"
          + " compiled (" + e.getMessage() + "): fix it, or build the bus with validation(ValidationMode.OFF)"));
      return new Entry(message.name(), message.path(), null);
    }
  }

  private static void throwIfAny(List<ConfigurationException.Problem> problems, AsyncApiDocument document) {
    if (!problems.isEmpty()) {
      List<ConfigurationException.Problem> located = new ArrayList<>();
      for (ConfigurationException.Problem problem : problems) {
        located.add(new ConfigurationException.Problem(problem.path(),
            problem.message() + " (in " + document.origin() + ")"));
      }
      throw ConfigurationException.of(located);
    }
  }

  /** One message's checks: its compiled schema, or {@code null} when its payloads are not checked. */
  record Entry(String messageName, String path, @Nullable PayloadSchema schema) {}

  /** A channel's messages by CloudEvents type and by name, in the order of preference of one direction. */
  record Lookup(Map<String, Entry> byType, Map<String, Entry> byName) {

    Lookup {
      byType = Map.copyOf(byType);
      byName = Map.copyOf(byName);
    }

    @Nullable Entry find(String eventType) {
      Entry entry = byType.get(eventType);
      return entry != null ? entry : byName.get(eventType);
    }
  }
}
