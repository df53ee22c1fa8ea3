package dev.omnibus.contract;

import com.fasterxml.jackson.databind.JsonNode;
import dev.omnibus.asyncapi.AsyncApiChannel;
import dev.omnibus.asyncapi.AsyncApiDocument;
import dev.omnibus.asyncapi.AsyncApiMessage;
import dev.omnibus.asyncapi.AsyncApiOperation;
import dev.omnibus.asyncapi.AsyncApiReply;
import dev.omnibus.contract.Contracts.Change;
import dev.omnibus.contract.Contracts.Change.Kind;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** Compares two versions of a document (see {@link dev.omnibus.contract.Contracts#compare}). */
public final class CompatibilityCheck {

  /** Schema keywords that only annotate: a change to them never breaks anyone. */
  private static final Set<String> ANNOTATIONS = Set.of("description", "title", "examples", "example", "default",
      "$comment", "externalDocs", "deprecated", "readOnly", "writeOnly", "discriminator", "$id", "$schema",
      "contentMediaType", "contentEncoding");
  private static final Set<String> LOWER_BOUNDS = Set.of("minimum", "exclusiveMinimum", "minLength", "minItems",
      "minProperties", "minContains");
  private static final Set<String> UPPER_BOUNDS = Set.of("maximum", "exclusiveMaximum", "maxLength", "maxItems",
      "maxProperties", "maxContains");
  /** {@code format} values that describe a number's size rather than constrain it (OpenAPI/AsyncAPI habit). */
  private static final Set<String> SIZE_FORMATS = Set.of("int32", "int64", "float", "double");
  private static final Set<String> HANDLED = Set.of("type", "enum", "const", "properties", "required",
      "additionalProperties", "items", "allOf", "anyOf", "oneOf", "not", "pattern", "format", "uniqueItems",
      "multipleOf", "$ref");

  /** How a payload change affects the set of valid payloads. */
  private enum Effect {
    /** Refuses payloads the old schema accepted. */
    NARROWS,
    /** Accepts more than before. */
    WIDENS,
    /** Neither, or cannot tell: some old payloads are refused and some new ones were refused before. */
    INCOMPATIBLE,
    /** Something consumers may read is gone. */
    REMOVES,
    /** Something optional is there that was not: old payloads stay valid, old consumers may ignore it. */
    ADDS,
    /** Annotations only. */
    NEUTRAL
  }

  private final List<Change> changes = new ArrayList<>();

  private CompatibilityCheck() {}

  /** Every change from the older to the newer document. */
  public static List<Change> compare(AsyncApiDocument older, AsyncApiDocument newer) {
    CompatibilityCheck check = new CompatibilityCheck();
    check.channels(older, newer);
    check.operations(older, newer);
    check.messages(older, newer);
    return List.copyOf(check.changes);
  }

  private void channels(AsyncApiDocument older, AsyncApiDocument newer) {
    for (AsyncApiChannel old : older.channels().values()) {
      AsyncApiChannel now = newer.channels().get(old.id());
      String path = "channels." + old.id();
      if (now == null) {
        both(Kind.REMOVED, path, "channel removed");
      } else if (!Objects.equals(old.address(), now.address())) {
        both(Kind.CHANGED, path + ".address", "address changed from '" + old.address() + "' to '" + now.address() + "'");
      }
    }
    for (AsyncApiChannel now : newer.channels().values()) {
      if (!older.channels().containsKey(now.id())) {
        none(Kind.ADDED, "channels." + now.id(), "channel added");
      }
    }
  }

  private void operations(AsyncApiDocument older, AsyncApiDocument newer) {
    Map<String, AsyncApiOperation> newOperations = new LinkedHashMap<>();
    newer.operations().forEach(operation -> newOperations.put(operation.id(), operation));
    Set<String> oldIds = new HashSet<>();
    for (AsyncApiOperation old : older.operations()) {
      oldIds.add(old.id());
      AsyncApiOperation now = newOperations.get(old.id());
      String path = "operations." + old.id();
      if (now == null) {
        lost(old.action(), path, "operation removed (it " + verb(old.action()) + " on channel '" + old.channelId() + "')");
        continue;
      }
      if (old.action() != now.action()) {
        both(Kind.CHANGED, path + ".action", "action changed from " + lower(old.action()) + " to " + lower(now.action()));
      }
      if (!old.channelId().equals(now.channelId())) {
        both(Kind.CHANGED, path + ".channel", "channel changed from '" + old.channelId() + "' to '" + now.channelId() + "'");
      }
      Set<String> nowNames = names(now.messages());
      for (String name : names(old.messages())) {
        if (!nowNames.contains(name)) {
          lost(now.action(), path + ".messages", "no longer " + verb(now.action()) + " message '" + name + "'");
        }
      }
      Set<String> oldNames = names(old.messages());
      for (String name : nowNames) {
        if (!oldNames.contains(name)) {
          none(Kind.ADDED, path + ".messages", "now also " + verb(now.action()) + " message '" + name + "'");
        }
      }
      reply(old, now, path + ".reply");
    }
    for (AsyncApiOperation now : newer.operations()) {
      if (!oldIds.contains(now.id())) {
        none(Kind.ADDED, "operations." + now.id(), "operation added (it " + verb(now.action()) + " on channel '"
            + now.channelId() + "')");
      }
    }
  }

  /**
   * An operation's reply, compared like an operation of the opposite action on the reply channel: the responder
   * (a {@code receive} operation) sends the replies, the requester (a {@code send} operation) receives them. Where
   * replies go (the reply channel, the runtime address) must not change; a reply added breaks nobody.
   */
  private void reply(AsyncApiOperation old, AsyncApiOperation now, String path) {
    AsyncApiReply before = old.reply();
    AsyncApiReply after = now.reply();
    if (before == null && after == null) {
      return;
    }
    AsyncApiOperation.Action replies = replyAction(now.action());
    if (before == null) {
      none(Kind.ADDED, path, "reply added (the application now " + verb(replies) + " replies" + where(after) + ")");
      return;
    }
    if (after == null) {
      lost(replies, path, "reply removed (the application " + verb(replies) + " replies" + where(before)
          + " no more)");
      return;
    }
    if (!Objects.equals(before.channelId(), after.channelId())) {
      both(Kind.CHANGED, path + ".channel", "reply channel changed from " + quoted(before.channelId()) + " to "
          + quoted(after.channelId()) + " (replies go elsewhere)");
    }
    if (!Objects.equals(before.addressLocation(), after.addressLocation())) {
      both(Kind.CHANGED, path + ".address", "reply address changed from " + address(before) + " to "
          + address(after) + " (replies go elsewhere)");
    }
    Set<String> nowNames = names(after.messages());
    for (String name : names(before.messages())) {
      if (!nowNames.contains(name)) {
        lost(replies, path + ".messages", "no longer " + verb(replies) + " reply message '" + name + "'");
      }
    }
    Set<String> oldNames = names(before.messages());
    for (String name : nowNames) {
      if (!oldNames.contains(name)) {
        none(Kind.ADDED, path + ".messages", "now also " + verb(replies) + " reply message '" + name + "'");
      }
    }
    if (after.channelId() == null) {
      // Without a reply channel the messages are nobody else's: their payloads are compared here.
      Map<String, AsyncApiMessage> oldMessages = new LinkedHashMap<>();
      before.messages().forEach(message -> oldMessages.putIfAbsent(message.name(), message));
      for (AsyncApiMessage message : after.messages()) {
        AsyncApiMessage was = oldMessages.get(message.name());
        if (was != null && before.channelId() == null) {
          message(was, message, path + ".messages." + message.name(),
              replies == AsyncApiOperation.Action.SEND);
        }
      }
    }
  }

  private static AsyncApiOperation.Action replyAction(AsyncApiOperation.Action action) {
    return action == AsyncApiOperation.Action.SEND ? AsyncApiOperation.Action.RECEIVE : AsyncApiOperation.Action.SEND;
  }

  private static String where(AsyncApiReply reply) {
    return reply.channelId() != null ? " on channel '" + reply.channelId() + "'"
        : reply.addressLocation() != null ? " to " + reply.addressLocation() : "";
  }

  private static String address(AsyncApiReply reply) {
    return reply.addressLocation() == null ? "the reply channel's address" : "'" + reply.addressLocation() + "'";
  }

  private static String quoted(@Nullable String text) {
    return text == null ? "none" : "'" + text + "'";
  }

  private void messages(AsyncApiDocument older, AsyncApiDocument newer) {
    for (AsyncApiChannel oldChannel : older.channels().values()) {
      AsyncApiChannel newChannel = newer.channels().get(oldChannel.id());
      if (newChannel == null) {
        continue; // reported as a removed channel
      }
      Map<String, AsyncApiMessage> oldMessages = messagesOf(older, oldChannel);
      Map<String, AsyncApiMessage> newMessages = messagesOf(newer, newChannel);
      for (AsyncApiMessage old : oldMessages.values()) {
        String path = "channels." + oldChannel.id() + ".messages." + old.name();
        AsyncApiMessage now = newMessages.get(old.name());
        if (now == null) {
          both(Kind.REMOVED, path, "message removed");
          continue;
        }
        message(old, now, path, sendOnly(newer, newChannel.id(), now.name()));
      }
      for (AsyncApiMessage now : newMessages.values()) {
        if (!oldMessages.containsKey(now.name())) {
          none(Kind.ADDED, "channels." + newChannel.id() + ".messages." + now.name(), "message added");
        }
      }
    }
  }

  private void message(AsyncApiMessage old, AsyncApiMessage now, String path, boolean sendOnly) {
    if (!Objects.equals(old.cloudEventType(), now.cloudEventType())) {
      both(Kind.CHANGED, path, "CloudEvents type changed from '" + old.cloudEventType() + "' to '"
          + now.cloudEventType() + "'");
    }
    if (!Objects.equals(old.contentType(), now.contentType())) {
      both(Kind.CHANGED, path + ".contentType", "content type changed from '" + old.contentType() + "' to '"
          + now.contentType() + "'");
    }
    if (!Objects.equals(old.schemaFormat(), now.schemaFormat())) {
      both(Kind.CHANGED, path + ".payload", "schema format changed from '" + old.schemaFormat() + "' to '"
          + now.schemaFormat() + "'");
    } else if (old.payload() != null || now.payload() != null) {
      schema(old.payload(), now.payload(), path + ".payload", sendOnly);
    }
  }

  // ---------------------------------------------------------------- payload schemas

  private void schema(@Nullable JsonNode old, @Nullable JsonNode now, String path, boolean sendOnly) {
    if (Objects.equals(old, now)) {
      return;
    }
    if (old == null || now == null || !old.isObject() || !now.isObject()) {
      Effect effect = old == null || (old.isBoolean() && old.asBoolean()) || (old.isObject() && old.isEmpty())
          ? Effect.NARROWS : now == null || (now.isBoolean() && now.asBoolean()) || (now.isObject() && now.isEmpty())
          ? Effect.WIDENS : Effect.INCOMPATIBLE;
      payload(effect, path, "schema changed from " + brief(old) + " to " + brief(now), sendOnly);
      return;
    }
    for (String keyword : union(old, now)) {
      JsonNode before = old.get(keyword);
      JsonNode after = now.get(keyword);
      if (Objects.equals(before, after) || HANDLED.contains(keyword) || LOWER_BOUNDS.contains(keyword)
          || UPPER_BOUNDS.contains(keyword)) {
        continue;
      }
      String at = path + "." + keyword;
      if (ANNOTATIONS.contains(keyword) || keyword.startsWith("x-")) {
        payload(Effect.NEUTRAL, at, keyword + (before == null ? " added" : after == null ? " removed" : " changed"),
            sendOnly);
      } else {
        payload(Effect.INCOMPATIBLE, at, keyword + " changed from " + brief(before) + " to " + brief(after)
            + " (Omnibus cannot tell whether this narrows the payload)", sendOnly);
      }
    }
    type(old, now, path, sendOnly);
    values(old, now, path, sendOnly);
    bounds(old, now, path, sendOnly);
    text(old, now, "pattern", path, sendOnly);
    format(old, now, path, sendOnly);
    if (!Objects.equals(old.get("multipleOf"), now.get("multipleOf"))) {
      payload(now.has("multipleOf") ? Effect.NARROWS : Effect.WIDENS, path + ".multipleOf",
          "multipleOf changed from " + brief(old.get("multipleOf")) + " to " + brief(now.get("multipleOf")), sendOnly);
    }
    if (old.path("uniqueItems").asBoolean(false) != now.path("uniqueItems").asBoolean(false)) {
      payload(now.path("uniqueItems").asBoolean(false) ? Effect.NARROWS : Effect.WIDENS, path + ".uniqueItems",
          "uniqueItems is now " + now.path("uniqueItems").asBoolean(false), sendOnly);
    }
    object(old, now, path, sendOnly);
    if (!Objects.equals(old.get("items"), now.get("items"))) {
      JsonNode before = old.get("items");
      JsonNode after = now.get("items");
      if (before != null && after != null && before.isArray() && after.isArray()) {
        list(before, after, path + ".items", Effect.NARROWS, Effect.WIDENS, sendOnly);
      } else {
        schema(before, after, path + ".items", sendOnly);
      }
    }
    list(old.get("allOf"), now.get("allOf"), path + ".allOf", Effect.NARROWS, Effect.WIDENS, sendOnly);
    list(old.get("anyOf"), now.get("anyOf"), path + ".anyOf", Effect.WIDENS, Effect.NARROWS, sendOnly);
    list(old.get("oneOf"), now.get("oneOf"), path + ".oneOf", Effect.WIDENS, Effect.NARROWS, sendOnly);
    if (!Objects.equals(old.get("not"), now.get("not"))) {
      payload(Effect.INCOMPATIBLE, path + ".not", "not changed from " + brief(old.get("not")) + " to "
          + brief(now.get("not")), sendOnly);
    }
    if (!Objects.equals(old.get("$ref"), now.get("$ref"))) {
      payload(Effect.INCOMPATIBLE, path + ".$ref", "reference changed from " + brief(old.get("$ref")) + " to "
          + brief(now.get("$ref")), sendOnly);
    }
  }

  private void type(JsonNode old, JsonNode now, String path, boolean sendOnly) {
    Set<String> before = types(old.get("type"));
    Set<String> after = types(now.get("type"));
    if (before.equals(after)) {
      return;
    }
    Effect effect;
    if (before.isEmpty()) {
      effect = Effect.NARROWS;
    } else if (after.isEmpty() || covers(after, before)) {
      effect = Effect.WIDENS;
    } else if (covers(before, after)) {
      effect = Effect.NARROWS;
    } else {
      effect = Effect.INCOMPATIBLE;
    }
    payload(effect, path + ".type", "type changed from " + (before.isEmpty() ? "any" : String.join("|", before))
        + " to " + (after.isEmpty() ? "any" : String.join("|", after)), sendOnly);
  }

  /** Whether every value of the {@code inner} types is one of the {@code outer} types. */
  private static boolean covers(Set<String> outer, Set<String> inner) {
    for (String type : inner) {
      if (!outer.contains(type) && !(type.equals("integer") && outer.contains("number"))) {
        return false;
      }
    }
    return true;
  }

  private void values(JsonNode old, JsonNode now, String path, boolean sendOnly) {
    Set<JsonNode> before = allowed(old);
    Set<JsonNode> after = allowed(now);
    if (Objects.equals(before, after)) {
      return;
    }
    String at = path + (now.has("const") || (!now.has("enum") && old.has("const")) ? ".const" : ".enum");
    if (before == null) {
      payload(Effect.NARROWS, at, "values now limited to " + after, sendOnly);
    } else if (after == null) {
      payload(Effect.WIDENS, at, "values no longer limited (were " + before + ")", sendOnly);
    } else {
      Set<JsonNode> removed = new LinkedHashSet<>(before);
      removed.removeAll(after);
      Set<JsonNode> added = new LinkedHashSet<>(after);
      added.removeAll(before);
      if (added.isEmpty()) {
        payload(Effect.NARROWS, at, "enum narrowed: removed " + removed, sendOnly);
      } else if (removed.isEmpty()) {
        payload(Effect.WIDENS, at, "enum widened: added " + added, sendOnly);
      } else {
        payload(Effect.INCOMPATIBLE, at, "enum changed: removed " + removed + ", added " + added, sendOnly);
      }
    }
  }

  private static @Nullable Set<JsonNode> allowed(JsonNode schema) {
    if (schema.has("const")) {
      return Set.of(schema.get("const"));
    }
    if (schema.path("enum").isArray()) {
      Set<JsonNode> values = new LinkedHashSet<>();
      schema.get("enum").forEach(values::add);
      return values;
    }
    return null;
  }

  private void bounds(JsonNode old, JsonNode now, String path, boolean sendOnly) {
    for (String keyword : union(old, now)) {
      boolean lower = LOWER_BOUNDS.contains(keyword);
      if (!lower && !UPPER_BOUNDS.contains(keyword)) {
        continue;
      }
      JsonNode before = old.get(keyword);
      JsonNode after = now.get(keyword);
      if (Objects.equals(before, after)) {
        continue;
      }
      String at = path + "." + keyword;
      if (before != null && after != null && before.isNumber() && after.isNumber()) {
        int order = after.decimalValue().compareTo(before.decimalValue());
        boolean tighter = lower ? order > 0 : order < 0;
        payload(tighter ? Effect.NARROWS : Effect.WIDENS, at, keyword + (tighter ? " tightened" : " loosened")
            + " from " + before + " to " + after, sendOnly);
      } else if (before == null) {
        payload(Effect.NARROWS, at, keyword + " " + after + " added", sendOnly);
      } else if (after == null) {
        payload(Effect.WIDENS, at, keyword + " " + before + " removed", sendOnly);
      } else {
        payload(Effect.INCOMPATIBLE, at, keyword + " changed from " + before + " to " + after, sendOnly);
      }
    }
  }

  private void text(JsonNode old, JsonNode now, String keyword, String path, boolean sendOnly) {
    JsonNode before = old.get(keyword);
    JsonNode after = now.get(keyword);
    if (Objects.equals(before, after)) {
      return;
    }
    Effect effect = before == null ? Effect.NARROWS : after == null ? Effect.WIDENS : Effect.INCOMPATIBLE;
    payload(effect, path + "." + keyword, keyword + (before == null ? " " + brief(after) + " added"
        : after == null ? " " + brief(before) + " removed" : " changed from " + brief(before) + " to "
        + brief(after)), sendOnly);
  }

  private void format(JsonNode old, JsonNode now, String path, boolean sendOnly) {
    String before = old.path("format").isTextual() ? old.get("format").asText() : null;
    String after = now.path("format").isTextual() ? now.get("format").asText() : null;
    if (Objects.equals(before, after)) {
      return;
    }
    if ((before == null || SIZE_FORMATS.contains(before)) && (after == null || SIZE_FORMATS.contains(after))) {
      payload(Effect.NEUTRAL, path + ".format", "format " + before + " -> " + after + " (describes size only)",
          sendOnly);
      return;
    }
    text(old, now, "format", path, sendOnly);
  }

  private void object(JsonNode old, JsonNode now, String path, boolean sendOnly) {
    JsonNode oldProperties = old.path("properties");
    JsonNode newProperties = now.path("properties");
    Set<String> oldRequired = strings(old.get("required"));
    Set<String> newRequired = strings(now.get("required"));
    for (Iterator<String> it = oldProperties.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      String at = path + ".properties." + name;
      if (!newProperties.has(name)) {
        payload(Effect.REMOVES, at, "property '" + name + "' removed", sendOnly);
      } else {
        schema(oldProperties.get(name), newProperties.get(name), at, sendOnly);
      }
    }
    for (Iterator<String> it = newProperties.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!oldProperties.has(name)) {
        payload(newRequired.contains(name) ? Effect.NARROWS : Effect.ADDS, path + ".properties." + name,
            (newRequired.contains(name) ? "required" : "optional") + " property '" + name + "' added", sendOnly);
      }
    }
    for (String name : newRequired) {
      if (!oldRequired.contains(name) && oldProperties.has(name)) {
        payload(Effect.NARROWS, path + ".required", "property '" + name + "' is now required", sendOnly);
      } else if (!oldRequired.contains(name) && !oldProperties.has(name) && !newProperties.has(name)) {
        payload(Effect.NARROWS, path + ".required", "property '" + name + "' is now required", sendOnly);
      }
    }
    for (String name : oldRequired) {
      if (!newRequired.contains(name) && newProperties.has(name)) {
        payload(Effect.WIDENS, path + ".required", "property '" + name + "' is no longer required", sendOnly);
      }
    }
    JsonNode before = old.get("additionalProperties");
    JsonNode after = now.get("additionalProperties");
    if (!Objects.equals(before, after)) {
      boolean wasOpen = before == null || (before.isBoolean() && before.asBoolean());
      boolean isOpen = after == null || (after.isBoolean() && after.asBoolean());
      if (wasOpen && isOpen) {
        return;
      }
      if (before != null && after != null && before.isObject() && after.isObject()) {
        schema(before, after, path + ".additionalProperties", sendOnly);
      } else {
        payload(wasOpen ? Effect.NARROWS : isOpen ? Effect.WIDENS : Effect.INCOMPATIBLE,
            path + ".additionalProperties", "additionalProperties changed from " + brief(before) + " to "
            + brief(after), sendOnly);
      }
    }
  }

  private void list(@Nullable JsonNode old, @Nullable JsonNode now, String path, Effect whenAdded,
      Effect whenRemoved, boolean sendOnly) {
    if (Objects.equals(old, now)) {
      return;
    }
    int before = old == null || !old.isArray() ? 0 : old.size();
    int after = now == null || !now.isArray() ? 0 : now.size();
    for (int i = 0; i < Math.min(before, after); i++) {
      schema(old.get(i), now.get(i), path + "." + i, sendOnly);
    }
    for (int i = before; i < after; i++) {
      payload(whenAdded, path + "." + i, "alternative " + brief(now.get(i)) + " added", sendOnly);
    }
    for (int i = after; i < before; i++) {
      payload(whenRemoved, path + "." + i, "alternative " + brief(old.get(i)) + " removed", sendOnly);
    }
  }

  private void payload(Effect effect, String path, String description, boolean sendOnly) {
    // Narrower breaks whoever still produces the old shape; when the application only sends the message, that is
    // the application itself, which now produces the new shape.
    switch (effect) {
      case NARROWS -> changes.add(new Change(path, Kind.NARROWED, !sendOnly, false, description + (sendOnly
          ? " (the application only sends this message: old consumers still accept what it sends)"
          : " (payloads valid before may now be refused)")));
      case WIDENS -> none(Kind.WIDENED, path, description);
      case ADDS -> none(Kind.ADDED, path, description);
      case NEUTRAL -> none(Kind.ANNOTATION, path, description);
      case INCOMPATIBLE -> both(Kind.CHANGED, path, description);
      case REMOVES -> changes.add(new Change(path, Kind.REMOVED, false, true, description
          + " (consumers may read it)"));
    }
  }

  // ---------------------------------------------------------------- helpers

  private void both(Kind kind, String path, String description) {
    changes.add(new Change(path, kind, true, true, description));
  }

  private void none(Kind kind, String path, String description) {
    changes.add(new Change(path, kind, false, false, description));
  }

  /**
   * Something an operation did is gone: what the application no longer sends breaks its consumers, what it no
   * longer receives breaks the producers that send it.
   */
  private void lost(AsyncApiOperation.Action action, String path, String description) {
    boolean sends = action == AsyncApiOperation.Action.SEND;
    changes.add(new Change(path, Kind.REMOVED, !sends, sends, description));
  }

  /** A channel's messages by name: its own, then those of operations on it. */
  private static Map<String, AsyncApiMessage> messagesOf(AsyncApiDocument document, AsyncApiChannel channel) {
    Map<String, AsyncApiMessage> out = new LinkedHashMap<>();
    for (AsyncApiMessage message : document.sentMessages(channel.id())) {
      out.putIfAbsent(message.name(), message);
    }
    return out;
  }

  /**
   * Whether the application only sends a message: some send operation carries it, or the reply of some receive
   * operation (the application responds with it), and no receive operation or reply of a send operation does.
   */
  private static boolean sendOnly(AsyncApiDocument document, String channelId, String messageName) {
    boolean sent = false;
    for (AsyncApiOperation operation : document.operations()) {
      if (operation.channelId().equals(channelId) && names(operation.messages()).contains(messageName)) {
        if (operation.action() == AsyncApiOperation.Action.RECEIVE) {
          return false;
        }
        sent = true;
      }
      AsyncApiReply reply = operation.reply();
      if (reply != null && channelId.equals(reply.channelId()) && names(reply.messages()).contains(messageName)) {
        if (replyAction(operation.action()) == AsyncApiOperation.Action.RECEIVE) {
          return false;
        }
        sent = true;
      }
    }
    return sent;
  }

  private static Set<String> names(List<AsyncApiMessage> messages) {
    Set<String> names = new LinkedHashSet<>();
    messages.forEach(message -> names.add(message.name()));
    return names;
  }

  private static Set<String> union(JsonNode a, JsonNode b) {
    Set<String> keys = new LinkedHashSet<>();
    a.fieldNames().forEachRemaining(keys::add);
    b.fieldNames().forEachRemaining(keys::add);
    return keys;
  }

  private static Set<String> types(@Nullable JsonNode type) {
    Set<String> types = new java.util.TreeSet<>();
    if (type != null && type.isTextual()) {
      types.add(type.asText());
    } else if (type != null && type.isArray()) {
      type.forEach(t -> types.add(t.asText()));
    }
    return types;
  }

  private static Set<String> strings(@Nullable JsonNode array) {
    Set<String> values = new LinkedHashSet<>();
    if (array != null && array.isArray()) {
      array.forEach(value -> values.add(value.asText()));
    }
    return values;
  }

  private static String brief(@Nullable JsonNode node) {
    if (node == null) {
      return "nothing";
    }
    String text = node.toString();
    return text.length() > 80 ? text.substring(0, 77) + "..." : text;
  }

  private static String verb(AsyncApiOperation.Action action) {
    return action == AsyncApiOperation.Action.SEND ? "sends" : "receives";
  }

  private static String lower(AsyncApiOperation.Action action) {
    return action.name().toLowerCase(java.util.Locale.ROOT);
  }
}
