package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The sdk-java JSON format files ({@code sdk-java-json-v1/}), each with the outcome given in the data README (from
 * sdk-java's {@code JsonFormatTest} and {@code Data}). The directory is iterated: a new file with no expectation here
 * fails.
 */
class SdkJavaJsonFilesTest {

  @BeforeAll
  static void corpus() {
    Corpus.dir();
  }

  private static final String DIR = "sdk-java-json-v1/";
  private static final ObjectMapper JSON = new ObjectMapper();

  // sdk-java core/src/test/java/io/cloudevents/core/test/Data.java
  private static final String ID = "1";
  private static final String TYPE = "mock.test";
  private static final URI SOURCE = URI.create("http://localhost/source");
  private static final URI DATASCHEMA = URI.create("http://localhost/schema");
  private static final String SUBJECT = "sub";
  private static final OffsetDateTime TIME = OffsetDateTime.parse("2018-04-26T14:48:09+02:00");

  /** A file's expected outcome: refused, or decoded and checked. */
  private record Expectation(boolean valid, Consumer<CloudEvent> check) {
    static Expectation valid(Consumer<CloudEvent> check) {
      return new Expectation(true, check);
    }

    static Expectation refused() {
      return new Expectation(false, e -> { });
    }
  }

  private static final Map<String, Expectation> EXPECTATIONS = new HashMap<>();

  static {
    EXPECTATIONS.put("min.json", Expectation.valid(SdkJavaJsonFilesTest::isMinimal));
    EXPECTATIONS.put("min_subject_null.json", Expectation.valid(SdkJavaJsonFilesTest::isMinimal));
    EXPECTATIONS.put("json_data.json", Expectation.valid(e -> {
      hasFullContext(e, "application/json", DATASCHEMA, TIME);
      hasJsonData(e, "{}");
      assertThat(e.getExtensionNames()).isEmpty();
    }));
    EXPECTATIONS.put("json_data_with_ext.json", Expectation.valid(e -> {
      hasFullContext(e, "application/json", DATASCHEMA, TIME);
      hasJsonData(e, "{}");
      hasTypedExtensions(e);
    }));
    EXPECTATIONS.put("json_data_with_fractional_time.json", Expectation.valid(e -> {
      hasFullContext(e, "application/json", DATASCHEMA, OffsetDateTime.parse("2018-04-26T14:48:09.1234Z"));
      hasJsonData(e, "{}");
    }));
    EXPECTATIONS.put("base64_json_data.json", Expectation.valid(e -> {
      hasFullContext(e, "application/json", DATASCHEMA, TIME);
      assertThat(TestData.dataText(e)).isEqualTo("{}");
      assertThat(e.getExtensionNames()).isEmpty();
    }));
    EXPECTATIONS.put("base64_json_data_with_ext.json", Expectation.valid(e -> {
      hasFullContext(e, "application/json", DATASCHEMA, TIME);
      assertThat(TestData.dataText(e)).isEqualTo("{}");
      hasTypedExtensions(e);
    }));
    EXPECTATIONS.put("base64_text_data.json", Expectation.valid(e -> {
      hasFullContext(e, "text/plain", null, TIME);
      assertThat(TestData.dataText(e)).isEqualTo("Hello World Lorena!");
    }));
    EXPECTATIONS.put("base64_xml_data.json", Expectation.valid(e -> {
      hasFullContext(e, "application/xml", null, TIME);
      assertThat(TestData.dataText(e)).isEqualTo("<stuff></stuff>");
    }));
    EXPECTATIONS.put("text_data.json", Expectation.valid(e -> {
      hasFullContext(e, "text/plain", null, TIME);
      assertThat(TestData.dataText(e)).isEqualTo("Hello World Lorena!");
    }));
    EXPECTATIONS.put("xml_data.json", Expectation.valid(e -> {
      hasFullContext(e, "application/xml", null, TIME);
      assertThat(TestData.dataText(e)).isEqualTo("<stuff></stuff>");
    }));
    EXPECTATIONS.put("binary_attr.json", Expectation.valid(e -> {
      hasMinimalRequired(e);
      assertThat(e.getExtension("binary")).isEqualTo("4P8ARKo=");
      assertThat(Base64.getDecoder().decode((String) e.getExtension("binary")))
          .containsExactly(0xE0, 0xFF, 0x00, 0x44, 0xAA);
    }));
    EXPECTATIONS.put("numeric_ext.json", Expectation.valid(e -> {
      hasMinimalRequired(e);
      assertThat(e.getExtension("integer")).isEqualTo(42);
      assertThat(e.getExtension("decimal")).isEqualTo("42.42");
      assertThat(e.getExtension("float")).isEqualTo("4.2");
      assertThat(e.getExtension("long")).isEqualTo("4200");
    }));
    EXPECTATIONS.put("fail_numeric_decimal.json", Expectation.refused());
    EXPECTATIONS.put("fail_numeric_long.json", Expectation.refused());
    EXPECTATIONS.put("json_data_with_ext_upper_case.json", Expectation.refused());
    EXPECTATIONS.put("json_data_with_ext_invalid.json", Expectation.refused());
  }

  static List<String> files() {
    return TestData.filesUnder(DIR).stream().map(f -> f.substring(DIR.length())).toList();
  }

  static List<String> validFiles() {
    return files().stream().filter(f -> EXPECTATIONS.containsKey(f) && EXPECTATIONS.get(f).valid()).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  @DisplayName("each file decodes in structured mode to its expected event, or is refused as malformed")
  void eachFileHasItsExpectedOutcome(String file) {
    Expectation expectation = EXPECTATIONS.get(file);
    if (expectation == null) {
      fail("No expectation for " + DIR + file + ": add one to SdkJavaJsonFilesTest.EXPECTATIONS");
    }
    byte[] body = TestData.bytes(DIR + file);
    if (expectation.valid()) {
      expectation.check().accept(TestData.decodeStructured(body));
    } else {
      assertThatThrownBy(() -> TestData.decodeStructured(body))
          .isExactlyInstanceOf(MalformedEventException.class)
          .satisfies(e -> assertThat(((MalformedEventException) e).violations()).isNotEmpty());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  @DisplayName("each valid file re-encoded in structured mode decodes to the same attributes, types and data bytes")
  void eachValidFileRoundTripsInStructuredMode(String file) {
    CloudEvent event = TestData.decodeStructured(TestData.bytes(DIR + file));
    WireMessage message = EnvelopeCodec.of(HeaderConvention.KAFKA).encode(event, Mode.STRUCTURED);
    CloudEvent again = EnvelopeCodec.of(HeaderConvention.KAFKA).decode(message);
    assertThat(TestData.canonicalAttributes(again)).isEqualTo(TestData.canonicalAttributes(event));
    for (String name : event.getExtensionNames()) {
      assertThat(again.getExtension(name)).as(name).isEqualTo(event.getExtension(name));
    }
    assertThat(again.getData() == null ? null : again.getData().toBytes())
        .isEqualTo(event.getData() == null ? null : event.getData().toBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validFiles")
  @DisplayName("each valid file re-encoded in binary mode keeps every attribute (as canonical strings) and the data")
  void eachValidFileRoundTripsInBinaryModeWithExtensionsAsCanonicalStrings(String file) {
    CloudEvent event = TestData.decodeStructured(TestData.bytes(DIR + file));
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
    CloudEvent again = codec.decode(codec.encode(event, Mode.BINARY));
    assertThat(TestData.canonicalAttributes(again)).isEqualTo(TestData.canonicalAttributes(event));
    assertThat(again.getData() == null ? null : again.getData().toBytes())
        .isEqualTo(event.getData() == null ? null : event.getData().toBytes());
  }

  @Test
  void aNullSubjectIsTheSameAsNoSubject() {
    assertThat(TestData.decodeStructured(TestData.bytes(DIR + "min_subject_null.json")))
        .isEqualTo(TestData.decodeStructured(TestData.bytes(DIR + "min.json")));
  }

  @Test
  void base64JsonDataIsTheSameEventAsJsonData() {
    CloudEvent base64 = TestData.decodeStructured(TestData.bytes(DIR + "base64_json_data_with_ext.json"));
    CloudEvent json = TestData.decodeStructured(TestData.bytes(DIR + "json_data_with_ext.json"));
    assertThat(TestData.canonicalAttributes(base64)).isEqualTo(TestData.canonicalAttributes(json));
    assertThat(base64.getData().toBytes()).isEqualTo(json.getData().toBytes());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("textDataFiles")
  void textOfANonJsonContentTypeIsWrittenBackAsADataStringNotAsDataBase64(String file) throws IOException {
    CloudEvent event = TestData.decodeStructured(TestData.bytes(DIR + file));
    byte[] body = EnvelopeCodec.of(HeaderConvention.KAFKA).encode(event, Mode.STRUCTURED).body();
    JsonNode written = JSON.readTree(body);
    JsonNode original = JSON.readTree(TestData.bytes(DIR + file));
    assertThat(written.has("data_base64")).isFalse();
    assertThat(written.get("data")).isEqualTo(original.get("data"));
  }

  static List<String> textDataFiles() {
    return List.of("text_data.json", "xml_data.json");
  }

  @Test
  void dataBase64IsWrittenBackAsDataBase64() throws IOException {
    CloudEvent event = TestData.decodeStructured(TestData.bytes(DIR + "base64_xml_data.json"));
    JsonNode written = JSON.readTree(EnvelopeCodec.of(HeaderConvention.KAFKA).encode(event, Mode.STRUCTURED).body());
    assertThat(written.get("data_base64").asText()).isEqualTo("PHN0dWZmPjwvc3R1ZmY+");
    assertThat(written.has("data")).isFalse();
  }

  @Test
  void upperCaseExtensionNamesAreEachNamedInTheRefusal() {
    assertThatThrownBy(() -> TestData.decodeStructured(TestData.bytes(DIR + "json_data_with_ext_upper_case.json")))
        .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
            .anySatisfy(v -> assertThat(v).contains("aString"))
            .anySatisfy(v -> assertThat(v).contains("aBoolean"))
            .anySatisfy(v -> assertThat(v).contains("aNumber")));
  }

  private static void isMinimal(CloudEvent e) {
    hasMinimalRequired(e);
    assertThat(e.getSubject()).isNull();
    assertThat(e.getTime()).isNull();
    assertThat(e.getDataSchema()).isNull();
    assertThat(e.getDataContentType()).isNull();
    assertThat(e.getData()).isNull();
    assertThat(e.getExtensionNames()).isEmpty();
  }

  private static void hasMinimalRequired(CloudEvent e) {
    assertThat(e.getSpecVersion().toString()).isEqualTo("1.0");
    assertThat(e.getId()).isEqualTo(ID);
    assertThat(e.getType()).isEqualTo(TYPE);
    assertThat(e.getSource()).isEqualTo(SOURCE);
  }

  private static void hasFullContext(CloudEvent e, String contentType, URI dataSchema, OffsetDateTime time) {
    hasMinimalRequired(e);
    assertThat(e.getDataContentType()).isEqualTo(contentType);
    assertThat(e.getDataSchema()).isEqualTo(dataSchema);
    assertThat(e.getSubject()).isEqualTo(SUBJECT);
    assertThat(e.getTime()).isEqualTo(time);
  }

  private static void hasTypedExtensions(CloudEvent e) {
    assertThat(e.getExtensionNames()).containsExactlyInAnyOrder("astring", "aboolean", "anumber");
    assertThat(e.getExtension("astring")).isEqualTo("aaa");
    assertThat(e.getExtension("aboolean")).isEqualTo(Boolean.TRUE);
    assertThat(e.getExtension("anumber")).isEqualTo(10);
  }

  private static void hasJsonData(CloudEvent e, String json) {
    try {
      assertThat(JSON.readTree(e.getData().toBytes())).isEqualTo(JSON.readTree(json));
    } catch (IOException ex) {
      throw new AssertionError("data is not JSON: " + new String(e.getData().toBytes(), StandardCharsets.UTF_8), ex);
    }
  }
}
