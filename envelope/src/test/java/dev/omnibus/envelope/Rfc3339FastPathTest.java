package dev.omnibus.envelope;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The hand-written timestamp paths agree with java.time's, which they replace for speed. */
class Rfc3339FastPathTest {

  @Test
  void formattingAgreesWithIsoOffsetDateTimeForRandomTimestamps() {
    Random random = new Random(7);
    for (int i = 0; i < 20_000; i++) {
      int nano = switch (i % 4) {
        case 0 -> 0;
        case 1 -> random.nextInt(1000) * 1_000_000;
        case 2 -> random.nextInt(1_000_000) * 1000;
        default -> random.nextInt(1_000_000_000);
      };
      OffsetDateTime time = OffsetDateTime.of(1 + random.nextInt(9999), 1 + random.nextInt(12), 1 + random.nextInt(28),
          random.nextInt(24), random.nextInt(60), random.nextInt(60), nano,
          ZoneOffset.ofTotalSeconds((random.nextInt(113) - 56) * 15 * 60));
      String text = Rfc3339.format(time);
      assertThat(text).isEqualTo(DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time));
      assertThat(Rfc3339.parse(text)).isEqualTo(time);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"2018-04-05T17:31:00Z", "2018-04-05t17:31:00z", "2018-04-05T17:31:00.1234Z",
      "2018-04-05T17:31:00+02:00", "2018-04-05T17:31:00-00:00", "1985-04-12T23:20:50.52Z"})
  void validTimestampsParseAsJavaTimeReadsThem(String text) {
    assertThat(Rfc3339.parse(text))
        .isEqualTo(OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME));
  }

  @ParameterizedTest
  @ValueSource(strings = {"2018-04-05T17:31Z", "2018-04-05T17:31:00", "2018-04-05T17:31:00+0200",
      "2018-04-05T17:31:00+02:00:00", "2018-13-05T17:31:00Z", "2018-04-05T24:00:00Z", "2018-04-05T17:31:60Z",
      "2018-04-05 17:31:00Z", "2018-04-05T17:31:00.Z", "2018-04-05T17:31:00.1234567891Z", "x018-04-05T17:31:00Z"})
  void invalidTimestampsAreRefused(String text) {
    assertThat(Rfc3339.parse(text)).isNull();
  }
}
