package dev.omnibus.envelope;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * RFC 3339 {@code date-time} (§5.6), the CloudEvents Timestamp type: full date, {@code T}, full time with seconds,
 * optional fraction, and {@code Z} or a {@code ±hh:mm} offset. {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} alone
 * would also accept a time without seconds or an offset with seconds, which RFC 3339 does not allow.
 */
final class Rfc3339 {

  private static final Pattern SYNTAX =
      Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?([Zz]|[+-]\\d{2}:\\d{2})");

  private Rfc3339() {}

  /** The timestamp, or {@code null} when the text is not an RFC 3339 date-time. */
  static @Nullable OffsetDateTime parse(String text) {
    if (!SYNTAX.matcher(text).matches()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** The canonical string of a timestamp: seconds always written, fraction only when non-zero. */
  static String format(OffsetDateTime time) {
    return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
  }
}
