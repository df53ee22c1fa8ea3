package dev.omnibus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.omnibus.envelope.EnvelopeCodec;
import dev.omnibus.envelope.HeaderConvention;
import dev.omnibus.envelope.MalformedEventException;
import dev.omnibus.envelope.Mode;
import dev.omnibus.envelope.WireMessage;
import io.cloudevents.CloudEvent;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes dead-letter encoding with a fixed seed and a bounded number of inputs, in every {@code mvn verify}: whatever
 * the decoder refuses, and whatever a handler's exception says, gives a dead letter that encodes and decodes in both
 * modes with every binding's convention. (A plain seeded {@link Random}: jqwik does not run on JUnit 6.)
 */
class DeadLetterEncodingFuzzTest {

  private static final long SEED = 20_260_511L;
  private static final int ITERATIONS = 5_000;
  private static final URI SOURCE = URI.create("/omnibus/fuzz");
  private static final List<HeaderConvention> CONVENTIONS =
      List.of(HeaderConvention.KAFKA, HeaderConvention.AMQP, HeaderConvention.MQTT, HeaderConvention.MEMORY);
  private static final String HARD = "\u0000\u001F\u007F\u0085\uD800\uDC00\uFFFE\uFFFF\uFDD0\"\\{}[],:;/ é\uD83D\uDC4B";
  private static final String[] CONTENT_TYPES = {"application/cloudevents+json", "application/json, charset=utf-8",
      "text/plain garbage", "text/plain", "application/cloudevents-batch+json", "", "a/b; c=\uFFFE", "\uFDD0/x"};
  private static final String[] NAMES = {"specversion", "id", "source", "type", "time", "datacontenttype",
      "dataschema", "subject", "ext", "data", "Ext", "x-note", ""};

  private final Random random = new Random(SEED);

  @Test
  void whateverTheDecoderRefusesGivesADeadLetterThatEncodesAndDecodes() {
    int refused = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      HeaderConvention convention = CONVENTIONS.get(random.nextInt(CONVENTIONS.size()));
      EnvelopeCodec codec = EnvelopeCodec.of(convention);
      WireMessage raw = randomMessage(convention);
      MalformedEventException refusal;
      try {
        codec.decode(raw);
        continue;
      } catch (MalformedEventException e) {
        refusal = e;
      }
      refused++;
      DeadLetterEncoding.Cause cause = new DeadLetterEncoding.Cause("malformed: " + String.join("; ", refusal.violations()), 1,
          text(8), text(8), random.nextBoolean() ? null : text(8), refusal);
      for (Mode mode : Mode.values()) {
        assertRoundTrips(codec, mode, null, raw, cause, i);
      }
    }
    assertThat(refused).as("inputs the decoder refused, of %d", ITERATIONS).isGreaterThan(ITERATIONS / 4);
  }

  @Test
  void anyHandlerErrorGivesADeadLetterThatEncodesAndDecodes() {
    int decoded = 0;
    for (int i = 0; i < ITERATIONS; i++) {
      HeaderConvention convention = CONVENTIONS.get(random.nextInt(CONVENTIONS.size()));
      EnvelopeCodec codec = EnvelopeCodec.of(convention);
      WireMessage raw = randomMessage(convention);
      CloudEvent event;
      try {
        event = codec.decode(raw);
      } catch (MalformedEventException e) {
        continue;
      }
      decoded++;
      DeadLetterEncoding.Cause cause = new DeadLetterEncoding.Cause(text(30), random.nextInt(10), "c", "a", "g",
          new IllegalStateException(text(2_000)));
      for (Mode mode : Mode.values()) {
        assertRoundTrips(codec, mode, event, raw, cause, i);
      }
    }
    assertThat(decoded).as("inputs that decoded, of %d", ITERATIONS).isGreaterThan(ITERATIONS / 20);
  }

  private static void assertRoundTrips(EnvelopeCodec codec, Mode mode, CloudEvent event, WireMessage raw,
      DeadLetterEncoding.Cause cause, int index) {
    try {
      CloudEvent deadLetter = codec.decode(DeadLetterEncoding.encode(codec, mode, event, raw, SOURCE, cause));
      assertThat(deadLetter.getExtension(DeadLetterEncoding.DLQ_REASON)).isNotNull();
    } catch (RuntimeException e) {
      fail("input " + index + " (" + mode + ") gave no dead letter: " + raw + " " + cause, e);
    }
  }

  private WireMessage randomMessage(HeaderConvention convention) {
    Map<String, String> headers = new HashMap<>();
    if (random.nextInt(3) > 0) {
      headers.put(convention.headerName("specversion"), random.nextInt(5) == 0 ? text(3) : "1.0");
      headers.put(convention.headerName("id"), random.nextInt(5) == 0 ? text(5) : "id1");
      headers.put(convention.headerName("source"), random.nextInt(5) == 0 ? text(5) : "/s");
      headers.put(convention.headerName("type"), random.nextInt(5) == 0 ? text(5) : "t");
    }
    for (int h = random.nextInt(4); h > 0; h--) {
      String name = NAMES[random.nextInt(NAMES.length)];
      headers.put((random.nextInt(4) == 0 ? text(2) : convention.writePrefix()) + name, text(12));
    }
    String contentType = random.nextInt(4) == 0 ? null
        : random.nextInt(4) == 0 ? text(10) : CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)];
    byte[] body = switch (random.nextInt(3)) {
      case 0 -> null;
      case 1 -> {
        byte[] bytes = new byte[random.nextInt(32)];
        random.nextBytes(bytes);
        yield bytes;
      }
      default -> ("{\"specversion\":\"1.0\",\"id\":\"" + text(4) + "\",\"source\":\"/s\",\"type\":\"t\",\"ext\":\""
          + text(6) + "\"}").getBytes(StandardCharsets.UTF_8);
    };
    return new WireMessage(headers, contentType, body, null);
  }

  /** Up to {@code max} characters, a third of them hard ones (controls, noncharacters, lone surrogates). */
  private String text(int max) {
    StringBuilder text = new StringBuilder();
    for (int n = random.nextInt(max + 1); n > 0; n--) {
      text.append(random.nextInt(3) == 0 ? HARD.charAt(random.nextInt(HARD.length()))
          : (char) ('a' + random.nextInt(26)));
    }
    return text.toString();
  }
}
