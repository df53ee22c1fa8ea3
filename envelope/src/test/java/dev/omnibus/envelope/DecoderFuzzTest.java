package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes the decoders with a fixed seed and a bounded number of inputs, in every {@code mvn verify}: arbitrary headers,
 * content types and bodies give a decoded event or a {@link MalformedEventException}, never another exception, and a
 * decoded event encodes again in both modes. (jqwik runs on JUnit Platform 1 only; this project is on JUnit 6, so the
 * fuzzer is a plain seeded {@link Random}.)
 */
class DecoderFuzzTest {

  static final long SEED = 20_260_511L;
  static final int ITERATIONS = 10_000;

  private static final List<HeaderConvention> CONVENTIONS =
      List.of(HeaderConvention.KAFKA, HeaderConvention.AMQP, HeaderConvention.MQTT, HeaderConvention.MEMORY);
  private static final String[] ATTRIBUTES =
      {"specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time", "ext", "data",
          "partitionkey", "Ext", "e-x", ""};
  private static final String[] CONTENT_TYPES =
      {"application/cloudevents+json", "APPLICATION/CloudEvents+JSON; charset=utf-8", "application/cloudevents",
          "application/cloudevents-batch+json", "application/cloudevents+avro", "application/json",
          "application/json, charset=utf-8", "text/plain garbage", "text/plain", "", ";", "/", "a/b;\uFFFE"};
  private static final String[] VALUES =
      {"1.0", "0.3", "", "/s", "https://example.com/x?y#z", "urn:a", "t", "2026-11-22T10:15:30Z",
          "2026-11-22T10:15:30.123456789+14:00", "2026-13-45T99:99:99Z", "1985-04-12T23:20:50.52-00:00",
          "not a uri with spaces", "%zz", "\uFFFE", "\uFDD0", "\uD800", "\uDC00x", "\u0000", "\u007F", "\uD83D\uDC4B",
          "\uDBFF\uDFFF", "true", "-2147483649", "::", "a:b:c", "[", "http://[::1]:80/"};
  private static final String[] JSON_SNIPPETS =
      {"{", "}", "[", "]", ",", ":", "\"specversion\"", "\"1.0\"", "\"id\"", "\"source\"", "\"type\"", "\"data\"",
          "\"data_base64\"", "\"time\"", "\"datacontenttype\"", "\"dataschema\"", "\"ext\"", "null", "true", "1e400",
          "-0", "2147483648", "1.5", "\"\\uD800\"", "\"\\u0000\"", "\"\\uFFFE\"", "\"AAAA\"", "\"!!\"", "{}", "[]",
          "\"2026-11-22T10:15:30Z\"", "\"/s\"", "\"t\"", "\"application/json\"", "\"text/plain\""};

  private final Random random = new Random(SEED);

  @Test
  void everyInputDecodesOrIsMalformedAndDecodedEventsEncodeAgain() {
    for (int i = 0; i < ITERATIONS; i++) {
      HeaderConvention convention = CONVENTIONS.get(random.nextInt(CONVENTIONS.size()));
      WireMessage message = randomMessage(random, convention);
      CloudEvent event = decodeOrNull(EnvelopeCodec.of(convention), message, i);
      if (event != null) {
        for (Mode mode : Mode.values()) {
          try {
            EnvelopeCodec.of(convention).decode(EnvelopeCodec.of(convention).encode(event, mode));
          } catch (RuntimeException e) {
            fail("input " + i + " decoded but does not encode and decode again in " + mode + ": " + message, e);
          }
        }
      }
    }
  }

  @Test
  void theSeedGivesBothOutcomes() {
    int decoded = 0;
    for (int i = 0; i < 2_000; i++) {
      HeaderConvention convention = CONVENTIONS.get(random.nextInt(CONVENTIONS.size()));
      if (decodeOrNull(EnvelopeCodec.of(convention), randomMessage(random, convention), i) != null) {
        decoded++;
      }
    }
    assertThat(decoded).as("inputs that decoded, of 2000").isBetween(20, 1_980);
  }

  private static @Nullable CloudEvent decodeOrNull(EnvelopeCodec codec, WireMessage message, int index) {
    try {
      return codec.decode(message);
    } catch (MalformedEventException e) {
      assertThat(e.violations()).isNotEmpty();
      return null;
    } catch (RuntimeException e) {
      throw new AssertionError("input " + index + " raised " + e + " instead of MalformedEventException: " + message,
          e);
    }
  }

  /** A message for a convention: mostly near-valid binary or structured, sometimes noise. Package-visible for reuse. */
  static WireMessage randomMessage(Random random, HeaderConvention convention) {
    String contentType = random.nextInt(4) == 0 ? null : pick(random, CONTENT_TYPES);
    if (contentType != null && random.nextInt(5) == 0) {
      contentType = mutate(random, contentType);
    }
    Map<String, String> headers = new HashMap<>();
    boolean nearValid = random.nextInt(3) > 0;
    if (nearValid) {
      headers.put(convention.headerName("specversion"), "1.0");
      headers.put(convention.headerName("id"), "id" + random.nextInt(100));
      headers.put(convention.headerName("source"), "/s");
      headers.put(convention.headerName("type"), "t");
    }
    int extra = random.nextInt(5);
    for (int h = 0; h < extra; h++) {
      String prefix = random.nextInt(4) == 0 ? pick(random, new String[] {"ce_", "ce-", "cloudEvents_", "cloudEvents:",
          "CE_", "x-"}) : convention.writePrefix();
      String name = prefix + pick(random, ATTRIBUTES);
      if (random.nextInt(8) == 0) {
        name = mutate(random, name);
      }
      String value = random.nextInt(6) == 0 ? mutate(random, pick(random, VALUES)) : pick(random, VALUES);
      headers.put(name, value);
    }
    byte[] body;
    int bodyKind = random.nextInt(5);
    if (bodyKind == 0) {
      body = null;
    } else if (bodyKind == 1) {
      body = new byte[random.nextInt(64)];
      random.nextBytes(body);
    } else {
      body = randomJson(random).getBytes(StandardCharsets.UTF_8);
    }
    return new WireMessage(headers, contentType, body, null);
  }

  private static String randomJson(Random random) {
    StringBuilder json = new StringBuilder("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"");
    int members = random.nextInt(4);
    for (int m = 0; m < members; m++) {
      json.append(',').append(pick(random, JSON_SNIPPETS)).append(':').append(pick(random, JSON_SNIPPETS));
    }
    json.append('}');
    String text = json.toString();
    return random.nextInt(3) == 0 ? mutate(random, text) : text;
  }

  /** Deletes, inserts or replaces a few characters, with characters the readers find hard. */
  static String mutate(Random random, String text) {
    StringBuilder mutated = new StringBuilder(text);
    int edits = 1 + random.nextInt(3);
    String hard = "\u0000\u001F\u007F\u0085\uD800\uDC00\uFFFE\uFFFF\uFDD0\"\\{}[],:;/ é";
    for (int e = 0; e < edits; e++) {
      int at = mutated.length() == 0 ? 0 : random.nextInt(mutated.length());
      switch (random.nextInt(3)) {
        case 0 -> {
          if (mutated.length() > 0) {
            mutated.deleteCharAt(at);
          }
        }
        case 1 -> mutated.insert(at, hard.charAt(random.nextInt(hard.length())));
        default -> {
          if (mutated.length() > 0) {
            mutated.setCharAt(at, hard.charAt(random.nextInt(hard.length())));
          }
        }
      }
    }
    return mutated.toString();
  }

  private static String pick(Random random, String[] values) {
    return values[random.nextInt(values.length)];
  }
}
