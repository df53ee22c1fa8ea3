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
    OffsetDateTime fast = parseFast(text);
    if (fast != null) {
      return fast;
    }
    if (!SYNTAX.matcher(text).matches()) {
      return null;
    }
    try {
      return OffsetDateTime.parse(text.toUpperCase(Locale.ROOT), DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Whether {@link #format} writes the time as RFC 3339 text that {@link #parse} reads back as an equal time: a
   * four-digit year and an offset of whole minutes (other times are written by {@code ISO_OFFSET_DATE_TIME}, which
   * RFC 3339 does not always allow).
   */
  static boolean readsBack(OffsetDateTime time) {
    int year = time.getYear();
    return year >= 0 && year <= 9999 && time.getOffset().getTotalSeconds() % 60 == 0;
  }

  /** The canonical string of a timestamp: seconds always written, fraction only when non-zero. */
  static String format(OffsetDateTime time) {
    if (!readsBack(time)) {
      return DateTimeFormatter.ISO_OFFSET_DATE_TIME.format(time);
    }
    int year = time.getYear();
    int offsetSeconds = time.getOffset().getTotalSeconds();
    // Into one char array, without a StringBuilder or digit strings: encode calls this for every event.
    char[] out = new char[35];
    int n = put(out, 0, year, 4);
    out[n++] = '-';
    n = put(out, n, time.getMonthValue(), 2);
    out[n++] = '-';
    n = put(out, n, time.getDayOfMonth(), 2);
    out[n++] = 'T';
    n = put(out, n, time.getHour(), 2);
    out[n++] = ':';
    n = put(out, n, time.getMinute(), 2);
    out[n++] = ':';
    n = put(out, n, time.getSecond(), 2);
    int nano = time.getNano();
    if (nano != 0) {
      int digits = 9;
      while (nano % 10 == 0) {
        nano /= 10;
        digits--;
      }
      out[n++] = '.';
      n = put(out, n, nano, digits);
    }
    if (offsetSeconds == 0) {
      out[n++] = 'Z';
    } else {
      int minutes = Math.abs(offsetSeconds) / 60;
      out[n++] = offsetSeconds < 0 ? '-' : '+';
      n = put(out, n, minutes / 60, 2);
      out[n++] = ':';
      n = put(out, n, minutes % 60, 2);
    }
    return new String(out, 0, n);
  }

  /** Writes {@code value} ({@code 0 <= value < 10^width}) as {@code width} digits at {@code at}; the index after. */
  private static int put(char[] out, int at, int value, int width) {
    int rest = value;
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + rest % 10);
      rest /= 10;
    }
    return at + width;
  }

  /** The common shapes without a regex or a DateTimeFormatter; null sends the text the slow, exact way. */
  private static @Nullable OffsetDateTime parseFast(String s) {
    int n = s.length();
    if (n < 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) != 'T' && s.charAt(10) != 't')
        || s.charAt(13) != ':' || s.charAt(16) != ':') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 2);
    int day = digits(s, 8, 2);
    int hour = digits(s, 11, 2);
    int minute = digits(s, 14, 2);
    int second = digits(s, 17, 2);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    int i = 19;
    int nano = 0;
    if (s.charAt(i) == '.') {
      int start = ++i;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
        nano = nano * 10 + (s.charAt(i) - '0');
        i++;
      }
      int count = i - start;
      if (count == 0 || count > 9) {
        return null;
      }
      for (int k = count; k < 9; k++) {
        nano *= 10;
      }
    }
    if (i >= n) {
      return null;
    }
    char c = s.charAt(i);
    java.time.ZoneOffset offset;
    if ((c == 'Z' || c == 'z') && i + 1 == n) {
      offset = java.time.ZoneOffset.UTC;
    } else if ((c == '+' || c == '-') && i + 6 == n && s.charAt(i + 3) == ':') {
      int hours = digits(s, i + 1, 2);
      int minutes = digits(s, i + 4, 2);
      if ((hours | minutes) < 0) {
        return null;
      }
      int sign = c == '-' ? -1 : 1;
      try {
        offset = java.time.ZoneOffset.ofHoursMinutes(sign * hours, sign * minutes);
      } catch (java.time.DateTimeException e) {
        return null;
      }
    } else {
      return null;
    }
    try {
      return OffsetDateTime.of(year, month, day, hour, minute, second, nano, offset);
    } catch (java.time.DateTimeException e) {
      return null;
    }
  }

  private static int digits(String s, int from, int count) {
    int value = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }
}
