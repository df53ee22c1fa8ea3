package dev.omnibus.envelope;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A quick "certainly one JSON value" for the bytes structured mode writes as a JSON {@code data} member, before the
 * full check with Jackson. Encoding checks every event's JSON data; this scan of the common shape (UTF-8, plain member
 * names, small objects, short numbers) is several times cheaper than a Jackson parser, which is asked whenever this
 * one is not sure.
 *
 * <p>It answers {@code true} only for RFC 8259 JSON that the reader accepts: one value between optional white space,
 * strings of well-formed UTF-8 without control characters and with valid escapes, numbers of the JSON grammar, no
 * object naming a member twice, and every size well under the reader's limits. Everything else, valid or not (a
 * name with an escape, an object of more than {@value #MAX_MEMBERS} members, a byte-order mark, UTF-16, ...) gets
 * {@code false}: "ask Jackson", never "invalid".
 *
 * <p>Stateless and thread-safe (each call scans with its own cursor).
 */
final class QuickJsonCheck {

  private static final int MAX_BYTES = 1 << 20;
  private static final int MAX_DEPTH = 64;
  private static final int MAX_MEMBERS = 32;
  /** Few enough member names in all that Jackson's name table can never overflow on them. */
  private static final int MAX_NAMES = 256;
  private static final int MAX_NAME_BYTES = 1000;
  private static final int MAX_NUMBER_BYTES = 100;

  /**
   * The bytes of the common run of a string: printable ASCII ({@code 0x20} to {@code 0x7E}) but the quote and the
   * backslash. DEL ({@code 0x7F}) stands for itself in JSON too, but is a control character to CloudEvents: text made
   * of these bytes alone needs no check of its characters ({@link QuickEventReader}).
   */
  static final boolean[] PLAIN = new boolean[256];

  static {
    for (int b = 0x20; b < 0x7F; b++) {
      PLAIN[b] = b != '"' && b != '\\';
    }
  }

  /** Eight bytes of an array at once, the first in the lowest byte: {@link #plainEnd} tests them together. */
  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGHS = 0x8080808080808080L;

  private final byte[] in;
  private int pos;
  private int namesSeen;

  private QuickJsonCheck(byte[] in) {
    this.in = in;
  }

  /** Whether the bytes are certainly one JSON value the reader accepts; {@code false} means "not sure". */
  static boolean isCertainlyJson(byte[] json) {
    if (json.length > MAX_BYTES) {
      return false;
    }
    QuickJsonCheck check = new QuickJsonCheck(json);
    check.skipWhiteSpace();
    if (!check.value(0)) {
      return false;
    }
    check.skipWhiteSpace();
    return check.pos == json.length;
  }

  /**
   * Where the JSON value starting at {@code start} ends, when it is certainly JSON the reader accepts and all that
   * follows it is the end of the enclosing top-level object ({@code }} between optional white space); else -1.
   */
  static int endOfLastMember(byte[] json, int start) {
    if (json.length > MAX_BYTES) {
      return -1;
    }
    QuickJsonCheck check = new QuickJsonCheck(json);
    check.pos = start;
    if (!check.value(1)) {
      return -1;
    }
    int end = check.pos;
    check.skipWhiteSpace();
    if (!check.at('}')) {
      return -1;
    }
    check.pos++;
    check.skipWhiteSpace();
    return check.pos == json.length ? end : -1;
  }

  /**
   * Where the object or array starting at {@code start} ends, found by its structure alone: strings (with their
   * escapes) and the nesting of brackets, each closed by its own kind. Nothing else is checked: the bytes may still not
   * be JSON (a bad number, a missing comma, a member named twice), which whoever reads them finds ({@link
   * EventData.Json#toBytes}). -1 when no such end is found: unclosed, a bracket closed by the other kind, nesting deeper
   * than {@value #MAX_DEPTH}, or larger than {@value #MAX_BYTES} bytes. A structured event's data is delimited so,
   * rather than checked whole here: in a profile of the Kafka loopback in structured mode, that check was a sixth of
   * the consumer thread, for a payload that the type's JSON codec parses whole just after.
   */
  static int endOfStructure(byte[] in, int start) {
    if (in.length > MAX_BYTES || start >= in.length || (in[start] != '{' && in[start] != '[')) {
      return -1;
    }
    long kinds = 0; // bit d set: the container at depth d is an array
    int depth = 0;
    int i = start;
    int n = in.length;
    while (i < n) {
      byte b = in[i];
      if (b == '"') {
        i = quoteOrBackslash(in, i + 1);
        while (i < n && in[i] == '\\') {
          i = quoteOrBackslash(in, i + 2);
        }
        if (i >= n) {
          return -1;
        }
        i++;
      } else if (b == '{' || b == '[') {
        if (depth == MAX_DEPTH) {
          return -1;
        }
        kinds = b == '[' ? kinds | (1L << depth) : kinds & ~(1L << depth);
        depth++;
        i++;
      } else if (b == '}' || b == ']') {
        if (depth == 0 || ((kinds >>> (depth - 1)) & 1) != (b == ']' ? 1 : 0)) {
          return -1;
        }
        depth--;
        i++;
        if (depth == 0) {
          return i;
        }
      } else {
        i++;
      }
    }
    return -1;
  }

  /**
   * The first quote or backslash from {@code from} on, or the length (or {@code from}, when past it). Not
   * {@link #plainEnd}, which also stops at control and non-ASCII bytes: walking strings with it, the structured decode
   * ran at 1.08 M/s against 1.41 M/s with this narrower test (JMH, back to back).
   */
  private static int quoteOrBackslash(byte[] in, int from) {
    int i = from;
    for (int last = in.length - Long.BYTES; i <= last; i += Long.BYTES) {
      long word = (long) LONGS.get(in, i);
      long flags = zeroBytes(word ^ ('"' * ONES)) | zeroBytes(word ^ ('\\' * ONES));
      if (flags != 0) {
        return i + (Long.numberOfTrailingZeros(flags) >>> 3);
      }
    }
    while (i < in.length && in[i] != '"' && in[i] != '\\') {
      i++;
    }
    return i;
  }

  private boolean value(int depth) {
    if (pos >= in.length) {
      return false;
    }
    return switch (in[pos]) {
      case '{' -> depth < MAX_DEPTH && object(depth + 1);
      case '[' -> depth < MAX_DEPTH && array(depth + 1);
      case '"' -> string(false);
      case 't' -> literal("true");
      case 'f' -> literal("false");
      case 'n' -> literal("null");
      default -> number();
    };
  }

  private boolean object(int depth) {
    pos++; // '{'
    skipWhiteSpace();
    if (at('}')) {
      pos++;
      return true;
    }
    // Start and end of each member name seen, to find one named twice; room for 8 at first (most objects are small,
    // and zeroing room for MAX_MEMBERS in every object was a visible share of the scan).
    int[] names = new int[16];
    int count = 0;
    while (true) {
      int start = pos + 1;
      if (!at('"') || count == MAX_MEMBERS || ++namesSeen > MAX_NAMES || !string(true) || pos - 1 - start > MAX_NAME_BYTES) {
        return false;
      }
      int end = pos - 1;
      for (int i = 0; i < count; i++) {
        int otherStart = names[2 * i];
        int otherEnd = names[2 * i + 1];
        if (otherEnd - otherStart == end - start && Arrays.equals(in, otherStart, otherEnd, in, start, end)) {
          return false; // named twice: Jackson refuses it, with the message the reader reports
        }
      }
      if (2 * count == names.length) {
        names = Arrays.copyOf(names, names.length * 2);
      }
      names[2 * count] = start;
      names[2 * count + 1] = end;
      count++;
      skipWhiteSpace();
      if (!at(':')) {
        return false;
      }
      pos++;
      skipWhiteSpace();
      if (!value(depth)) {
        return false;
      }
      skipWhiteSpace();
      if (at(',')) {
        pos++;
        skipWhiteSpace();
      } else if (at('}')) {
        pos++;
        return true;
      } else {
        return false;
      }
    }
  }

  private boolean array(int depth) {
    pos++; // '['
    skipWhiteSpace();
    if (at(']')) {
      pos++;
      return true;
    }
    while (true) {
      if (!value(depth)) {
        return false;
      }
      skipWhiteSpace();
      if (at(',')) {
        pos++;
        skipWhiteSpace();
      } else if (at(']')) {
        pos++;
        return true;
      } else {
        return false;
      }
    }
  }

  /** A string from its opening quote; leaves {@link #pos} after the closing one. A name may have no escape. */
  private boolean string(boolean name) {
    pos++; // '"'
    while (true) {
      int i = plainEnd(in, pos); // the common case, eight bytes at a time
      pos = i;
      if (i == in.length) {
        return false;
      }
      int b = in[i] & 0xFF;
      if (b == '"') {
        pos++;
        return true;
      }
      if (b < 0x20) {
        return false;
      }
      if (b == 0x7F) {
        pos++; // DEL: JSON, though not PLAIN
      } else if (b == '\\') {
        if (name || !escape()) {
          return false;
        }
      } else if (!utf8Sequence(b)) {
        return false;
      }
    }
  }

  /** An escape from its backslash: one of {@code \" \\ \/ \b \f \n \r \t} or {@code \}{@code uXXXX}. */
  private boolean escape() {
    if (pos + 1 >= in.length) {
      return false;
    }
    byte next = in[pos + 1];
    if (next == 'u') {
      if (pos + 6 > in.length) {
        return false;
      }
      for (int i = pos + 2; i < pos + 6; i++) {
        if (Character.digit(in[i], 16) < 0) {
          return false;
        }
      }
      pos += 6;
      return true;
    }
    if ("\"\\/bfnrt".indexOf(next) < 0) {
      return false;
    }
    pos += 2;
    return true;
  }

  /**
   * A well-formed UTF-8 sequence of two to four bytes from its first byte {@code b}: no overlong form, no surrogate,
   * nothing above U+10FFFF.
   */
  private boolean utf8Sequence(int b) {
    int length;
    int min;
    int codePoint;
    if (b >= 0xC2 && b <= 0xDF) {
      length = 2;
      min = 0x80;
      codePoint = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
      length = 3;
      min = 0x800;
      codePoint = b & 0x0F;
    } else if (b >= 0xF0 && b <= 0xF4) {
      length = 4;
      min = 0x10000;
      codePoint = b & 0x07;
    } else {
      return false;
    }
    if (pos + length > in.length) {
      return false;
    }
    for (int i = pos + 1; i < pos + length; i++) {
      int continuation = in[i] & 0xFF;
      if ((continuation & 0xC0) != 0x80) {
        return false;
      }
      codePoint = (codePoint << 6) | (continuation & 0x3F);
    }
    if (codePoint < min || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
      return false;
    }
    pos += length;
    return true;
  }

  /** {@code -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?}, followed by a byte that may end a number. */
  private boolean number() {
    int start = pos;
    if (at('-')) {
      pos++;
    }
    if (at('0')) {
      pos++;
    } else if (!digits()) {
      return false;
    }
    if (at('.')) {
      pos++;
      if (!digits()) {
        return false;
      }
    }
    if (at('e') || at('E')) {
      pos++;
      if (at('+') || at('-')) {
        pos++;
      }
      if (!digits()) {
        return false;
      }
    }
    return pos - start <= MAX_NUMBER_BYTES && endsToken();
  }

  private boolean digits() {
    int start = pos;
    while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
      pos++;
    }
    return pos > start;
  }

  private boolean literal(String word) {
    if (!startsWith(in, pos, word)) {
      return false;
    }
    pos += word.length();
    return endsToken();
  }

  /** Whether the byte after a number or literal may follow it: the end, white space, {@code ,}, {@code ]} or {@code }}. */
  private boolean endsToken() {
    if (pos == in.length) {
      return true;
    }
    byte b = in[pos];
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == ',' || b == ']' || b == '}';
  }

  private void skipWhiteSpace() {
    pos = skipWhiteSpace(in, pos);
  }

  /**
   * The first position from {@code from} on whose byte is not {@link #PLAIN} (or the length): the scan of every string,
   * eight bytes at a time. In each group the bytes below 0x20, from 0x7F, the quote and the backslash are flagged by
   * word arithmetic; a flag can be wrong only above a right one (a borrow carries upwards), so the lowest flag, the
   * first byte in memory, is exact. The JSON of a structured event is mostly such text: byte by byte, this loop was
   * the largest share of the consumer's envelope check in a profile of the Kafka loopback.
   */
  static int plainEnd(byte[] in, int from) {
    int i = from;
    for (int last = in.length - Long.BYTES; i <= last; i += Long.BYTES) {
      long word = (long) LONGS.get(in, i);
      long flags = ((word | (word + ONES)) & HIGHS) // 0x7F and above
          | ((word - 0x20 * ONES) & ~word & HIGHS) // below 0x20
          | zeroBytes(word ^ ('"' * ONES))
          | zeroBytes(word ^ ('\\' * ONES));
      if (flags != 0) {
        return i + (Long.numberOfTrailingZeros(flags) >>> 3);
      }
    }
    while (i < in.length && PLAIN[in[i] & 0xFF]) {
      i++;
    }
    return i;
  }

  /** The high bit of each zero byte of a word set (and perhaps of bytes above the lowest zero one). */
  private static long zeroBytes(long word) {
    return (word - ONES) & ~word & HIGHS;
  }

  /** The first position from {@code pos} on that is not JSON white space, or the length. */
  static int skipWhiteSpace(byte[] in, int pos) {
    int i = pos;
    while (i < in.length) {
      byte b = in[i];
      if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
        return i;
      }
      i++;
    }
    return i;
  }

  /** Whether the ASCII {@code word} is in {@code in} at {@code pos}. */
  static boolean startsWith(byte[] in, int pos, String word) {
    if (pos + word.length() > in.length) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (in[pos + i] != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private boolean at(char c) {
    return pos < in.length && in[pos] == c;
  }
}
