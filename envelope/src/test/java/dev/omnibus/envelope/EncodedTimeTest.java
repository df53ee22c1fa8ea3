package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import io.cloudevents.CloudEvent;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The time binary encode writes is read back by the in-process decode without parsing it again, which is only right
 * because every time encode writes as RFC 3339 text parses back to an equal time.
 */
class EncodedTimeTest {

  private final EnvelopeCodec codec = EnvelopeCodec.of(HeaderConvention.MEMORY);

  @Test
  void theInProcessDecodeTakesTheEncodedEventsTimeInsteadOfParsingItsText() {
    OffsetDateTime time = OffsetDateTime.parse("2026-11-30T12:00:00.123456789+01:00");
    WireMessage message = codec.encode(Events.minimal().withTime(time).build(), Mode.BINARY);

    CloudEvent decoded = codec.decodeInProcess(message);

    assertThat(decoded.getTime()).isSameAs(time);
    assertThat(codec.decode(message).getTime()).isEqualTo(time).isNotSameAs(time);
  }

  @Test
  void everyTimeThatReadsBackParsesToAnEqualTime() {
    SplittableRandom random = new SplittableRandom(16);
    for (int i = 0; i < 10_000; i++) {
      OffsetDateTime time = OffsetDateTime.of(random.nextInt(0, 10_000), random.nextInt(1, 13), random.nextInt(1, 29),
          random.nextInt(24), random.nextInt(60), random.nextInt(60),
          random.nextBoolean() ? random.nextInt(1_000_000_000) : random.nextInt(1_000) * 1_000_000,
          ZoneOffset.ofTotalSeconds(random.nextInt(-18 * 60, 18 * 60 + 1) * 60));

      assertThat(Rfc3339.readsBack(time)).isTrue();
      assertThat(Rfc3339.parse(Rfc3339.format(time))).as(Rfc3339.format(time)).isEqualTo(time);
    }
  }
}
