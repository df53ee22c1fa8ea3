package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One limit on attribute names in both modes ({@link CloudEventValidator#MAX_ATTRIBUTE_NAME_LENGTH}): a name that
 * structured mode refuses is refused in binary mode too, when decoding and when encoding.
 */
class AttributeNameLimitTest {

  private static final int LIMIT = CloudEventValidator.MAX_ATTRIBUTE_NAME_LENGTH;
  private static final String TOO_LONG = "a".repeat(100_000);
  private static final String LONGEST = "a".repeat(LIMIT);

  private static Map<String, String> kafkaHeaders(String extension) {
    Map<String, String> headers = new HashMap<>();
    headers.put("ce_specversion", "1.0");
    headers.put("ce_id", "1");
    headers.put("ce_source", "/s");
    headers.put("ce_type", "t");
    headers.put("ce_" + extension, "v");
    return headers;
  }

  private static WireMessage structured(String extension) {
    String json = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"" + extension + "\":\"v\"}";
    return new WireMessage(Map.of(), "application/cloudevents+json", json.getBytes(StandardCharsets.UTF_8), null);
  }

  private static CloudEvent event(String extension) {
    return CloudEventBuilder.v1().withId("1").withSource(URI.create("/s")).withType("t")
        .withExtension(extension, "v").build();
  }

  @Test
  void structuredModeRefusesANameOverTheLimit() {
    assertThatThrownBy(() -> EnvelopeCodec.of(HeaderConvention.KAFKA).decode(structured(TOO_LONG)))
        .isInstanceOf(MalformedEventException.class);
  }

  @Test
  void binaryModeRefusesANameOverTheLimitWithoutEchoingIt() {
    assertThatThrownBy(() -> EnvelopeCodec.of(HeaderConvention.KAFKA).decode(
        new WireMessage(kafkaHeaders(TOO_LONG), null, null, null)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("100000 characters is longer than the " + LIMIT + " allowed")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(1_000));
  }

  @Test
  void anUnprefixedMqttPropertyOfAnAttributeShapeOverTheLimitIsRefusedNotIgnored() {
    Map<String, String> properties = new HashMap<>(
        Map.of("specversion", "1.0", "id", "1", "source", "/s", "type", "t", TOO_LONG, "v"));
    assertThatThrownBy(() -> EnvelopeCodec.of(HeaderConvention.MQTT).decode(
        new WireMessage(properties, null, null, null)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("longer than the " + LIMIT + " allowed");
  }

  @Test
  void bothModesAcceptANameAtTheLimit() {
    CloudEvent binary = EnvelopeCodec.of(HeaderConvention.KAFKA).decode(
        new WireMessage(kafkaHeaders(LONGEST), null, null, null));
    CloudEvent fromJson = EnvelopeCodec.of(HeaderConvention.KAFKA).decode(structured(LONGEST));
    assertThat(binary.getExtension(LONGEST)).isEqualTo("v");
    assertThat(fromJson.getExtension(LONGEST)).isEqualTo("v");
  }

  @Test
  void encodingRefusesANameOverTheLimitInBothModes() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
    assertThatThrownBy(() -> codec.encode(event(TOO_LONG), Mode.BINARY))
        .isInstanceOf(MalformedEventException.class).hasMessageContaining("longer than the " + LIMIT + " allowed");
    assertThatThrownBy(() -> codec.encode(event(TOO_LONG), Mode.STRUCTURED))
        .isInstanceOf(MalformedEventException.class).hasMessageContaining("longer than the " + LIMIT + " allowed");
  }

  @Test
  void encodingAcceptsANameAtTheLimitInBothModes() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
    assertThat(codec.decode(codec.encode(event(LONGEST), Mode.BINARY)).getExtension(LONGEST)).isEqualTo("v");
    assertThat(codec.decode(codec.encode(event(LONGEST), Mode.STRUCTURED)).getExtension(LONGEST)).isEqualTo("v");
  }

  @Test
  void aContentTypeWithACommaIsNotAMediaType() {
    assertThat(CloudEventValidator.isMediaType("application/json, charset=utf-8")).isFalse();
    assertThat(CloudEventValidator.isMediaType("text/plain garbage")).isFalse();
    assertThat(CloudEventValidator.isMediaType("text/plain; x=\uFFFE")).isFalse();
    assertThat(CloudEventValidator.isMediaType("text/plain; charset=utf-8")).isTrue();
  }
}
