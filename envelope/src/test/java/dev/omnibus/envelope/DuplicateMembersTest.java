package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A JSON object naming one member twice is not JSON the format accepts, at any depth (RFC 8259 §4 leaves it open; the
 * reader refuses it as Jackson's strict duplicate detection does), and the writer does not pass such bytes off as a
 * JSON {@code data} value. A {@code data} object or array that the quick reader delimited is checked when its bytes
 * are read, not when the event is decoded ({@link EnvelopeCodec#dataToParse}).
 */
class DuplicateMembersTest {

  private static final EnvelopeCodec CODEC = EnvelopeCodec.of(HeaderConvention.KAFKA);
  private static final String HEAD = "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"";

  private static CloudEvent decode(String body) {
    return CODEC.decode(new WireMessage(Map.of(), "application/cloudevents+json",
        body.getBytes(StandardCharsets.UTF_8), null));
  }

  /** Decodes the event and reads its data, as every reader of the data does. */
  private static CloudEvent decodeAndReadData(String body) {
    CloudEvent event = decode(body);
    if (event.getData() != null) {
      event.getData().toBytes();
    }
    return event;
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {
      HEAD + ",\"id\":\"2\"}",
      HEAD + ",\"ext\":\"a\",\"ext\":\"b\"}",
      HEAD + ",\"subject\":null,\"subject\":\"x\"}",
      HEAD + ",\"ext\":{\"d\":1,\"d\":2}}",
      HEAD + ",\"data_base64\":{\"d\":1,\"d\":2}}",
      HEAD + ",\"subject\":[{\"d\":1,\"d\":2}]}"})
  void aMemberNamedTwiceAnywhereIsNotJson(String body) {
    assertThatThrownBy(() -> decode(body))
        .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations())
            .singleElement().asString().matches("not JSON: Duplicate field '(id|ext|subject|d)'"));
  }

  @Test
  void aMemberNamedTwiceInDelimitedDataIsFoundWhenTheDataIsRead() {
    CloudEvent event = decode(HEAD + ",\"data\":{\"a\":1,\"b\":{\"c\":[{\"d\":1,\"d\":2}]}}}");

    assertThat(EnvelopeCodec.dataToParse(event.getData())).asString(StandardCharsets.UTF_8)
        .isEqualTo("{\"a\":1,\"b\":{\"c\":[{\"d\":1,\"d\":2}]}}");
    for (Runnable read : List.<Runnable>of(() -> event.getData().toBytes(),
        () -> EnvelopeCodec.checkData(event.getData()), () -> CODEC.encode(event, Mode.STRUCTURED),
        () -> CODEC.encode(event, Mode.BINARY))) {
      assertThatThrownBy(read::run).isInstanceOfSatisfying(MalformedEventException.class,
          e -> assertThat(e.violations()).containsExactly("data is not JSON: Duplicate field 'd'"));
    }
  }

  @Test
  void theFirstDuplicateIsTheOneReported() {
    assertThatThrownBy(() -> decodeAndReadData(HEAD + ",\"data\":{\"a\":1,\"b\":2,\"b\":3,\"a\":4}}"))
        .isInstanceOfSatisfying(MalformedEventException.class,
            e -> assertThat(e.violations()).containsExactly("data is not JSON: Duplicate field 'b'"));
  }

  @Test
  void theSameNameInSiblingAndNestedObjectsIsNoDuplicate() {
    CloudEvent event = decode(HEAD + ",\"data\":{\"x\":{\"x\":{\"x\":1}},\"y\":{\"x\":2},\"z\":[{\"x\":3},{\"x\":4}]}}");
    assertThat(new String(event.getData().toBytes(), StandardCharsets.UTF_8))
        .isEqualTo("{\"x\":{\"x\":{\"x\":1}},\"y\":{\"x\":2},\"z\":[{\"x\":3},{\"x\":4}]}");
  }

  @Test
  void aDuplicateAmongManyMembersIsFound() {
    String members = IntStream.range(0, 200).mapToObj(i -> "\"m" + i + "\":" + i).collect(Collectors.joining(","));
    assertThat(decodeAndReadData(HEAD + ",\"data\":{" + members + "}}").getData()).isNotNull();
    assertThatThrownBy(() -> decodeAndReadData(HEAD + ",\"data\":{" + members + ",\"m7\":0}}"))
        .isInstanceOfSatisfying(MalformedEventException.class,
            e -> assertThat(e.violations()).containsExactly("data is not JSON: Duplicate field 'm7'"));
  }

  @Test
  void aBatchElementNamingAMemberTwiceIsNotJson() {
    byte[] batch = ("[" + HEAD + "}," + HEAD + ",\"data\":{\"d\":1,\"d\":2}}]").getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> EnvelopeCodec.decodeBatch(batch))
        .isInstanceOfSatisfying(MalformedEventException.class,
            e -> assertThat(e.violations()).containsExactly("not JSON: Duplicate field 'd'"));
  }

  @Test
  void bytesNamingAMemberTwiceAreWrittenAsBase64NotAsJsonData() {
    for (String data : List.of("{\"d\":1,\"d\":2}", "[{\"a\":{\"d\":1,\"e\":2,\"f\":3,\"d\":4}}]")) {
      CloudEvent event = Events.minimal().withDataContentType("application/json")
          .withData(data.getBytes(StandardCharsets.UTF_8)).build();
      String json = new String(CODEC.encode(event, Mode.STRUCTURED).body(), StandardCharsets.UTF_8);
      assertThat(json).contains("\"data_base64\":").doesNotContain("\"data\":");
      assertThat(CODEC.decode(CODEC.encode(event, Mode.STRUCTURED)).getData().toBytes())
          .isEqualTo(data.getBytes(StandardCharsets.UTF_8));
    }
  }
}
