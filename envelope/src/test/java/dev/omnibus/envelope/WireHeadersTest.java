package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The compact header map bindings build for received messages, and how the codec and WireMessage treat it. */
class WireHeadersTest {

  @Test
  void aNameGivenTwiceKeepsItsFirstValue() {
    WireHeaders.Builder builder = WireHeaders.builder(2);
    assertThat(builder.add("ce_id", "first")).isTrue();
    assertThat(builder.add("ce_id", "second")).isFalse();
    WireHeaders headers = builder.build();

    assertThat(headers).hasSize(1).containsEntry("ce_id", "first");
  }

  @Test
  void namesOfOneLengthOrOfLengthsSixtyFourApartAreComparedNotConfused() {
    // The builder skips comparing a name with those of other lengths (a bit per length, modulo 64): names sharing a
    // bit must still be told apart, and a repeat found, whichever way it was added.
    String longName = "x".repeat(64) + "ce_id"; // 69 characters: the bit of "ce_id"'s 5
    WireHeaders.Builder builder = WireHeaders.builder(4);
    builder.addDistinct("ce_source", "/orders"); // encode's way, without a check of its own
    assertThat(builder.add("ce_source", "again")).isFalse();
    assertThat(builder.add("ce_time", "t")).isTrue();
    assertThat(builder.add("ce_type", "order.placed")).isTrue();
    assertThat(builder.add("ce_id", "1")).isTrue();
    assertThat(builder.add(longName, "long")).isTrue();
    assertThat(builder.add("ce_type", "again")).isFalse();
    assertThat(builder.add(longName, "again")).isFalse();
    assertThat(builder.add("ce_id", "again")).isFalse();

    assertThat(builder.build())
        .isEqualTo(Map.of("ce_source", "/orders", "ce_time", "t", "ce_type", "order.placed", "ce_id", "1", longName,
            "long"));
  }

  @Test
  void namesDifferingInCaseAreDifferentHeadersAsInAMap() {
    WireHeaders.Builder builder = WireHeaders.builder(2);
    builder.add("ce_id", "1");
    builder.add("CE_id", "2");

    assertThat(builder.build()).isEqualTo(Map.of("ce_id", "1", "CE_id", "2"));
  }

  @Test
  void headersKeepTheOrderTheyWereAddedIn() {
    WireHeaders.Builder builder = WireHeaders.builder(1); // grows past its first guess
    builder.add("b", "2");
    builder.add("a", "1");
    builder.add("c", "3");
    WireHeaders headers = builder.build();

    assertThat(headers.keySet()).containsExactly("b", "a", "c");
    assertThat(headers.name(1)).isEqualTo("a");
    assertThat(headers.value(2)).isEqualTo("3");
    assertThatThrownBy(() -> headers.name(3)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void equalsAndHashCodeAreThoseOfAMapWithTheSameEntries() {
    WireHeaders headers = WireHeaders.copyOf(Map.of("x", "1", "y", "2"));
    Map<String, String> plain = new HashMap<>(Map.of("y", "2", "x", "1"));

    assertThat(headers).isEqualTo(plain);
    assertThat(plain).isEqualTo(headers);
    assertThat(headers.hashCode()).isEqualTo(plain.hashCode());
    assertThat(headers.get("x")).isEqualTo("1");
    assertThat(headers.get("z")).isNull();
    assertThat(headers.containsKey("y")).isTrue();
  }

  @Test
  void nullNamesAndValuesAreRefusedAsByMapCopyOf() {
    WireHeaders.Builder builder = WireHeaders.builder(1);
    assertThatThrownBy(() -> builder.add(null, "v")).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> builder.add("n", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> WireHeaders.empty().get(null)).isInstanceOf(NullPointerException.class);
    Map<String, String> withNull = new HashMap<>();
    withNull.put("n", null);
    assertThatThrownBy(() -> WireHeaders.copyOf(withNull)).isInstanceOf(NullPointerException.class);
  }

  @Test
  void theyCannotBeModified() {
    WireHeaders headers = WireHeaders.copyOf(Map.of("x", "1"));

    assertThatThrownBy(() -> headers.put("y", "2")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> headers.remove("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> headers.entrySet().iterator().next().setValue("2"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(headers::clear).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void aBuilderMakesOneHeaderSet() {
    WireHeaders.Builder builder = WireHeaders.builder(1);
    builder.add("x", "1");
    WireHeaders built = builder.build();

    assertThatThrownBy(() -> builder.add("y", "2")).isInstanceOf(IllegalStateException.class);
    assertThat(built).containsOnlyKeys("x");
  }

  @Test
  void manyHeadersAreLookedUpAndDeduplicatedByIndex() {
    WireHeaders.Builder builder = WireHeaders.builder(4);
    Map<String, String> expected = new LinkedHashMap<>();
    for (int i = 0; i < 3 * WireHeaders.INDEXED_FROM; i++) {
      builder.add("h" + i, "v" + i);
      expected.put("h" + i, "v" + i);
    }
    for (int i = 0; i < 3 * WireHeaders.INDEXED_FROM; i++) {
      assertThat(builder.add("h" + i, "again")).as("h%d again", i).isFalse();
    }
    WireHeaders headers = builder.build();

    assertThat(headers).isEqualTo(expected);
    assertThat(headers.keySet()).containsExactlyElementsOf(expected.keySet());
    assertThat(headers.get("h40")).isEqualTo("v40");
    assertThat(headers.get("h" + 3 * WireHeaders.INDEXED_FROM)).isNull();
  }

  @Test
  void copyOfKeepsWireHeadersAndCopiesOtherMaps() {
    WireHeaders wire = WireHeaders.copyOf(Map.of("x", "1"));
    Map<String, String> mutable = new HashMap<>(Map.of("x", "1"));
    WireHeaders copy = WireHeaders.copyOf(mutable);
    mutable.put("y", "2");

    assertThat(WireHeaders.copyOf(wire)).isSameAs(wire);
    assertThat(copy).isEqualTo(Map.of("x", "1"));
    assertThat(WireHeaders.copyOf(Map.of())).isSameAs(WireHeaders.empty());
  }

  @Test
  void aWireMessageKeepsWireHeadersAndCopiesOtherMaps() {
    WireHeaders wire = WireHeaders.copyOf(Map.of("x", "1"));
    Map<String, String> mutable = new HashMap<>(Map.of("x", "1"));
    WireMessage kept = new WireMessage(wire, null, null, null);
    WireMessage copied = new WireMessage(mutable, null, null, null);
    mutable.put("y", "2");

    assertThat(kept.headers()).isSameAs(wire);
    assertThat(copied.headers()).isEqualTo(Map.of("x", "1"));
    assertThat(kept).isEqualTo(copied).hasSameHashCodeAs(copied);
  }

  @Test
  void binaryModeEncodesToWireHeadersThatDecodeToTheSameEvent() {
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);
    CloudEvent event = Events.minimal().withSubject("order-7").withTime(OffsetDateTime.parse("2026-11-30T10:00:00Z"))
        .withDataSchema(URI.create("https://example.com/order.json")).withExtension("traceparent", "00-abc-01")
        .withDataContentType("application/json").withData("{\"a\":1}".getBytes(StandardCharsets.UTF_8)).build();

    WireMessage message = codec.encode(event, Mode.BINARY);

    assertThat(message.headers()).isInstanceOf(WireHeaders.class);
    assertThat(codec.decode(message)).isEqualTo(codec.decode(new WireMessage(new HashMap<>(message.headers()),
        message.contentType(), message.body(), message.key())));
    assertThat(codec.decode(message)).isEqualTo(event);
  }

  @Test
  void anAttributeGivenTwiceInWireHeadersIsMalformedAsInAMap() {
    WireHeaders.Builder builder = WireHeaders.builder(6);
    builder.add("ce_specversion", "1.0");
    builder.add("ce_id", "1");
    builder.add("ce_source", "/s");
    builder.add("ce_type", "t");
    builder.add("ce_myext", "a");
    builder.add("CE_myext", "b");
    WireMessage message = new WireMessage(builder.build(), null, null, null);

    assertThatThrownBy(() -> EnvelopeCodec.of(HeaderConvention.KAFKA).decode(message))
        .isInstanceOfSatisfying(MalformedEventException.class,
            e -> assertThat(e.violations()).containsExactly("attribute 'myext' given twice"));
  }

  @Test
  void manyExtensionsDecodeAndAnyGivenTwiceIsFound() {
    Map<String, String> headers = new LinkedHashMap<>(Map.of("ce_specversion", "1.0", "ce_id", "1",
        "ce_source", "/s", "ce_type", "t"));
    for (int i = 0; i < 2 * WireHeaders.INDEXED_FROM; i++) {
      headers.put("ce_ext" + i, "v" + i);
    }
    EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.KAFKA);

    CloudEvent event = codec.decode(new WireMessage(headers, null, null, null));
    headers.put("CE_ext" + (2 * WireHeaders.INDEXED_FROM - 1), "again");

    assertThat(event.getExtensionNames()).hasSize(2 * WireHeaders.INDEXED_FROM);
    assertThat(event.getExtension("ext20")).isEqualTo("v20");
    assertThatThrownBy(() -> codec.decode(new WireMessage(headers, null, null, null)))
        .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
            .containsExactly("attribute 'ext" + (2 * WireHeaders.INDEXED_FROM - 1) + "' given twice"));
  }

  @Test
  void anExtensionNamedAsAContextAttributeIsRefusedOnEncodeAsBefore() {
    CloudEvent event = io.cloudevents.core.builder.CloudEventBuilder.v1(Events.minimal().build())
        .withSubject("s").withExtension("subject", "x").build();

    assertThatThrownBy(() -> EnvelopeCodec.of(HeaderConvention.KAFKA).encode(event, Mode.BINARY))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ce_subject");
  }
}
