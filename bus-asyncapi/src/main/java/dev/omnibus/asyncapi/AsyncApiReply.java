package dev.omnibus.asyncapi;

import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The {@code reply} of an AsyncAPI 3 operation: where the response to a request goes and what it carries. Written
 * inline or as a {@code $ref} to {@code components.replies}; its {@code address} inline or as a {@code $ref} to
 * {@code components.replyAddresses}.
 *
 * <pre>{@code
 * reply:
 *   address:
 *     location: '$message.header#/replyTo'   # the reply address is in each request
 *   channel:
 *     $ref: '#/channels/sumResults'           # what the reply carries (and, without a location, where it goes)
 *   messages:
 *     - $ref: '#/channels/sumResults/messages/sumResult'
 * }</pre>
 *
 * <p>Immutable and thread-safe (see {@link AsyncApiMessage} about its schema nodes).
 *
 * @param path where the reply is in the document, e.g. {@code operations.sum.reply}
 * @param channelId the id of the reply channel, or {@code null} when the reply names none
 * @param addressLocation the runtime expression of {@code address.location} (e.g. {@code $message.header#/replyTo}),
 *     saying where in the request the reply address is; {@code null} when the reply has no address object
 * @param messages the reply's messages: those it lists, else every message of its channel; empty when it names
 *     neither
 */
public record AsyncApiReply(
    String path,
    @Nullable String channelId,
    @Nullable String addressLocation,
    List<AsyncApiMessage> messages) {

  /** Copies the messages. */
  public AsyncApiReply {
    Objects.requireNonNull(path, "path");
    messages = List.copyOf(messages);
  }
}
