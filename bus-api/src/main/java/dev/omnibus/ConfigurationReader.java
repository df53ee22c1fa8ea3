package dev.omnibus;

import dev.omnibus.envelope.Mode;
import dev.omnibus.spi.Bindings;
import dev.omnibus.spi.Credentials;
import dev.omnibus.spi.ServerConfig;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Reads a configuration document (an AsyncAPI document) into the server and channels of a bus. The kernel knows no
 * document format: {@link EventBus.Builder#asyncApi(String)} finds a reader with {@link java.util.ServiceLoader}
 * ({@code dev.omnibus:bus-asyncapi} provides one), so a service that configures its server in code needs neither YAML
 * nor a JSON Schema validator on its classpath.
 *
 * <p>Implementations are thread-safe; {@link #read} is called once per {@link EventBus.Builder#build()}, on the
 * building thread.
 */
public interface ConfigurationReader {

  /**
   * Reads the document of a request.
   *
   * @throws ConfigurationException listing every problem found, each with its document path and the document's name
   */
  Result read(Request request);

  /**
   * What the builder was given.
   *
   * @param document a {@link java.nio.file.Path} or the name of a classpath resource
   * @param server a server given in code ({@link EventBus.Builder#server(ServerConfig)}): the document's servers are
   *     then not resolved, and its channels are used as available on this server's name
   * @param serverName the server selected on the builder, or {@code null} (the reader then consults
   *     {@code OMNIBUS_SERVER} in the environment, else the document's only server)
   * @param variables server variables given on the builder
   * @param credentials credentials per server name given on the builder
   * @param environment where {@code OMNIBUS_*} settings are read
   * @param validation how payloads are to be checked against the document's schemas
   * @param eventTypes the registered event types, to match against the document's messages
   */
  record Request(
      Object document,
      @Nullable ServerConfig server,
      @Nullable String serverName,
      Map<String, String> variables,
      Map<String, Credentials> credentials,
      Function<String, @Nullable String> environment,
      ValidationMode validation,
      List<EventType<?>> eventTypes) {

    public Request {
      variables = Map.copyOf(variables);
      credentials = Map.copyOf(credentials);
      eventTypes = List.copyOf(eventTypes);
    }
  }

  /**
   * What a document resolves to.
   *
   * @param server the selected server (the one given in code, when there is one), with the document-wide
   *     {@code x-omnibus-*} settings a binding reads from its options, e.g. {@link ServerConfig#STRICT_BINDINGS}
   * @param serverPath the server's path in the document, e.g. {@code servers.production}
   * @param origin the document's name, for messages
   * @param channels every channel of the document, usable on this server or not
   * @param interceptors what the document adds to every publish and handling, e.g. payload validation
   */
  record Result(ServerConfig server, String serverPath, String origin, List<Channel> channels,
      List<Interceptor> interceptors) {

    public Result {
      channels = List.copyOf(channels);
      interceptors = List.copyOf(interceptors);
    }
  }

  /**
   * One channel of the document.
   *
   * @param id the channel id (3.0) or name (2.x)
   * @param address the address, possibly with {@code {param}} segments; {@code null} when the document leaves it to
   *     the runtime ({@link EventBus.Builder#channel(String, String)})
   * @param mode the content mode ({@code x-omnibus-mode})
   * @param bindings the channel's bindings, as written, with their document path
   * @param sendBindings the bindings of the channel's send operation, as written, with their document path
   * @param receiveBindings the bindings of the channel's receive operation, as written, with their document path
   * @param sendOptions {@code x-omnibus-*} settings (without the prefix) that apply when publishing
   * @param receiveOptions {@code x-omnibus-*} settings that apply to subscribers (the receive operation's before the
   *     channel's)
   * @param parameterEnums allowed values per address parameter, empty when unrestricted
   * @param path where the channel is declared, e.g. {@code channels.orders}
   * @param unavailable why the channel cannot be used on the selected server, or {@code null} when it can
   * @param reply the reply of the request/reply operation on this channel (the request channel), whichever its
   *     action ({@code send}: the application requests; {@code receive}: it responds), or {@code null} when no
   *     operation on the channel has one
   */
  record Channel(
      String id,
      @Nullable String address,
      Mode mode,
      Bindings bindings,
      Bindings sendBindings,
      Bindings receiveBindings,
      Map<String, String> sendOptions,
      Map<String, String> receiveOptions,
      Map<String, List<String>> parameterEnums,
      String path,
      @Nullable String unavailable,
      @Nullable Reply reply) {

    public Channel {
      sendOptions = Map.copyOf(sendOptions);
      receiveOptions = Map.copyOf(receiveOptions);
      parameterEnums = Map.copyOf(parameterEnums);
    }

    /** A channel without a reply: the components of a channel before request/reply was read. */
    public Channel(String id, @Nullable String address, Mode mode, Bindings bindings, Bindings sendBindings,
        Bindings receiveBindings, Map<String, String> sendOptions, Map<String, String> receiveOptions,
        Map<String, List<String>> parameterEnums, String path, @Nullable String unavailable) {
      this(id, address, mode, bindings, sendBindings, receiveBindings, sendOptions, receiveOptions, parameterEnums,
          path, unavailable, null);
    }
  }

  /**
   * Where and how the reply to a request goes: the document's {@code reply} object of an operation (AsyncAPI 3), with
   * the {@code correlationId} of its messages. A reply names a channel, a runtime address, or both; when both, the
   * runtime address ({@link #addressLocation}) is where each reply goes and the channel says what it carries.
   *
   * <pre>{@code
   * operations:
   *   sum:
   *     action: receive
   *     channel: {$ref: '#/channels/rpcQueue'}
   *     reply:
   *       address: {location: '$message.header#/replyTo'}
   *       channel: {$ref: '#/channels/rpcReplies'}
   * }</pre>
   *
   * @param path where the reply object is in the document, e.g. {@code operations.sum.reply}, for messages
   * @param channel the id of the reply channel, or {@code null} when the reply names none
   * @param address the reply channel's address as the document writes it (possibly with {@code {param}}
   *     segments), or {@code null} when there is no reply channel or its address is left to the runtime
   * @param addressLocation a runtime expression saying where in the request the reply address is (written there by
   *     the requester, read by the responder), e.g. {@code $message.header#/replyTo}, or {@code null} when the reply
   *     goes to the channel's address
   * @param messageTypes what the reply may carry, each the CloudEvents type of a reply message (its
   *     {@code x-omnibus-type} or {@code ce_type} header {@code const}), else its name, as event types are matched
   *     to messages elsewhere; the reply's {@code messages}, else all of the reply channel's; empty when the
   *     document does not say
   * @param correlationLocation a runtime expression saying where the correlation id is, e.g.
   *     {@code $message.header#/correlation_id}: the {@code correlationId.location} of the reply's messages, else of
   *     the request's messages; {@code null} when neither declares one
   */
  record Reply(
      String path,
      @Nullable String channel,
      @Nullable String address,
      @Nullable String addressLocation,
      List<String> messageTypes,
      @Nullable String correlationLocation) {

    public Reply {
      messageTypes = List.copyOf(messageTypes);
    }
  }
}
