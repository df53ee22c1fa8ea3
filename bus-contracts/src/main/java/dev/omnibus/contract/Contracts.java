package dev.omnibus.contract;

import dev.omnibus.EventType;
import dev.omnibus.asyncapi.AsyncApiDocument;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
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
   * The event types held in static {@link EventType} fields of classes, for {@link #export(Collection)}: each name
   * is a class, or else a package whose classes (not those of its sub-packages) are all read. Classes are
   * initialised (their static fields are read); fields are taken in name order, classes of a package in name order,
   * and an event type held by two fields is listed once.
   *
   * @param loader the class loader that sees the classes and this module's {@code bus-api} (the same
   *     {@code EventType} class), e.g. a loader over a project's compiled classes whose parent loaded Omnibus
   * @param classesOrPackages fully qualified class or package names
   * @throws dev.omnibus.ConfigurationException when a name is neither a class nor a package with classes, or a
   *     class cannot be initialised
   */
  public static List<EventType<?>> eventTypes(ClassLoader loader, Collection<String> classesOrPackages) {
    Objects.requireNonNull(loader, "loader");
    Objects.requireNonNull(classesOrPackages, "classesOrPackages");
    return EventTypeScan.scan(loader, List.copyOf(classesOrPackages));
  }

  /**
   * One difference between two versions of a document.
   *
   * <p>Producers are whoever sends the message (or sends to the channel); consumers whoever receives it. A change
   * breaks producers when payloads they send under the old document may be refused under the new one (a narrower
   * schema), and consumers when something they rely on is gone or means something else (a removed property,
   * message or channel). A narrower schema of a message the application only sends breaks no producer: the
   * application is that producer, and it sends the new shape.
   *
   * @param path where, in the new document's terms, e.g.
   *     {@code channels.orderEvents.messages.orderPaid.payload.properties.currency.enum}
   * @param kind what sort of change it is
   * @param breaksProducers whether producers built against the old version may fail with the new one
   * @param breaksConsumers whether consumers built against the old version may fail with the new one
   * @param description what changed, and why it breaks or not
   */
  public record Change(String path, Kind kind, boolean breaksProducers, boolean breaksConsumers,
      String description) {

    /** Checks the components are present. */
    public Change {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(description, "description");
    }

    /** Whether the change breaks producers or consumers. */
    public boolean breaking() {
      return breaksProducers || breaksConsumers;
    }

    /**
     * {@code BREAKING (producers)}, {@code BREAKING (consumers)}, {@code BREAKING (both)} or {@code ok}, then the
     * path and the description.
     */
    @Override
    public String toString() {
      String mark = breaksProducers && breaksConsumers ? "BREAKING (both)" : breaksProducers
          ? "BREAKING (producers)" : breaksConsumers ? "BREAKING (consumers)" : "ok";
      return String.format(Locale.ROOT, "%-22s%s: %s", mark, path, description);
    }

    /** What sort of change: written in lower case in the JSON report. */
    public enum Kind {
      /** A channel, operation, message or optional property that was not there. */
      ADDED,
      /** A channel, operation, message or property that is gone. */
      REMOVED,
      /** A payload schema that refuses payloads the old one accepted (a required field, a tighter bound). */
      NARROWED,
      /** A payload schema that accepts more than before (a new enum value, a looser bound). */
      WIDENED,
      /**
       * Neither narrower nor wider, or not comparable: an address, action, content type or CloudEvents type
       * changed, a schema type replaced, a pattern replaced, an unknown keyword changed.
       */
      CHANGED,
      /** Documentation only: description, title, examples, {@code x-*}... */
      ANNOTATION
    }
  }
}
