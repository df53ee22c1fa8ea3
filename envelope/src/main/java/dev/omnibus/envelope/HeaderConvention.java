package dev.omnibus.envelope;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * How one protocol names CloudEvents attributes in binary mode: the prefix written, the prefixes read, and where the
 * {@code datacontenttype} travels. Rules and sources are in {@code STANDARDS.md} §3–§5.
 *
 * <ul>
 *   <li>{@link #KAFKA}: headers {@code ce_<name>}, content type in the {@code content-type} header.
 *   <li>{@link #AMQP}: headers {@code cloudEvents_<name>} written; {@code cloudEvents_}, {@code cloudEvents:},
 *       {@code ce-} and {@code ce_} read, one prefix per message; content type in the {@code content_type} property.
 *   <li>{@link #MQTT}: MQTT 5 user properties named as the attributes, unprefixed; {@code ce-} prefixed ones (written by
 *       a known non-compliant producer) are read but never written; content type in the PUBLISH Content Type.
 *   <li>{@link #MEMORY}: unprefixed headers, content type beside them.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class HeaderConvention {

  // Declared before the conventions: static initialisers run in textual order.
  private static final List<String> KNOWN_ATTRIBUTES =
      List.of("id", "source", "specversion", "type", "datacontenttype", "dataschema", "subject", "time");

  /** The CloudEvents Kafka protocol binding. */
  public static final HeaderConvention KAFKA =
      new HeaderConvention("kafka", "ce_", List.of("ce_"), "content-type header");

  /** AMQP 0-9-1 (RabbitMQ): the AMQP 1.0 binding's {@code cloudEvents_} prefix, read leniently. */
  public static final HeaderConvention AMQP =
      new HeaderConvention(
          "amqp", "cloudEvents_", List.of("cloudEvents_", "cloudEvents:", "ce-", "ce_"), "content_type property");

  /** The CloudEvents MQTT protocol binding for MQTT 5. */
  public static final HeaderConvention MQTT =
      new HeaderConvention("mqtt", "", List.of("", "ce-"), "Content Type property");

  /** The in-memory binding. */
  public static final HeaderConvention MEMORY =
      new HeaderConvention("memory", "", List.of(""), "content type field");

  private static final int MAX_CACHED_NAMES = 256;
  /** Longer header names are cut afresh each time rather than kept (a name may have up to 50,000 characters). */
  private static final int MAX_CACHED_NAME_LENGTH = 64;

  private final String name;
  private final String writePrefix;
  private final List<String> readPrefixes;
  /** The {@code specversion} header name under each read prefix, in the same order. */
  private final String[] specVersionHeaders;
  /**
   * For each read prefix, the other non-empty read prefixes a header of the same message must not use, in the same
   * order: worked out once here so that decoding does not walk the whole list, comparing prefixes, for every header.
   */
  private final String[][] otherPrefixes;
  private final String contentTypeCarrier;
  private final Map<String, String> knownHeaderNames;
  /** Header names of extensions met so far, so encoding does not concatenate strings per message. */
  private final ConcurrentHashMap<String, String> extensionHeaderNames = new ConcurrentHashMap<>();
  /**
   * Extension names read so far under each read prefix, by header name: a channel's messages repeat their headers, so
   * decoding hands out one shared name (its hash computed once) instead of cutting a new string from each header.
   */
  private final List<ConcurrentHashMap<String, String>> readExtensionNames;

  final String specVersionHeader;
  final String idHeader;
  final String sourceHeader;
  final String typeHeader;
  final String subjectHeader;
  final String timeHeader;
  final String dataSchemaHeader;

  private HeaderConvention(String name, String writePrefix, List<String> readPrefixes, String contentTypeCarrier) {
    this.name = name;
    this.writePrefix = writePrefix;
    this.readPrefixes = List.copyOf(readPrefixes);
    this.specVersionHeaders = readPrefixes.stream().map(prefix -> prefix + "specversion").toArray(String[]::new);
    this.readExtensionNames = readPrefixes.stream().map(prefix -> new ConcurrentHashMap<String, String>()).toList();
    this.otherPrefixes = new String[readPrefixes.size()][];
    for (int p = 0; p < readPrefixes.size(); p++) {
      String prefix = readPrefixes.get(p);
      otherPrefixes[p] = readPrefixes.stream()
          .filter(other -> !other.isEmpty() && !other.equalsIgnoreCase(prefix))
          .toArray(String[]::new);
    }
    this.contentTypeCarrier = contentTypeCarrier;
    var names = new java.util.HashMap<String, String>();
    for (String attribute : KNOWN_ATTRIBUTES) {
      names.put(attribute, writePrefix + attribute);
    }
    this.knownHeaderNames = Map.copyOf(names);
    this.specVersionHeader = names.get("specversion");
    this.idHeader = names.get("id");
    this.sourceHeader = names.get("source");
    this.typeHeader = names.get("type");
    this.subjectHeader = names.get("subject");
    this.timeHeader = names.get("time");
    this.dataSchemaHeader = names.get("dataschema");
  }

  /** The protocol this convention is for, e.g. {@code kafka}. */
  public String name() {
    return name;
  }

  /** The prefix written before each attribute name; empty for MQTT and memory. */
  public String writePrefix() {
    return writePrefix;
  }

  /** The prefixes accepted when reading, in order of preference. */
  public List<String> readPrefixes() {
    return readPrefixes;
  }

  /** Where the protocol carries {@code datacontenttype}, for documentation and error messages. */
  public String contentTypeCarrier() {
    return contentTypeCarrier;
  }

  /** The header name written for an attribute. */
  public String headerName(String attribute) {
    String known = knownHeaderNames.get(attribute);
    if (known != null) {
      return known;
    }
    if (writePrefix.isEmpty()) {
      return attribute;
    }
    known = extensionHeaderNames.get(attribute);
    if (known == null) {
      known = writePrefix + attribute;
      if (extensionHeaderNames.size() < MAX_CACHED_NAMES) {
        extensionHeaderNames.putIfAbsent(attribute, known);
      }
    }
    return known;
  }

  /**
   * Finds the prefix a received message uses: the first read prefix under which a {@code specversion} header exists
   * (header names compared case-insensitively), or {@code null} when there is none.
   */
  @Nullable String detectPrefix(Map<String, String> headers) {
    for (int p = 0; p < specVersionHeaders.length; p++) {
      String wanted = specVersionHeaders[p];
      for (String header : headers.keySet()) {
        if (header.equalsIgnoreCase(wanted)) {
          return readPrefixes.get(p);
        }
      }
    }
    return null;
  }

  /**
   * {@link #detectPrefix(Map)} over headers read by position, without an iterator or entries, as the position of the
   * prefix in {@link #readPrefixes()}; -1 when there is none.
   */
  int detectPrefixIndex(WireHeaders headers) {
    int size = headers.size();
    // An encoder writes specversion first: when that header is under the preferred prefix, no other can win.
    if (size > 0 && matches(headers.name(0), specVersionHeaders[0])) {
      return 0;
    }
    for (int p = 0; p < specVersionHeaders.length; p++) {
      String wanted = specVersionHeaders[p];
      for (int i = 0; i < size; i++) {
        if (matches(headers.name(i), wanted)) {
          return p;
        }
      }
    }
    return -1;
  }

  private static boolean matches(String header, String wanted) {
    // The spelling every binding writes first: comparing exactly is cheaper than ignoring case.
    return header.length() == wanted.length() && (header.equals(wanted) || header.equalsIgnoreCase(wanted));
  }

  /** The read prefix at a position of {@link #readPrefixes()}. */
  String readPrefix(int index) {
    return readPrefixes.get(index);
  }

  /**
   * Whether a header carries an attribute under the given prefix: it starts with the prefix (any casing) and names
   * something after it. The attribute is the rest of the name exactly as written (never lower-cased: {@code ce_MyExt}
   * names {@code MyExt}, an invalid name the codec reports). Under the empty prefix (MQTT user properties) every header
   * is an attribute, as the MQTT binding maps every user property to one; so an invalid name there is refused as on
   * every binding.
   */
  boolean isAttributeHeader(String header, String prefix) {
    return header.length() > prefix.length() && startsWithAnyCase(header, 0, prefix);
  }

  /**
   * Whether {@code text} holds {@code prefix} at {@code offset}, in any casing. Exactly first, as every producer we
   * know of writes prefixes and media types in their usual casing: ignoring case on every header of every received
   * message was a third of reading a Kafka record's attributes in a profile.
   */
  static boolean startsWithAnyCase(String text, int offset, String prefix) {
    return text.startsWith(prefix, offset) || text.regionMatches(true, offset, prefix, 0, prefix.length());
  }

  /**
   * The extension name a header carries under the read prefix at a position of {@link #readPrefixes()}: the rest of
   * the header after the prefix, exactly as written. The header must be an {@link #isAttributeHeader attribute header}
   * for that prefix.
   */
  String extensionName(String header, int prefixIndex) {
    int offset = readPrefixes.get(prefixIndex).length();
    if (offset == 0) {
      return header;
    }
    ConcurrentHashMap<String, String> names = readExtensionNames.get(prefixIndex);
    String name = names.get(header);
    if (name == null) {
      name = header.substring(offset);
      if (header.length() <= MAX_CACHED_NAME_LENGTH && names.size() < MAX_CACHED_NAMES) {
        names.putIfAbsent(header, name);
      }
    }
    return name;
  }

  /**
   * Whether a header uses one of the other read prefixes than the one at a position of {@link #readPrefixes()} (a
   * message mixing prefixes). A header under a longer chosen prefix that begins with a shorter other one is not mixed.
   */
  boolean usesOtherPrefix(String header, int prefixIndex) {
    String[] others = otherPrefixes[prefixIndex];
    if (others.length == 0) {
      return false;
    }
    String prefix = readPrefixes.get(prefixIndex);
    for (String other : others) {
      if (header.length() > other.length() && header.regionMatches(true, 0, other, 0, other.length())
          && !(prefix.length() > other.length() && header.regionMatches(true, 0, prefix, 0, prefix.length()))) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return "HeaderConvention[" + name + "]";
  }
}
