package dev.omnibus.envelope;

import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import java.net.URI;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Checks an event against the CloudEvents 1.0 specification (STANDARDS.md §1): required attributes present and
 * non-empty, {@code specversion} 1.0, extension names {@code ^[a-z0-9]+$} and not {@code data}, extension values of a
 * CloudEvents type (Integer is int32), strings free of control characters, {@code dataschema} an absolute URI,
 * {@code datacontenttype} a media type. The {@code time} syntax (RFC 3339) is checked where text is parsed, by the
 * codec, since a {@link CloudEvent} holds an already parsed {@link OffsetDateTime}.
 *
 * <p>Stateless and thread-safe.
 */
public final class CloudEventValidator {

  private static final int MAX_RECOMMENDED_NAME_LENGTH = 20;

  /**
   * The longest attribute name read or written, in either mode: Jackson's default limit on a JSON member name
   * ({@code StreamReadConstraints.DEFAULT_MAX_NAME_LEN}), which structured mode met first, applied to binary mode too
   * so that both modes accept the same events.
   */
  public static final int MAX_ATTRIBUTE_NAME_LENGTH = 50_000;

  private CloudEventValidator() {}

  /**
   * Whether a name is a legal attribute or extension name: {@code ^[a-z0-9]+$}, not {@code data}, and at most
   * {@value #MAX_ATTRIBUTE_NAME_LENGTH} characters.
   */
  public static boolean isValidAttributeName(String name) {
    return name.length() <= MAX_ATTRIBUTE_NAME_LENGTH && isLowerAlphanumeric(name) && !name.equals("data");
  }

  /*
   * The last type, source and datacontenttype found valid, compared by identity: a publisher passes the same few
   * String and URI instances (its event types' constants) with every event, and checking their characters again was a
   * third of encode's validation. Strings and URIs are immutable, so the same instance is as valid as it was; any
   * thread may replace one, and a replaced one only means a check made again.
   */
  private static volatile @Nullable String validType;
  private static volatile @Nullable URI validSource;
  private static volatile @Nullable String validContentType;

  /**
   * Whether a text is a content type this validator accepts as {@code datacontenttype}: an RFC 2046 media type
   * ({@code type/subtype}, optionally followed by {@code ;} parameters) free of control characters and noncharacters.
   */
  public static boolean isMediaType(String contentType) {
    if (contentType == validContentType) {
      return true; // the instance an encode validated last: the in-process decode asks again for every message
    }
    if (!hasMediaTypeSyntax(contentType)) {
      return false;
    }
    List<String> violations = new ArrayList<>(0);
    checkCharacters(violations, "datacontenttype", contentType);
    return violations.isEmpty();
  }

  /**
   * Validates an event.
   *
   * @throws MalformedEventException listing every violation, when there is at least one
   */
  public static void validate(CloudEvent event) {
    validate(event, false);
  }

  /** {@link #validate(CloudEvent)}; {@code printable} as for {@link #violations(CloudEvent, boolean)}. */
  static void validate(CloudEvent event, boolean printable) {
    List<String> violations = violations(event, printable);
    if (!violations.isEmpty()) {
      throw new MalformedEventException(violations, null);
    }
  }

  /** Every violation of the specification in the event, or an empty list for a valid event. */
  public static List<String> violations(CloudEvent event) {
    return violations(event, false);
  }

  /**
   * {@link #violations(CloudEvent)}, for an event whose every text (id, type, source, subject, content type, string
   * extensions) is known to be printable ASCII ({@code 0x20} to {@code 0x7E}) when {@code printable}: such text holds
   * no control character, noncharacter or surrogate, so its characters are not looked at again. The structured-mode
   * reader knows it of every text it read, and the look was a tenth of its time in a profile.
   */
  static List<String> violations(CloudEvent event, boolean printable) {
    List<String> violations = new ArrayList<>();
    Texts texts = printable ? Texts.PRINTABLE : Texts.ANY;
    if (event.getSpecVersion() != SpecVersion.V1) {
      violations.add("specversion must be 1.0, was " + event.getSpecVersion());
    }
    requireString(violations, "id", event.getId(), texts);
    String type = event.getType();
    if (type == null || type != validType) {
      int before = violations.size();
      requireString(violations, "type", type, texts);
      if (violations.size() == before) {
        validType = type;
      }
    }
    URI source = event.getSource();
    if (source == null || source.toString().isEmpty()) {
      violations.add("source is required and must be a non-empty URI-reference");
    } else if (source != validSource) {
      int before = violations.size();
      texts.check(violations, "source", source.toString());
      if (violations.size() == before) {
        validSource = source;
      }
    }
    optionalString(violations, "subject", event.getSubject(), texts);
    String contentType = event.getDataContentType();
    if (contentType != null && contentType != validContentType) {
      if (!hasMediaTypeSyntax(contentType)) {
        violations.add("datacontenttype must be an RFC 2046 media type, was '" + contentType + "'");
      } else {
        int before = violations.size();
        texts.check(violations, "datacontenttype", contentType);
        if (violations.size() == before) {
          validContentType = contentType;
        }
      }
    }
    URI dataSchema = event.getDataSchema();
    if (dataSchema != null && (dataSchema.toString().isEmpty() || !dataSchema.isAbsolute())) {
      violations.add("dataschema must be an absolute URI, was '" + dataSchema + "'");
    }
    for (String name : event.getExtensionNames()) {
      if (name.length() > MAX_ATTRIBUTE_NAME_LENGTH) {
        violations.add("extension name of " + name.length() + " characters is longer than the "
            + MAX_ATTRIBUTE_NAME_LENGTH + " allowed");
        continue;
      }
      if (!isLowerAlphanumeric(name)) {
        violations.add("extension name '" + name + "' must consist of a-z and 0-9 only");
        continue;
      }
      if (name.equals("data")) {
        violations.add("extension name 'data' is reserved");
        continue;
      }
      checkExtensionValue(violations, name, event.getExtension(name), texts);
    }
    return violations;
  }

  /**
   * What the specification advises against without forbidding it (SHOULD NOT), for logging: attribute names longer
   * than 20 characters, names not starting with a letter (spec.md "Naming Conventions"). Empty for most events.
   */
  public static List<String> warnings(CloudEvent event) {
    List<String> warnings = new ArrayList<>(0);
    for (String name : event.getExtensionNames()) {
      if (name.length() > MAX_RECOMMENDED_NAME_LENGTH) {
        warnings.add("attribute name '" + name + "' is " + name.length() + " characters long: it SHOULD NOT exceed "
            + MAX_RECOMMENDED_NAME_LENGTH);
      }
      if (!name.isEmpty() && !(name.charAt(0) >= 'a' && name.charAt(0) <= 'z')) {
        warnings.add("attribute name '" + name + "' SHOULD start with a letter");
      }
    }
    return warnings;
  }

  private static void checkExtensionValue(List<String> violations, String name, @Nullable Object value, Texts texts) {
    if (value == null) {
      return;
    }
    if (value instanceof String string) {
      texts.check(violations, name, string);
    } else if (value instanceof Number number) {
      if (!(number instanceof Integer || number instanceof Short || number instanceof Byte)) {
        boolean integral = number instanceof Long || number instanceof java.math.BigInteger
            || (number instanceof java.math.BigDecimal decimal && decimal.stripTrailingZeros().scale() <= 0);
        double asDouble = number.doubleValue();
        if (!integral || asDouble < Integer.MIN_VALUE || asDouble > Integer.MAX_VALUE) {
          violations.add("extension '" + name + "' must be a 32-bit Integer, was " + number);
        }
      }
    } else if (!(value instanceof Boolean || value instanceof URI || value instanceof OffsetDateTime
        || value instanceof byte[])) {
      violations.add("extension '" + name + "' has a value of no CloudEvents type: " + value.getClass().getName());
    }
  }

  /**
   * Whether a text has the shape {@code type/subtype}, optional white space, then optionally {@code ;} and parameters
   * without line breaks: the regex {@code [A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+\s*(;.*)?}, written out because
   * every encode and decode checks it.
   */
  static boolean hasMediaTypeSyntax(String text) {
    int slash = tokenEnd(text, 0);
    if (slash == 0 || slash == text.length() || text.charAt(slash) != '/') {
      return false;
    }
    int i = tokenEnd(text, slash + 1);
    if (i == slash + 1) {
      return false;
    }
    while (i < text.length() && isRegexWhiteSpace(text.charAt(i))) {
      i++;
    }
    if (i == text.length()) {
      return true;
    }
    if (text.charAt(i) != ';') {
      return false;
    }
    for (i++; i < text.length(); i++) {
      char c = text.charAt(i);
      // What the regex '.' does not match: the line terminators.
      if (c == '\n' || c == '\r' || c == '\u0085' || c == '\u2028' || c == '\u2029') {
        return false;
      }
    }
    return true;
  }

  /** The index after the media-type token characters ({@code [A-Za-z0-9!#$&^_.+-]}) starting at {@code from}. */
  private static int tokenEnd(String text, int from) {
    int i = from;
    while (i < text.length() && isTokenChar(text.charAt(i))) {
      i++;
    }
    return i;
  }

  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$&^_.+-".indexOf(c) >= 0;
  }

  /** The regex {@code \s}: space, tab, line feed, vertical tab, form feed, carriage return. */
  private static boolean isRegexWhiteSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** Whether a name has the shape of an attribute name ({@code ^[a-z0-9]+$}), whatever its length. */
  static boolean isLowerAlphanumeric(String name) {
    if (name.isEmpty()) {
      return false;
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
        return false;
      }
    }
    return true;
  }

  private static void requireString(List<String> violations, String name, @Nullable String value, Texts texts) {
    if (value == null || value.isEmpty()) {
      violations.add(name + " is required and must be non-empty");
    } else {
      texts.check(violations, name, value);
    }
  }

  private static void optionalString(List<String> violations, String name, @Nullable String value, Texts texts) {
    if (value != null) {
      if (value.isEmpty()) {
        violations.add(name + " must be non-empty when present");
      } else {
        texts.check(violations, name, value);
      }
    }
  }

  /** Whether the characters of an event's texts are still to be checked ({@link #ANY}) or known printable. */
  private enum Texts {
    ANY,
    PRINTABLE;

    void check(List<String> violations, String name, String value) {
      if (this == ANY) {
        checkCharacters(violations, name, value);
      }
    }
  }

  private static void checkCharacters(List<String> violations, String name, String value) {
    int start = plainPrefixLength(value);
    for (int i = start; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x1F || (c >= 0x7F && c <= 0x9F)) {
        violations.add(name + " contains the control character U+" + String.format("%04X", (int) c));
        return;
      }
      if ((c >= 0xFDD0 && c <= 0xFDEF) || c == 0xFFFE || c == 0xFFFF) {
        violations.add(name + " contains the noncharacter U+" + String.format("%04X", (int) c));
        return;
      }
      if (Character.isHighSurrogate(c)) {
        if (i + 1 >= value.length() || !Character.isLowSurrogate(value.charAt(i + 1))) {
          violations.add(name + " contains an unpaired surrogate");
          return;
        }
        int codePoint = Character.toCodePoint(c, value.charAt(i + 1));
        if ((codePoint & 0xFFFE) == 0xFFFE) {
          violations.add(name + " contains the noncharacter U+" + String.format("%X", codePoint));
          return;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        violations.add(name + " contains an unpaired surrogate");
        return;
      }
    }
  }

  /**
   * How many leading characters are printable ASCII or Latin-1 and the rest of the Basic Multilingual Plane below the
   * surrogates ({@code U+0020-U+007E}, {@code U+00A0-U+D7FF}): none of them is a control character, a noncharacter
   * or a surrogate, so {@link #checkCharacters} needs two comparisons for each instead of six. Every event's id,
   * type, source and subject are checked, on encode and on decode.
   */
  static int plainPrefixLength(String value) {
    int length = value.length();
    int i = 0;
    while (i < length) {
      char c = value.charAt(i);
      if (c < 0x7F ? c < 0x20 : (c < 0xA0 || c >= 0xD800)) {
        return i;
      }
      i++;
    }
    return i;
  }
}
