package dev.omnibus.asyncapi;

import dev.omnibus.ConfigurationException;
import dev.omnibus.spi.ServerConfig;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * An AsyncAPI document, read and checked: version 2.0–2.6 ({@code url} servers) or 3.0–3.1 ({@code host} and
 * {@code pathname}), YAML or JSON, with its local {@code $ref}s and its references to sibling files followed.
 * AsyncAPI 1.x documents are refused; convert them with the AsyncAPI converter.
 *
 * <p>Loading checks everything that does not depend on the server in use (structure, references, security schemes,
 * channels, operations, and that bindings are objects keyed by protocol) and reports every problem at once. The
 * grammar of each protocol's bindings is not the loader's: the broker binding checks its own when a bus is built on
 * it. {@link #resolveServer(ServerSelection)} then fills one server's variables and attaches its credentials.
 *
 * <pre>{@code
 * AsyncApiDocument document = AsyncApiDocument.load(Path.of("asyncapi.yaml"));
 * ServerConfig server = document.resolveServer(ServerSelection.defaults().withServer("production"));
 * AsyncApiChannel orders = document.channel("orderEvents", server.name());
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public final class AsyncApiDocument {

  private final ParsedDocument parsed;

  private AsyncApiDocument(ParsedDocument parsed) {
    this.parsed = parsed;
  }

  /**
   * Reads a document from a file; references to sibling files resolve against its folder.
   *
   * @throws ConfigurationException when the file cannot be read, is not well-formed, or has problems
   */
  public static AsyncApiDocument load(Path path) {
    Objects.requireNonNull(path, "path");
    String text;
    try {
      text = Sources.decode(Files.readAllBytes(path), "AsyncAPI document " + path);
    } catch (NoSuchFileException e) {
      throw ConfigurationException.of("", "AsyncAPI document " + path + " does not exist; check the path (relative"
          + " paths start at " + Path.of("").toAbsolutePath() + ")");
    } catch (IOException | SecurityException e) {
      throw ConfigurationException.because("AsyncAPI document " + path + " cannot be read: " + e, e);
    }
    return read(text, Sources.fileUri(path), path.toString(), Thread.currentThread().getContextClassLoader());
  }

  /**
   * Reads a document from a classpath resource (e.g. {@code "asyncapi.yaml"}), through the context class loader;
   * references to sibling files resolve against the resource's folder.
   *
   * @throws ConfigurationException when the resource does not exist, is not well-formed, or has problems
   */
  public static AsyncApiDocument fromClasspath(String resource) {
    Objects.requireNonNull(resource, "resource");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = AsyncApiDocument.class.getClassLoader();
    }
    String name = resource.startsWith("/") ? resource.substring(1) : resource;
    String text;
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw ConfigurationException.of("", "there is no classpath resource '" + name + "'; put the AsyncAPI"
            + " document under src/main/resources (or pass a Path instead)");
      }
      text = Sources.decode(in.readAllBytes(), "classpath resource '" + name + "'");
    } catch (IOException e) {
      throw ConfigurationException.because("classpath resource '" + name + "' cannot be read: " + e, e);
    }
    return read(text, Sources.classpathUri(name), "classpath:" + name, loader);
  }

  /**
   * Reads a document given as text.
   *
   * @param content the YAML or JSON text
   * @param origin how to name the document in messages; when it is a path to a {@code .yaml}, {@code .yml} or
   *     {@code .json} file, references to sibling files resolve against that file's folder
   * @throws ConfigurationException when the text is not well-formed or the document has problems
   */
  public static AsyncApiDocument parse(String content, String origin) {
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(origin, "origin");
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return read(content, Sources.stringUri(origin), origin,
        loader != null ? loader : AsyncApiDocument.class.getClassLoader());
  }

  private static AsyncApiDocument read(String text, URI file, String origin, ClassLoader loader) {
    return new AsyncApiDocument(DocumentParser.parse(new Sources(loader), file, Sources.parse(text, origin), origin));
  }

  /** The {@code asyncapi} version of the document, e.g. {@code 3.0.0}. */
  public String asyncApiVersion() {
    return parsed.version();
  }

  /** Where the document came from: its path, {@code classpath:<resource>}, or the origin given with its text. */
  public String origin() {
    return parsed.origin();
  }

  /** The names of the document's servers, in document order. */
  public Set<String> serverNames() {
    return parsed.servers().keySet();
  }

  /**
   * The servers as the document declares them, before their variables are filled and credentials attached (what an
   * export writes back), in document order.
   */
  public Map<String, ServerTemplate> serverTemplates() {
    return parsed.servers();
  }

  /**
   * Resolves the selected server: its name (explicit, else {@code OMNIBUS_SERVER}, else the only server), its
   * variables filled, its security schemes and credentials attached, its bindings as written (each binding parses its
   * own), and {@code x-omnibus-strict-bindings: true} of the document as its {@link ServerConfig#STRICT_BINDINGS}
   * option.
   *
   * @throws ConfigurationException with every problem found: an unknown server (listing the document's servers),
   *     none or several servers without a choice, a variable without a value or outside its {@code enum}, missing
   *     credentials for a user name and password scheme (naming the environment variables to set)
   */
  public ServerConfig resolveServer(ServerSelection selection) {
    Objects.requireNonNull(selection, "selection");
    return ServerResolver.resolve(parsed, selection);
  }

  /**
   * A server given in code, used with this document's channels: with the document-wide settings a binding reads from
   * its options ({@code x-omnibus-strict-bindings: true} becomes {@link ServerConfig#STRICT_BINDINGS}).
   */
  ServerConfig withDocumentOptions(ServerConfig server) {
    return ServerResolver.withDocumentOptions(parsed, server);
  }

  /** The channels, by id (3.x: the key under {@code channels}; 2.x: the channel name, which is its address). */
  public Map<String, AsyncApiChannel> channels() {
    return parsed.channels();
  }

  /**
   * A channel that must be usable on a server.
   *
   * @param id the channel's id
   * @param serverName the server in use
   * @throws ConfigurationException when there is no such channel (listing the channels) or the channel is limited
   *     to other servers
   */
  public AsyncApiChannel channel(String id, String serverName) {
    AsyncApiChannel channel = parsed.channels().get(id);
    if (channel == null) {
      throw ConfigurationException.of("channels", "there is no channel '" + id + "' in " + origin()
          + (parsed.channels().isEmpty() ? ", which declares none" : "; its channels are "
          + String.join(", ", parsed.channels().keySet())));
    }
    if (!channel.availableOn(serverName)) {
      throw ConfigurationException.of(channel.path() + ".servers", "channel '" + id + "' is not available on"
          + " server '" + serverName + "': the document limits it to " + String.join(", ", channel.servers())
          + "; select one of those servers or add '" + serverName + "' to the channel's servers");
    }
    return channel;
  }

  /**
   * The messages the application sends on a channel: those of the channel's send operations, else every message of
   * the channel.
   */
  public List<AsyncApiMessage> sentMessages(String channelId) {
    AsyncApiChannel channel = parsed.channels().get(channelId);
    return channel == null ? List.of()
        : AsyncApiContracts.candidates(this, channel, AsyncApiOperation.Action.SEND);
  }

  /**
   * The message of a channel that a CloudEvents type is: the one whose {@code x-omnibus-type} (or {@code ce_type}
   * header {@code const}) is the type, else the one named like it; empty when none is.
   */
  public java.util.Optional<AsyncApiMessage> messageFor(String channelId, String eventType) {
    return java.util.Optional.ofNullable(AsyncApiContracts.match(this, channelId, eventType));
  }

  /** The operations, in document order, each from the application's point of view. */
  public List<AsyncApiOperation> operations() {
    return parsed.operations();
  }

  /**
   * The {@code x-omnibus-*} options that apply to a channel in one direction, as the bus reads them: those of the
   * channel's operations of that action (in document order, the first one of a key wins), then the channel's own.
   * A consumer's retry policy, for instance, is {@code RetryPolicy.defaults().withOptions(options(id, RECEIVE))}.
   *
   * @return the options without their prefix, empty for an unknown channel
   */
  public Map<String, String> options(String channelId, AsyncApiOperation.Action action) {
    Objects.requireNonNull(channelId, "channelId");
    Objects.requireNonNull(action, "action");
    Map<String, String> options = new LinkedHashMap<>();
    AsyncApiChannel channel = parsed.channels().get(channelId);
    if (channel == null) {
      return options;
    }
    for (AsyncApiOperation operation : parsed.operations()) {
      if (operation.channelId().equals(channelId) && operation.action() == action) {
        operation.options().forEach(options::putIfAbsent);
      }
    }
    // An operation's settings come before its channel's (docs/configuration.md).
    channel.options().forEach(options::putIfAbsent);
    return options;
  }

  /**
   * An object of the document as written, by its document path: {@code ""} (the document itself, with its
   * {@code info}), {@code servers.<name>} and {@code servers.<name>.variables.<name>}, a channel's and a parameter's
   * {@link AsyncApiChannel#path()}, an operation's {@link AsyncApiOperation#path()} (traits applied) and its
   * {@link AsyncApiReply#path()}, and a message's
   * {@link AsyncApiMessage#path()} (traits applied, references inlined). For tools that show what Omnibus does not
   * use itself, such as titles, descriptions and examples. Treat the node as read-only.
   *
   * @return the object, or empty when the path names none of these
   */
  public Optional<JsonNode> object(String path) {
    Objects.requireNonNull(path, "path");
    return Optional.ofNullable(parsed.objects().get(path));
  }

  @Override
  public String toString() {
    return "AsyncApiDocument[" + origin() + ", asyncapi " + asyncApiVersion() + ", servers " + serverNames() + "]";
  }
}
