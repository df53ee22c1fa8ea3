package dev.omnibus.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything read from one document.
 *
 * @param version the {@code asyncapi} version string
 * @param origin where the document came from (a path, a classpath resource, or the origin given with its text)
 * @param servers the servers, by name, in document order
 * @param channels the channels, by id, in document order
 * @param operations the operations, in document order
 * @param strictBindings whether the document says {@code x-omnibus-strict-bindings: true}: the bindings refuse a
 *     field they do not define instead of warning about it
 * @param objects the document's objects as written, by document path ({@code ""} for the document itself): its
 *     servers and their variables, channels and their parameters, operations (traits applied) and messages (traits
 *     applied, references inlined); what tools read for the fields Omnibus does not use, such as descriptions
 */
public record ParsedDocument(
    String version,
    String origin,
    Map<String, ServerTemplate> servers,
    Map<String, AsyncApiChannel> channels,
    List<AsyncApiOperation> operations,
    boolean strictBindings,
    Map<String, JsonNode> objects) {

  /** Copies the collections, keeping their order. */
  public ParsedDocument {
    servers = Collections.unmodifiableMap(new LinkedHashMap<>(servers));
    channels = Collections.unmodifiableMap(new LinkedHashMap<>(channels));
    operations = List.copyOf(operations);
    objects = Collections.unmodifiableMap(new LinkedHashMap<>(objects));
  }

  /** Everything read from one document, without its objects as written. */
  public ParsedDocument(String version, String origin, Map<String, ServerTemplate> servers,
      Map<String, AsyncApiChannel> channels, List<AsyncApiOperation> operations, boolean strictBindings) {
    this(version, origin, servers, channels, operations, strictBindings, Map.of());
  }
}
