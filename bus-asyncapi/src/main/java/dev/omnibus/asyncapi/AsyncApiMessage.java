package dev.omnibus.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import dev.omnibus.spi.Bindings;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One message of a channel or an operation, with message traits applied and every local or file {@code $ref} in its
 * schemas replaced by what it points at (remote references stay as they are: Omnibus never fetches them).
 *
 * <p>Immutable and thread-safe as long as nobody modifies the schema nodes: treat {@link #payload()} and
 * {@link #headers()} as read-only.
 *
 * @param name the message's {@code name}, else its id (3.0: its key in the channel's {@code messages}; 2.x:
 *     {@code messageId} or its key in {@code components.messages}), else a name made from its path
 * @param cloudEventType the CloudEvents {@code type} this message carries: its {@code x-omnibus-type}, else the
 *     {@code const} (or single {@code enum} value) of a {@code ce_type}, {@code ce-type}, {@code cloudEvents_type}
 *     or {@code type} header in its headers schema; {@code null} when the document does not say
 * @param contentType the message's {@code contentType}, else the document's {@code defaultContentType}, or
 *     {@code null}
 * @param payload the payload schema, or {@code null} when the message declares none
 * @param schemaFormat the payload schema's format (e.g. {@code application/vnd.apache.avro;version=1.9.0}), or
 *     {@code null} for the default (AsyncAPI / JSON Schema)
 * @param headers the headers schema, or {@code null}
 * @param bindings the message bindings by protocol, as written (plain values), with their document path
 * @param path where the message is in the document, e.g. {@code channels.orderEvents.messages.orderPaid}
 * @param correlationLocation the runtime expression of its {@code correlationId.location} (e.g.
 *     {@code $message.header#/correlation_id}), written inline or as a {@code $ref} to
 *     {@code components.correlationIds}; {@code null} when the message declares no correlation ID
 */
public record AsyncApiMessage(
    String name,
    @Nullable String cloudEventType,
    @Nullable String contentType,
    @Nullable JsonNode payload,
    @Nullable String schemaFormat,
    @Nullable JsonNode headers,
    Bindings bindings,
    String path,
    @Nullable String correlationLocation) {

  /** Checks that the required components are present. */
  public AsyncApiMessage {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(bindings, "bindings");
    Objects.requireNonNull(path, "path");
  }

  /** A message without a correlation ID. */
  public AsyncApiMessage(String name, @Nullable String cloudEventType, @Nullable String contentType,
      @Nullable JsonNode payload, @Nullable String schemaFormat, @Nullable JsonNode headers, Bindings bindings,
      String path) {
    this(name, cloudEventType, contentType, payload, schemaFormat, headers, bindings, path, null);
  }
}
