package dev.omnibus.envelope;

import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonCloudEventData;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Maps CloudEvents to and from {@link WireMessage}s for one {@link HeaderConvention}, in binary or structured mode.
 *
 * <p>Decoding detects the mode from the content type as the protocol bindings say: a content type starting with
 * {@code application/cloudevents} (any casing) is structured, anything else binary. Every decoded event is validated;
 * a message that is not a valid CloudEvent raises a {@link MalformedEventException} naming each reason.
 *
 * <p>Thread-safe; its only state is the URI it parsed last, kept because the messages of a channel repeat their source.
 */
public final class EnvelopeCodec {

  /** The media type of the JSON event format, as written in structured mode. */
  public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

  private static final String STRUCTURED_PREFIX = "application/cloudevents";
  private static final String BATCH_CONTENT_TYPE = "application/cloudevents-batch+json";
  private static final String IMPLIED_JSON = "application/json";
  private static final String PARTITION_KEY = "partitionkey";

  private final HeaderConvention convention;
  /** The URI parsed last, handed out again for the same text: a benign race, URIs are immutable. */
  private volatile @Nullable URI lastUri;

  private EnvelopeCodec(HeaderConvention convention) {
    this.convention = convention;
  }

  /** A codec writing and reading the given convention. */
  public static EnvelopeCodec of(HeaderConvention convention) {
    return new EnvelopeCodec(convention);
  }

  /** The convention this codec writes and reads. */
  public HeaderConvention convention() {
    return convention;
  }

  /**
   * Encodes an event. The message key is the {@code partitionkey} extension when present, else the subject, else none.
   *
   * <p>Binary mode: every attribute but {@code datacontenttype} becomes a header named by the convention, its value the
   * canonical string (STANDARDS.md §1.4); {@code datacontenttype} becomes the message content type (set to the implied
   * {@code application/json} when the data came from a JSON {@code data} member without one, json-format.md §3.1);
   * the data is the body, {@code null} when the event has none. Structured mode: no headers, content type
   * {@value #STRUCTURED_CONTENT_TYPE}, the body the event in the JSON event format.
   *
   * @throws MalformedEventException when the event is not a valid CloudEvent; nothing is encoded then
   */
  public WireMessage encode(CloudEvent event, Mode mode) {
    CloudEventValidator.validate(event);
    String key = keyOf(event);
    if (mode == Mode.STRUCTURED) {
      return new WireMessage(Map.of(), STRUCTURED_CONTENT_TYPE, JsonEventFormat.write(event), key);
    }
    Set<String> extensionNames = event.getExtensionNames();
    @SuppressWarnings("unchecked")
    Map.Entry<String, String>[] headers = new Map.Entry[7 + extensionNames.size()];
    int n = 0;
    headers[n++] = Map.entry(convention.specVersionHeader, event.getSpecVersion().toString());
    headers[n++] = Map.entry(convention.idHeader, event.getId());
    headers[n++] = Map.entry(convention.sourceHeader, event.getSource().toString());
    headers[n++] = Map.entry(convention.typeHeader, event.getType());
    if (event.getSubject() != null) {
      headers[n++] = Map.entry(convention.headerName("subject"), event.getSubject());
    }
    if (event.getTime() != null) {
      headers[n++] = Map.entry(convention.headerName("time"), Rfc3339.format(event.getTime()));
    }
    if (event.getDataSchema() != null) {
      headers[n++] = Map.entry(convention.headerName("dataschema"), event.getDataSchema().toString());
    }
    for (String name : extensionNames) {
      Object value = event.getExtension(name);
      if (value != null) {
        headers[n++] = Map.entry(convention.headerName(name), canonicalString(value));
      }
    }
    CloudEventData data = event.getData();
    String contentType = event.getDataContentType();
    if (contentType == null && (data instanceof EventData.Json || data instanceof JsonCloudEventData)) {
      contentType = IMPLIED_JSON;
    }
    return new WireMessage(
        Map.ofEntries(n == headers.length ? headers : Arrays.copyOf(headers, n)),
        contentType,
        data == null ? null : data.toBytes(),
        key);
  }

  /**
   * Decodes a received message.
   *
   * <p>The mode comes from the content type: {@code application/cloudevents+json} (any casing, any parameters) is
   * structured; another {@code application/cloudevents...} type is read as binary when the message carries binary-mode
   * headers (the bindings allow this) and refused otherwise; anything else is binary.
   *
   * @throws MalformedEventException when the message is not a valid CloudEvent, with every reason found
   */
  public CloudEvent decode(WireMessage message) {
    String contentType = message.contentType();
    if (contentType != null && isStructured(contentType)) {
      if (isJsonFormat(contentType)) {
        return decodeStructured(message);
      }
      if (convention.detectPrefix(message.headers()) == null) {
        if (mediaType(contentType).equalsIgnoreCase(BATCH_CONTENT_TYPE)) {
          throw MalformedEventException.of("batch mode ('" + contentType
              + "') is not supported by the Kafka, MQTT and AMQP bindings: send one event per message");
        }
        throw MalformedEventException.of("unsupported event format '" + contentType
            + "': only application/cloudevents+json is understood");
      }
    }
    return decodeBinary(message);
  }

  /**
   * Decodes a body in the JSON batch format ({@code application/cloudevents-batch+json}): a JSON array of events,
   * {@code []} being an empty batch. No protocol binding of Omnibus carries batches; this is for tools and bridges.
   *
   * @throws MalformedEventException when the body is not a JSON array of valid CloudEvents
   */
  public static List<CloudEvent> decodeBatch(byte[] body) {
    return JsonEventFormat.readBatch(body);
  }

  /** Whether a content type announces structured mode: it starts with {@code application/cloudevents}, any casing. */
  public static boolean isStructured(@Nullable String contentType) {
    return contentType != null && contentType.regionMatches(true, 0, STRUCTURED_PREFIX, 0, STRUCTURED_PREFIX.length());
  }

  private static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
  }

  private static boolean isJsonFormat(String contentType) {
    return mediaType(contentType).equalsIgnoreCase("application/cloudevents+json");
  }

  private CloudEvent decodeStructured(WireMessage message) {
    byte[] body = message.body();
    if (body == null || body.length == 0) {
      throw MalformedEventException.of("structured-mode message has an empty body");
    }
    return JsonEventFormat.read(body);
  }

  private CloudEvent decodeBinary(WireMessage message) {
    Map<String, String> headers = message.headers();
    String prefix = convention.detectPrefix(headers);
    if (prefix == null) {
      throw MalformedEventException.of("not a CloudEvent: no " + convention.headerName("specversion")
          + " header and no structured content type (content type: " + message.contentType() + ")");
    }
    List<String> violations = new ArrayList<>();
    Map<String, String> attributes = new HashMap<>();
    for (Map.Entry<String, String> header : headers.entrySet()) {
      if (convention.usesOtherPrefix(header.getKey(), prefix)) {
        violations.add("header '" + header.getKey() + "' uses another prefix than '" + prefix
            + "': one message must use one prefix");
        continue;
      }
      String name = convention.attributeName(header.getKey(), prefix);
      if (name == null) {
        continue;
      }
      if (attributes.put(name, header.getValue()) != null) {
        violations.add("attribute '" + name + "' given twice");
      }
    }
    String specVersion = attributes.remove("specversion");
    if (!"1.0".equals(specVersion)) {
      violations.add("unsupported specversion '" + specVersion + "': only 1.0 is understood");
    }
    CloudEventBuilder builder = CloudEventBuilder.v1();
    String id = attributes.remove("id");
    String type = attributes.remove("type");
    String source = attributes.remove("source");
    if (id == null) {
      violations.add("id is required");
    } else {
      builder.withId(id);
    }
    if (type == null) {
      violations.add("type is required");
    } else {
      builder.withType(type);
    }
    URI sourceUri = null;
    if (source == null) {
      violations.add("source is required");
    } else {
      sourceUri = parseUri(source, "source", violations);
      if (sourceUri != null) {
        builder.withSource(sourceUri);
      }
    }
    // The protocol's content type is datacontenttype; a repeated datacontenttype header (SDK-JS, the MQTT spec's
    // example) is tolerated, and the content type wins when both are given.
    String headerContentType = attributes.remove("datacontenttype");
    String contentType = message.contentType() != null ? message.contentType() : headerContentType;
    if (contentType != null) {
      builder.withDataContentType(contentType);
    }
    String subject = attributes.remove("subject");
    if (subject != null) {
      builder.withSubject(subject);
    }
    String time = attributes.remove("time");
    if (time != null) {
      OffsetDateTime parsed = Rfc3339.parse(time);
      if (parsed == null) {
        violations.add("time must be an RFC 3339 date-time, was '" + time + "'");
      } else {
        builder.withTime(parsed);
      }
    }
    String dataSchema = attributes.remove("dataschema");
    if (dataSchema != null) {
      URI uri = parseUri(dataSchema, "dataschema", violations);
      if (uri != null) {
        builder.withDataSchema(uri);
      }
    }
    for (Map.Entry<String, String> extension : attributes.entrySet()) {
      if (extension.getKey().length() > CloudEventValidator.MAX_ATTRIBUTE_NAME_LENGTH) {
        violations.add("attribute name of " + extension.getKey().length() + " characters is longer than the "
            + CloudEventValidator.MAX_ATTRIBUTE_NAME_LENGTH + " allowed");
      } else if (!CloudEventValidator.isValidAttributeName(extension.getKey())) {
        violations.add("attribute name '" + extension.getKey()
            + "' must consist of a-z and 0-9 only, and not be 'data'");
      } else {
        builder.withExtension(extension.getKey(), extension.getValue());
      }
    }
    byte[] body = message.body();
    if (body != null) {
      builder.withData(body);
    }
    if (id == null || type == null || sourceUri == null) {
      throw new MalformedEventException(violations, null);
    }
    CloudEvent event;
    try {
      event = builder.build();
    } catch (RuntimeException e) {
      violations.add(rootMessage(e));
      throw new MalformedEventException(violations, e);
    }
    violations.addAll(CloudEventValidator.violations(event));
    if (!violations.isEmpty()) {
      throw new MalformedEventException(violations, null);
    }
    return event;
  }

  private @Nullable URI parseUri(String value, String attribute, List<String> violations) {
    // The messages of one channel mostly share their source: parsing it was a tenth of decoding an event.
    URI last = lastUri;
    if (last != null && last.toString().equals(value)) {
      return last;
    }
    try {
      URI parsed = new URI(value);
      lastUri = parsed;
      return parsed;
    } catch (URISyntaxException e) {
      violations.add(attribute + " is not a valid URI-reference: '" + value + "'");
      return null;
    }
  }

  private static @Nullable String keyOf(CloudEvent event) {
    Object partitionKey = event.getExtension(PARTITION_KEY);
    if (partitionKey != null) {
      return canonicalString(partitionKey);
    }
    return event.getSubject();
  }

  /** The canonical string form of an attribute value, as binary mode writes it (STANDARDS.md §1.4). */
  public static String canonicalString(Object value) {
    if (value instanceof OffsetDateTime time) {
      return Rfc3339.format(time);
    }
    if (value instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    return value.toString();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null ? root.getClass().getSimpleName() : message;
  }
}
