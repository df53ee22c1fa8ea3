package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import io.cloudevents.CloudEventData;
import io.cloudevents.jackson.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The structured-mode writer was rewritten for speed (issue 16); these tests pin its output to the bytes the writer
 * wrote before, kept below as {@link ReferenceWriter}, for a range of events, and to the SDK's {@link JsonFormat} (as
 * JSON trees) where the SDK writes the JSON event format correctly. The hand-written checks that replaced a regex and
 * a lower-casing are compared with the originals on random text.
 */
class StructuredWireFormatTest {

  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.KAFKA);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final OffsetDateTime TIME = OffsetDateTime.parse("2018-04-05T17:31:00.123+02:00");
  private static final byte[] ORDER = ("{\"orderId\":\"ord-2026-11-100007\",\"lines\":[{\"sku\":\"SKU-1\",\"quantity\":2},"
      + "{\"sku\":\"SKU-2\",\"quantity\":1}],\"total\":71.97,\"note\":\"é ✓ 🌎 \\\"quoted\\\"\"}")
      .getBytes(StandardCharsets.UTF_8);
  private static final byte[] BINARY = {(byte) 0xE0, (byte) 0xFF, 0x00, 0x44, (byte) 0xAA};

  static Stream<Arguments> events() {
    List<Arguments> events = new ArrayList<>();
    add(events, "minimal", Events.minimal().build());
    add(events, "every attribute and extension type", Events.minimal()
        .withSubject("o-1")
        .withTime(TIME)
        .withDataSchema(URI.create("https://example.com/schemas/order.json"))
        .withDataContentType("application/json")
        .withExtension("astring", "é ✓ 🌎 \"quoted\" back\\slash")
        .withExtension("aninteger", -2147483648)
        .withExtension("aboolean", false)
        .withExtension("auri", URI.create("https://example.com/a?b=c"))
        .withExtension("aurireference", URI.create("../relative#frag"))
        .withExtension("atimestamp", TIME)
        .withExtension("abinary", BINARY)
        .withData(ORDER)
        .build());
    add(events, "the benchmark's order", Events.minimal()
        .withTime(OffsetDateTime.of(2026, 11, 22, 10, 15, 30, 123_000_000, ZoneOffset.UTC))
        .withSubject("ord-2026-11-100007")
        .withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .withDataContentType("application/json")
        .withData(ORDER)
        .build());
    for (String contentType : List.of("application/json; charset=utf-8", "APPLICATION/JSON", "text/json",
        "application/vnd.example+json", "application/vnd.example+JSON ; v=1", "application/json ",
        "application/+json", "application/jsonx", "application/xjson", "text/plain", "application/octet-stream")) {
      add(events, "JSON bytes as " + contentType,
          Events.minimal().withDataContentType(contentType).withData(ORDER).build());
    }
    add(events, "JSON bytes with whitespace", Events.minimal().withDataContentType("application/json")
        .withData(" [ 1 , {\"a\" : null} ]\n".getBytes(StandardCharsets.UTF_8)).build());
    add(events, "a JSON string", Events.minimal().withDataContentType("application/json")
        .withData("\"text\"".getBytes(StandardCharsets.UTF_8)).build());
    add(events, "bytes that are not JSON under a JSON type", Events.minimal().withDataContentType("application/json")
        .withData("{\"a\":".getBytes(StandardCharsets.UTF_8)).build());
    add(events, "JSON with a duplicate member", Events.minimal().withDataContentType("application/json")
        .withData("{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8)).build());
    add(events, "empty data", Events.minimal().withDataContentType("application/json").withData(new byte[0]).build());
    add(events, "binary data", Events.minimal().withDataContentType("image/png").withData(BINARY).build());
    add(events, "bytes without a content type", Events.minimal().withData(ORDER).build());
    add(events, "text data", CODEC.decode(new WireMessage(Map.of(), "application/cloudevents+json",
        ("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"datacontenttype\":\"text/xml\","
            + "\"data\":\"<much wow=\\\"xml\\\"/> ✓\"}").getBytes(StandardCharsets.UTF_8), null)));
    add(events, "JSON data without a content type", CODEC.decode(new WireMessage(Map.of(),
        "application/cloudevents+json", ("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\","
            + "\"data\":{ \"spaced\" : [1, 2] }}").getBytes(StandardCharsets.UTF_8), null)));
    for (OffsetDateTime time : List.of(OffsetDateTime.parse("0001-01-01T00:00:00Z"),
        OffsetDateTime.parse("9999-12-31T23:59:59.999999999-18:00"), OffsetDateTime.parse("2020-02-29T01:02:03.4+05:45"),
        OffsetDateTime.parse("2020-02-29T01:02:03.000001-00:30"))) {
      add(events, "time " + time, Events.minimal().withTime(time).build());
    }
    return events.stream();
  }

  private static void add(List<Arguments> events, String name, CloudEvent event) {
    events.add(Arguments.of(name, event));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("events")
  void writesTheSameBytesAsTheWriterBefore(String name, CloudEvent event) {
    assertThat(utf8(JsonEventFormat.write(event))).isEqualTo(utf8(ReferenceWriter.write(event)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("events")
  void reEncodingADecodedEventWritesTheSameBytesAsTheWriterBefore(String name, CloudEvent event) {
    CloudEvent decoded = CODEC.decode(CODEC.encode(event, Mode.STRUCTURED));
    assertThat(utf8(JsonEventFormat.write(decoded))).isEqualTo(utf8(ReferenceWriter.write(decoded)));
  }

  /** Times RFC 3339 cannot say are written as ISO 8601 (and so are not read back): as before. */
  @Test
  void writesTimesOutsideRfc3339AsTheWriterBefore() {
    for (OffsetDateTime time : List.of(OffsetDateTime.parse("+10000-01-01T00:00:00Z"),
        OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutesSeconds(1, 2, 3)))) {
      CloudEvent event = Events.minimal().withTime(time).build();
      assertThat(utf8(JsonEventFormat.write(event))).isEqualTo(utf8(ReferenceWriter.write(event)));
    }
  }

  @Test
  void writesTheCorpusEventsAsTheWriterBefore() {
    List<byte[]> bodies = new ArrayList<>();
    for (String file : TestData.filesUnder("sdk-java-json-v1")) {
      bodies.add(TestData.bytes(file));
    }
    for (JsonNode vector : readTree(TestData.bytes("json-format-vectors.json"))) {
      if (vector.path("expect").path("valid").asBoolean(false)) {
        bodies.add(vector.get("json").toString().getBytes(StandardCharsets.UTF_8));
      }
    }
    int written = 0;
    for (byte[] body : bodies) {
      CloudEvent event;
      try {
        event = TestData.decodeStructured(body);
      } catch (MalformedEventException invalid) {
        continue; // the corpus's invalid events are the other tests' business
      }
      assertThat(utf8(JsonEventFormat.write(event))).as(utf8(body)).isEqualTo(utf8(ReferenceWriter.write(event)));
      written++;
    }
    assertThat(written).as("valid corpus events written").isGreaterThan(10);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("sdkComparable")
  void writesTheSameJsonAsTheSdkWhereTheSdkIsRight(String name, CloudEvent event) {
    JsonNode ours = readTree(CODEC.encode(event, Mode.STRUCTURED).body());
    JsonNode sdk = readTree(new JsonFormat().serialize(event));
    assertThat(ours).isEqualTo(sdk);
  }

  /** Events the SDK writes correctly: JSON data under a JSON type, binary data, string/integer/boolean extensions. */
  static Stream<Arguments> sdkComparable() {
    return Stream.of(
        Arguments.of("minimal", Events.minimal().build()),
        Arguments.of("the benchmark's order", Events.minimal()
            .withTime(OffsetDateTime.of(2026, 11, 22, 10, 15, 30, 123_000_000, ZoneOffset.UTC))
            .withSubject("ord-2026-11-100007")
            .withDataSchema(URI.create("https://example.com/schemas/order.json"))
            .withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
            .withExtension("attempt", 3)
            .withExtension("replayed", true)
            .withDataContentType("application/json")
            .withData(ORDER)
            .build()),
        Arguments.of("+json type with whitespace in data", Events.minimal().withTime(TIME)
            .withDataContentType("application/geo+json")
            .withData(" [ 1 , {\"a\" : null} ]".getBytes(StandardCharsets.UTF_8)).build()),
        Arguments.of("binary data", Events.minimal().withDataContentType("image/png").withData(BINARY).build()));
  }

  /**
   * Data that is the last member is read by a quick scan, and checked when it is read; the same object inside a batch
   * goes through the parser, which checks it at once. Either way the event is the same, or is malformed for the same
   * reason (named as the data's when the data is read).
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      "{\"a\":[1,2.5e3,\"é\\\"\"],\"b\":{\"c\":null}}", "[ {\"x\":true} , [] ]", "{}", "[]",
      "{\"a\":1,\"a\":2}", "{\"a\":01}", "{\"a\\u0062\":1}", "[1,]", "{\"a\":1} \n"})
  void dataReadByTheQuickScanIsWhatTheParserReads(String data) {
    String body = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":" + data + "}";
    Object single;
    Object batched;
    try {
      CloudEvent event = TestData.decodeStructured(body.getBytes(StandardCharsets.UTF_8));
      event.getData().toBytes();
      single = event;
    } catch (MalformedEventException e) {
      single = e.violations().stream().map(v -> v.replaceFirst("^data is not JSON: ", "not JSON: ")).toList();
    }
    try {
      batched = EnvelopeCodec.decodeBatch(("[" + body + "]").getBytes(StandardCharsets.UTF_8)).get(0);
    } catch (MalformedEventException e) {
      batched = e.violations();
    }
    assertThat(single).isEqualTo(batched);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"} x", "}{}", "}}", ",\"e\":1}", ",\"data\":1}", "}  \n\t"})
  void whatFollowsDataThatIsLastIsCheckedAsBefore(String rest) {
    String body = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"a\":1}" + rest;
    Object outcome;
    try {
      outcome = TestData.dataText(TestData.decodeStructured(body.getBytes(StandardCharsets.UTF_8)));
    } catch (MalformedEventException e) {
      outcome = e.violations();
    }
    Object expected = switch (rest) {
      case "} x" -> List.of("not JSON: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or "
          + "token 'null', 'true' or 'false')");
      case "}{}" -> List.of("unexpected content after the JSON object");
      case "}}" -> List.of("not JSON: Unexpected close marker '}': no open Object to close");
      case ",\"data\":1}" -> List.of("not JSON: Duplicate field 'data'");
      default -> "{\"a\":1}";
    };
    assertThat(outcome).isEqualTo(expected);
  }

  @Test
  void theMediaTypeCheckAgreesWithTheRegexItReplaced() {
    Pattern regex = Pattern.compile("^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+\\s*(;.*)?$");
    for (String text : randomTexts("aZ0/;+-. \t\n\r\u000B\f\u0085\u2028\u2029=\"é!#$&^_x", 200_000)) {
      assertThat(CloudEventValidator.hasMediaTypeSyntax(text)).as("'%s'", text)
          .isEqualTo(regex.matcher(text).matches());
    }
  }

  @Test
  void theJsonTypeCheckAgreesWithTheLowerCasingItReplaced() {
    for (String text : randomTexts("jsonJSON+/;ax \tſKİ", 200_000)) {
      assertThat(JsonEventFormat.isJson(text)).as("'%s'", text).isEqualTo(ReferenceWriter.isJson(text));
    }
  }

  @Test
  void theJsonCheckAgreesWithJacksonsDuplicateDetection() {
    Random random = new Random(16);
    int duplicates = 0;
    for (int i = 0; i < 20_000; i++) {
      StringBuilder json = new StringBuilder();
      randomValue(random, json, 0);
      if (i % 3 == 0 && json.length() > 2) {
        json.deleteCharAt(random.nextInt(json.length())); // and some that are not JSON at all
      }
      byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
      boolean expected = ReferenceWriter.isJsonText(bytes);
      assertThat(JsonEventFormat.isJsonText(bytes)).as(json.toString()).isEqualTo(expected);
      duplicates += !expected && i % 3 != 0 ? 1 : 0;
    }
    assertThat(duplicates).as("valid JSON but for a member named twice").isGreaterThan(1000);
  }

  /** A random JSON value whose objects draw their member names from a few, so that some name one twice. */
  private static void randomValue(Random random, StringBuilder json, int depth) {
    int kind = depth > 3 ? 3 : random.nextInt(4);
    if (kind == 0) {
      json.append('{');
      int members = random.nextInt(random.nextBoolean() ? 4 : 24);
      for (int m = 0; m < members; m++) {
        json.append(m == 0 ? "" : ",").append("\"n").append(random.nextInt(members * 2 + 1)).append("\":");
        randomValue(random, json, depth + 1);
      }
      json.append('}');
    } else if (kind == 1) {
      json.append('[');
      int elements = random.nextInt(4);
      for (int e = 0; e < elements; e++) {
        json.append(e == 0 ? "" : ",");
        randomValue(random, json, depth + 1);
      }
      json.append(']');
    } else {
      json.append(random.nextBoolean() ? "\"s\"" : Integer.toString(random.nextInt(100)));
    }
  }

  @Test
  void timestampsAreFormattedAsBefore() {
    Random random = new Random(16);
    for (int i = 0; i < 20_000; i++) {
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      OffsetDateTime time = OffsetDateTime.of(random.nextInt(10_000), 1 + random.nextInt(12), 1 + random.nextInt(28),
          random.nextInt(24), random.nextInt(60), random.nextInt(60), nano,
          ZoneOffset.ofTotalSeconds((random.nextInt(36 * 4 + 1) - 18 * 4) * 15 * 60));
      assertThat(Rfc3339.format(time)).isEqualTo(ReferenceWriter.time(time));
    }
  }

  /** Random short texts over an alphabet, and every text of up to three of its characters. */
  private static List<String> randomTexts(String alphabet, int count) {
    List<String> texts = new ArrayList<>();
    Random random = new Random(16);
    for (int i = 0; i < count; i++) {
      StringBuilder text = new StringBuilder();
      int length = random.nextInt(24);
      for (int k = 0; k < length; k++) {
        text.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      texts.add(text.toString());
    }
    for (String prefix : List.of("application/json", "text/plain", "a/b", "application/vnd.x+json")) {
      for (int a = 0; a < alphabet.length(); a++) {
        for (int b = 0; b < alphabet.length(); b++) {
          texts.add(prefix + alphabet.charAt(a) + alphabet.charAt(b));
          texts.add(alphabet.charAt(a) + prefix + alphabet.charAt(b));
        }
      }
    }
    return texts;
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static JsonNode readTree(byte[] json) {
    try {
      return JSON.readTree(json);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The structured-mode writer as it was before the rewrite (commit df83658), unchanged but for names: the wire
   * format the rewrite must keep.
   */
  static final class ReferenceWriter {

    private static final JsonFactory FACTORY = JsonFactory.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .streamReadConstraints(StreamReadConstraints.builder()
            .maxNameLength(CloudEventValidator.MAX_ATTRIBUTE_NAME_LENGTH).build())
        .build();

    private ReferenceWriter() {}

    static byte[] write(CloudEvent event) {
      ByteArrayBuilder out = new ByteArrayBuilder(512);
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
          gen.writeStringField("time", time(event.getTime()));
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
            gen.writeNumber(number.intValue());
          } else if (value instanceof OffsetDateTime time) {
            gen.writeString(time(time));
          } else {
            gen.writeString(value instanceof byte[] bytes ? Base64.getEncoder().encodeToString(bytes)
                : value.toString());
          }
        }
        writeData(gen, event.getData(), contentType);
        gen.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toByteArray();
    }

    private static void writeData(JsonGenerator gen, CloudEventData data, String contentType) throws IOException {
      if (data == null) {
        return;
      }
      byte[] bytes = data.toBytes();
      boolean jsonType = contentType == null ? data instanceof EventData.Json : isJson(contentType);
      if (jsonType && (data instanceof EventData.Json || isJsonText(bytes))) {
        gen.writeFieldName("data");
        gen.writeRawValue(new String(bytes, StandardCharsets.UTF_8));
      } else if (data instanceof EventData.Text && contentType != null && !isJson(contentType)) {
        gen.writeFieldName("data");
        gen.writeUTF8String(bytes, 0, bytes.length);
      } else {
        gen.writeFieldName("data_base64");
        gen.writeString(Base64.getEncoder().encodeToString(bytes));
      }
    }

    static boolean isJson(String contentType) {
      int end = contentType.indexOf(';');
      String mediaType = (end < 0 ? contentType : contentType.substring(0, end)).trim().toLowerCase(Locale.ROOT);
      int slash = mediaType.indexOf('/');
      if (slash < 0) {
        return false;
      }
      String subtype = mediaType.substring(slash + 1);
      return subtype.equals("json") || subtype.endsWith("+json");
    }

    static boolean isJsonText(byte[] bytes) {
      try (JsonParser parser = FACTORY.createParser(bytes)) {
        if (parser.nextToken() == null) {
          return false;
        }
        parser.skipChildren();
        return parser.nextToken() == null;
      } catch (IOException e) {
        return false;
      }
    }

    static String time(OffsetDateTime time) {
      int year = time.getYear();
      int offsetSeconds = time.getOffset().getTotalSeconds();
      if (year < 0 || year > 9999 || offsetSeconds % 60 != 0) {
        return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
      }
      StringBuilder out = new StringBuilder(35);
      pad(out, year, 4).append('-');
      pad(out, time.getMonthValue(), 2).append('-');
      pad(out, time.getDayOfMonth(), 2).append('T');
      pad(out, time.getHour(), 2).append(':');
      pad(out, time.getMinute(), 2).append(':');
      pad(out, time.getSecond(), 2);
      int nano = time.getNano();
      if (nano != 0) {
        int digits = 9;
        while (nano % 10 == 0) {
          nano /= 10;
          digits--;
        }
        pad(out.append('.'), nano, digits);
      }
      if (offsetSeconds == 0) {
        return out.append('Z').toString();
      }
      int minutes = Math.abs(offsetSeconds) / 60;
      out.append(offsetSeconds < 0 ? '-' : '+');
      pad(out, minutes / 60, 2).append(':');
      return pad(out, minutes % 60, 2).toString();
    }

    private static StringBuilder pad(StringBuilder out, int value, int width) {
      String digits = Integer.toString(value);
      for (int i = digits.length(); i < width; i++) {
        out.append('0');
      }
      return out.append(digits);
    }
  }
}
