package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link EnvelopeCodec#decodeInProcess}: the headers its own encode wrote are read without validating them again, and
 * give the event {@link EnvelopeCodec#decode} gives; every other message is validated in full, as decode does.
 */
class InProcessDecodeTest {

  static List<HeaderConvention> conventions() {
    return List.of(HeaderConvention.KAFKA, HeaderConvention.AMQP, HeaderConvention.MQTT, HeaderConvention.MEMORY);
  }

  /** Every attribute binary mode writes, extensions of each kind the SDK holds. */
  private static CloudEvent everyAttribute() {
    return Events.minimal()
        .withSubject("ord-1")
        .withTime(OffsetDateTime.parse("2026-11-30T12:00:00.123456789+01:00"))
        .withDataSchema(URI.create("https://example.com/schemas/order.json"))
        .withDataContentType("application/json; charset=utf-8")
        .withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .withExtension("partitionkey", "ord-1")
        .withExtension("count", 7)
        .withExtension("flag", true)
        .withExtension("ref", URI.create("urn:example:1"))
        .withExtension("bytes", new byte[] {1, 2, 3})
        .withData("{\"total\":7197}".getBytes(StandardCharsets.UTF_8))
        .build();
  }

  @ParameterizedTest
  @MethodSource("conventions")
  void anEventItsEncodeWroteDecodesToWhatDecodeGives(HeaderConvention convention) {
    EnvelopeCodec codec = EnvelopeCodec.of(convention);
    for (CloudEvent event : List.of(everyAttribute(), Events.minimal().build(),
        Events.minimal().withData("application/json", new byte[] {'{', '}'}).build(),
        Events.minimal().withData(EnvelopeCodec.producedJson(new byte[] {'1'})).build())) {
      WireMessage message = codec.encode(event, Mode.BINARY);

      assertThat(codec.decodeInProcess(message)).isEqualTo(codec.decode(message));
    }
  }

  @ParameterizedTest
  @MethodSource("conventions")
  void theHeadersItsEncodeWroteAreReadWithoutTheFullDecode(HeaderConvention convention) {
    EnvelopeCodec codec = EnvelopeCodec.of(convention);
    WireMessage message = codec.encode(everyAttribute(), Mode.BINARY);

    assertThat(message.headers()).isInstanceOfSatisfying(WireHeaders.class,
        headers -> assertThat(headers.encodedBy).isSameAs(convention));
    assertThat(codec.readEncoded((WireHeaders) message.headers(), message.contentType(), message.body()))
        .isEqualTo(codec.decode(message));
  }

  @ParameterizedTest
  @MethodSource("conventions")
  void theEncodedEventsOwnAttributesAreHandedOverInsteadOfTheirText(HeaderConvention convention) {
    EnvelopeCodec codec = EnvelopeCodec.of(convention);
    CloudEvent event = everyAttribute();
    WireMessage message = codec.encode(event, Mode.BINARY);

    CloudEvent decoded = codec.decodeInProcess(message);

    assertThat(decoded.getSource()).isSameAs(event.getSource());
    assertThat(decoded.getDataSchema()).isSameAs(event.getDataSchema());
    assertThat(decoded.getTime()).isSameAs(event.getTime());
    assertThat(decoded).isEqualTo(codec.decode(message));
  }

  @ParameterizedTest
  @MethodSource("conventions")
  void anExtensionNamedAsAContextAttributeIsReadBackAsDecodeReadsIt(HeaderConvention convention) {
    EnvelopeCodec codec = EnvelopeCodec.of(convention);
    // Allowed by the SDK; binary mode writes it under the attribute's header, so a receiver reads the attribute.
    CloudEvent event = Events.minimal().withExtension("subject", "from-an-extension").build();
    WireMessage message = codec.encode(event, Mode.BINARY);

    CloudEvent decoded = codec.decodeInProcess(message);

    assertThat(decoded).isEqualTo(codec.decode(message));
    assertThat(decoded.getSubject()).isEqualTo("from-an-extension");
  }

  @ParameterizedTest
  @MethodSource("conventions")
  void extensionsReadInTheOrderAndWithTheLookupsDecodeGives(HeaderConvention convention) {
    EnvelopeCodec codec = EnvelopeCodec.of(convention);
    for (CloudEvent event : List.of(Events.minimal().build(),
        Events.minimal().withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").build(),
        everyAttribute())) {
      WireMessage message = codec.encode(event, Mode.BINARY);
      CloudEvent decoded = codec.decodeInProcess(message);
      CloudEvent expected = codec.decode(message);

      assertThat(List.copyOf(decoded.getExtensionNames())).isEqualTo(List.copyOf(expected.getExtensionNames()));
      assertThat(decoded.getExtension("absent")).isNull();
      assertThat(decoded.getExtension(null)).isNull();
      assertThat(decoded).isEqualTo(expected).hasSameHashCodeAs(expected).hasToString(expected.toString());
    }
  }

  @Test
  void oneExtensionIsHeldWithoutAHashTable() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);
    WireMessage message = codec.encode(Events.minimal().withExtension("traceparent", "00-1-2-01").build(), Mode.BINARY);

    // Every reader of a received event walks its extension names; a table's walk scans its buckets.
    assertThat(codec.decodeInProcess(message).getExtensionNames()).containsExactly("traceparent")
        .isNotInstanceOf(new HashMap<String, Object>().keySet().getClass());
  }

  @Test
  void aTimeWhoseTextIsNotRfc3339IsRefusedAsDecodeRefusesIt() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);
    // An offset with seconds, which RFC 3339 has not: its text is written, but no receiver reads it back.
    CloudEvent event = Events.minimal()
        .withTime(OffsetDateTime.of(2026, 11, 30, 12, 0, 0, 0, java.time.ZoneOffset.ofHoursMinutesSeconds(1, 0, 30)))
        .build();
    WireMessage message = codec.encode(event, Mode.BINARY);

    assertThat(violations(() -> codec.decodeInProcess(message))).isEqualTo(violations(() -> codec.decode(message)))
        .anySatisfy(violation -> assertThat(violation).contains("RFC 3339"));
  }

  @Test
  void headersAnyoneElseBuildsAreNotMarkedAsEncoded() {
    WireHeaders.Builder headers = WireHeaders.builder(1);
    headers.add("specversion", "1.0");

    assertThat(headers.build().encodedBy).isNull();
    assertThat(WireHeaders.copyOf(Map.of("specversion", "1.0")).encodedBy).isNull();
  }

  @Test
  void aStructuredMessageDecodesAsDecodeDoes() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);
    WireMessage message = codec.encode(everyAttribute(), Mode.STRUCTURED);

    assertThat(codec.decodeInProcess(message)).isEqualTo(codec.decode(message));
  }

  @Test
  void headersBuiltElsewhereAreValidatedInFull() {
    // Well-formed headers, as a foreign producer or a test would inject them, with what only validation refuses: an id
    // with a control character and an extension name with capitals.
    WireHeaders.Builder headers = WireHeaders.builder(5);
    headers.add("specversion", "1.0");
    headers.add("id", "bad\u0007id");
    headers.add("source", "/s");
    headers.add("type", "t");
    headers.add("BadName", "x");
    WireMessage raw = new WireMessage(headers.build(), "application/json", new byte[] {'{', '}'}, null);
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);
    List<String> expected = violations(() -> codec.decode(raw));

    assertThat(expected).hasSizeGreaterThanOrEqualTo(2);
    assertThat(violations(() -> codec.decodeInProcess(raw))).isEqualTo(expected);
  }

  @Test
  void encodedHeadersCopiedIntoAnotherMapAreValidatedInFull() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);
    WireMessage encoded = codec.encode(everyAttribute(), Mode.BINARY);
    Map<String, String> copied = new HashMap<>(encoded.headers());
    copied.put("id", "bad\u0007id");
    WireMessage edited = new WireMessage(copied, encoded.contentType(), encoded.body(), encoded.key());

    assertThat(violations(() -> codec.decodeInProcess(edited))).isEqualTo(violations(() -> codec.decode(edited)))
        .isNotEmpty();
  }

  @Test
  void encodedHeadersUnderAnotherContentTypeHaveItValidated() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);
    WireMessage encoded = codec.encode(everyAttribute(), Mode.BINARY);
    WireMessage retyped = new WireMessage(encoded.headers(), "not a media type", encoded.body(), encoded.key());

    assertThat(violations(() -> codec.decodeInProcess(retyped))).isEqualTo(violations(() -> codec.decode(retyped)))
        .anySatisfy(violation -> assertThat(violation).contains("datacontenttype"));
  }

  @Test
  void encodedHeadersUnderAStructuredContentTypeAreReadAsDecodeReadsThem() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);
    WireMessage encoded = codec.encode(everyAttribute(), Mode.BINARY);
    WireMessage structured = new WireMessage(encoded.headers(), EnvelopeCodec.STRUCTURED_CONTENT_TYPE,
        "{}".getBytes(StandardCharsets.UTF_8), null);

    assertThat(violations(() -> codec.decodeInProcess(structured)))
        .isEqualTo(violations(() -> codec.decode(structured))).isNotEmpty();
  }

  @Test
  void headersAnotherConventionEncodedAreDecodedAsThisConventionReadsThem() {
    WireMessage kafka = EnvelopeCodec.of(HeaderConvention.KAFKA).encode(everyAttribute(), Mode.BINARY);
    EnvelopeCodec memory = EnvelopeCodec.of(HeaderConvention.MEMORY);

    // The memory convention has no prefix: it reads Kafka's ce_ headers as extensions and finds no specversion.
    assertThatThrownBy(() -> memory.decodeInProcess(kafka)).isInstanceOf(MalformedEventException.class);
    assertThat(violations(() -> memory.decodeInProcess(kafka))).isEqualTo(violations(() -> memory.decode(kafka)));
  }

  private static List<String> violations(Runnable decoding) {
    try {
      decoding.run();
      throw new AssertionError("expected a malformed message");
    } catch (MalformedEventException e) {
      return e.violations();
    }
  }
}
