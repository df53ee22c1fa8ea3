package dev.omnibus.spi.support;

import dev.omnibus.ConfigurationException;
import dev.omnibus.ConfigurationException.Problem;
import dev.omnibus.spi.Bindings;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads binding objects as the document wrote them (plain Java values: {@code Map}, {@code List}, {@code String},
 * {@code Number}, {@code Boolean}), recording every problem with its document path instead of stopping at the first.
 *
 * <p>The tolerant-reading rule: a field the binding (at its version) does not define, or one written in the wrong
 * object, is a warning naming its path, since Omnibus does not use it and tools such as Springwolf write such fields;
 * in strict mode ({@link dev.omnibus.spi.ServerConfig#strictBindings()}) it is a problem. {@code x-} extensions are
 * never either. A wrong type or value of a defined field is a problem in both modes.
 *
 * <p>Not thread-safe: one reader per parse.
 */
public final class BindingReader {

  private static final Logger LOG = LoggerFactory.getLogger(BindingReader.class);
  private static final Set<String> SCHEMA_KEYWORDS = Set.of("type", "enum", "const", "$ref", "properties", "items",
      "allOf", "anyOf", "oneOf", "not", "format", "pattern", "description", "title", "default", "examples",
      "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
      "required", "additionalProperties", "patternProperties", "if", "then", "else", "contains", "$schema", "$id",
      "fields", "name", "namespace", "symbols", "discriminator", "externalDocs", "deprecated", "readOnly",
      "writeOnly", "propertyNames", "dependencies", "minItems", "maxItems", "uniqueItems", "minProperties",
      "maxProperties", "contentEncoding", "contentMediaType", "example");

  private final boolean strict;
  private final List<Problem> problems = new ArrayList<>();

  public BindingReader(boolean strict) {
    this.strict = strict;
  }

  /**
   * The binding object of one protocol, or {@code null} when there is none (or, with a problem, when it is not an
   * object). Its document path is {@code bindings.pathOf(protocol)}.
   */
  @SuppressWarnings("unchecked")
  public @Nullable Map<String, Object> binding(Bindings bindings, String protocol, String what) {
    Object value = bindings.byProtocol().get(protocol);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map)) {
      problem(bindings.pathOf(protocol), what + " must be an object (a map of its fields, as the document writes"
          + " it), not " + kind(value));
      return null;
    }
    return (Map<String, Object>) value;
  }

  /**
   * The {@code bindingVersion} of a binding object, or {@code null} for the latest; a version not among the known
   * ones is a problem (and returned, so that the fields are read as of the latest).
   */
  public @Nullable String version(Map<String, Object> binding, String path, String protocol, List<String> known) {
    Object value = binding.get("bindingVersion");
    if (value == null) {
      return null;
    }
    if (!(value instanceof String version)) {
      problem(path(path, "bindingVersion"), "must be a string such as '" + known.get(known.size() - 1) + "', not "
          + kind(value));
      return null;
    }
    if (!known.contains(version)) {
      problem(path(path, "bindingVersion"), "'" + version + "' is not a " + protocol + " binding version Omnibus"
          + " knows (" + String.join(", ", known) + "); use one of them, or leave bindingVersion out for the latest");
    }
    return version;
  }

  /** Whether a binding version is the given one or later; an absent version is the latest. */
  public static boolean atLeast(@Nullable String version, String minimum) {
    return version == null || version.compareTo(minimum) >= 0;
  }

  /**
   * Applies the tolerant-reading rule to the fields of an object: each one not among the known ones and not an
   * {@code x-} extension is a warning naming its path, or a problem in strict mode.
   */
  public void onlyKnown(Map<String, Object> object, String path, String what, Collection<String> known) {
    for (String name : object.keySet()) {
      if (known.contains(name) || name.startsWith("x-")) {
        continue;
      }
      if (strict) {
        problem(path(path, name), "'" + name + "' is not a field of " + what + " (known: " + String.join(", ", known)
            + "); remove it, or prefix it with 'x-' if it is an extension");
      } else {
        LOG.warn("{}: '{}' is not a field of {} (known: {}); Omnibus ignores it (x-omnibus-strict-bindings: true at"
            + " the top of the document, or EventBus.builder().strictBindings(true), refuses it instead)",
            path(path, name), name, what, String.join(", ", known));
      }
    }
  }

  /** A string field; {@code null} when absent or (with a problem) of another type. */
  public @Nullable String text(Map<String, Object> object, String field, String path) {
    Object value = object.get(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof String text)) {
      problem(path(path, field), "must be a string, not " + kind(value));
      return null;
    }
    return text;
  }

  /** A boolean field; {@code null} when absent or (with a problem) of another type. */
  public @Nullable Boolean bool(Map<String, Object> object, String field, String path) {
    Object value = object.get(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Boolean flag)) {
      problem(path(path, field), "must be true or false, not " + kind(value));
      return null;
    }
    return flag;
  }

  /** A whole-number field within {@code [min, max]}; {@code null} when absent or (with a problem) wrong. */
  public @Nullable Long integer(Map<String, Object> object, String field, String path, long min, long max) {
    Object value = object.get(field);
    if (value == null) {
      return null;
    }
    Long number = wholeNumber(value);
    if (number == null) {
      problem(path(path, field), "must be a whole number, not " + kind(value)
          + (value instanceof Number ? " (" + value + ")" : ""));
      return null;
    }
    if (number < min || number > max) {
      problem(path(path, field), "must be between " + min + " and " + max + ", not " + number);
      return null;
    }
    return number;
  }

  /** A value as a {@code long} when it is a whole number that fits, else {@code null}. */
  public static @Nullable Long wholeNumber(@Nullable Object value) {
    if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big && big.bitLength() < Long.SIZE) {
      return big.longValue();
    }
    return null;
  }

  /** An object field; {@code null} when absent or (with a problem) not an object. */
  @SuppressWarnings("unchecked")
  public @Nullable Map<String, Object> object(Map<String, Object> object, String field, String path) {
    Object value = object.get(field);
    if (value == null) {
      return null;
    }
    if (!(value instanceof Map)) {
      problem(path(path, field), "must be an object, not " + kind(value));
      return null;
    }
    return (Map<String, Object>) value;
  }

  /** A list of strings; empty when absent. */
  public List<String> texts(Map<String, Object> object, String field, String path) {
    Object value = object.get(field);
    List<String> out = new ArrayList<>();
    if (value == null) {
      return out;
    }
    if (!(value instanceof List<?> items)) {
      problem(path(path, field), "must be a list of strings, not " + kind(value));
      return out;
    }
    for (int i = 0; i < items.size(); i++) {
      if (items.get(i) instanceof String text) {
        out.add(text);
      } else {
        problem(path(path, field) + "[" + i + "]", "must be a string, not " + kind(items.get(i)));
      }
    }
    return out;
  }

  /** Records a problem at a document path. */
  public void problem(String path, String message) {
    Problem problem = new Problem(path, message);
    if (!problems.contains(problem)) {
      problems.add(problem);
    }
  }

  /** Throws one {@link ConfigurationException} listing every problem, when there is any. */
  public void throwIfAny() {
    if (!problems.isEmpty()) {
      throw ConfigurationException.of(problems);
    }
  }

  /** Whether a value reads as a JSON Schema: a boolean, an empty object, or an object with a schema keyword. */
  public static boolean looksLikeSchema(@Nullable Object value) {
    if (value instanceof Boolean) {
      return true;
    }
    if (!(value instanceof Map<?, ?> object)) {
      return false;
    }
    if (object.isEmpty()) {
      return true;
    }
    for (Object name : object.keySet()) {
      if (SCHEMA_KEYWORDS.contains(name) || String.valueOf(name).startsWith("x-")) {
        return true;
      }
    }
    return false;
  }

  /** Whether a value is a string, number or boolean. */
  public static boolean isScalar(@Nullable Object value) {
    return value instanceof String || value instanceof Number || value instanceof Boolean;
  }

  /** What a value is, for messages: {@code a string}, {@code an object}... */
  public static String kind(@Nullable Object value) {
    if (value == null) {
      return "null";
    }
    if (value instanceof Map) {
      return "an object";
    }
    if (value instanceof List) {
      return "a list";
    }
    if (value instanceof String) {
      return "a string";
    }
    if (value instanceof Boolean) {
      return "a boolean";
    }
    if (value instanceof Number) {
      return "a number";
    }
    return "a " + value.getClass().getSimpleName();
  }

  /** A value with its kind, for messages: {@code a number (3)}, {@code an object without any schema keyword}. */
  public static String describe(@Nullable Object value) {
    if (value instanceof Map) {
      return "an object without any schema keyword (" + value + ")";
    }
    if (value instanceof String || value instanceof Number || value instanceof Boolean) {
      return kind(value) + " (" + value + ")";
    }
    return kind(value);
  }

  /** A child's document path. */
  public static String path(String parent, String child) {
    return parent.isEmpty() ? child : parent + "." + child;
  }
}
