package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cloudevents.CloudEvent;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The quick structured-mode reader answers only what the parser answers: for every body it reads, the parser reads
 * the same event, or refuses it for its data alone, which the quick reader delimited by its structure and which then
 * refuses to be read; everything else it is not sure of (or that is malformed) it leaves to the parser, which reports
 * the reasons as before.
 */
class QuickEventReaderTest {

  private static final String ORDER = "{\"orderId\":\"ord-1\",\"lines\":[{\"sku\":\"A\",\"quantity\":2}],"
      + "\"totalMinor\":7197,\"shipTo\":\"10115 Berlin, DE\"}";

  @Test
  void readsTheEventsTheBusWritesWithoutTheParser() {
    CloudEvent event = Events.minimal()
        .withSubject("ord-1")
        .withTime(OffsetDateTime.parse("2026-11-30T17:00:00.123456Z"))
        .withExtension("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        .withExtension("partitionkey", "ord-1")
        .withExtension("priority", 3)
        .withExtension("urgent", true)
        .withData("application/json", EnvelopeCodec.producedJson(ORDER.getBytes(StandardCharsets.UTF_8)))
        .build();
    byte[] body = EnvelopeCodec.of(HeaderConvention.KAFKA).encode(event, Mode.STRUCTURED).body();

    CloudEvent quick = QuickEventReader.read(body);

    assertThat(quick).isNotNull().isEqualTo(JsonEventFormat.parse(body)).isEqualTo(event);
    assertThat(quick.getData().toBytes()).isEqualTo(ORDER.getBytes(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ix", "tima", "typx", "datx", "sourcx", "subjecx", "dataschemx", "specversiox",
      "data_basx", "datacontenttypx", "xd", "xime", "xource", "xpecversion"})
  void aNameOneByteFromAnAttributesIsAnExtension(String name) {
    byte[] body = utf8("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/orders\",\"type\":\"t\",\""
        + name + "\":\"v\"}");

    CloudEvent quick = QuickEventReader.read(body);

    if (name.contains("_")) {
      assertThat(quick).isNull(); // not a valid attribute name: the parser's to report
    } else {
      assertThat(quick).isNotNull().isEqualTo(JsonEventFormat.parse(body));
      assertThat(quick.getExtensionNames()).containsExactly(name);
      assertThat(quick.getExtension(name)).isEqualTo("v");
    }
  }

  @Test
  void reusesTheTextsThatRepeatFromEventToEventAndNoOthers() {
    CloudEvent first = QuickEventReader.read(utf8("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/orders\","
        + "\"type\":\"order.placed\",\"subject\":\"o-1\",\"traceparent\":\"00-a\"}"));
    CloudEvent second = QuickEventReader.read(utf8("{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/orders\","
        + "\"type\":\"order.placed\",\"subject\":\"o-1\",\"traceparent\":\"00-a\"}"));
    CloudEvent other = QuickEventReader.read(utf8("{\"specversion\":\"1.0\",\"id\":\"3\",\"source\":\"/orders\","
        + "\"type\":\"order.paid\",\"tracestate\":\"x\"}"));

    assertThat(second.getType()).isEqualTo("order.placed").isSameAs(first.getType());
    assertThat(second.getExtensionNames().iterator().next()).isEqualTo("traceparent")
        .isSameAs(first.getExtensionNames().iterator().next());
    assertThat(second.getSubject()).isEqualTo("o-1").isNotSameAs(first.getSubject());
    assertThat(second.getExtension("traceparent")).isEqualTo("00-a").isNotSameAs(first.getExtension("traceparent"));
    assertThat(other.getType()).isEqualTo("order.paid");
    assertThat(other.getExtensionNames()).containsExactly("tracestate"); // same length as traceparent: one slot
  }

  @Test
  void readsDataThatIsNotTheLastMember() {
    String body = "{\"data\":[1,{\"a\":null}] , \"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}";

    assertThat(QuickEventReader.read(utf8(body))).isNotNull().isEqualTo(JsonEventFormat.parse(utf8(body)));
  }

  @ParameterizedTest
  @ValueSource(strings = {
      // not sure: left to the parser, which reads them
      "{\"specversion\":\"1.0\",\"id\":\"\\u0031\",\"source\":\"/s\",\"type\":\"t\"}",
      "{\"specversion\":\"1.0\",\"id\":\"é\",\"source\":\"/s\",\"type\":\"t\"}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data_base64\":\"AAAA\"}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":\"text\"}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":42}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"subject\":null}",
      "\uFEFF{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}",
      // malformed: left to the parser, which names the reasons
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"id\":\"2\",\"source\":\"/s\",\"type\":\"t\"}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"ext\":1,\"ext\":2}",
      "{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"time\":\"yesterday\"}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"ext\":2147483648}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"ext\":1.5}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"Ext\":\"x\"}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"a\":[1}}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"a\":\"}}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":[1]]}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":{\"a\":1}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"} {}",
      "{\"specversion\":\"1.0\",\"source\":\"/s\",\"type\":\"t\"}",
      "{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"ext\":01}"})
  void leavesWhatItIsNotSureOfToTheParser(String body) {
    assertThat(QuickEventReader.read(utf8(body))).isNull();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"a\":1,\"a\":2}", "{\"a\":}", "[1,]", "{\"a\":tru}", "[\"\\x\"]", "{\"a\" 1}", "[01]"})
  void delimitsDataByItsStructureAndChecksItWhenItIsRead(String data) {
    byte[] body = utf8("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"data\":" + data
        + ",\"ext\":\"x\"}");

    CloudEvent event = QuickEventReader.read(body);

    assertThat(event).isNotNull();
    assertThat(event.getExtension("ext")).isEqualTo("x");
    assertThat(EnvelopeCodec.dataToParse(event.getData())).isEqualTo(utf8(data));
    assertThatThrownBy(() -> event.getData().toBytes()).isInstanceOfSatisfying(MalformedEventException.class,
        e -> assertThat(e.violations()).singleElement().asString().startsWith("data is not JSON: "));
    assertThatThrownBy(() -> JsonEventFormat.parse(body)).isInstanceOf(MalformedEventException.class);
  }

  @Test
  void findsTheEndOfDataNestedAsDeepAsTheCheckAllowsAndNoDeeper() {
    String deep = "[".repeat(64) + "\"]}\\\"\"" + "]".repeat(64);
    String deeper = "[" + deep + "]";

    CloudEvent event = QuickEventReader.read(utf8("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\","
        + "\"type\":\"t\",\"data\":" + deep + "}"));

    assertThat(event).isNotNull();
    assertThat(event.getData().toBytes()).isEqualTo(utf8(deep));
    assertThat(QuickEventReader.read(utf8("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\","
        + "\"data\":" + deeper + "}"))).isNull();
  }

  @Test
  void aMalformedBodyStillGetsEveryReasonFromTheCodec() {
    byte[] body = utf8("{\"specversion\":\"0.3\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\",\"time\":\"yesterday\"}");
    WireMessage message = new WireMessage(java.util.Map.of(), EnvelopeCodec.STRUCTURED_CONTENT_TYPE, body, null);

    assertThatThrownBy(() -> EnvelopeCodec.of(HeaderConvention.KAFKA).decode(message))
        .isInstanceOfSatisfying(MalformedEventException.class, e -> assertThat(e.violations()).containsExactly(
            "unsupported specversion '0.3': only 1.0 is understood",
            "time must be an RFC 3339 date-time, was 'yesterday'"));
  }

  @Test
  void whatItReadsTheParserReadsTheSame() throws IOException {
    List<byte[]> bodies = new ArrayList<>();
    try (Stream<Path> files = Files.list(StructuredInputFilesTest.folder())) {
      for (Path file : files.toList()) {
        bodies.add(Files.readAllBytes(file));
      }
    }
    Random random = new Random(DecoderFuzzTest.SEED);
    for (int i = 0; i < 20_000; i++) {
      String body = randomEvent(random);
      bodies.add(utf8(random.nextInt(4) == 0 ? DecoderFuzzTest.mutate(random, body) : body));
    }
    int quick = 0;
    for (byte[] body : bodies) {
      CloudEvent read = QuickEventReader.read(body);
      if (read == null) {
        continue;
      }
      quick++;
      CloudEvent parsed = parsedOrNull(body);
      if (parsed == null) {
        // Refused by the parser for its data alone, which then refuses to be read.
        assertThatThrownBy(() -> read.getData().toBytes()).as(new String(body, StandardCharsets.UTF_8))
            .isInstanceOf(MalformedEventException.class);
        continue;
      }
      assertThat(parsed).as(new String(body, StandardCharsets.UTF_8)).isEqualTo(read);
      if (read.getData() != null) {
        assertThat(read.getData().toBytes()).isEqualTo(parsed.getData().toBytes());
      }
    }
    assertThat(quick).as("bodies the quick reader read, of " + bodies.size()).isBetween(2_000, bodies.size() - 2_000);
  }

  private static @Nullable CloudEvent parsedOrNull(byte[] body) {
    try {
      return JsonEventFormat.parse(body);
    } catch (MalformedEventException e) {
      return null;
    }
  }

  private static final String[] STRINGS = {"\"1.0\"", "\"1\"", "\"/s\"", "\"t\"", "\"application/json\"",
      "\"text/plain\"", "\"2026-11-22T10:15:30Z\"", "\"2026-13-45T99:99:99Z\"", "\"https://example.com/schema\"",
      "\"\"", "\"a\\\"b\"", "\"é\"", "\"\\u0000\"", "\"\u007F\"", "\"not a uri\"", "null", "1", "true", "{}"};
  private static final String[] EXTENSION_VALUES = {"\"x\"", "0", "-0", "7", "-2147483648", "2147483647",
      "2147483648", "1.0", "1e3", "true", "false", "null", "[]", "{}", "\"\\n\"", "012", "-"};
  private static final String[] DATA = {"{}", "[]", "{\"a\":1,\"b\":[true,false,null]}", "[1,2.5e3,\"x\"]",
      "\"text\"", "42", "null", "{\"a\":1,\"a\":2}", "{\"a\":}", "[1,]", "{\"k\":\"\\u00e9\"}"};
  private static final String[] ATTRIBUTES = {"specversion", "id", "source", "type", "datacontenttype", "dataschema",
      "subject", "time"};
  private static final String[] EXTENSION_NAMES = {"ext", "traceparent", "partitionkey", "Ext", "e_x", "data2"};

  /** An event object of members in any order: mostly valid, sometimes with a member twice or of the wrong kind. */
  private static String randomEvent(Random random) {
    List<String> members = new ArrayList<>();
    members.add("\"specversion\":" + (random.nextInt(10) == 0 ? pick(random, STRINGS) : "\"1.0\""));
    members.add("\"id\":" + (random.nextInt(10) == 0 ? pick(random, STRINGS) : "\"1\""));
    members.add("\"source\":" + (random.nextInt(10) == 0 ? pick(random, STRINGS) : "\"/s\""));
    members.add("\"type\":" + (random.nextInt(10) == 0 ? pick(random, STRINGS) : "\"t\""));
    int extra = random.nextInt(6);
    for (int i = 0; i < extra; i++) {
      switch (random.nextInt(4)) {
        case 0 -> members.add("\"" + pick(random, ATTRIBUTES) + "\":" + pick(random, STRINGS));
        case 1 -> members.add("\"data\":" + pick(random, DATA));
        case 2 -> members.add("\"data_base64\":\"AAAA\"");
        default -> members.add("\"" + pick(random, EXTENSION_NAMES) + "\":" + pick(random, EXTENSION_VALUES));
      }
    }
    Collections.shuffle(members, random);
    String space = random.nextBoolean() ? "" : " \n";
    return space + "{" + space + String.join(space + "," + space, members) + space + "}" + space;
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
