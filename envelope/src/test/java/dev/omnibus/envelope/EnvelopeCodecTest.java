package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Encoding and decoding through {@link EnvelopeCodec}: mode detection, keys, data, attribute types. */
class EnvelopeCodecTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final EnvelopeCodec KAFKA = EnvelopeCodec.of(HeaderConvention.KAFKA);
  private static final byte[] BODY = "{\"orderId\":\"o-1\"}".getBytes(StandardCharsets.UTF_8);

  private static final OffsetDateTime TIME = OffsetDateTime.parse("2018-04-05T17:31:00.123+02:00");
  private static final byte[] BINARY = {(byte) 0xE0, (byte) 0xFF, 0x00, 0x44, (byte) 0xAA};

  /** An event with one extension of every CloudEvents type, and every optional attribute. */
  private static CloudEvent everyKind() {
    return Events.minimal()
        .withSubject("o-1")
        .withTime(TIME)
        .withDataSchema(URI.create("https://example.com/schemas/order.json"))
        .withDataContentType("application/json")
        .withExtension("astring", "é ✓ 🌎")
        .withExtension("aninteger", -2147483648)
        .withExtension("aboolean", false)
        .withExtension("auri", URI.create("https://example.com/a?b=c"))
        .withExtension("aurireference", URI.create("../relative#frag"))
        .withExtension("atimestamp", TIME)
        .withExtension("abinary", BINARY)
        .withData(BODY)
        .build();
  }

  @Nested
  class ModeDetection {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application/cloudevents+json", "Application/CloudEvents+JSON; charset=utf-8",
        "APPLICATION/CLOUDEVENTS+JSON", "application/cloudevents+json;charset=UTF-8",
        "application/cloudevents+json ; charset=UTF-8", "application/cloudevents+json\t"})
    void aCloudEventsJsonContentTypeInAnyCasingIsStructured(String contentType) {
      byte[] body = KAFKA.encode(everyKind(), Mode.STRUCTURED).body();
      CloudEvent event = KAFKA.decode(new WireMessage(Map.of(), contentType, body, null));
      assertThat(event.getId()).isEqualTo("A234-1234-1234");
      assertThat(EnvelopeCodec.isStructured(contentType)).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application/json", "text/plain", "application/xml; charset=utf-8"})
    void anyOtherContentTypeIsBinary(String contentType) {
      assertThat(EnvelopeCodec.isStructured(contentType)).isFalse();
      WireMessage binary = KAFKA.encode(Events.minimal().withDataContentType(contentType).withData(BODY).build(),
          Mode.BINARY);
      assertThat(KAFKA.decode(binary).getDataContentType()).isEqualTo(contentType);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"application/cloudevents+jsonx", "application/cloudevents+jso",
        "application/cloudevents+json-seq; charset=UTF-8"})
    void aStructuredTypeThatOnlyStartsLikeTheJsonFormatIsRefusedWithoutBinaryHeaders(String contentType) {
      byte[] body = KAFKA.encode(everyKind(), Mode.STRUCTURED).body();
      assertThatThrownBy(() -> KAFKA.decode(new WireMessage(Map.of(), contentType, body, null)))
          .isInstanceOf(MalformedEventException.class)
          .hasMessageContaining("only application/cloudevents+json is understood");
    }

    @Test
    void noContentTypeIsBinary() {
      assertThat(EnvelopeCodec.isStructured(null)).isFalse();
      WireMessage binary = KAFKA.encode(Events.minimal().withData(BODY).build(), Mode.BINARY);
      assertThat(binary.contentType()).isNull();
      assertThat(KAFKA.decode(binary).getData().toBytes()).isEqualTo(BODY);
    }

    @Test
    void anUnknownEventFormatWithBinaryHeadersIsReadAsBinaryWithThatContentType() {
      WireMessage binary = KAFKA.encode(Events.minimal().withData(BODY).build(), Mode.BINARY);
      CloudEvent event = KAFKA.decode(new WireMessage(binary.headers(), "application/cloudevents+avro", BODY, null));
      assertThat(event.getDataContentType()).isEqualTo("application/cloudevents+avro");
    }

    @Test
    void structuredModeWritesTheJsonFormatsMediaTypeAndNoHeaders() {
      WireMessage message = KAFKA.encode(everyKind(), Mode.STRUCTURED);
      assertThat(message.contentType()).isEqualTo("application/cloudevents+json; charset=UTF-8");
      assertThat(message.headers()).isEmpty();
    }
  }

  @Nested
  class Keys {
    @ParameterizedTest
    @EnumSource(Mode.class)
    void theKeyIsThePartitionkeyExtensionWhenPresent(Mode mode) {
      CloudEvent event = Events.minimal().withSubject("o-1").withExtension("partitionkey", "customer-7").build();
      WireMessage message = KAFKA.encode(event, mode);
      assertThat(message.key()).isEqualTo("customer-7");
      assertThat(KAFKA.decode(message).getExtension("partitionkey")).as("still transmitted").isEqualTo("customer-7");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void theKeyIsTheSubjectWithoutPartitionkey(Mode mode) {
      assertThat(KAFKA.encode(Events.minimal().withSubject("o-1").build(), mode).key()).isEqualTo("o-1");
    }

    @ParameterizedTest
    @EnumSource(Mode.class)
    void thereIsNoKeyWithoutPartitionkeyOrSubject(Mode mode) {
      assertThat(KAFKA.encode(Events.minimal().build(), mode).key()).isNull();
    }

    @Test
    void aReceivedKeyIsNotAddedAsAnAttribute() {
      WireMessage sent = KAFKA.encode(Events.minimal().withData(BODY).build(), Mode.BINARY);
      CloudEvent event = KAFKA.decode(new WireMessage(sent.headers(), null, BODY, "some-key"));
      assertThat(event.getExtensionNames()).isEmpty();
    }
  }

  @Nested
  class Data {
    @Test
    void anEventWithoutDataHasANullBodyInBinaryMode() {
      WireMessage message = KAFKA.encode(Events.minimal().build(), Mode.BINARY);
      assertThat(message.body()).isNull();
      assertThat(KAFKA.decode(message).getData()).isNull();
    }

    @Test
    void anEventWithoutDataHasNoDataMemberInStructuredMode() throws IOException {
      WireMessage message = KAFKA.encode(Events.minimal().build(), Mode.STRUCTURED);
      JsonNode json = JSON.readTree(message.body());
      assertThat(json.has("data")).isFalse();
      assertThat(json.has("data_base64")).isFalse();
      assertThat(KAFKA.decode(message).getData()).isNull();
    }

    @Test
    void jsonBytesOfAJsonContentTypeAreWrittenAsAJsonValueNotAString() throws IOException {
      CloudEvent event = Events.minimal().withDataContentType("application/json").withData(BODY).build();
      JsonNode json = JSON.readTree(KAFKA.encode(event, Mode.STRUCTURED).body());
      assertThat(json.get("data")).isEqualTo(JSON.readTree(BODY));
    }

    @Test
    void bytesThatAreNotJsonDespiteAJsonContentTypeAreWrittenAsDataBase64NotAsBrokenJson() throws IOException {
      byte[] notJson = "{not json".getBytes(StandardCharsets.UTF_8);
      CloudEvent event = Events.minimal().withDataContentType("application/json").withData(notJson).build();
      WireMessage message = KAFKA.encode(event, Mode.STRUCTURED);
      assertThat(JSON.readTree(message.body()).has("data_base64")).isTrue();
      assertThat(KAFKA.decode(message).getData().toBytes()).isEqualTo(notJson);
    }

    @Test
    void producedJsonIsWrittenAsTheDataMemberWithoutCheckingIt() {
      // Text that is not JSON shows that nothing re-parsed it: the same bytes as plain data go to data_base64 (above).
      byte[] unchecked = "{not json".getBytes(StandardCharsets.UTF_8);
      CloudEvent event = Events.minimal()
          .withData("application/json", EnvelopeCodec.producedJson(unchecked)).build();
      String body = new String(KAFKA.encode(event, Mode.STRUCTURED).body(), StandardCharsets.UTF_8);
      assertThat(body).endsWith(",\"data\":{not json}").doesNotContain("data_base64");
    }

    @Test
    void producedJsonRoundTripsByteForByteInBothModes() {
      CloudEvent event = Events.minimal().withData("application/json", EnvelopeCodec.producedJson(BODY)).build();
      for (Mode mode : Mode.values()) {
        WireMessage message = KAFKA.encode(event, mode);
        assertThat(KAFKA.decode(message).getData().toBytes()).as(mode.name()).isEqualTo(BODY);
      }
      assertThat(KAFKA.encode(event, Mode.BINARY).body()).isSameAs(BODY);
    }

    @Test
    void bytesWithoutAContentTypeAreWrittenAsDataBase64WithoutDatacontenttype() throws IOException {
      CloudEvent event = Events.minimal().withData(BINARY).build();
      JsonNode json = JSON.readTree(KAFKA.encode(event, Mode.STRUCTURED).body());
      assertThat(json.get("data_base64").asText()).isEqualTo("4P8ARKo=");
      assertThat(json.has("datacontenttype")).isFalse();
    }

    @Test
    void aJsonValueIsKeptByteForByteFromStructuredToBinaryMode() {
      byte[] body = ("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\","
          + "\"datacontenttype\":\"application/json\",\"data\": {\"amount\": 1.10, \"big\": 12345678901234567890}}")
          .getBytes(StandardCharsets.UTF_8);
      CloudEvent event = TestData.decodeStructured(body);
      assertThat(KAFKA.encode(event, Mode.BINARY).body())
          .asString(StandardCharsets.UTF_8).isEqualTo("{\"amount\": 1.10, \"big\": 12345678901234567890}");
    }
  }

  @Nested
  class AttributeKinds {
    @Test
    void everyAttributeKindRoundTripsInBinaryModeWithExtensionsComingBackAsCanonicalStrings() {
      CloudEvent sent = everyKind();
      CloudEvent received = KAFKA.decode(KAFKA.encode(sent, Mode.BINARY));

      assertThat(TestData.canonicalAttributes(received)).isEqualTo(TestData.canonicalAttributes(sent));
      assertThat(received.getTime()).isEqualTo(TIME);
      assertThat(received.getDataSchema()).isEqualTo(sent.getDataSchema());
      assertThat(received.getExtension("aninteger")).isEqualTo("-2147483648");
      assertThat(received.getExtension("aboolean")).isEqualTo("false");
      assertThat(received.getExtension("auri")).isEqualTo("https://example.com/a?b=c");
      assertThat(received.getExtension("aurireference")).isEqualTo("../relative#frag");
      assertThat(received.getExtension("atimestamp")).isEqualTo("2018-04-05T17:31:00.123+02:00");
      assertThat(received.getExtension("abinary")).isEqualTo("4P8ARKo=");
      assertThat(received.getExtension("astring")).isEqualTo("é ✓ 🌎");
      assertThat(received.getData().toBytes()).isEqualTo(BODY);
    }

    @Test
    void everyAttributeKindRoundTripsInStructuredModeWithIntegerAndBooleanKeepingTheirJsonType() {
      CloudEvent sent = everyKind();
      CloudEvent received = KAFKA.decode(KAFKA.encode(sent, Mode.STRUCTURED));

      assertThat(TestData.canonicalAttributes(received)).isEqualTo(TestData.canonicalAttributes(sent));
      assertThat(received.getExtension("aninteger")).isEqualTo(Integer.MIN_VALUE);
      assertThat(received.getExtension("aboolean")).isEqualTo(false);
      // JSON has no URI, Timestamp or Binary type: they travel, and come back, as their canonical strings
      assertThat(received.getExtension("abinary")).isEqualTo("4P8ARKo=");
      assertThat(received.getData().toBytes()).isEqualTo(BODY);
    }

    /**
     * A structured encode writes the common shape before it validates, and validates its printable texts without
     * looking at their characters again: an event invalid in any other way, or with a character that is not
     * printable, is still refused with its reason and nothing is written.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"subject with DEL", "subject with a line feed", "long extension", "extension name",
        "empty id"})
    void aStructuredEncodeRefusesAnInvalidEventWhateverItsShape(String kind) {
      CloudEvent event = switch (kind) {
        case "subject with DEL" -> Events.minimal().withSubject("o\u007F1").build();
        case "subject with a line feed" -> Events.minimal().withSubject("o\n1").build();
        case "long extension" -> Events.minimal().withExtension("big", 1L << 40).build();
        case "extension name" -> new io.cloudevents.core.v1.CloudEventV1("1", URI.create("/s"), "t", null, null,
            null, null, null, Map.of("Not-Valid", "x"));
        default -> new io.cloudevents.core.v1.CloudEventV1("", URI.create("/s"), "t", null, null, null, null,
            null, Map.of());
      };
      String reason = switch (kind) {
        case "subject with DEL" -> "subject contains the control character U+007F";
        case "subject with a line feed" -> "subject contains the control character U+000A";
        case "long extension" -> "extension 'big' must be a 32-bit Integer";
        case "extension name" -> "extension name 'Not-Valid' must consist of a-z and 0-9 only";
        default -> "id is required and must be non-empty";
      };

      assertThatThrownBy(() -> KAFKA.encode(event, Mode.STRUCTURED)).isInstanceOf(MalformedEventException.class)
          .hasMessageContaining(reason);
    }

    @Test
    void timeIsWrittenAsRfc3339WithSecondsEvenWhenZero() {
      CloudEvent event = Events.minimal().withTime(OffsetDateTime.parse("2018-04-05T17:31:00Z")).build();
      assertThat(KAFKA.encode(event, Mode.BINARY).headers()).containsEntry("ce_time", "2018-04-05T17:31:00Z");
    }
  }

  @Nested
  class DataContentType {
    @Test
    void aDuplicatedDatacontenttypeHeaderIsToleratedAndTheContentTypeWins() {
      Map<String, String> headers = new HashMap<>(KAFKA.encode(Events.minimal().build(), Mode.BINARY).headers());
      headers.put("ce_datacontenttype", "text/plain");
      CloudEvent event = KAFKA.decode(new WireMessage(headers, "application/json", BODY, null));
      assertThat(event.getDataContentType()).isEqualTo("application/json");
      assertThat(event.getExtensionNames()).isEmpty();
    }

    @Test
    void aDatacontenttypeHeaderAloneIsUsed() {
      Map<String, String> headers = new HashMap<>(KAFKA.encode(Events.minimal().build(), Mode.BINARY).headers());
      headers.put("ce_datacontenttype", "text/plain");
      assertThat(KAFKA.decode(new WireMessage(headers, null, BODY, null)).getDataContentType())
          .isEqualTo("text/plain");
    }

    @Test
    void binaryModeNeverWritesDatacontenttypeAsAHeader() {
      CloudEvent event = Events.minimal().withDataContentType("application/json").withData(BODY).build();
      assertThat(KAFKA.encode(event, Mode.BINARY).headers()).doesNotContainKey("ce_datacontenttype");
    }
  }
}
