package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.core.data.BytesCloudEventData;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Structured mode writes the bus's common events without Jackson's generator, and those bytes are exactly the
 * generator's; events of any other shape (a text needing an escape, data of unknown origin) still go through the
 * generator.
 */
class PlainEventWriterTest {

  private static final byte[] ORDER =
      "{\"orderId\":\"ord-1\",\"lines\":[{\"sku\":\"A\",\"quantity\":2}],\"totalMinor\":7197}"
          .getBytes(StandardCharsets.UTF_8);
  private static final byte[] NOT_JSON = "{\"orderId\": ord-1}".getBytes(StandardCharsets.UTF_8);
  /** JSON only Jackson can judge: a member named twice, which the quick check is not sure of. */
  private static final byte[] TWICE = "{\"a\":1,\"a\":2}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] SPACED = " [ 1, {\"k\" : \"v\"} ]\n".getBytes(StandardCharsets.UTF_8);

  @Test
  void writesTheBusesEventsAsTheGeneratorDoes() {
    CloudEvent event = Events.minimal()
        .withSubject("ord-1")
        .withTime(OffsetDateTime.parse("2026-11-30T17:00:00.123456Z"))
        .withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .withData("application/json", EnvelopeCodec.producedJson(ORDER))
        .build();

    byte[] plain = JsonEventFormat.writePlain(event);

    assertThat(plain).isNotNull().isEqualTo(JsonEventFormat.writeWithGenerator(event));
    assertThat(JsonEventFormat.read(plain)).isEqualTo(event);
  }

  @Test
  void aRepeatingAttributesTextFoundPlainOnceDoesNotPassAnotherThatNeedsAnEscape() {
    String plainType = "com.example.order.placed";
    String quotedType = "com.example.\"order\".placed";
    CloudEvent plain = CloudEventBuilder.v1().withId("1").withSource(URI.create("/orders")).withType(plainType)
        .withData("application/json", EnvelopeCodec.producedJson(ORDER)).build();
    CloudEvent quoted = CloudEventBuilder.v1(plain).withType(quotedType).build();

    // The first is remembered as plain by its instance; the second, another instance, is scanned and refused.
    assertThat(JsonEventFormat.writePlain(plain)).isNotNull();
    assertThat(JsonEventFormat.writePlain(plain)).isEqualTo(JsonEventFormat.writeWithGenerator(plain));
    assertThat(JsonEventFormat.writePlain(quoted)).isNull();
    assertThat(JsonEventFormat.read(EnvelopeCodec.of(HeaderConvention.KAFKA).encode(quoted, Mode.STRUCTURED).body())
        .getType()).isEqualTo(quotedType);
  }

  @Test
  void leavesTextsNeedingAnEscapeAndDataOfUnknownOriginToTheGenerator() {
    assertThat(JsonEventFormat.writePlain(Events.minimal().withSubject("say \"hi\"").build())).isNull();
    assertThat(JsonEventFormat.writePlain(Events.minimal().withSubject("Grüße").build())).isNull();
    assertThat(JsonEventFormat.writePlain(Events.minimal().withExtension("ext", "a\\b").build())).isNull();
    assertThat(JsonEventFormat.writePlain(
        Events.minimal().withData("application/json", BytesCloudEventData.wrap(NOT_JSON)).build())).isNull();
    assertThat(JsonEventFormat.writePlain(
        Events.minimal().withData("application/json", BytesCloudEventData.wrap(TWICE)).build())).isNull();
    assertThat(JsonEventFormat.writePlain(Events.minimal().withData(BytesCloudEventData.wrap(ORDER)).build()))
        .isNull();
    assertThat(JsonEventFormat.writePlain(
        Events.minimal().withData("text/plain", EnvelopeCodec.producedJson(ORDER)).build())).isNull();
  }

  @Test
  void writesBytesOfAnyOriginThatAreCertainlyJsonUnderAJsonTypeAsTheGeneratorDoes() {
    CloudEvent event = Events.minimal().withData("application/json", BytesCloudEventData.wrap(ORDER)).build();

    byte[] plain = JsonEventFormat.writePlain(event);

    assertThat(plain).isNotNull().isEqualTo(JsonEventFormat.writeWithGenerator(event));
    assertThat(JsonEventFormat.read(plain).getData().toBytes()).isEqualTo(ORDER);
  }

  @Test
  void everyEventItWritesIsWhatTheGeneratorWrites() {
    Random random = new Random(DecoderFuzzTest.SEED);
    int plain = 0;
    for (int i = 0; i < 5_000; i++) {
      CloudEvent event = randomEvent(random);
      byte[] written = JsonEventFormat.writePlain(event);
      if (written != null) {
        plain++;
        assertThat(new String(written, StandardCharsets.UTF_8))
            .isEqualTo(new String(JsonEventFormat.writeWithGenerator(event), StandardCharsets.UTF_8));
      }
    }
    assertThat(plain).as("events written without the generator, of 5000").isBetween(500, 4_500);
  }

  private static final String[] TEXTS = {"a", "/orders", "urn:x:y", "ord 1", "q\"uote", "back\\slash", "é", "\u007F",
      "tab\there", "~!@#$%^&*()_+{}|:<>?`-=[];',./"};

  private static CloudEvent randomEvent(Random random) {
    CloudEventBuilder builder = CloudEventBuilder.v1()
        .withId(pick(random, TEXTS))
        .withSource(URI.create(random.nextBoolean() ? "/s" : "https://example.com/a?b=c"))
        .withType(pick(random, TEXTS));
    if (random.nextBoolean()) {
      builder.withSubject(pick(random, TEXTS));
    }
    if (random.nextBoolean()) {
      builder.withTime(OffsetDateTime.parse(random.nextBoolean() ? "2026-11-30T17:00:00Z"
          : "2026-11-30T17:00:00.5+02:00"));
    }
    if (random.nextInt(4) == 0) {
      builder.withDataSchema(URI.create("https://example.com/schema"));
    }
    int extensions = random.nextInt(4);
    for (int e = 0; e < extensions; e++) {
      String name = "ext" + e;
      switch (random.nextInt(6)) {
        case 0 -> builder.withExtension(name, pick(random, TEXTS));
        case 1 -> builder.withExtension(name, random.nextInt());
        case 2 -> builder.withExtension(name, random.nextBoolean());
        case 3 -> builder.withExtension(name, URI.create("https://example.com/x"));
        case 4 -> builder.withExtension(name, OffsetDateTime.parse("2026-01-02T03:04:05.006Z"));
        default -> builder.withExtension(name, new byte[] {1, 2, (byte) 250});
      }
    }
    switch (random.nextInt(9)) {
      case 0 -> builder.withData(EnvelopeCodec.producedJson(ORDER));
      case 1 -> builder.withData("application/json", EnvelopeCodec.producedJson(ORDER));
      case 2 -> builder.withData("application/vnd.x+json; charset=utf-8", EnvelopeCodec.producedJson(ORDER));
      case 3 -> builder.withData("text/plain", BytesCloudEventData.wrap(ORDER));
      case 4 -> builder.withData("application/json", BytesCloudEventData.wrap(ORDER));
      case 5 -> builder.withData("Application/JSON", BytesCloudEventData.wrap(pick(random, OTHER_BYTES)));
      case 6 -> builder.withData(BytesCloudEventData.wrap(ORDER));
      case 7 -> builder.withData("application/cloudevents-batch+json", BytesCloudEventData.wrap(SPACED));
      default -> { }
    }
    return builder.build();
  }

  private static final byte[][] OTHER_BYTES = {NOT_JSON, TWICE, SPACED, "\"text\"".getBytes(StandardCharsets.UTF_8)};

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }
}
