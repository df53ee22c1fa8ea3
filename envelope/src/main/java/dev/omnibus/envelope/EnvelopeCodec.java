package dev.omnibus.envelope;

import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.data.BytesCloudEventData;
import io.cloudevents.core.provider.CloudEventValidatorProvider;
import io.cloudevents.core.v1.CloudEventV1;
import io.cloudevents.jackson.JsonCloudEventData;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
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
  private static final int STRUCTURED_SUBTYPE_START = STRUCTURED_PREFIX.indexOf('/') + 1;
  private static final String JSON_FORMAT = "application/cloudevents+json";
  private static final String BATCH_CONTENT_TYPE = "application/cloudevents-batch+json";
  private static final String IMPLIED_JSON = "application/json";
  private static final String PARTITION_KEY = "partitionkey";
  /** The context attributes binary mode writes as headers (data is the body), which decode reads as attributes. */
  private static final Set<String> CONTEXT_ATTRIBUTES = Set.of("specversion", "id", "source", "type",
      "datacontenttype", "dataschema", "subject", "time");

  private final HeaderConvention convention;
  /** Where the write prefix is among the read prefixes, for {@link #decodeInProcess}; -1 when it is not read. */
  private final int writePrefixIndex;
  /** The URI parsed last, handed out again for the same text: a benign race, URIs are immutable. */
  private volatile @Nullable URI lastUri;

  private EnvelopeCodec(HeaderConvention convention) {
    this.convention = convention;
    this.writePrefixIndex = convention.readPrefixes().indexOf(convention.writePrefix());
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
    if (mode == Mode.STRUCTURED) {
      // The common shape is written first: its texts are then known to be printable ASCII, and the validator need not
      // look at their characters again (the look was half of a structured encode's validation in a profile).
      byte[] plain = plainOrNull(event);
      CloudEventValidator.validate(event, plain != null);
      return new WireMessage(Map.of(), STRUCTURED_CONTENT_TYPE,
          plain != null ? plain : JsonEventFormat.writeWithGenerator(event), keyOf(event));
    }
    CloudEventValidator.validate(event);
    String key = keyOf(event);
    Set<String> extensionNames = event.getExtensionNames();
    // WireHeaders rather than Map.ofEntries: kept as they are by WireMessage and read by position by the bindings.
    WireHeaders.Builder headers = WireHeaders.builder(7 + extensionNames.size());
    // The context attributes, under names distinct from each other and below the builder's hashed size.
    headers.addDistinct(convention.specVersionHeader, event.getSpecVersion().toString());
    headers.addDistinct(convention.idHeader, event.getId());
    headers.addDistinct(convention.sourceHeader, event.getSource().toString());
    headers.addDistinct(convention.typeHeader, event.getType());
    if (event.getSubject() != null) {
      headers.addDistinct(convention.subjectHeader, event.getSubject());
    }
    OffsetDateTime time = event.getTime();
    if (time != null) {
      headers.addDistinct(convention.timeHeader, Rfc3339.format(time));
    }
    if (event.getDataSchema() != null) {
      headers.addDistinct(convention.dataSchemaHeader, event.getDataSchema().toString());
    }
    int extensionsFrom = headers.size();
    for (String name : extensionNames) {
      Object value = event.getExtension(name);
      if (value != null && !headers.add(convention.headerName(name), canonicalString(value))) {
        // An extension named as a context attribute ("subject"), which the SDK allows: refused as Map.ofEntries did.
        throw new IllegalArgumentException("duplicate key: " + convention.headerName(name));
      }
    }
    CloudEventData data = event.getData();
    String contentType = event.getDataContentType();
    if (contentType == null && (data instanceof EventData.Json || data instanceof JsonCloudEventData)) {
      contentType = IMPLIED_JSON;
    }
    return new WireMessage(
        headers.build(convention, time != null && Rfc3339.readsBack(time) ? time : null,
            event instanceof CloudEventV1 immutable ? immutable : null, extensionsFrom),
        contentType,
        data == null ? null : data.toBytes(),
        key);
  }

  /**
   * The event in the format's common shape ({@link JsonEventFormat#writePlain}), or {@code null}; written before the
   * event is validated, so what is written of an invalid event is dropped unsent, and an event the writer cannot read
   * (no source, an extension value whose text fails) is left to the validator, which reports it.
   */
  private static byte @Nullable [] plainOrNull(CloudEvent event) {
    if (event.getSource() == null || event.getSpecVersion() == null) {
      return null;
    }
    try {
      return JsonEventFormat.writePlain(event);
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * Wraps bytes that the caller itself produced as JSON, such as the output of a Jackson {@code ObjectMapper}, as event
   * data. Structured mode writes such data as the {@code data} member without parsing it again (a profile found that
   * check to be two fifths of a structured encode); bytes of unknown origin, given as {@code byte[]} or
   * {@link io.cloudevents.core.data.BytesCloudEventData}, are still checked and written as {@code data_base64} when
   * they are not one JSON value with distinct member names. Binary mode writes the bytes as they are either way.
   *
   * <p>Only for bytes the caller's own serializer wrote: text that is not JSON, or an object naming a member twice,
   * would make an unreadable structured event. The array is kept, not copied: do not modify it.
   *
   * @param json one JSON value as UTF-8, made by the caller's JSON serializer
   * @return the data, to give to {@code CloudEventBuilder.withData(contentType, data)}
   */
  public static CloudEventData producedJson(byte[] json) {
    return new EventData.Json(json);
  }

  /**
   * The data's bytes for a JSON parser that reads them whole and so checks them itself, such as the bus's JSON codec
   * decoding a payload. A structured event's {@code data} object or array is delimited by its structure alone when the
   * event is read; {@link CloudEventData#toBytes()} checks that it is JSON before giving it out (the check was a sixth
   * of the Kafka consumer thread in structured mode, for a payload parsed whole just after). This gives the bytes
   * without that check: when the parser refuses them, ask {@link #checkData} why, as the event's reason.
   *
   * @param data the data of a decoded event
   * @return its bytes, the same array as {@code toBytes()} gives when they are JSON
   */
  public static byte[] dataToParse(CloudEventData data) {
    return data instanceof EventData.Json json ? json.bytes() : data.toBytes();
  }

  /**
   * Checks that data which structured mode delimited by its structure alone is JSON; does nothing for any other data.
   *
   * @param data the data of a decoded event
   * @throws MalformedEventException naming why, when the event's {@code data} is not JSON
   */
  public static void checkData(CloudEventData data) {
    if (data instanceof EventData.Json json && !json.checked()) {
      json.toBytes();
    }
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
   * Decodes a message handed over inside this JVM: as {@link #decode}, but a binary-mode message whose headers are the
   * very {@link WireHeaders} that {@link #encode} of this codec's convention wrote is read without validating its
   * attributes again, since encode validated the same strings before writing them. For bindings that pass the encoded
   * message itself to the consumer (the in-memory broker), where decoding the bus's own events dominated the cost.
   *
   * <p>Every other message (headers built or copied elsewhere, a content type that is not the one encode could have
   * written, structured mode) goes through {@link #decode} and is validated in full: a message injected by a test or
   * another producer is refused with the same {@link MalformedEventException} and reasons. The event returned is equal
   * to the one {@link #decode} returns for the same message.
   *
   * @throws MalformedEventException when the message is not a valid CloudEvent, with every reason found
   */
  public CloudEvent decodeInProcess(WireMessage message) {
    if (!(message.headers() instanceof WireHeaders headers) || headers.encodedBy != convention
        || writePrefixIndex < 0) {
      return decode(message);
    }
    String contentType = message.contentType();
    // Encode writes the event's validated datacontenttype, or the implied JSON type; anything else, or a type that
    // makes decode read the message as structured, is not this encode's message as written.
    if (contentType != null && contentType != IMPLIED_JSON
        && (isStructured(contentType) || !CloudEventValidator.isMediaType(contentType))) {
      return decode(message);
    }
    CloudEvent event;
    try {
      event = readEncoded(headers, contentType, message.body());
    } catch (RuntimeException e) {
      event = null; // decode says what is wrong
    }
    return event != null ? event : decode(message);
  }

  /**
   * The event of headers this codec's encode wrote, or {@code null} when they are not as encode writes them (left to
   * {@link #decode}, which says why): {@link #readBinary} without the checks encode made already. Package-private for
   * the tests that check encoded headers take this way.
   */
  @Nullable CloudEvent readEncoded(WireHeaders headers, @Nullable String contentType, byte @Nullable [] body) {
    CloudEventV1 encodedFrom = headers.encodedFrom;
    CloudEvent event = encodedFrom == null ? null : fromEncodedEvent(headers, encodedFrom, contentType, body);
    if (event != null) {
      return event;
    }
    try {
      return readBinary(headers, writePrefixIndex, contentType, body, false);
    } catch (MalformedEventException e) {
      return null;
    }
  }

  /**
   * The event {@link #readBinary} reads from headers that encode wrote from {@code event}: the event's own attribute
   * objects instead of parsing the text that was written from them (decoding went from 12% to 4% of a publish to the
   * in-memory broker), its extensions as the header texts, the message's content type and body. {@code null}, left to
   * {@link #readBinary}, when reading the text could give something else: an extension named as a context attribute
   * (read back as that attribute) or a time whose text does not read back as the same time.
   */
  private static @Nullable CloudEvent fromEncodedEvent(WireHeaders headers, CloudEventV1 event,
      @Nullable String contentType, byte @Nullable [] body) {
    if (event.getTime() != null && headers.encodedTime == null) {
      return null;
    }
    Map<String, Object> extensions = Collections.emptyMap();
    int position = headers.extensionsFrom;
    for (String name : event.getExtensionNames()) {
      if (event.getExtension(name) == null) {
        continue; // encode wrote no header for it
      }
      if (position >= headers.size() || CONTEXT_ATTRIBUTES.contains(name)) {
        return null;
      }
      extensions = withExtension(extensions, name, headers.value(position++));
    }
    if (position != headers.size()) {
      return null;
    }
    return new CloudEventV1(event.getId(), event.getSource(), event.getType(), contentType, event.getDataSchema(),
        event.getSubject(), headers.encodedTime, body == null ? null : BytesCloudEventData.wrap(body), extensions);
  }

  /**
   * The extensions with one more, as a decoded or built event keeps them: start from {@code Collections.emptyMap()}
   * and pass on only what this method returned (from two extensions on it adds to the hash table it made). No hash
   * table for none or one extension (traceparent, the common case): every reader of the event walks its names, and a
   * table's walk scans its sixteen buckets (that walk and lookup were a fifth of what the in-memory consumer's thread
   * did besides decoding the payload, in a profile). emptyMap and singletonMap have one order and answer a lookup of
   * null as a HashMap does; two or more go in a HashMap, as CloudEventBuilder keeps them, and so in its order; a name
   * given again replaces its value, as the builder's does.
   */
  public static Map<String, Object> withExtension(Map<String, Object> extensions, String name, Object value) {
    if (extensions.isEmpty()) {
      return Collections.singletonMap(name, value);
    }
    if (extensions.size() == 1) {
      // Put, not putAll: putAll would size the table for one entry, and a smaller table walks in another order.
      Map.Entry<String, Object> first = extensions.entrySet().iterator().next();
      extensions = new HashMap<>();
      extensions.put(first.getKey(), first.getValue());
    }
    extensions.put(name, value);
    return extensions;
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
    if (contentType == null || contentType.length() < STRUCTURED_PREFIX.length()) {
      return false;
    }
    // Every binary message's type is checked, and most are application/...: an ASCII character other than c or C after
    // the slash settles it without comparing "application/" again, ignoring case.
    char afterSlash = contentType.charAt(STRUCTURED_SUBTYPE_START);
    if (afterSlash < 0x80 && (afterSlash | 0x20) != 'c') {
      return false;
    }
    return HeaderConvention.startsWithAnyCase(contentType, 0, STRUCTURED_PREFIX);
  }

  private static String mediaType(String contentType) {
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim();
  }

  /**
   * Whether the media type (before any {@code ;} parameters, white space trimmed as {@link String#trim} does) is
   * {@code application/cloudevents+json}, any casing. Compared in place: every structured-mode message is asked, and
   * cutting the media type out as a string was 70 bytes of garbage per event in an allocation profile of Kafka.
   */
  private static boolean isJsonFormat(String contentType) {
    int end = contentType.indexOf(';');
    if (end < 0) {
      end = contentType.length();
    }
    int start = 0;
    while (start < end && contentType.charAt(start) <= ' ') {
      start++;
    }
    while (end > start && contentType.charAt(end - 1) <= ' ') {
      end--;
    }
    return end - start == JSON_FORMAT.length() && HeaderConvention.startsWithAnyCase(contentType, start, JSON_FORMAT);
  }

  private CloudEvent decodeStructured(WireMessage message) {
    byte[] body = message.body();
    if (body == null || body.length == 0) {
      throw MalformedEventException.of("structured-mode message has an empty body");
    }
    return JsonEventFormat.read(body);
  }

  private CloudEvent decodeBinary(WireMessage message) {
    // One pass over the headers by position (a binding's received headers are WireHeaders already), the attributes
    // into fields rather than a map: hashing each header name twice was a third of decoding a small event.
    WireHeaders headers = WireHeaders.copyOf(message.headers());
    // The prefix is decided once per message (STANDARDS.md: one prefix per message), then each header checked against it.
    int prefixIndex = convention.detectPrefixIndex(headers);
    if (prefixIndex < 0) {
      throw MalformedEventException.of("not a CloudEvent: no " + convention.headerName("specversion")
          + " header and no structured content type (content type: " + message.contentType() + ")");
    }
    return readBinary(headers, prefixIndex, message.contentType(), message.body(), true);
  }

  /**
   * The event of binary-mode headers of the given prefix, the content type and the body. With {@code validate}, every
   * rule of the binding and of CloudEvents is checked; without, only what building the event needs (the required
   * attributes, the URIs and the time parse): for headers whose attributes {@link #encode} validated already.
   *
   * @throws MalformedEventException with every violation found
   */
  private CloudEvent readBinary(WireHeaders headers, int prefixIndex, @Nullable String messageContentType,
      byte @Nullable [] body, boolean validate) {
    String prefix = convention.readPrefix(prefixIndex);
    List<String> violations = new ArrayList<>();
    BinaryAttributes attributes = new BinaryAttributes(violations, convention, prefixIndex);
    for (int i = 0, size = headers.size(); i < size; i++) {
      String header = headers.name(i);
      if (validate && convention.usesOtherPrefix(header, prefixIndex)) {
        violations.add("header '" + header + "' uses another prefix than '" + prefix
            + "': one message must use one prefix");
        continue;
      }
      if (convention.isAttributeHeader(header, prefix)) {
        attributes.put(header, prefix.length(), headers.value(i));
      }
    }
    String specVersion = attributes.specVersion;
    if (!"1.0".equals(specVersion)) {
      violations.add("unsupported specversion '" + specVersion + "': only 1.0 is understood");
    }
    // The event is built as CloudEventBuilder.build() builds it, without the builder: its checks are made here (the
    // required attributes, then the validators registered with the SDK), and the extensions go in a map sized for how
    // many there are (withExtension).
    String id = attributes.id;
    String type = attributes.type;
    String source = attributes.source;
    if (id == null) {
      violations.add("id is required");
    }
    if (type == null) {
      violations.add("type is required");
    }
    URI sourceUri = null;
    if (source == null) {
      violations.add("source is required");
    } else {
      sourceUri = parseUri(source, "source", violations);
    }
    // The protocol's content type is datacontenttype; a repeated datacontenttype header (SDK-JS, the MQTT spec's
    // example) is tolerated, and the content type wins when both are given.
    String headerContentType = attributes.dataContentType;
    String contentType = messageContentType != null ? messageContentType : headerContentType;
    String time = attributes.time;
    OffsetDateTime parsedTime = null;
    if (time != null) {
      // Headers this codec's encode wrote (read unvalidated) may hold the time they were written from: no parse.
      parsedTime = !validate && headers.encodedTime != null ? headers.encodedTime : Rfc3339.parse(time);
      if (parsedTime == null) {
        violations.add("time must be an RFC 3339 date-time, was '" + time + "'");
      }
    }
    String dataSchema = attributes.dataSchema;
    URI dataSchemaUri = dataSchema == null ? null : parseUri(dataSchema, "dataschema", violations);
    Map<String, Object> extensions = Collections.emptyMap();
    for (int i = 0; i < attributes.extensionCount; i++) {
      String name = attributes.extensionNames.get(i);
      if (!validate) {
        extensions = withExtension(extensions, name, attributes.extensionValues.get(i));
      } else if (name.length() > CloudEventValidator.MAX_ATTRIBUTE_NAME_LENGTH) {
        violations.add("attribute name of " + name.length() + " characters is longer than the "
            + CloudEventValidator.MAX_ATTRIBUTE_NAME_LENGTH + " allowed");
      } else if (!CloudEventValidator.isValidAttributeName(name)) {
        violations.add("attribute name '" + name + "' must consist of a-z and 0-9 only, and not be 'data'");
      } else {
        extensions = withExtension(extensions, name, attributes.extensionValues.get(i));
      }
    }
    if (id == null || type == null || sourceUri == null) {
      throw new MalformedEventException(violations, null);
    }
    CloudEvent event = new CloudEventV1(id, sourceUri, type, contentType, dataSchemaUri, attributes.subject,
        parsedTime, body == null ? null : BytesCloudEventData.wrap(body), extensions);
    try {
      // What CloudEventBuilder.build() runs last: the validators an application registered with the SDK.
      CloudEventValidatorProvider.getInstance().validate(event);
    } catch (RuntimeException e) {
      violations.add(rootMessage(e));
      throw new MalformedEventException(violations, e);
    }
    if (validate) {
      violations.addAll(CloudEventValidator.violations(event));
    }
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

  /**
   * The attributes of one binary-mode message, as its headers name them after the prefix (exactly, never lower-cased).
   * An attribute given twice (headers differing only in the prefix's casing) is a violation, and the later value is the
   * one reported, as a map would keep it.
   */
  private static final class BinaryAttributes {
    private final List<String> violations;
    private final HeaderConvention convention;
    private final int prefixIndex;
    @Nullable String specVersion;
    @Nullable String id;
    @Nullable String source;
    @Nullable String type;
    @Nullable String dataContentType;
    @Nullable String dataSchema;
    @Nullable String subject;
    @Nullable String time;
    final List<String> extensionNames = new ArrayList<>(4);
    final List<String> extensionValues = new ArrayList<>(4);
    int extensionCount;
    /** Extension names by position, only when there are many (a linear duplicate check would be quadratic). */
    private @Nullable Map<String, Integer> extensionIndex;

    BinaryAttributes(List<String> violations, HeaderConvention convention, int prefixIndex) {
      this.violations = violations;
      this.convention = convention;
      this.prefixIndex = prefixIndex;
    }

    /** Records the attribute of {@code header} named from {@code offset} on. */
    void put(String header, int offset, String value) {
      int length = header.length() - offset;
      switch (length) {
        case 2 -> {
          if (named(header, offset, "id")) {
            id = given("id", id, value);
            return;
          }
        }
        case 4 -> {
          if (named(header, offset, "type")) {
            type = given("type", type, value);
            return;
          }
          if (named(header, offset, "time")) {
            time = given("time", time, value);
            return;
          }
        }
        case 6 -> {
          if (named(header, offset, "source")) {
            source = given("source", source, value);
            return;
          }
        }
        case 7 -> {
          if (named(header, offset, "subject")) {
            subject = given("subject", subject, value);
            return;
          }
        }
        case 10 -> {
          if (named(header, offset, "dataschema")) {
            dataSchema = given("dataschema", dataSchema, value);
            return;
          }
        }
        case 11 -> {
          if (named(header, offset, "specversion")) {
            specVersion = given("specversion", specVersion, value);
            return;
          }
        }
        case 15 -> {
          if (named(header, offset, "datacontenttype")) {
            dataContentType = given("datacontenttype", dataContentType, value);
            return;
          }
        }
        default -> { }
      }
      extension(convention.extensionName(header, prefixIndex), value);
    }

    private static boolean named(String header, int offset, String attribute) {
      return header.startsWith(attribute, offset);
    }

    private String given(String name, @Nullable String previous, String value) {
      if (previous != null) {
        violations.add("attribute '" + name + "' given twice");
      }
      return value;
    }

    private void extension(String name, String value) {
      int previous = extensionPosition(name);
      if (previous >= 0) {
        violations.add("attribute '" + name + "' given twice");
        extensionValues.set(previous, value);
        return;
      }
      extensionNames.add(name);
      extensionValues.add(value);
      if (extensionIndex != null) {
        extensionIndex.put(name, extensionCount);
      } else if (extensionCount + 1 == WireHeaders.INDEXED_FROM) {
        extensionIndex = new HashMap<>();
        for (int i = 0; i <= extensionCount; i++) {
          extensionIndex.put(extensionNames.get(i), i);
        }
      }
      extensionCount++;
    }

    private int extensionPosition(String name) {
      if (extensionIndex != null) {
        Integer position = extensionIndex.get(name);
        return position == null ? -1 : position;
      }
      for (int i = 0; i < extensionCount; i++) {
        if (extensionNames.get(i).equals(name)) {
          return i;
        }
      }
      return -1;
    }
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
