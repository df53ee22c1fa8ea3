package dev.omnibus.contract;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.omnibus.EventType;
import dev.omnibus.asyncapi.AsyncApiChannel;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.ServerTemplate;
import dev.omnibus.asyncapi.AsyncApiMessage;
import dev.omnibus.asyncapi.AsyncApiOperation;
import dev.omnibus.asyncapi.AsyncApiReply;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Writes an AsyncAPI 3.0 document describing event types: their channels, send and receive operations, messages
 * with payload schemas made from the Java types and CloudEvents binary-mode headers, and the servers of a loaded
 * document. Every map is sorted, so the same input always gives the same text.
 */
public final class AsyncApiExporter {

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final YAMLMapper YAML = new YAMLMapper(YAMLFactory.builder()
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build());

  private AsyncApiExporter() {}

  /**
   * The document, as YAML.
   *
   * @param document where servers, channel addresses, operations and message names come from, or {@code null}
   */
  public static String export(@Nullable AsyncApiDocument document, Collection<? extends EventType<?>> types) {
    try {
      return YAML.writeValueAsString(tree(document, types));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the exported document", e);
    }
  }

  static ObjectNode tree(@Nullable AsyncApiDocument document, Collection<? extends EventType<?>> types) {
    JavaSchemas schemas = new JavaSchemas();
    // channel id -> message key -> type, both sorted
    Map<String, Map<String, EventType<?>>> byChannel = new TreeMap<>();
    Map<String, EventType<?>> messageOwners = new HashMap<>();
    Map<EventType<?>, String> messageKeys = new LinkedHashMap<>();
    List<EventType<?>> sorted = new ArrayList<>(types);
    sorted.sort((a, b) -> (a.channel() + " " + a.type()).compareTo(b.channel() + " " + b.type()));
    for (EventType<?> type : sorted) {
      String key = messageKey(document, type, messageOwners);
      messageOwners.put(key, type);
      messageKeys.put(type, key);
      byChannel.computeIfAbsent(type.channel(), id -> new TreeMap<>()).put(key, type);
    }

    ObjectNode root = JSON.objectNode();
    root.put("asyncapi", "3.0.0");
    root.putObject("info").put("title", "Omnibus event types").put("version", "1.0.0")
        .put("description", "Exported by Omnibus from Java event types.");
    root.put("defaultContentType", "application/json");
    if (document != null) {
      ObjectNode servers = servers(document);
      if (!servers.isEmpty()) {
        root.set("servers", servers);
      }
    }

    Map<String, ObjectNode> channelNodes = new TreeMap<>();
    ObjectNode operations = JSON.objectNode();
    Map<String, ObjectNode> operationNodes = new TreeMap<>();
    for (Map.Entry<String, Map<String, EventType<?>>> entry : byChannel.entrySet()) {
      String channelId = entry.getKey();
      ObjectNode channel = channel(document, channelId);
      channelNodes.put(key(channelId), channel);
      ObjectNode messages = channel.putObject("messages");
      for (String key : entry.getValue().keySet()) {
        messages.putObject(key).put("$ref", "#/components/messages/" + key);
      }
      operations(document, channelId, key(channelId), entry.getValue(), byChannel, channelNodes, operationNodes);
    }
    root.set("channels", JSON.objectNode().setAll(channelNodes));
    operationNodes.forEach(operations::set);
    root.set("operations", operations);

    ObjectNode components = root.putObject("components");
    ObjectNode messageComponents = components.putObject("messages");
    Map<String, ObjectNode> sortedMessages = new TreeMap<>();
    messageKeys.forEach((type, key) -> sortedMessages.put(key, message(type, key, schemas)));
    sortedMessages.forEach(messageComponents::set);
    if (!schemas.components().isEmpty()) {
      ObjectNode schemaComponents = components.putObject("schemas");
      schemas.components().forEach(schemaComponents::set);
    }
    return root;
  }

  private static String messageKey(@Nullable AsyncApiDocument document, EventType<?> type,
      Map<String, EventType<?>> taken) {
    AsyncApiMessage declared = document == null ? null
        : document.messageFor(type.channel(), type.type()).orElse(null);
    String simple = type.javaType().getSimpleName();
    String base = declared != null ? key(declared.name())
        : key(simple.isEmpty() ? type.type() : Character.toLowerCase(simple.charAt(0)) + simple.substring(1));
    String candidate = base;
    for (int i = 2; taken.containsKey(candidate); i++) {
      candidate = base + i;
    }
    return candidate;
  }

  /** A channel as the document declares it (address, parameters, options), else with its id as address. */
  private static ObjectNode channel(@Nullable AsyncApiDocument document, String channelId) {
    AsyncApiChannel declared = document == null ? null : document.channels().get(channelId);
    ObjectNode channel = JSON.objectNode();
    if (declared == null) {
      channel.put("address", channelId);
    } else {
      if (declared.address() == null) {
        channel.putNull("address");
      } else {
        channel.put("address", declared.address());
      }
      parameters(declared, channel);
      new TreeMap<>(declared.options()).forEach((name, value) -> channel.put("x-omnibus-" + name, value));
    }
    return channel;
  }

  private static void operations(@Nullable AsyncApiDocument document, String channelId, String channelKey,
      Map<String, EventType<?>> messages, Map<String, Map<String, EventType<?>>> byChannel,
      Map<String, ObjectNode> channelNodes, Map<String, ObjectNode> out) {
    Set<String> covered = new TreeSet<>();
    if (document != null) {
      for (AsyncApiOperation operation : document.operations()) {
        if (!operation.channelId().equals(channelId)) {
          continue;
        }
        Set<String> carried = new TreeSet<>();
        messages.forEach((key, type) -> {
          for (AsyncApiMessage message : operation.messages()) {
            if (type.type().equals(message.cloudEventType()) || key.equals(key(message.name()))) {
              carried.add(key);
            }
          }
        });
        if (!carried.isEmpty()) {
          ObjectNode exported = operation(operation.action(), channelKey, carried, operation.options());
          if (operation.reply() != null) {
            exported.set("reply", reply(document, operation.reply(), byChannel, channelNodes));
          }
          out.put(key(operation.id()), exported);
          covered.addAll(carried);
        }
      }
      for (AsyncApiOperation operation : document.operations()) {
        if (operation.reply() != null && channelId.equals(operation.reply().channelId())) {
          covered.addAll(replyMessages(operation.reply(), messages)); // a reply carries them: no operation needed
        }
      }
    }
    Set<String> rest = new TreeSet<>(messages.keySet());
    rest.removeAll(covered);
    if (!rest.isEmpty()) {
      for (AsyncApiOperation.Action action : AsyncApiOperation.Action.values()) {
        String verb = action.name().toLowerCase(Locale.ROOT);
        String id = verb + Character.toUpperCase(channelKey.charAt(0)) + channelKey.substring(1);
        while (out.containsKey(id)) {
          id = id + "_";
        }
        out.put(id, operation(action, channelKey, rest, Map.of()));
      }
    }
  }

  /**
   * An operation's reply: its runtime address, its channel (exported even when none of the types is on it, so that
   * the reference holds) and those of its messages that are exported types on that channel.
   */
  private static ObjectNode reply(AsyncApiDocument document, AsyncApiReply reply,
      Map<String, Map<String, EventType<?>>> byChannel, Map<String, ObjectNode> channelNodes) {
    ObjectNode node = JSON.objectNode();
    if (reply.addressLocation() != null) {
      node.putObject("address").put("location", reply.addressLocation());
    }
    if (reply.channelId() != null) {
      String replyKey = key(reply.channelId());
      channelNodes.computeIfAbsent(replyKey, key -> channel(document, reply.channelId()));
      node.putObject("channel").put("$ref", "#/channels/" + replyKey);
      Set<String> carried = replyMessages(reply, byChannel.getOrDefault(reply.channelId(), Map.of()));
      if (!carried.isEmpty()) {
        ArrayNode refs = node.putArray("messages");
        carried.forEach(key -> refs.addObject().put("$ref", "#/channels/" + replyKey + "/messages/" + key));
      }
    }
    return node;
  }

  /** The keys of the exported messages (of the reply channel) that a reply carries. */
  private static Set<String> replyMessages(AsyncApiReply reply, Map<String, EventType<?>> messages) {
    Set<String> carried = new TreeSet<>();
    messages.forEach((key, type) -> {
      for (AsyncApiMessage message : reply.messages()) {
        if (type.type().equals(message.cloudEventType()) || key.equals(key(message.name()))) {
          carried.add(key);
        }
      }
    });
    return carried;
  }

  private static ObjectNode operation(AsyncApiOperation.Action action, String channelKey, Set<String> messages,
      Map<String, String> options) {
    ObjectNode operation = JSON.objectNode();
    operation.put("action", action.name().toLowerCase(Locale.ROOT));
    operation.putObject("channel").put("$ref", "#/channels/" + channelKey);
    ArrayNode refs = operation.putArray("messages");
    for (String key : messages) {
      refs.addObject().put("$ref", "#/channels/" + channelKey + "/messages/" + key);
    }
    new TreeMap<>(options).forEach((name, value) -> operation.put("x-omnibus-" + name, value));
    return operation;
  }

  private static ObjectNode message(EventType<?> type, String key, JavaSchemas schemas) {
    ObjectNode message = JSON.objectNode();
    message.put("name", key);
    message.put("contentType", type.codec().contentType());
    message.put("x-omnibus-type", type.type());
    message.set("headers", cloudEventsHeaders(type));
    message.set("payload", payload(type, schemas));
    return message;
  }

  private static ObjectNode payload(EventType<?> type, JavaSchemas schemas) {
    Class<?> javaType = type.javaType();
    if (javaType == byte[].class) {
      return JSON.objectNode().put("type", "string").put("format", "binary");
    }
    return schemas.schemaOf(javaType);
  }

  /** The CloudEvents binary-mode attributes as Kafka-style {@code ce_} headers (CloudEvents AsyncAPI guidance). */
  private static ObjectNode cloudEventsHeaders(EventType<?> type) {
    ObjectNode headers = JSON.objectNode().put("type", "object");
    headers.putArray("required").add("ce_id").add("ce_source").add("ce_specversion").add("ce_type");
    ObjectNode properties = headers.putObject("properties");
    properties.putObject("ce_id").put("type", "string").put("minLength", 1);
    properties.putObject("ce_source").put("type", "string").put("format", "uri-reference");
    properties.putObject("ce_specversion").put("type", "string").put("const", "1.0");
    properties.putObject("ce_type").put("type", "string").put("const", type.type());
    properties.putObject("ce_subject").put("type", "string");
    properties.putObject("ce_time").put("type", "string").put("format", "date-time");
    if (type.dataSchema() != null) {
      properties.putObject("ce_dataschema").put("type", "string").put("const", type.dataSchema().toString());
    }
    properties.putObject("content-type").put("type", "string").put("const", type.codec().contentType());
    return headers;
  }

  private static void parameters(AsyncApiChannel declared, ObjectNode channel) {
    if (declared.parameters().isEmpty()) {
      return;
    }
    ObjectNode parameters = channel.putObject("parameters");
    new TreeMap<>(declared.parameters()).forEach((name, parameter) -> {
      ObjectNode node = parameters.putObject(name);
      if (!parameter.enumValues().isEmpty()) {
        ArrayNode values = node.putArray("enum");
        parameter.enumValues().forEach(values::add);
      }
      if (parameter.defaultValue() != null) {
        node.put("default", parameter.defaultValue());
      }
      if (parameter.location() != null) {
        node.put("location", parameter.location());
      }
    });
  }

  private static ObjectNode servers(AsyncApiDocument document) {
    ObjectNode servers = JSON.objectNode();
    new TreeMap<>(document.serverTemplates()).forEach((name, server) -> servers.set(name, server(server)));
    return servers;
  }

  private static ObjectNode server(ServerTemplate template) {
    ObjectNode server = JSON.objectNode();
    server.put("host", template.host());
    if (template.pathname() != null) {
      server.put("pathname", template.pathname());
    }
    server.put("protocol", template.protocol());
    if (template.protocolVersion() != null) {
      server.put("protocolVersion", template.protocolVersion());
    }
    if (!template.variables().isEmpty()) {
      ObjectNode variables = server.putObject("variables");
      new TreeMap<>(template.variables()).forEach((name, variable) -> {
        ObjectNode node = variables.putObject(name);
        if (!variable.enumValues().isEmpty()) {
          ArrayNode values = node.putArray("enum");
          variable.enumValues().forEach(values::add);
        }
        if (variable.defaultValue() != null) {
          node.put("default", variable.defaultValue());
        }
      });
    }
    return server;
  }

  /** A key usable under {@code channels}, {@code operations} and {@code components}. */
  static String key(String name) {
    String key = name.replaceAll("[^A-Za-z0-9_\\-.]", "_");
    return key.isEmpty() ? "_" : key;
  }
}
