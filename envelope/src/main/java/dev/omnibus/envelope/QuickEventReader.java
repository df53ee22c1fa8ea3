package dev.omnibus.envelope;

import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Reads a structured-mode event of the common shape straight from its bytes, before the Jackson parser of
 * {@link JsonEventFormat} is asked: one object whose member names and string values are printable ASCII without
 * escapes, extensions that are such strings, booleans, 32-bit integers or {@code null}, and a {@code data} object or
 * array, delimited by its structure alone ({@link QuickJsonCheck#endOfStructure}) and checked to be JSON when it is
 * read ({@link EventData.Json#delimited}). A profile of the Kafka loopback in structured mode found the parser (its
 * set-up per body, name look-ups, a string per token) at about a third of the consumer thread.
 *
 * <p>It answers an event only when the parser would answer the same one, but for its data: the members it reads go
 * through the same {@link JsonEventFormat#complete} (the same checks and the same validator), and anything else (an
 * escape, a non-ASCII byte, a member named twice, a {@code data_base64}, a {@code data} that is not an object or array,
 * an event with any violation, ...) gets {@code null}: "ask the parser", which then gives the event or every reason it
 * is malformed. Data the parser would refuse as not JSON, the event's data refuses when read, with the reason.
 *
 * <p>Stateless and thread-safe (each call scans with its own cursor).
 */
final class QuickEventReader {

  private static final int MAX_BYTES = 1 << 20;
  private static final int MAX_MEMBERS = 32;
  private static final int MAX_NAME_BYTES = 1000;
  /** Digits of the longest int, {@code -2147483648} without its sign. */
  private static final int MAX_INT_DIGITS = 10;

  private static final int SPECVERSION = 0;
  private static final int ID = 1;
  private static final int SOURCE = 2;
  private static final int TYPE = 3;
  private static final int DATACONTENTTYPE = 4;
  private static final int DATASCHEMA = 5;
  private static final int SUBJECT = 6;
  private static final int TIME = 7;
  private static final int DATA = 8;
  private static final int DATA_BASE64 = 9;
  private static final int EXTENSION = -1;
  /** Slots of {@link #RECENT}: one per repeating attribute (its index), then eight for extension names by length. */
  private static final int RECENT_SLOTS = DATA + 8;

  private static final byte[][] NAMES = {
      ascii("specversion"), ascii("id"), ascii("source"), ascii("type"), ascii("datacontenttype"), ascii("dataschema"),
      ascii("subject"), ascii("time"), ascii("data"), ascii("data_base64")};

  /**
   * The texts read last of the members whose values repeat from event to event (specversion, source, type,
   * datacontenttype, dataschema) and of extension names, by slot: the same bytes give the same {@code String}. A new
   * string per event was allocated and hashed again where the bus looks the type up and the builder files the
   * extensions, and the validator's check of a type it checked before ({@link CloudEventValidator}) goes by
   * identity. The subject, id, time and extension values are the event's own and are not kept. Shared by all readers:
   * a slot replaced by another thread only means a string made again (each {@link Recent} is immutable).
   */
  private static final AtomicReferenceArray<Recent> RECENT = new AtomicReferenceArray<>(RECENT_SLOTS);

  private final byte[] in;
  private int pos;

  private QuickEventReader(byte[] in) {
    this.in = in;
  }

  /** The event in the body, or {@code null} when the parser must read it (not sure, or malformed). */
  static @Nullable CloudEvent read(byte[] body) {
    if (body.length > MAX_BYTES) {
      return null;
    }
    try {
      return new QuickEventReader(body).event();
    } catch (RuntimeException e) {
      return null; // whatever the SDK's builder refused, the parser meets again and reports
    }
  }

  private @Nullable CloudEvent event() {
    skipWhiteSpace();
    if (!at('{')) {
      return null;
    }
    pos++;
    skipWhiteSpace();
    CloudEventBuilder builder = CloudEventBuilder.v1();
    JsonEventFormat.Members members = new JsonEventFormat.Members();
    int seen = 0;
    String[] extensions = null;
    int extensionCount = 0;
    int count = 0;
    if (at('}')) {
      pos++;
    } else {
      while (true) {
        if (!at('"') || ++count > MAX_MEMBERS) {
          return null;
        }
        int nameStart = pos + 1;
        int nameEnd = plainStringEnd(nameStart);
        if (nameEnd < 0 || nameEnd - nameStart > MAX_NAME_BYTES) {
          return null;
        }
        pos = nameEnd + 1;
        skipWhiteSpace();
        if (!at(':')) {
          return null;
        }
        pos++;
        skipWhiteSpace();
        int attribute = attributeOf(nameStart, nameEnd);
        if (attribute == EXTENSION) {
          String name = text(nameStart, nameEnd, DATA + ((nameEnd - nameStart) & 7));
          if (!CloudEventValidator.isValidAttributeName(name)) {
            return null;
          }
          for (int i = 0; i < extensionCount; i++) {
            if (extensions[i].equals(name)) {
              return null; // named twice
            }
          }
          if (extensions == null) {
            extensions = new String[4];
          } else if (extensionCount == extensions.length) {
            extensions = Arrays.copyOf(extensions, extensionCount * 2);
          }
          extensions[extensionCount++] = name;
          if (!extension(builder, name)) {
            return null;
          }
        } else {
          if ((seen & (1 << attribute)) != 0) {
            return null; // named twice
          }
          seen |= 1 << attribute;
          if (attribute == DATA) {
            if (!at('{') && !at('[')) {
              return null;
            }
            int end = QuickJsonCheck.endOfStructure(in, pos);
            if (end < 0) {
              return null;
            }
            members.dataPresent = true;
            members.dataJson = Arrays.copyOfRange(in, pos, end);
            members.dataDelimited = true;
            pos = end;
          } else if (attribute == DATA_BASE64) {
            return null;
          } else {
            String value = plainString(attribute);
            if (value == null) {
              return null;
            }
            switch (attribute) {
              case SPECVERSION -> members.specVersion = value;
              case ID -> members.id = value;
              case SOURCE -> members.source = value;
              case TYPE -> members.type = value;
              case DATACONTENTTYPE -> members.contentType = value;
              case DATASCHEMA -> members.dataSchema = value;
              case SUBJECT -> members.subject = value;
              default -> members.time = value;
            }
          }
        }
        skipWhiteSpace();
        if (at(',')) {
          pos++;
          skipWhiteSpace();
        } else if (at('}')) {
          pos++;
          break;
        } else {
          return null;
        }
      }
    }
    skipWhiteSpace();
    if (pos != in.length) {
      return null;
    }
    try {
      // Every text read is printable ASCII: plainString and the names take nothing else (PLAIN).
      return JsonEventFormat.complete(builder, members, new ArrayList<>(0), true);
    } catch (MalformedEventException e) {
      return null; // the parser reads it again and reports every reason
    }
  }

  /** Which context attribute (or data member) the name is, by its length first; {@link #EXTENSION} for none. */
  private int attributeOf(int start, int end) {
    int length = end - start;
    int candidate = switch (length) {
      case 2 -> ID;
      case 4 -> in[start] == 't' ? (in[start + 1] == 'y' ? TYPE : TIME) : DATA;
      case 6 -> SOURCE;
      case 7 -> SUBJECT;
      case 10 -> DATASCHEMA;
      case 11 -> in[start] == 's' ? SPECVERSION : DATA_BASE64;
      case 15 -> DATACONTENTTYPE;
      default -> EXTENSION;
    };
    if (candidate == EXTENSION) {
      return EXTENSION;
    }
    // A loop, not Arrays.equals: for names of 2 to 15 bytes its vectorised mismatch cost more than the comparison
    // (a twentieth of the bus's samples in a structured-mode Kafka profile, nine names per event).
    byte[] name = NAMES[candidate];
    for (int i = 0; i < length; i++) {
      if (in[start + i] != name[i]) {
        return EXTENSION;
      }
    }
    return candidate;
  }

  /** Reads an extension's value into the builder; {@code false} when it is not of the common shape. */
  private boolean extension(CloudEventBuilder builder, String name) {
    if (pos >= in.length) {
      return false;
    }
    switch (in[pos]) {
      case '"' -> {
        String value = plainString();
        if (value == null) {
          return false;
        }
        builder.withExtension(name, value);
        return true;
      }
      case 't' -> {
        if (!literal("true")) {
          return false;
        }
        builder.withExtension(name, true);
        return true;
      }
      case 'f' -> {
        if (!literal("false")) {
          return false;
        }
        builder.withExtension(name, false);
        return true;
      }
      case 'n' -> {
        return literal("null"); // null is unset (json-format.md §2.2)
      }
      default -> {
        return integer(builder, name);
      }
    }
  }

  /** {@code -? (0 | [1-9][0-9]*)} within int range, ending the token: anything else is the parser's to read. */
  private boolean integer(CloudEventBuilder builder, String name) {
    int start = pos;
    if (at('-')) {
      pos++;
    }
    int digitsStart = pos;
    if (at('0')) {
      pos++;
    } else {
      while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') {
        pos++;
      }
    }
    int digits = pos - digitsStart;
    if (digits == 0 || digits > MAX_INT_DIGITS || !endsToken()) {
      return false;
    }
    long value = 0;
    for (int i = digitsStart; i < pos; i++) {
      value = value * 10 + (in[i] - '0');
    }
    if (in[start] == '-') {
      value = -value;
    }
    if (value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
      return false;
    }
    builder.withExtension(name, (int) value);
    return true;
  }

  /** A string of printable ASCII without escapes from its opening quote, or {@code null}; moves past it when read. */
  private @Nullable String plainString() {
    return plainString(EXTENSION);
  }

  /** {@link #plainString()} of the value of an attribute, the text read last reused when it repeats. */
  private @Nullable String plainString(int attribute) {
    if (!at('"')) {
      return null;
    }
    int start = pos + 1;
    int end = plainStringEnd(start);
    if (end < 0) {
      return null;
    }
    pos = end + 1;
    boolean repeating = attribute == SPECVERSION || attribute == SOURCE || attribute == TYPE
        || attribute == DATACONTENTTYPE || attribute == DATASCHEMA;
    return repeating ? text(start, end, attribute) : new String(in, start, end - start, StandardCharsets.ISO_8859_1);
  }

  /** The ASCII text of {@code in[start, end)}: the one kept in the slot when it has these bytes, else a new one kept. */
  private String text(int start, int end, int slot) {
    Recent recent = RECENT.get(slot);
    if (recent != null && Arrays.equals(recent.bytes, 0, recent.bytes.length, in, start, end)) {
      return recent.text;
    }
    String text = new String(in, start, end - start, StandardCharsets.ISO_8859_1);
    RECENT.set(slot, new Recent(Arrays.copyOfRange(in, start, end), text));
    return text;
  }

  private record Recent(byte[] bytes, String text) {}

  /** The index of the closing quote of a string of printable ASCII without escapes starting at {@code start}; or -1. */
  private int plainStringEnd(int start) {
    int i = QuickJsonCheck.plainEnd(in, start);
    return i < in.length && in[i] == '"' ? i : -1;
  }

  private boolean literal(String word) {
    if (!QuickJsonCheck.startsWith(in, pos, word)) {
      return false;
    }
    pos += word.length();
    return endsToken();
  }

  /** Whether the byte after a number or literal may follow it: white space, {@code ,} or {@code }}. */
  private boolean endsToken() {
    if (pos == in.length) {
      return false; // the object is not closed
    }
    byte b = in[pos];
    return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == ',' || b == '}';
  }

  private void skipWhiteSpace() {
    pos = QuickJsonCheck.skipWhiteSpace(in, pos);
  }

  private boolean at(char c) {
    return pos < in.length && in[pos] == c;
  }

  private static byte[] ascii(String text) {
    return text.getBytes(StandardCharsets.US_ASCII);
  }
}
