package dev.omnibus.asyncapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Typed reads of fields, each recording a problem (and returning {@code null}) when the type is wrong. */
final class Json {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Problems problems;

  Json(Problems problems) {
    this.problems = problems;
  }

  Problems problems() {
    return problems;
  }

  static boolean present(JsonNode object, String field) {
    JsonNode value = object.get(field);
    return value != null && !value.isMissingNode();
  }

  @Nullable String text(JsonNode object, String field, String path) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isTextual()) {
      problems.add(Paths.of(path, field), "must be a string, not " + RefResolver.kind(value));
      return null;
    }
    return value.asText();
  }

  /** A string field, also accepting a number or boolean written without quotes (YAML {@code version: 1.0}). */
  @Nullable String scalar(JsonNode object, String field, String path) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isValueNode()) {
      problems.add(Paths.of(path, field), "must be a string, not " + RefResolver.kind(value));
      return null;
    }
    return value.asText();
  }

  @Nullable Boolean bool(JsonNode object, String field, String path) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isBoolean()) {
      problems.add(Paths.of(path, field), "must be true or false, not " + RefResolver.kind(value));
      return null;
    }
    return value.booleanValue();
  }

  @Nullable Long integer(JsonNode object, String field, String path, long min, long max) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isIntegralNumber() || !value.canConvertToLong()) {
      problems.add(Paths.of(path, field), "must be a whole number, not " + RefResolver.kind(value));
      return null;
    }
    long number = value.longValue();
    if (number < min || number > max) {
      problems.add(Paths.of(path, field), "must be between " + min + " and " + max + ", not " + number);
      return null;
    }
    return number;
  }

  /** An object field; {@code null} when absent, or (with a problem) when not an object. */
  @Nullable JsonNode object(JsonNode object, String field, String path) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return null;
    }
    if (!value.isObject()) {
      problems.add(Paths.of(path, field), "must be an object, not " + RefResolver.kind(value));
      return null;
    }
    return value;
  }

  /** A list of strings; empty when absent. */
  List<String> texts(JsonNode object, String field, String path) {
    JsonNode value = object.get(field);
    List<String> out = new ArrayList<>();
    if (value == null || value.isNull()) {
      return out;
    }
    if (!value.isArray()) {
      problems.add(Paths.of(path, field), "must be a list of strings, not " + RefResolver.kind(value));
      return out;
    }
    for (int i = 0; i < value.size(); i++) {
      if (!value.get(i).isTextual()) {
        problems.add(Paths.of(Paths.of(path, field), i), "must be a string, not " + RefResolver.kind(value.get(i)));
      } else {
        out.add(value.get(i).asText());
      }
    }
    return out;
  }

  /** Records a problem for every field not among the known ones and not an {@code x-} extension. */
  void onlyKnown(JsonNode object, String path, String what, List<String> known) {
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!known.contains(name) && !name.startsWith("x-")) {
        problems.add(Paths.of(path, name), "'" + name + "' is not a field of " + what + " (known: "
            + String.join(", ", known) + "); remove it, or prefix it with 'x-' if it is an extension");
      }
    }
  }

  /** The {@code x-omnibus-*} extensions of an object, prefix stripped, values as strings. */
  static Map<String, String> options(JsonNode object) {
    Map<String, String> options = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (field.getKey().startsWith("x-omnibus-") && field.getKey().length() > "x-omnibus-".length()
          && !field.getValue().isNull()) {
        JsonNode value = field.getValue();
        options.put(field.getKey().substring("x-omnibus-".length()),
            value.isValueNode() ? value.asText() : value.toString());
      }
    }
    return options;
  }

  /** A node as plain Java values (maps, lists, strings, numbers, booleans), nulls dropped from the top level. */
  static Object plain(JsonNode node) {
    Object value = MAPPER.convertValue(node, Object.class);
    return value == null ? "" : value;
  }

  /** An object's fields as plain Java values, without null values. */
  static Map<String, Object> plainFields(JsonNode object) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      if (!field.getValue().isNull()) {
        out.put(field.getKey(), plain(field.getValue()));
      }
    }
    return out;
  }
}
