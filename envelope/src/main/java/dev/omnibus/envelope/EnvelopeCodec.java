package dev.omnibus.envelope;

import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.format.EventDeserializationException;
import io.cloudevents.core.format.EventSerializationException;
import io.cloudevents.jackson.JsonFormat;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Maps CloudEvents to and from {@link WireMessage}s for one {@link HeaderConvention}, in binary or structured mode.
 *
 * <p>Decoding detects the mode from the content type as the protocol bindings say: a content type starting with
 * {@code application/cloudevents} (any casing) is structured, anything else binary. Every decoded event is validated;
 * a message that is not a valid CloudEvent raises a {@link MalformedEventException} naming each reason.
 *
 * <p>Immutable and thread-safe.
 */
public final class EnvelopeCodec {

  /** The media type of the JSON event format, as written in structured mode. */
  public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

  private static final String STRUCTURED_PREFIX = "application/cloudevents";
  private static final JsonFormat JSON_FORMAT = new JsonFormat();
  private static final String PARTITION_KEY = "partitionkey";

  private final HeaderConvention convention;

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
   * @throws MalformedEventException when the event is not a valid CloudEvent; nothing is encoded then
   */
  public WireMessage encode(CloudEvent event, Mode mode) {
    CloudEventValidator.validate(event);
    String key = keyOf(event);
    if (mode == Mode.STRUCTURED) {
      try {
        return new WireMessage(Map.of(), STRUCTURED_CONTENT_TYPE, JSON_FORMAT.serialize(event), key);
      } catch (EventSerializationException e) {
        throw MalformedEventException.of("cannot serialize in the JSON event format: " + e.getMessage(), e);
      }
    }
    Map<String, String> headers = new HashMap<>(8 + event.getExtensionNames().size() * 2);
    headers.put(convention.headerName("specversion"), event.getSpecVersion().toString());
    headers.put(convention.headerName("id"), event.getId());
    headers.put(convention.headerName("source"), event.getSource().toString());
    headers.put(convention.headerName("type"), event.getType());
    putIfPresent(headers, "subject", event.getSubject());
    if (event.getTime() != null) {
      headers.put(convention.headerName("time"), DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(event.getTime()));
    }
    if (event.getDataSchema() != null) {
      headers.put(convention.headerName("dataschema"), event.getDataSchema().toString());
    }
    for (String name : event.getExtensionNames()) {
      Object value = event.getExtension(name);
      if (value != null) {
        headers.put(convention.headerName(name), canonicalString(value));
      }
    }
    CloudEventData data = event.getData();
    return new WireMessage(headers, event.getDataContentType(), data == null ? null : data.toBytes(), key);
  }

  /**
   * Decodes a received message.
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
        throw MalformedEventException.of("unsupported event format '" + contentType
            + "': only application/cloudevents+json is understood");
      }
    }
    return decodeBinary(message);
  }

  /** Whether a content type announces structured mode: it starts with {@code application/cloudevents}, any casing. */
  public static boolean isStructured(@Nullable String contentType) {
    return contentType != null && contentType.regionMatches(true, 0, STRUCTURED_PREFIX, 0, STRUCTURED_PREFIX.length());
  }

  private static boolean isJsonFormat(String contentType) {
    int semicolon = contentType.indexOf(';');
    String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
    return mediaType.equalsIgnoreCase("application/cloudevents+json");
  }

  private CloudEvent decodeStructured(WireMessage message) {
    byte[] body = message.body();
    if (body == null || body.length == 0) {
      throw MalformedEventException.of("structured-mode message has an empty body");
    }
    CloudEvent event;
    try {
      event = JSON_FORMAT.deserialize(body);
    } catch (EventDeserializationException | IllegalArgumentException | IllegalStateException e) {
      throw MalformedEventException.of("not a CloudEvent in the JSON event format: " + rootMessage(e), e);
    } catch (RuntimeException e) {
      throw MalformedEventException.of("not a CloudEvent in the JSON event format: " + rootMessage(e), e);
    }
    CloudEventValidator.validate(event);
    return event;
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
      String name = convention.attributeName(header.getKey(), prefix);
      if (name == null) {
        if (convention.usesOtherPrefix(header.getKey(), prefix)) {
          violations.add("header '" + header.getKey() + "' uses another prefix than '" + prefix
              + "': one message must use one prefix");
        }
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
    if (id == null || id.isEmpty()) {
      violations.add("id is required and must be non-empty");
    } else {
      builder.withId(id);
    }
    if (type == null || type.isEmpty()) {
      violations.add("type is required and must be non-empty");
    } else {
      builder.withType(type);
    }
    if (source == null || source.isEmpty()) {
      violations.add("source is required and must be non-empty");
    } else {
      URI uri = parseUri(source, "source", violations);
      if (uri != null) {
        builder.withSource(uri);
      }
    }
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
      try {
        builder.withTime(OffsetDateTime.parse(time.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      } catch (DateTimeParseException e) {
        violations.add("time must be an RFC 3339 timestamp, was '" + time + "'");
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
      if (!CloudEventValidator.isValidAttributeName(extension.getKey())) {
        violations.add("extension name '" + extension.getKey() + "' must consist of a-z and 0-9 only, and not be data");
      } else {
        builder.withExtension(extension.getKey(), extension.getValue());
      }
    }
    if (!violations.isEmpty()) {
      throw new MalformedEventException(violations, null);
    }
    byte[] body = message.body();
    if (body != null) {
      builder.withData(body);
    }
    CloudEvent event;
    try {
      event = builder.build();
    } catch (IllegalStateException | IllegalArgumentException e) {
      throw MalformedEventException.of(rootMessage(e), e);
    }
    CloudEventValidator.validate(event);
    return event;
  }

  private void putIfPresent(Map<String, String> headers, String attribute, @Nullable String value) {
    if (value != null) {
      headers.put(convention.headerName(attribute), value);
    }
  }

  private static @Nullable URI parseUri(String value, String attribute, List<String> violations) {
    try {
      return new URI(value);
    } catch (URISyntaxException e) {
      violations.add(attribute + " is not a valid URI-reference: '" + value + "'");
      return null;
    }
  }

  private static @Nullable String keyOf(CloudEvent event) {
    Object partitionKey = event.getExtension(PARTITION_KEY);
    if (partitionKey != null) {
      return partitionKey.toString();
    }
    return event.getSubject();
  }

  /** The canonical string form of an attribute value, as binary mode writes it (STANDARDS.md §1.4). */
  public static String canonicalString(Object value) {
    if (value instanceof OffsetDateTime time) {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
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

  /** The body of a structured message as text, for diagnostics. */
  static String bodyText(byte[] body) {
    return new String(body, StandardCharsets.UTF_8);
  }
}
