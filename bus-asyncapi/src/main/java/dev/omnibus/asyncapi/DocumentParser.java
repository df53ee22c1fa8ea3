package dev.omnibus.asyncapi;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.SecurityScheme;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads a whole AsyncAPI 2.0–2.6 or 3.0–3.1 document into a {@link ParsedDocument}, collecting every problem and
 * throwing them together. Servers are read but not resolved: their variables and credentials are only needed for
 * the server actually used (see {@link ServerResolver}).
 */
public final class DocumentParser {

  private static final Pattern VERSION =
      Pattern.compile("^(\\d+)\\.(\\d+)\\.(\\d+)(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$");
  private static final Pattern NAME = Pattern.compile("^[A-Za-z0-9_\\-]+$");
  private static final Pattern EXPRESSION = Pattern.compile("\\{([^{}]*)}");
  private static final Pattern RUNTIME_EXPRESSION = Pattern.compile("^\\$message\\.(header|payload)(#(/.*)?)?$");
  private static final List<String> CE_TYPE_HEADERS =
      List.of("ce_type", "ce-type", "cloudEvents_type", "cloudEvents:type", "type");
  private static final List<String> SERVER_FIELDS_2 = List.of("url", "protocol", "protocolVersion", "description",
      "variables", "security", "tags", "bindings");
  private static final List<String> SERVER_FIELDS_3 = List.of("host", "protocol", "protocolVersion", "pathname",
      "description", "title", "summary", "variables", "security", "tags", "externalDocs", "bindings");
  private static final String CONVERTER = "convert it with the AsyncAPI converter"
      + " (https://github.com/asyncapi/converter-js, or 'asyncapi convert <file> --target-version=3.0.0' with the"
      + " AsyncAPI CLI)";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(DocumentParser.class);

  private final Problems problems = new Problems();
  private final Json json = new Json(problems);
  private final BindingParser bindings;
  private final URI file;
  private final JsonNode root;
  private final String origin;
  private boolean v3;
  private @Nullable String defaultContentType;
  private final RefResolver refs;
  private final Map<String, Map<String, AsyncApiMessage>> channelMessages = new LinkedHashMap<>();
  /** The objects as written, by document path, for tools that show what Omnibus does not use (descriptions...). */
  private final Map<String, JsonNode> objects = new LinkedHashMap<>();

  private DocumentParser(Sources sources, URI file, JsonNode root, String origin) {
    this.file = file;
    this.root = root;
    this.origin = origin;
    this.refs = new RefResolver(sources, file, root, problems);
    this.bindings = new BindingParser(problems);
  }

  /**
   * Reads a parsed document tree.
   *
   * @param sources where sibling files are read from
   * @param file the URI of the document's file, against which its relative references resolve
   * @param root the document's tree
   * @param origin how to name the document in messages
   * @throws ConfigurationException with every problem found
   */
  public static ParsedDocument parse(Sources sources, URI file, JsonNode root, String origin) {
    return new DocumentParser(sources, file, root, origin).parse();
  }

  private ParsedDocument parse() {
    if (!root.isObject()) {
      throw ConfigurationException.of("", origin + " is not an AsyncAPI document: expected a mapping with an"
          + " 'asyncapi' field at the top, found " + RefResolver.kind(root));
    }
    String version = version();
    problems.throwIfAny();
    v3 = version.startsWith("3.");
    topLevel();
    // Each binding applies it when it parses its own bindings: it reaches them as a server option (ServerResolver).
    boolean strictBindings = Boolean.TRUE.equals(json.bool(root, "x-omnibus-strict-bindings", ""));
    refs.checkAll(new Located(root, file), ""); // reports every broken reference, wherever it is
    JsonNode components = root.path("components");
    SecurityParser security = new SecurityParser(json, refs, v3);
    Map<String, SecurityScheme> schemes = components.isObject()
        ? security.components(components, file, "components") : Map.of();
    Map<String, ServerTemplate> servers = servers(security, schemes);
    Map<String, AsyncApiChannel> channels = new LinkedHashMap<>();
    List<AsyncApiOperation> operations = new ArrayList<>();
    if (v3) {
      channels3(servers.keySet(), channels);
      operations3(channels, operations);
    } else {
      channels2(servers.keySet(), channels, operations);
    }
    problems.throwIfAny();
    objects.put("", root);
    return new ParsedDocument(version, origin, servers, channels, operations, strictBindings, objects);
  }

  // ---------------------------------------------------------------- the document

  private String version() {
    JsonNode value = root.get("asyncapi");
    if (value == null || value.isNull()) {
      if (root.has("openapi") || root.has("swagger")) {
        problems.add("", origin + " is an OpenAPI document, not an AsyncAPI one");
      } else if (root.path("servers").isArray()) {
        problems.add("asyncapi", "this looks like an AsyncAPI 1.x document (its servers are a list); AsyncAPI 1.x is"
            + " not supported: " + CONVERTER);
      } else {
        problems.add("asyncapi", "missing: an AsyncAPI document starts with 'asyncapi: 3.0.0' (or a 2.x version)");
      }
      return "";
    }
    String text = value.isValueNode() ? value.asText() : "";
    if (!value.isTextual()) {
      problems.add("asyncapi", "must be a version string such as '3.0.0' (in quotes in YAML if need be), not "
          + RefResolver.kind(value) + (value.isValueNode() ? " (" + text + ")" : ""));
      return "";
    }
    Matcher matcher = VERSION.matcher(text);
    if (!matcher.matches()) {
      problems.add("asyncapi", "'" + text + "' is not an AsyncAPI version: write major.minor.patch, e.g. '3.0.0'");
      return text;
    }
    int major = Integer.parseInt(matcher.group(1));
    int minor = Integer.parseInt(matcher.group(2));
    if (major == 1) {
      problems.add("asyncapi", "AsyncAPI " + text + " documents are not supported (AsyncAPI 1.x is not supported);"
          + " Omnibus reads 2.0–2.6 and 3.0–3.1: " + CONVERTER);
    } else if (!(major == 2 && minor <= 6) && !(major == 3 && minor <= 1)) {
      problems.add("asyncapi", "AsyncAPI " + text + " is not a version Omnibus reads; it reads 2.0–2.6 and"
          + " 3.0–3.1");
    }
    return text;
  }

  private void topLevel() {
    JsonNode info = root.get("info");
    if (info == null || info.isNull()) {
      problems.add("info", "missing: every AsyncAPI document has an info object with a title and a version");
    } else if (!info.isObject()) {
      problems.add("info", "must be an object with a title and a version, not " + RefResolver.kind(info));
    } else {
      for (String field : List.of("title", "version")) {
        if (!Json.present(info, field)) {
          problems.add(Paths.of("info", field), "missing: info needs a " + field);
        } else {
          json.scalar(info, field, "info");
        }
      }
    }
    json.text(root, "id", "");
    defaultContentType = json.text(root, "defaultContentType", "");
    json.object(root, "servers", "");
    json.object(root, "components", "");
    json.object(root, "externalDocs", "");
    if (!v3 && !Json.present(root, "channels")) {
      problems.add("channels", "missing: an AsyncAPI 2.x document must have channels (it may be empty: {})");
    }
    json.object(root, "channels", "");
    if (v3) {
      json.object(root, "operations", "");
    }
    tags(root, "");
  }

  private void tags(JsonNode owner, String path) {
    JsonNode tags = owner.get("tags");
    if (tags == null || tags.isNull()) {
      return;
    }
    String at = Paths.of(path, "tags");
    if (!tags.isArray()) {
      problems.add(at, "must be a list of tags, not " + RefResolver.kind(tags));
      return;
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < tags.size(); i++) {
      JsonNode tag = tags.get(i);
      if (RefResolver.isRef(tag)) {
        continue;
      }
      if (!tag.isObject()) {
        problems.add(Paths.of(at, i), "a tag must be an object with a name, not " + RefResolver.kind(tag));
        continue;
      }
      String name = json.text(tag, "name", Paths.of(at, i));
      if (name != null && !names.add(name)) {
        problems.add(Paths.of(at, i), "the tag '" + name + "' is listed twice; tag names must be unique");
      }
    }
  }

  // ---------------------------------------------------------------- servers

  private Map<String, ServerTemplate> servers(SecurityParser security, Map<String, SecurityScheme> schemes) {
    Map<String, ServerTemplate> servers = new LinkedHashMap<>();
    JsonNode node = root.get("servers");
    if (node == null || !node.isObject()) {
      return servers;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      String path = Paths.of("servers", name);
      if (!NAME.matcher(name).matches()) {
        problems.add(path, "'" + name + "' is not a valid server name: use only letters, digits, '_' and '-'");
        continue;
      }
      Located server = refs.follow(new Located(entry.getValue(), file), path);
      if (server == null) {
        continue;
      }
      if (!server.node().isObject()) {
        problems.add(path, "a server must be an object, not " + RefResolver.kind(server.node()));
        continue;
      }
      ServerTemplate template = server(name, server, path, security, schemes);
      if (template != null) {
        objects.put(path, server.node());
        servers.put(name, template);
      }
    }
    return servers;
  }

  private @Nullable ServerTemplate server(String name, Located located, String path, SecurityParser security,
      Map<String, SecurityScheme> schemes) {
    JsonNode server = located.node();
    json.onlyKnown(server, path, "an AsyncAPI " + (v3 ? "3" : "2") + ".x server", v3 ? SERVER_FIELDS_3
        : SERVER_FIELDS_2);
    String protocol = json.text(server, "protocol", path);
    if (protocol == null && !Json.present(server, "protocol")) {
      problems.add(Paths.of(path, "protocol"), "missing: say which protocol the server speaks, e.g. 'protocol:"
          + " kafka' (or amqp, mqtt, memory...)");
    }
    String protocolVersion = json.scalar(server, "protocolVersion", path);
    json.text(server, "description", path);
    json.text(server, "title", path);
    json.text(server, "summary", path);
    tags(server, path);
    String host;
    String pathname = null;
    String addressField;
    if (v3) {
      addressField = "host";
      host = json.text(server, "host", path);
      pathname = json.text(server, "pathname", path);
      if (host == null && !Json.present(server, "host")) {
        problems.add(Paths.of(path, "host"), "missing: an AsyncAPI 3 server needs a host, e.g. 'host:"
            + " broker.example.com:9092'" + (server.has("url") ? " (3.0 has no url: split it into host and"
            + " pathname)" : ""));
      }
    } else {
      addressField = "url";
      String url = json.text(server, "url", path);
      host = null;
      if (url == null && !Json.present(server, "url")) {
        problems.add(Paths.of(path, "url"), "missing: an AsyncAPI 2 server needs a url, e.g. 'url:"
            + " broker.example.com:9092'");
      } else if (url != null) {
        String[] split = splitUrl(url);
        host = split[0];
        pathname = split[1];
      }
    }
    if (host != null && ServerResolver.hasUserInfo(host)) {
      problems.add(Paths.of(path, addressField), ServerResolver.userInfoMessage(name, "its " + addressField));
      host = null; // never passed on, never echoed
    }
    Map<String, ServerTemplate.Variable> variables = variables(located, path);
    List<SecurityScheme> schemesOfServer = security.requirements(located, name, schemes, path);
    Bindings serverBindings = bindings.parse(inlined(located, "bindings", path), Paths.of(path, "bindings"),
        BindingParser.Kind.SERVER);
    if (protocol == null || host == null) {
      return null;
    }
    return new ServerTemplate(name, path, protocol.toLowerCase(Locale.ROOT), protocolVersion, host, pathname,
        addressField, variables, schemesOfServer, serverBindings, Json.options(server));
  }

  /**
   * Splits a 2.x url the way the AsyncAPI converter's {@code resolveServerUrl} does: the scheme (before
   * {@code ://}) is dropped, the first {@code /} separates the host from the pathname.
   */
  static String[] splitUrl(String url) {
    int scheme = url.indexOf("://");
    String rest = scheme < 0 ? url : url.substring(scheme + 3);
    int slash = rest.indexOf('/');
    if (slash < 0) {
      return new String[] {rest, null};
    }
    return new String[] {rest.substring(0, slash), rest.substring(slash)};
  }

  private Map<String, ServerTemplate.Variable> variables(Located server, String path) {
    Map<String, ServerTemplate.Variable> out = new LinkedHashMap<>();
    JsonNode variables = json.object(server.node(), "variables", path);
    if (variables == null) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = variables.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      String at = Paths.of(Paths.of(path, "variables"), name);
      Located variable = refs.follow(new Located(entry.getValue(), server.file()), at);
      if (variable == null) {
        continue;
      }
      JsonNode node = variable.node();
      if (!node.isObject()) {
        problems.add(at, "a server variable must be an object (with default, enum, description...), not "
            + RefResolver.kind(node));
        continue;
      }
      json.onlyKnown(node, at, "a server variable", List.of("enum", "default", "description", "examples"));
      String defaultValue = json.text(node, "default", at);
      json.text(node, "description", at);
      List<String> enumValues = json.texts(node, "enum", at);
      List<String> examples = json.texts(node, "examples", at);
      if (!enumValues.isEmpty()) {
        for (String example : examples) {
          if (!enumValues.contains(example)) {
            problems.add(Paths.of(at, "examples"), "the example '" + example + "' is not one of the enum values "
                + enumValues);
          }
        }
      }
      objects.put(at, node);
      out.put(name, new ServerTemplate.Variable(name, defaultValue, enumValues));
    }
    return out;
  }

  // ---------------------------------------------------------------- channels, 3.x

  private void channels3(Set<String> serverNames, Map<String, AsyncApiChannel> channels) {
    JsonNode node = root.get("channels");
    if (node == null || !node.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String id = entry.getKey();
      String path = Paths.of("channels", id);
      Located channel = refs.follow(new Located(entry.getValue(), file), path);
      if (channel == null) {
        continue;
      }
      if (!channel.node().isObject()) {
        problems.add(path, "a channel must be an object, not " + RefResolver.kind(channel.node()));
        continue;
      }
      JsonNode c = channel.node();
      String address = json.text(c, "address", path);
      if (address != null) {
        addressSyntax(address, Paths.of(path, "address"));
      }
      Map<String, AsyncApiChannel.Parameter> parameters = parameters(channel, path);
      if (address != null) {
        for (String expression : expressions(address)) {
          if (!parameters.containsKey(expression)) {
            problems.add(Paths.of(path, "parameters"), "the address '" + address + "' uses {" + expression
                + "}, which is not declared under parameters; declare it (with an enum or a default if you like)");
          }
        }
      }
      List<String> servers = channelServers3(c, path, serverNames);
      Map<String, AsyncApiMessage> messages = new LinkedHashMap<>();
      JsonNode messagesNode = json.object(c, "messages", path);
      if (messagesNode != null) {
        for (Iterator<Map.Entry<String, JsonNode>> m = messagesNode.fields(); m.hasNext(); ) {
          Map.Entry<String, JsonNode> message = m.next();
          String at = Paths.of(Paths.of(path, "messages"), message.getKey());
          AsyncApiMessage parsed = message(new Located(message.getValue(), channel.file()), at, message.getKey());
          if (parsed != null) {
            messages.put(message.getKey(), parsed);
          }
        }
      }
      channelMessages.put(id, messages);
      Bindings channelBindings = bindings.parse(inlined(channel, "bindings", path), Paths.of(path, "bindings"),
          BindingParser.Kind.CHANNEL);
      objects.put(path, c);
      channels.put(id, new AsyncApiChannel(id, address, parameters, servers, channelBindings, Json.options(c),
          new ArrayList<>(messages.values()), path));
    }
  }

  private List<String> channelServers3(JsonNode channel, String path, Set<String> serverNames) {
    List<String> out = new ArrayList<>();
    JsonNode servers = channel.get("servers");
    String at = Paths.of(path, "servers");
    if (servers == null || servers.isNull()) {
      return out;
    }
    if (!servers.isArray()) {
      problems.add(at, "must be a list of $refs to servers ('- $ref: \"#/servers/production\"'), not "
          + RefResolver.kind(servers));
      return out;
    }
    for (int i = 0; i < servers.size(); i++) {
      JsonNode item = servers.get(i);
      String ref = RefResolver.isRef(item) && item.get("$ref").isTextual() ? item.get("$ref").asText() : null;
      List<String> segments = ref == null ? null : localPointer(ref);
      if (segments == null || segments.size() != 2 || !segments.get(0).equals("servers")) {
        problems.add(Paths.of(at, i), "must be a $ref to one of the document's servers, e.g."
            + " '$ref: \"#/servers/production\"'");
        continue;
      }
      if (!serverNames.contains(segments.get(1))) {
        problems.add(Paths.of(at, i), "there is no server '" + segments.get(1) + "' (servers: " + serverNames + ")");
        continue;
      }
      out.add(segments.get(1));
    }
    return out;
  }

  private void operations3(Map<String, AsyncApiChannel> channels, List<AsyncApiOperation> operations) {
    JsonNode node = root.get("operations");
    if (node == null || !node.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String id = entry.getKey();
      String path = Paths.of("operations", id);
      Located located = refs.follow(new Located(entry.getValue(), file), path);
      if (located == null) {
        continue;
      }
      if (!located.node().isObject()) {
        problems.add(path, "an operation must be an object, not " + RefResolver.kind(located.node()));
        continue;
      }
      JsonNode operation = withTraits(inlineFields(located, path), path, false);
      String actionText = json.text(operation, "action", path);
      AsyncApiOperation.Action action = null;
      if ("send".equals(actionText)) {
        action = AsyncApiOperation.Action.SEND;
      } else if ("receive".equals(actionText)) {
        action = AsyncApiOperation.Action.RECEIVE;
      } else if (actionText != null || !Json.present(operation, "action")) {
        problems.add(Paths.of(path, "action"), "must be 'send' or 'receive'"
            + (actionText == null ? " (it is missing)" : ", not '" + actionText + "'"));
      }
      JsonNode rawOperation = located.node();
      JsonNode channelRef = rawOperation.path("channel");
      String ref = RefResolver.isRef(channelRef) && channelRef.get("$ref").isTextual()
          ? channelRef.get("$ref").asText() : null;
      List<String> segments = ref == null ? null : localPointer(ref);
      String channelId = null;
      if (segments == null || segments.size() != 2 || !segments.get(0).equals("channels")) {
        problems.add(Paths.of(path, "channel"), "must be a $ref to one of the document's channels, e.g."
            + " '$ref: \"#/channels/orderEvents\"'" + (Json.present(rawOperation, "channel") ? "" : " (missing)"));
      } else if (!channels.containsKey(segments.get(1))) {
        if (!problems.list().stream().anyMatch(p -> p.path().startsWith(Paths.of("channels", segments.get(1))))) {
          problems.add(Paths.of(path, "channel"), "there is no channel '" + segments.get(1) + "' (channels: "
              + channels.keySet() + ")");
        }
      } else {
        channelId = segments.get(1);
      }
      List<AsyncApiMessage> messages = new ArrayList<>();
      JsonNode messageRefs = rawOperation.get("messages");
      if (channelId != null) {
        Map<String, AsyncApiMessage> ofChannel = channelMessages.getOrDefault(channelId, Map.of());
        if (messageRefs == null || messageRefs.isNull()) {
          messages.addAll(ofChannel.values());
        } else if (!messageRefs.isArray()) {
          problems.add(Paths.of(path, "messages"), "must be a list of $refs to the channel's messages, not "
              + RefResolver.kind(messageRefs));
        } else {
          for (int i = 0; i < messageRefs.size(); i++) {
            AsyncApiMessage message = operationMessage(messageRefs.get(i), located.file(), channelId, ofChannel,
                Paths.of(Paths.of(path, "messages"), i), "the operation");
            if (message != null) {
              messages.add(message);
            }
          }
        }
      }
      Bindings operationBindings = bindings.parse(operation.get("bindings"), Paths.of(path, "bindings"),
          BindingParser.Kind.OPERATION);
      AsyncApiReply reply = reply(located, path, channels);
      if (action != null && channelId != null) {
        objects.put(path, operation);
        operations.add(new AsyncApiOperation(id, action, channelId, messages, operationBindings,
            Json.options(operation), path, reply));
      }
    }
  }

  /**
   * Reads an operation's {@code reply} (inline or a {@code $ref} to {@code components.replies}): its address (inline
   * or a {@code $ref} to {@code components.replyAddresses}) must hold a runtime expression, its channel must be one of
   * the document's, its messages messages of that channel. {@code null} without a reply, or when it is unusable (the
   * problem is recorded).
   */
  private @Nullable AsyncApiReply reply(Located operation, String path, Map<String, AsyncApiChannel> channels) {
    JsonNode raw = operation.node().get("reply");
    if (raw == null || raw.isNull()) {
      return null;
    }
    String at = Paths.of(path, "reply");
    Located reply = refs.follow(new Located(raw, operation.file()), at);
    if (reply == null) {
      return null; // a broken reference, already reported
    }
    JsonNode node = reply.node();
    if (!node.isObject()) {
      problems.add(at, "a reply must be an object (with an address, a channel and/or messages) or a $ref to"
          + " components.replies, not " + RefResolver.kind(node));
      return null;
    }
    json.onlyKnown(node, at, "an AsyncAPI 3 operation reply", List.of("address", "channel", "messages"));
    String location = replyAddress(node, reply.file(), Paths.of(at, "address"));
    String channelId = null;
    JsonNode channelRef = node.get("channel");
    if (channelRef != null && !channelRef.isNull()) {
      String ref = RefResolver.isRef(channelRef) && channelRef.get("$ref").isTextual()
          ? channelRef.get("$ref").asText() : null;
      List<String> segments = ref == null ? null : localPointer(ref);
      if (segments == null || segments.size() != 2 || !segments.get(0).equals("channels")) {
        problems.add(Paths.of(at, "channel"), "must be a $ref to the document's channel the reply is sent on, e.g."
            + " '$ref: \"#/channels/sumResults\"'");
      } else if (!channels.containsKey(segments.get(1))) {
        if (problems.list().stream().noneMatch(p -> p.path().startsWith(Paths.of("channels", segments.get(1))))) {
          problems.add(Paths.of(at, "channel"), "there is no channel '" + segments.get(1) + "' for the reply"
              + " (channels: " + channels.keySet() + "); declare it under channels, or give the reply an address"
              + " location instead");
        }
      } else {
        channelId = segments.get(1);
      }
    }
    List<AsyncApiMessage> messages = new ArrayList<>();
    JsonNode messageRefs = node.get("messages");
    String messagesAt = Paths.of(at, "messages");
    Map<String, AsyncApiMessage> ofChannel = channelId == null ? Map.of()
        : channelMessages.getOrDefault(channelId, Map.of());
    if (messageRefs == null || messageRefs.isNull()) {
      messages.addAll(ofChannel.values());
    } else if (!messageRefs.isArray()) {
      problems.add(messagesAt, "must be a list of $refs to the reply channel's messages, not "
          + RefResolver.kind(messageRefs));
    } else {
      for (int i = 0; i < messageRefs.size(); i++) {
        AsyncApiMessage message = channelId != null
            ? operationMessage(messageRefs.get(i), reply.file(), channelId, ofChannel, Paths.of(messagesAt, i),
                "the reply")
            : message(new Located(messageRefs.get(i), reply.file()), Paths.of(messagesAt, i), null);
        if (message != null) {
          messages.add(message);
        }
      }
    }
    objects.put(at, node);
    return new AsyncApiReply(at, channelId, location, messages);
  }

  /** The runtime expression of a reply's {@code address} (inline or a {@code $ref}), or {@code null}. */
  private @Nullable String replyAddress(JsonNode reply, URI file, String at) {
    JsonNode raw = reply.get("address");
    if (raw == null || raw.isNull()) {
      return null;
    }
    Located address = refs.follow(new Located(raw, file), at);
    if (address == null) {
      return null;
    }
    JsonNode node = address.node();
    if (!node.isObject()) {
      problems.add(at, "a reply address must be an object with a location (e.g. 'location:"
          + " \"$message.header#/replyTo\"') or a $ref to components.replyAddresses, not " + RefResolver.kind(node));
      return null;
    }
    json.onlyKnown(node, at, "an AsyncAPI 3 reply address", List.of("location", "description"));
    json.text(node, "description", at);
    return runtimeExpression(node, at, "where the reply address is in the request, e.g."
        + " '$message.header#/replyTo'");
  }

  /**
   * The required {@code location} of a reply address or correlation ID: a runtime expression, else a problem and
   * {@code null}.
   */
  private @Nullable String runtimeExpression(JsonNode owner, String at, String example) {
    String location = json.text(owner, "location", at);
    if (location == null) {
      if (!Json.present(owner, "location") || owner.get("location").isNull()) {
        problems.add(Paths.of(at, "location"), "missing: say " + example);
      }
      return null;
    }
    if (!RUNTIME_EXPRESSION.matcher(location).matches()) {
      problems.add(Paths.of(at, "location"), "'" + location + "' is not a runtime expression; write"
          + " '$message.header#/<name>' or '$message.payload#/<json pointer>': " + example);
      return null;
    }
    return location;
  }

  private @Nullable AsyncApiMessage operationMessage(JsonNode item, URI itemFile, String channelId,
      Map<String, AsyncApiMessage> ofChannel, String path, String owner) {
    String ref = RefResolver.isRef(item) && item.get("$ref").isTextual() ? item.get("$ref").asText() : null;
    List<String> segments = ref == null ? null : localPointer(ref);
    if (segments != null && segments.size() == 4 && segments.get(0).equals("channels")
        && segments.get(2).equals("messages")) {
      if (!segments.get(1).equals(channelId)) {
        problems.add(path, "'" + ref + "' is a message of channel '" + segments.get(1) + "', but " + owner
            + " uses channel '" + channelId + "'; its messages must be messages of that channel");
        return null;
      }
      AsyncApiMessage message = ofChannel.get(segments.get(3));
      if (message == null && problems.list().stream()
          .noneMatch(p -> p.path().startsWith(Paths.of("channels", channelId)))) {
        problems.add(path, "channel '" + channelId + "' has no message '" + segments.get(3) + "' (messages: "
            + ofChannel.keySet() + ")");
      }
      return message;
    }
    // Not the 3.0 form; read what it points at, leniently.
    return message(new Located(item, itemFile), path, null);
  }

  // ---------------------------------------------------------------- channels, 2.x

  private void channels2(Set<String> serverNames, Map<String, AsyncApiChannel> channels,
      List<AsyncApiOperation> operations) {
    JsonNode node = root.get("channels");
    if (node == null || !node.isObject()) {
      return;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      String path = Paths.of("channels", name);
      addressSyntax(name, path);
      Located channel = refs.follow(new Located(entry.getValue(), file), path);
      if (channel == null) {
        continue;
      }
      JsonNode c = channel.node();
      if (!c.isObject()) {
        problems.add(path, "a channel item must be an object, not " + RefResolver.kind(c));
        continue;
      }
      json.onlyKnown(c, path, "an AsyncAPI 2.x channel item", List.of("$ref", "description", "servers",
          "subscribe", "publish", "parameters", "bindings"));
      json.text(c, "description", path);
      Map<String, AsyncApiChannel.Parameter> parameters = parameters(channel, path);
      List<String> servers = json.texts(c, "servers", path);
      for (String server : servers) {
        if (!serverNames.contains(server)) {
          problems.add(Paths.of(path, "servers"), "there is no server '" + server + "' (servers: " + serverNames
              + ")");
        }
      }
      List<AsyncApiMessage> all = new ArrayList<>();
      for (String verb : List.of("subscribe", "publish")) {
        JsonNode raw = c.get(verb);
        if (raw == null || raw.isNull()) {
          continue;
        }
        String at = Paths.of(path, verb);
        Located located = refs.follow(new Located(raw, channel.file()), at);
        if (located == null) {
          continue;
        }
        if (!located.node().isObject()) {
          problems.add(at, "an operation must be an object, not " + RefResolver.kind(located.node()));
          continue;
        }
        JsonNode operation = withTraits(inlineFields(located, at), at, true);
        String operationId = json.text(operation, "operationId", at);
        List<AsyncApiMessage> messages = messages2(located, operation, at, name, verb);
        all.addAll(messages);
        Bindings operationBindings = bindings.parse(operation.get("bindings"), Paths.of(at, "bindings"),
            BindingParser.Kind.OPERATION);
        // 2.x speaks from the client's side: 'subscribe' is what the application sends, 'publish' what it receives.
        AsyncApiOperation.Action action = verb.equals("subscribe") ? AsyncApiOperation.Action.SEND
            : AsyncApiOperation.Action.RECEIVE;
        objects.put(at, operation);
        operations.add(new AsyncApiOperation(operationId != null ? operationId : name + "." + verb, action, name,
            messages, operationBindings, Json.options(operation), at));
      }
      Bindings channelBindings = bindings.parse(inlined(channel, "bindings", path), Paths.of(path, "bindings"),
          BindingParser.Kind.CHANNEL);
      objects.put(path, c);
      channels.put(name, new AsyncApiChannel(name, name, parameters, servers, channelBindings, Json.options(c),
          all, path));
    }
  }

  private List<AsyncApiMessage> messages2(Located rawOperation, JsonNode operation, String path, String channel,
      String verb) {
    List<AsyncApiMessage> out = new ArrayList<>();
    JsonNode raw = rawOperation.node().get("message");
    if (raw == null || raw.isNull()) {
      return out;
    }
    String at = Paths.of(path, "message");
    Located message = refs.follow(new Located(raw, rawOperation.file()), at);
    if (message == null) {
      return out;
    }
    JsonNode oneOf = message.node().get("oneOf");
    if (message.node().isObject() && oneOf != null) {
      if (!oneOf.isArray()) {
        problems.add(Paths.of(at, "oneOf"), "must be a list of messages, not " + RefResolver.kind(oneOf));
        return out;
      }
      for (int i = 0; i < oneOf.size(); i++) {
        AsyncApiMessage parsed = message(new Located(oneOf.get(i), message.file()),
            Paths.of(Paths.of(at, "oneOf"), i), null);
        if (parsed != null) {
          out.add(parsed);
        }
      }
      return out;
    }
    AsyncApiMessage parsed = message(new Located(raw, rawOperation.file()), at, null);
    if (parsed != null) {
      out.add(parsed);
    }
    return out;
  }

  // ---------------------------------------------------------------- parameters

  private Map<String, AsyncApiChannel.Parameter> parameters(Located channel, String path) {
    Map<String, AsyncApiChannel.Parameter> out = new LinkedHashMap<>();
    JsonNode parameters = json.object(channel.node(), "parameters", path);
    if (parameters == null) {
      return out;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = parameters.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      String at = Paths.of(Paths.of(path, "parameters"), name);
      if (!NAME.matcher(name).matches()) {
        problems.add(at, "'" + name + "' is not a valid parameter name: use only letters, digits, '_' and '-'");
        continue;
      }
      Located located = refs.follow(new Located(entry.getValue(), channel.file()), at);
      if (located == null) {
        continue;
      }
      JsonNode parameter = located.node();
      if (!parameter.isObject()) {
        problems.add(at, "a parameter must be an object, not " + RefResolver.kind(parameter));
        continue;
      }
      json.text(parameter, "description", at);
      String location = json.text(parameter, "location", at);
      if (location != null && !RUNTIME_EXPRESSION.matcher(location).matches()) {
        problems.add(Paths.of(at, "location"), "'" + location + "' is not a runtime expression; write e.g."
            + " '$message.payload#/user/id' or '$message.header#/userId'");
      }
      List<String> enumValues;
      String defaultValue;
      if (v3) {
        json.onlyKnown(parameter, at, "an AsyncAPI 3 parameter", List.of("enum", "default", "description",
            "examples", "location"));
        enumValues = json.texts(parameter, "enum", at);
        defaultValue = json.text(parameter, "default", at);
        json.texts(parameter, "examples", at);
      } else {
        JsonNode schema = json.object(parameter, "schema", at);
        enumValues = new ArrayList<>();
        defaultValue = null;
        if (schema != null) {
          JsonNode inlined = refs.inline(new Located(schema, located.file()), Paths.of(at, "schema"));
          for (JsonNode value : inlined.path("enum")) {
            if (value.isValueNode()) {
              enumValues.add(value.asText());
            }
          }
          if (inlined.path("const").isValueNode()) {
            enumValues = List.of(inlined.get("const").asText());
          }
          if (inlined.path("default").isValueNode()) {
            defaultValue = inlined.get("default").asText();
          }
        }
      }
      if (defaultValue != null && !enumValues.isEmpty() && !enumValues.contains(defaultValue)) {
        problems.add(Paths.of(at, "default"), "the default '" + defaultValue + "' is not one of the enum values "
            + enumValues);
      }
      objects.put(at, parameter);
      out.put(name, new AsyncApiChannel.Parameter(name, enumValues, defaultValue, location));
    }
    return out;
  }

  private void addressSyntax(String address, String path) {
    if (address.contains("?") || address.contains("#")) {
      problems.add(path, "a channel address must not contain a query or a fragment ('?' or '#'): '" + address + "'");
    }
    int depth = 0;
    for (char c : address.toCharArray()) {
      depth += c == '{' ? 1 : c == '}' ? -1 : 0;
      if (depth < 0 || depth > 1) {
        problems.add(path, "the braces in '" + address + "' do not pair up; write parameters as {name}");
        return;
      }
    }
    if (depth != 0) {
      problems.add(path, "the braces in '" + address + "' do not pair up; write parameters as {name}");
    }
  }

  private static List<String> expressions(String address) {
    List<String> names = new ArrayList<>();
    Matcher matcher = EXPRESSION.matcher(address);
    while (matcher.find()) {
      names.add(matcher.group(1));
    }
    return names;
  }

  // ---------------------------------------------------------------- messages

  private @Nullable AsyncApiMessage message(Located raw, String path, @Nullable String id) {
    String nameFromRef = null;
    if (RefResolver.isRef(raw.node()) && raw.node().get("$ref").isTextual()) {
      String ref = raw.node().get("$ref").asText();
      nameFromRef = ref.substring(ref.lastIndexOf('/') + 1);
      if (RefResolver.isRemote(ref)) {
        // Omnibus never fetches remote documents: the message is known by name only, its payload is not checked.
        LOG.warn("The message at {} of {} is the remote reference '{}', which Omnibus does not fetch: its payload"
            + " will not be validated", path, origin, ref);
        return new AsyncApiMessage(id != null ? id : nameFromRef.isEmpty() ? ref : nameFromRef, null,
            defaultContentType, null, null, null, Bindings.none(), path);
      }
    }
    Located located = refs.follow(raw, path);
    if (located == null) {
      return null;
    }
    if (!located.node().isObject()) {
      problems.add(path, "a message must be an object, not " + RefResolver.kind(located.node()));
      return null;
    }
    JsonNode message = withTraits(refs.inline(located, path), path, !v3);
    String name = json.text(message, "name", path);
    String messageId = v3 ? null : json.text(message, "messageId", path);
    if (name == null) {
      name = id != null ? id : messageId != null ? messageId : nameFromRef != null && !nameFromRef.isEmpty()
          ? nameFromRef : path;
    }
    String contentType = json.text(message, "contentType", path);
    JsonNode headers = message.get("headers");
    if (headers != null && headers.isNull()) {
      headers = null;
    }
    if (headers != null && !headers.isObject() && !headers.isBoolean()) {
      problems.add(Paths.of(path, "headers"), "must be a schema object, not " + RefResolver.kind(headers));
      headers = null;
    }
    JsonNode payload = message.get("payload");
    if (payload != null && payload.isNull()) {
      payload = null;
    }
    String schemaFormat = json.text(message, "schemaFormat", path);
    if (v3 && headers != null && headers.has("schemaFormat") && headers.has("schema")) {
      headers = headers.get("schema");
    }
    if (v3 && payload != null && payload.isObject() && payload.has("schemaFormat") && payload.has("schema")) {
      schemaFormat = json.text(payload, "schemaFormat", Paths.of(path, "payload"));
      payload = payload.get("schema");
    }
    String type = json.text(message, "x-omnibus-type", path);
    if (type == null && headers != null) {
      type = cloudEventType(headers);
    }
    Bindings messageBindings = bindings.parse(message.get("bindings"), Paths.of(path, "bindings"),
        BindingParser.Kind.MESSAGE);
    String correlation = correlationId(message, path);
    objects.put(path, message);
    return new AsyncApiMessage(name, type, contentType != null ? contentType : defaultContentType, payload,
        schemaFormat, headers, messageBindings, path, correlation);
  }

  /** The location of a message's (inlined) {@code correlationId}, or {@code null}. */
  private @Nullable String correlationId(JsonNode message, String path) {
    JsonNode node = message.get("correlationId");
    if (node == null || node.isNull() || RefResolver.isRef(node)) {
      return null; // a reference left as it is could not be followed, and is reported where it is written
    }
    String at = Paths.of(path, "correlationId");
    if (!node.isObject()) {
      problems.add(at, "a correlationId must be an object with a location (e.g. 'location:"
          + " \"$message.header#/correlation_id\"') or a $ref to components.correlationIds, not "
          + RefResolver.kind(node));
      return null;
    }
    json.onlyKnown(node, at, "a correlation ID", List.of("location", "description"));
    json.text(node, "description", at);
    return runtimeExpression(node, at, "where the correlation ID is in the message, e.g."
        + " '$message.header#/correlation_id'");
  }

  private static @Nullable String cloudEventType(JsonNode headers) {
    List<JsonNode> schemas = new ArrayList<>();
    schemas.add(headers);
    headers.path("allOf").forEach(schemas::add);
    for (JsonNode schema : schemas) {
      for (String header : CE_TYPE_HEADERS) {
        JsonNode property = schema.path("properties").path(header);
        if (property.path("const").isTextual()) {
          return property.get("const").asText();
        }
        JsonNode values = property.path("enum");
        if (values.isArray() && values.size() == 1 && values.get(0).isTextual()) {
          return values.get(0).asText();
        }
      }
    }
    return null;
  }

  /**
   * Applies an (already inlined) object's {@code traits}: 2.x merges each trait into the object (the trait wins, as
   * JSON Merge Patch), 3.x keeps the object's own values over the traits'.
   */
  private JsonNode withTraits(JsonNode object, String path, boolean traitWins) {
    JsonNode traits = object.get("traits");
    if (traits == null || traits.isNull() || !object.isObject()) {
      return object;
    }
    if (!traits.isArray()) {
      problems.add(Paths.of(path, "traits"), "must be a list of traits, not " + RefResolver.kind(traits));
      return object;
    }
    ObjectNode result = JsonNodeFactory.instance.objectNode();
    if (traitWins) {
      result.setAll((ObjectNode) object);
    }
    for (int i = 0; i < traits.size(); i++) {
      JsonNode trait = traits.get(i);
      if (trait.isArray() && trait.size() > 0) {
        trait = trait.get(0); // 2.x allowed [trait, options]
      }
      if (!trait.isObject()) {
        problems.add(Paths.of(Paths.of(path, "traits"), i), "a trait must be an object, not "
            + RefResolver.kind(trait));
        continue;
      }
      merge(result, trait);
    }
    if (!traitWins) {
      merge(result, object);
    }
    result.remove("traits");
    return result;
  }

  private static void merge(ObjectNode target, JsonNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = target.get(field.getKey());
      if (field.getValue().isNull()) {
        target.remove(field.getKey());
      } else if (existing != null && existing.isObject() && field.getValue().isObject()) {
        ObjectNode copy = ((ObjectNode) existing).deepCopy();
        merge(copy, field.getValue());
        target.set(field.getKey(), copy);
      } else {
        target.set(field.getKey(), field.getValue().deepCopy());
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  /** A copy of an operation with its traits and bindings inlined (its channel and messages are read apart). */
  private JsonNode inlineFields(Located operation, String path) {
    ObjectNode copy = ((ObjectNode) operation.node()).deepCopy();
    for (String field : List.of("traits", "bindings")) {
      JsonNode value = inlined(operation, field, path);
      if (value != null) {
        copy.set(field, value);
      }
    }
    return copy;
  }

  private @Nullable JsonNode inlined(Located owner, String field, String path) {
    JsonNode value = owner.node().get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    return refs.inline(new Located(value, owner.file()), Paths.of(path, field));
  }

  /** The segments of a local reference ({@code #/a/b}), unescaped; {@code null} for any other reference. */
  private static @Nullable List<String> localPointer(String ref) {
    if (!ref.startsWith("#/")) {
      return null;
    }
    List<String> segments = new ArrayList<>();
    try {
      JsonPointer pointer = JsonPointer.compile(ref.substring(1));
      while (pointer != null && !pointer.matches()) {
        segments.add(pointer.getMatchingProperty());
        pointer = pointer.tail();
      }
    } catch (IllegalArgumentException e) {
      return null;
    }
    return segments;
  }
}
