package dev.omnibus.contract;

import dev.omnibus.EventType;
import dev.omnibus.asyncapi.AsyncApiDocument;
import java.util.Collection;
import java.util.List;
import java.util.Objects;

/**
 * The AsyncAPI document as the contract of a service: export one from the service's event types, and tell whether a
 * new version of a document breaks the old one.
 *
 * <pre>{@code
 * String yaml = Contracts.export(AsyncApiDocument.load(Path.of("asyncapi.yaml")),
 *     List.of(OrderEvents.ORDER_PLACED, OrderEvents.ORDER_PAID));
 *
 * List<Contracts.Change> changes = Contracts.compare(AsyncApiDocument.load(Path.of("v1.yaml")),
 *     AsyncApiDocument.load(Path.of("v2.yaml")));
 * boolean safe = changes.stream().noneMatch(Contracts.Change::breaking);
 * }</pre>
 *
 * <p>Stateless and thread-safe.
 */
public final class Contracts {

  private Contracts() {}

  /**
   * An AsyncAPI 3.0 document, as YAML, describing event types: one channel per channel id, send and receive
   * operations, one message per type with its {@code x-omnibus-type}, its CloudEvents binary-mode headers
   * ({@code ce_id}, {@code ce_source}, {@code ce_specversion} const {@code 1.0}, {@code ce_type} const the type) and
   * a payload schema made from the Java type. Maps are sorted: the same types give the same text.
   *
   * @param types the event types, each with a channel
   * @throws dev.omnibus.ConfigurationException when a type has no channel
   */
  public static String export(Collection<? extends EventType<?>> types) {
    Objects.requireNonNull(types, "types");
    return AsyncApiExporter.export(null, List.copyOf(types));
  }

  /**
   * Like {@link #export(Collection)}, also taking from a loaded document its servers (as templates, with their
   * variables), its channels' addresses and parameters, its operations (ids and actions) and its message names.
   * Loading the result and exporting the same types with it gives the same text.
   *
   * @param document the service's current document
   * @param types the event types, each with a channel
   */
  public static String export(AsyncApiDocument document, Collection<? extends EventType<?>> types) {
    Objects.requireNonNull(document, "document");
    Objects.requireNonNull(types, "types");
    return AsyncApiExporter.export(document, List.copyOf(types));
  }

  /**
   * Every difference between two versions of a document that matters to producers or consumers, each marked
   * breaking or not, in document order (channels, operations, then messages and their payloads).
   *
   * <p>Breaking: a removed channel, operation or message, a changed address, action or content type, a removed
   * payload property, and any payload change that refuses payloads the old schema accepted (a newly required field,
   * a type change, a narrowed enum, a tightened constraint such as {@code minLength}, {@code maximum},
   * {@code pattern}, {@code minItems}) — unless the message is one the application only <em>sends</em>, where a
   * narrower schema still produces payloads old consumers accept. Not breaking: additions, an optional field, a
   * widened enum, a loosened constraint, descriptions and other annotations.
   */
  public static List<Change> compare(AsyncApiDocument older, AsyncApiDocument newer) {
    Objects.requireNonNull(older, "older");
    Objects.requireNonNull(newer, "newer");
    return CompatibilityCheck.compare(older, newer);
  }

  /**
   * One difference between two versions of a document.
   *
   * @param breaking whether producers or consumers built against the old version may fail with the new one
   * @param path where, in the new document's terms, e.g.
   *     {@code channels.orderEvents.messages.orderPaid.payload.properties.currency.enum}
   * @param description what changed, and why it breaks or not
   */
  public record Change(boolean breaking, String path, String description) {

    /** Checks the components are present. */
    public Change {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(description, "description");
    }

    @Override
    public String toString() {
      return (breaking ? "BREAKING  " : "ok        ") + path + ": " + description;
    }
  }
}
