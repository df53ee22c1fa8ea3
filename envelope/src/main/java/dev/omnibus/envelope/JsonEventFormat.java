package dev.omnibus.envelope;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.data.BytesCloudEventData;
import io.cloudevents.jackson.JsonCloudEventData;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The CloudEvents JSON event format (json-format.md), read and written with Jackson's streaming API.
 *
 * <p>Why not the SDK's {@code JsonFormat}: it reports only the first problem, turns a {@code null} or object extension
 * into the string {@code "null"} / the object's text, decodes a {@code data} string with the platform charset, writes
 * the text of a non-JSON content type as {@code data_base64} (so {@code xml_data.json} does not round-trip), writes
 * bytes of no or an invalid JSON content type as raw JSON (invalid output), and accepts times without seconds.
 *
 * <p>Thread-safe; its only state is the URI it parsed last, kept because the events of a channel repeat their source.
 */
final class JsonEventFormat {

  // No STRICT_DUPLICATE_DETECTION: a member named twice is refused by MemberNames, which is cheaper for small objects.
  private static final JsonFactory FACTORY = JsonFactory.builder()
      // One limit on attribute names in both modes; binary mode checks the same constant.
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNameLength(CloudEventValidator.MAX_ATTRIBUTE_NAME_LENGTH).build())
      .build();

  /** The URI parsed last, handed out again for the same text: a benign race, URIs are immutable. */
  private static volatile @Nullable URI lastUri;

  private JsonEventFormat() {}

  // ---------------------------------------------------------------- writing

  /** Serializes a (valid) event. */
  static byte[] write(CloudEvent event) {
    byte[] plain = writePlain(event);
    return plain != null ? plain : writeWithGenerator(event);
  }

  /**
   * The event in the format without a generator, when every text in it is printable ASCII needing no escape and its
   * data is JSON the caller produced ({@link EnvelopeCodec#producedJson}), bytes under a JSON content type that
   * {@link QuickJsonCheck} finds certainly JSON, or absent: the common case of the bus's own events, and of bytes
   * handed to it as they came (a relay, an outbox). The bytes are those the generator writes, into one array of the exact size: a profile of the Kafka
   * loopback in structured mode found the generator's set-up and buffers at about half of an encode. {@code null}
   * when the event is not of that shape.
   */
  static byte @Nullable [] writePlain(CloudEvent event) {
    CloudEventData data = event.getData();
    String contentType = event.getDataContentType();
    byte[] dataBytes = null;
    if (data instanceof EventData.Json) {
      if (contentType != null && !isJson(contentType)) {
        return null;
      }
      dataBytes = data.toBytes();
    } else if (data != null) {
      // Bytes of another origin under a JSON type: written as they are when certainly JSON, as the generator does
      // (writeData); anything else (base64, a tree, JSON only Jackson can tell) is the generator's.
      if (data instanceof JsonCloudEventData || contentType == null || !isJson(contentType)) {
        return null;
      }
      dataBytes = data.toBytes();
      if (!QuickJsonCheck.isCertainlyJson(dataBytes)) {
        return null;
      }
    }
    String[] texts = new String[8];
    texts[0] = event.getSpecVersion().toString();
    texts[1] = event.getId();
    texts[2] = event.getSource().toString();
    texts[3] = event.getType();
    texts[4] = contentType;
    texts[5] = event.getDataSchema() == null ? null : event.getDataSchema().toString();
    texts[6] = event.getSubject();
    texts[7] = event.getTime() == null ? null : Rfc3339.format(event.getTime());
    int size = 1; // '{'
    for (int i = 0; i < texts.length; i++) {
      String text = texts[i];
      if (text != null) {
        if (text != KNOWN_PLAIN[i]) {
          if (!isPlain(text)) {
            return null;
          }
          if (i != 1 && i < 6) {
            KNOWN_PLAIN[i] = text;
          }
        }
        size += ATTRIBUTE_NAMES[i].length + text.length() + 6; // ,"name":"text"
      }
    }
    Set<String> extensionNames = event.getExtensionNames();
    int extensionCount = 0;
    String[] names = new String[extensionNames.size()];
    String[] values = new String[names.length];
    boolean[] quoted = new boolean[names.length];
    for (String name : extensionNames) {
      Object value = event.getExtension(name);
      if (value == null) {
        continue;
      }
      String text;
      boolean quote = false;
      if (value instanceof Boolean bool) {
        text = bool ? "true" : "false";
      } else if (value instanceof Number number) {
        text = Integer.toString(number.intValue()); // the validator admitted only int32 values
      } else {
        text = EnvelopeCodec.canonicalString(value);
        quote = true;
        if (!isPlain(text)) {
          return null;
        }
      }
      if (!isPlain(name)) {
        return null;
      }
      names[extensionCount] = name;
      values[extensionCount] = text;
      quoted[extensionCount] = quote;
      extensionCount++;
      size += name.length() + text.length() + (quote ? 6 : 4);
    }
    if (dataBytes != null) {
      size += 8 + dataBytes.length; // ,"data":
    }
    // Each member was counted with its comma; the first has none, and its room takes the '}'. An event always has
    // members (specversion, id, source, type), but the size stays right without.
    if (size == 1) {
      size++;
    }
    byte[] out = new byte[size];
    int n = 0;
    out[n++] = '{';
    for (int i = 0; i < texts.length; i++) {
      if (texts[i] != null) {
        n = member(out, n, ATTRIBUTE_NAMES[i], texts[i], true);
      }
    }
    for (int i = 0; i < extensionCount; i++) {
      n = member(out, n, ascii(names[i]), values[i], quoted[i]);
    }
    if (dataBytes != null) {
      n = name(out, n, DATA_NAME);
      System.arraycopy(dataBytes, 0, out, n, dataBytes.length);
      n += dataBytes.length;
    }
    out[n] = '}';
    return out;
  }

  /**
   * By attribute slot, the last text of an attribute that repeats from event to event (specversion, source, type,
   * datacontenttype, dataschema: the same instances, from the channel's and the type's settings) that was found plain:
   * the same instance is not scanned again. Shared by all threads: a string is immutable, so a slot another thread
   * replaced only means a scan made again.
   */
  private static final String[] KNOWN_PLAIN = new String[8];

  /** The attributes in the order the generator writes them, as their member names. */
  private static final byte[][] ATTRIBUTE_NAMES = {ascii("specversion"), ascii("id"), ascii("source"), ascii("type"),
      ascii("datacontenttype"), ascii("dataschema"), ascii("subject"), ascii("time")};
  private static final byte[] DATA_NAME = ascii("data");

  /** Writes {@code ,"name":} (without the comma for the first member); returns the position after it. */
  private static int name(byte[] out, int n, byte[] name) {
    if (n > 1) {
      out[n++] = ',';
    }
    out[n++] = '"';
    System.arraycopy(name, 0, out, n, name.length);
    n += name.length;
    out[n++] = '"';
    out[n++] = ':';
    return n;
  }

  /**
   * Writes a member whose value {@link #isPlain} said is printable ASCII. Its characters are copied with
   * {@link String#getBytes(int, int, byte[], int)}: deprecated because it keeps only the low byte of each character,
   * which is the whole of an ASCII one, and an array copy for the usual compact string, where a loop over the
   * characters was a visible share of a structured encode.
   */
  @SuppressWarnings("deprecation")
  private static int member(byte[] out, int n, byte[] name, String value, boolean quoted) {
    n = name(out, n, name);
    if (quoted) {
      out[n++] = '"';
    }
    value.getBytes(0, value.length(), out, n);
    n += value.length();
    if (quoted) {
      out[n++] = '"';
    }
    return n;
  }

  /** Whether the generator writes the text as it is: printable ASCII, without a quote or a backslash. */
  private static boolean isPlain(String text) {
    for (int i = 0, length = text.length(); i < length; i++) {
      char c = text.charAt(i);
      if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  /** {@link #write} with Jackson's generator, whatever the event holds. */
  static byte[] writeWithGenerator(CloudEvent event) {
    CloudEventData data = event.getData();
    byte[] dataBytes = data == null || data instanceof JsonCloudEventData ? null : data.toBytes();
    // Room for the attributes and the data (as base64 at worst) in the first block, so that the body is copied once.
    ByteArrayBuilder out = new ByteArrayBuilder(256 + (dataBytes == null ? 0 : dataBytes.length / 3 * 4 + 4));
    try (JsonGenerator gen = FACTORY.createGenerator(out)) {
      gen.writeStartObject();
      gen.writeStringField("specversion", event.getSpecVersion().toString());
      gen.writeStringField("id", event.getId());
      gen.writeStringField("source", event.getSource().toString());
      gen.writeStringField("type", event.getType());
      String contentType = event.getDataContentType();
      if (contentType != null) {
        gen.writeStringField("datacontenttype", contentType);
      }
      if (event.getDataSchema() != null) {
        gen.writeStringField("dataschema", event.getDataSchema().toString());
      }
      if (event.getSubject() != null) {
        gen.writeStringField("subject", event.getSubject());
      }
      if (event.getTime() != null) {
        gen.writeStringField("time", Rfc3339.format(event.getTime()));
      }
      for (String name : event.getExtensionNames()) {
        Object value = event.getExtension(name);
        if (value == null) {
          continue;
        }
        gen.writeFieldName(name);
        if (value instanceof Boolean bool) {
          gen.writeBoolean(bool);
        } else if (value instanceof Number number) {
          gen.writeNumber(number.intValue()); // the validator admitted only int32 values
        } else {
          gen.writeString(EnvelopeCodec.canonicalString(value));
        }
      }
      if (data instanceof JsonCloudEventData json) {
        gen.writeFieldName("data");
        gen.writeTree(json.getNode());
      } else if (data != null) {
        writeData(gen, out, data, dataBytes, contentType);
      }
      gen.writeEndObject();
    } catch (IOException e) {
      throw MalformedEventException.of("cannot write the JSON event format: " + e.getMessage(), e);
    }
    return out.toByteArray();
  }

  private static void writeData(
      JsonGenerator gen, ByteArrayBuilder out, CloudEventData data, byte[] bytes, @Nullable String contentType)
      throws IOException {
    boolean jsonType = contentType == null ? data instanceof EventData.Json : isJson(contentType);
    if (jsonType && (data instanceof EventData.Json || isJsonText(bytes))) {
      gen.writeFieldName("data");
      // The bytes are JSON text: writeRawValue("") puts down the ':' and the generator's bookkeeping, then the bytes
      // go straight into the sink, instead of through a String and back.
      gen.writeRawValue("");
      gen.flush();
      out.write(bytes);
    } else if (data instanceof EventData.Text && contentType != null && !isJson(contentType)) {
      gen.writeFieldName("data");
      gen.writeUTF8String(bytes, 0, bytes.length);
    } else {
      // Binary runtime data (json-format.md §3.1.1): base64, whatever the content type claims.
      gen.writeFieldName("data_base64");
      gen.writeString(Base64.getEncoder().encodeToString(bytes));
    }
  }

  /** Whether a media type is JSON: {@code * /json} or {@code * /*+json}, parameters ignored, any casing. */
  static boolean isJson(String contentType) {
    // Without substrings or lower-casing: every encode and decode asks this.
    int end = contentType.indexOf(';');
    if (end < 0) {
      end = contentType.length();
    }
    while (end > 0 && contentType.charAt(end - 1) <= ' ') {
      end--; // what String.trim() removes
    }
    int slash = contentType.indexOf('/');
    if (slash < 0 || slash >= end) {
      return false;
    }
    int subtypeLength = end - slash - 1;
    return subtypeLength == 4 && endsWithIgnoringAsciiCase(contentType, end, "json")
        || subtypeLength >= 5 && endsWithIgnoringAsciiCase(contentType, end, "+json");
  }

  /** Whether {@code text} up to {@code end} ends with {@code suffix} (lower case), ASCII letters in any casing. */
  private static boolean endsWithIgnoringAsciiCase(String text, int end, String suffix) {
    int start = end - suffix.length();
    for (int i = 0; i < suffix.length(); i++) {
      char c = text.charAt(start + i);
      char expected = suffix.charAt(i);
      if (c != expected && !(expected >= 'a' && expected <= 'z' && c == expected - 'a' + 'A')) {
        return false;
      }
    }
    return true;
  }

  /** Whether the bytes are one JSON value (whitespace around allowed), with no object naming a member twice. */
  static boolean isJsonText(byte[] bytes) {
    return notJsonText(bytes) == null;
  }

  /**
   * Why the bytes are not one JSON value as the event format reads it (a member named twice included), or
   * {@code null} when they are.
   */
  static @Nullable String notJsonText(byte[] bytes) {
    if (QuickJsonCheck.isCertainlyJson(bytes)) {
      return null;
    }
    try (JsonParser parser = FACTORY.createParser(bytes)) {
      if (parser.nextToken() == null) {
        return "no JSON value";
      }
      MemberNames.skipChildren(parser);
      return parser.nextToken() == null ? null : "unexpected content after the JSON value";
    } catch (JsonProcessingException e) {
      return e.getOriginalMessage();
    } catch (IOException e) {
      return String.valueOf(e.getMessage());
    }
  }

  // ---------------------------------------------------------------- reading

  /**
   * Reads one event.
   *
   * @throws MalformedEventException with every violation found, when the body is not a valid CloudEvent
   */
  static CloudEvent read(byte[] body) {
    CloudEvent quick = QuickEventReader.read(body);
    if (quick != null) {
      return quick;
    }
    return parse(body);
  }

  /** {@link #read} with the parser, whatever the shape of the body. */
  static CloudEvent parse(byte[] body) {
    try (JsonParser parser = FACTORY.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw MalformedEventException.of("a structured-mode body must be a JSON object");
      }
      CloudEvent event = readObject(parser, body, true);
      // After a last data member read by the quick scan, the parser stopped at the data; the scan checked the rest.
      if (parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() != null) {
        throw MalformedEventException.of("unexpected content after the JSON object");
      }
      return event;
    } catch (JsonProcessingException e) {
      throw MalformedEventException.of("not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw MalformedEventException.of("cannot read the body: " + e.getMessage(), e);
    }
  }

  /**
   * Reads a batch ({@code application/cloudevents-batch+json}, json-format.md §4): a JSON array of events.
   *
   * @throws MalformedEventException when the body is not an array of valid CloudEvents
   */
  static List<CloudEvent> readBatch(byte[] body) {
    try (JsonParser parser = FACTORY.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw MalformedEventException.of("a batch must be a JSON array");
      }
      List<CloudEvent> events = new ArrayList<>();
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        if (token != JsonToken.START_OBJECT) {
          throw MalformedEventException.of("batch element " + events.size() + " is not a JSON object");
        }
        events.add(readObject(parser, body, false));
      }
      if (parser.nextToken() != null) {
        throw MalformedEventException.of("unexpected content after the JSON array");
      }
      return events;
    } catch (JsonProcessingException e) {
      throw MalformedEventException.of("not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw MalformedEventException.of("cannot read the body: " + e.getMessage(), e);
    }
  }

  /**
   * Reads the members of an object whose START_OBJECT is the current token; leaves the parser on its END_OBJECT. When
   * the object is the whole body, a {@code data} object or array that is the last member and certainly JSON is read
   * by {@link QuickJsonCheck}, several times faster than the parser; the parser then stays on the data's first token.
   */
  private static CloudEvent readObject(JsonParser parser, byte[] body, boolean wholeBody) throws IOException {
    List<String> violations = new ArrayList<>();
    // Extensions go straight into the builder; the context attributes (all JSON strings) wait in Members until every
    // member is read. A member given twice is refused, so none is overwritten.
    MemberNames names = new MemberNames();
    names.enterObject();
    CloudEventBuilder builder = CloudEventBuilder.v1();
    Members m = new Members();

    members:
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      names.add(parser, name);
      JsonToken token = parser.nextToken();
      switch (name) {
        case "specversion" -> m.specVersion = stringAttribute(parser, name, token, violations);
        case "id" -> m.id = stringAttribute(parser, name, token, violations);
        case "source" -> m.source = stringAttribute(parser, name, token, violations);
        case "type" -> m.type = stringAttribute(parser, name, token, violations);
        case "datacontenttype" -> m.contentType = stringAttribute(parser, name, token, violations);
        case "dataschema" -> m.dataSchema = stringAttribute(parser, name, token, violations);
        case "subject" -> m.subject = stringAttribute(parser, name, token, violations);
        case "time" -> m.time = stringAttribute(parser, name, token, violations);
        case "data" -> {
          m.dataPresent = true;
          if (token == JsonToken.VALUE_STRING) {
            m.dataText = parser.getText();
          } else if (wholeBody && (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY)) {
            int start = (int) parser.currentTokenLocation().getByteOffset();
            int end = start < 0 ? -1 : QuickJsonCheck.endOfLastMember(body, start);
            if (end > start) {
              m.dataJson = Arrays.copyOfRange(body, start, end);
              break members;
            }
          }
          m.dataJson = rawValue(parser, body, token);
        }
        case "data_base64" -> {
          if (token == JsonToken.VALUE_STRING) {
            try {
              m.dataBase64 = Base64.getDecoder().decode(parser.getText());
            } catch (IllegalArgumentException e) {
              violations.add("data_base64 is not Base64 (RFC 4648): " + e.getMessage());
            }
          } else if (token != JsonToken.VALUE_NULL) {
            violations.add("data_base64 must be a JSON string, was " + describe(token));
            MemberNames.skipChildren(parser);
          }
        }
        default -> readExtension(parser, name, token, builder, violations);
      }
    }
    return complete(builder, m, violations);
  }

  /** The members of an event object as read, before they are checked and put into the builder. */
  static final class Members {
    @Nullable String specVersion;
    @Nullable String id;
    @Nullable String source;
    @Nullable String type;
    @Nullable String contentType;
    @Nullable String dataSchema;
    @Nullable String subject;
    @Nullable String time;
    @Nullable String dataText;
    byte @Nullable [] dataJson;
    /** Whether {@link #dataJson} was delimited by its structure alone, its JSON not checked ({@link QuickEventReader}). */
    boolean dataDelimited;
    byte @Nullable [] dataBase64;
    boolean dataPresent;
  }

  /**
   * Checks the members read, puts them into the builder (which holds the extensions already) and builds the event.
   * One place for both readers of the format, so that {@link QuickEventReader} and the parser accept the same events.
   *
   * @throws MalformedEventException with the violations found while reading and here, when there is any
   */
  static CloudEvent complete(CloudEventBuilder builder, Members m, List<String> violations) {
    return complete(builder, m, violations, false);
  }

  /**
   * {@link #complete(CloudEventBuilder, Members, List)}; {@code printable} when every text read (members and string
   * extensions) is printable ASCII, whose characters the validator then does not look at again.
   */
  static CloudEvent complete(CloudEventBuilder builder, Members m, List<String> violations, boolean printable) {
    String specVersion = m.specVersion;
    if (specVersion == null) {
      violations.add("specversion is required");
    } else if (!specVersion.equals("1.0")) {
      violations.add("unsupported specversion '" + specVersion + "': only 1.0 is understood");
    }
    String id = m.id;
    if (id == null) {
      violations.add("id is required");
    } else {
      builder.withId(id);
    }
    if (m.source == null) {
      violations.add("source is required");
    }
    String type = m.type;
    if (type == null) {
      violations.add("type is required");
    } else {
      builder.withType(type);
    }
    URI sourceUri = m.source == null ? null : parseUri(m.source, "source", violations);
    if (sourceUri != null) {
      builder.withSource(sourceUri);
    }
    String contentType = m.contentType;
    if (contentType != null) {
      builder.withDataContentType(contentType);
    }
    if (m.dataSchema != null) {
      URI uri = parseUri(m.dataSchema, "dataschema", violations);
      if (uri != null) {
        builder.withDataSchema(uri);
      }
    }
    if (m.subject != null) {
      builder.withSubject(m.subject);
    }
    String time = m.time;
    if (time != null) {
      OffsetDateTime parsed = Rfc3339.parse(time);
      if (parsed == null) {
        violations.add("time must be an RFC 3339 date-time, was '" + time + "'");
      } else {
        builder.withTime(parsed);
      }
    }
    if (m.dataPresent && m.dataBase64 != null) {
      violations.add("data and data_base64 are mutually exclusive");
    } else if (m.dataBase64 != null) {
      builder.withData(BytesCloudEventData.wrap(m.dataBase64));
    } else if (m.dataPresent) {
      if (contentType == null || isJson(contentType)) {
        builder.withData(m.dataDelimited ? EventData.Json.delimited(m.dataJson) : new EventData.Json(m.dataJson));
      } else if (m.dataText != null) {
        builder.withData(new EventData.Text(m.dataText));
      } else if (!isJsonNull(m.dataJson)) {
        violations.add("data must be a JSON string when datacontenttype '" + contentType + "' is not JSON");
      }
    }
    if (id == null || sourceUri == null || type == null) {
      throw new MalformedEventException(violations, null);
    }
    CloudEvent event;
    try {
      event = builder.build();
    } catch (RuntimeException e) {
      violations.add(e.getMessage());
      throw new MalformedEventException(violations, e);
    }
    violations.addAll(CloudEventValidator.violations(event, printable));
    if (!violations.isEmpty()) {
      throw new MalformedEventException(violations, null);
    }
    return event;
  }

  /** The text of a context attribute, or {@code null} when it is JSON {@code null} or not a string (a violation). */
  private static @Nullable String stringAttribute(
      JsonParser parser, String name, JsonToken token, List<String> violations) throws IOException {
    if (token == JsonToken.VALUE_STRING) {
      return parser.getText();
    }
    if (token != JsonToken.VALUE_NULL) {
      violations.add(name + " must be a JSON string, was " + describe(token));
      MemberNames.skipChildren(parser);
    }
    return null;
  }

  private static boolean isJsonNull(byte[] json) {
    return json.length == 4 && json[0] == 'n' && json[1] == 'u' && json[2] == 'l' && json[3] == 'l';
  }

  private static void readExtension(
      JsonParser parser, String name, JsonToken token, CloudEventBuilder builder, List<String> violations)
      throws IOException {
    if (!CloudEventValidator.isValidAttributeName(name)) {
      violations.add("attribute name '" + name + "' must consist of a-z and 0-9 only, and not be 'data'");
      MemberNames.skipChildren(parser);
      return;
    }
    switch (token) {
      case VALUE_NULL -> { } // null is unset (json-format.md §2.2)
      case VALUE_TRUE, VALUE_FALSE -> builder.withExtension(name, token == JsonToken.VALUE_TRUE);
      case VALUE_STRING -> builder.withExtension(name, parser.getText());
      case VALUE_NUMBER_INT -> {
        if (parser.getNumberType() == JsonParser.NumberType.INT) {
          builder.withExtension(name, parser.getIntValue());
        } else {
          violations.add("extension '" + name + "' must be a 32-bit Integer, was " + parser.getText());
        }
      }
      case VALUE_NUMBER_FLOAT -> violations.add(
          "extension '" + name + "' must be an Integer (CloudEvents has no decimal type), was " + parser.getText());
      default -> {
        violations.add("extension '" + name + "' must be a JSON string, number or boolean, was " + describe(token));
        MemberNames.skipChildren(parser);
      }
    }
  }

  /** The exact bytes of the value whose first token is current; leaves the parser on its last token. */
  private static byte[] rawValue(JsonParser parser, byte[] body, JsonToken token) throws IOException {
    int start = (int) parser.currentTokenLocation().getByteOffset();
    if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
      MemberNames.skipChildren(parser);
    } else {
      parser.finishToken();
    }
    int end = (int) parser.currentLocation().getByteOffset();
    if (start < 0 || end < start || end > body.length) {
      throw new IllegalStateException("no byte offsets from the JSON parser");
    }
    byte[] raw = new byte[end - start];
    System.arraycopy(body, start, raw, 0, raw.length);
    return raw;
  }

  private static @Nullable URI parseUri(String value, String attribute, List<String> violations) {
    // The events of a channel mostly share their source: parsing it was a tenth of reading a small event.
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

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      default -> token.toString();
    };
  }
}
