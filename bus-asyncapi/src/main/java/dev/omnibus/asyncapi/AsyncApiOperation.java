package dev.omnibus.asyncapi;

import dev.omnibus.spi.Bindings;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One operation of a document, from the application's point of view: it sends to, or receives from, a channel.
 *
 * <p>AsyncAPI 2.x words it the other way round, from the client's view: a 2.x {@code publish} operation is one the
 * application <em>receives</em>, a {@code subscribe} operation one it <em>sends</em>. Omnibus turns both into
 * {@link Action}s of the application.
 *
 * <p>Immutable and thread-safe (see {@link AsyncApiMessage} about its schema nodes).
 *
 * @param id the operation's id (3.0: its key under {@code operations}; 2.x: {@code operationId}, else
 *     <code>&lt;channel&gt;.publish</code> or <code>&lt;channel&gt;.subscribe</code>)
 * @param action whether the application sends or receives
 * @param channelId the id of the channel it uses
 * @param messages the messages it sends or receives (3.0: all of the channel's when it lists none)
 * @param bindings the operation bindings by protocol, as written (plain values), with their document path
 * @param options the {@code x-omnibus-*} extensions of the operation, without the prefix, as strings
 * @param path where the operation is in the document, e.g. {@code operations.sendOrderPaid}
 * @param reply the operation's {@code reply} (AsyncAPI 3 request/reply), or {@code null} when it has none (always
 *     for 2.x, which has no reply object)
 */
public record AsyncApiOperation(
    String id,
    Action action,
    String channelId,
    List<AsyncApiMessage> messages,
    Bindings bindings,
    Map<String, String> options,
    String path,
    @Nullable AsyncApiReply reply) {

  /** What the application does on the channel. */
  public enum Action {
    /** The application sends (publishes) these messages: 3.0 {@code send}, 2.x {@code subscribe}. */
    SEND,
    /** The application receives (consumes) these messages: 3.0 {@code receive}, 2.x {@code publish}. */
    RECEIVE
  }

  /** Copies the collections. */
  public AsyncApiOperation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(channelId, "channelId");
    messages = List.copyOf(messages);
    Objects.requireNonNull(bindings, "bindings");
    options = Map.copyOf(options);
    Objects.requireNonNull(path, "path");
  }

  /** An operation without a reply. */
  public AsyncApiOperation(String id, Action action, String channelId, List<AsyncApiMessage> messages,
      Bindings bindings, Map<String, String> options, String path) {
    this(id, action, channelId, messages, bindings, options, path, null);
  }
}
