package dev.omnibus.docs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.omnibus.docs.Page.Table;
import dev.omnibus.docs.Page.Text;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A JSON Schema as a table a reader can scan: one row per field, nested fields by their path
 * ({@code lines[].sku}), with the type, whether it is required, and the description with the constraints in words.
 * Nesting is bounded; a reference that stays a reference (recursive or remote) is shown as such.
 */
final class SchemaTable {

  static final List<String> HEADER = List.of("Field", "Type", "Required", "Description");
  private static final int MAX_DEPTH = 8;
  private static final int MAX_ROWS = 400;

  private SchemaTable() {}

  static Table of(JsonNode schema) {
    List<List<Text>> rows = new ArrayList<>();
    String type = ExamplePayloads.type(schema);
    if (schema.isObject() && !type.equals("object") && !schema.has("properties")) {
      rows.add(row("(the whole value)", schema, true)); // a payload that is a string, an array, a number...
      if (type.equals("array") && schema.path("items").isObject()) {
        fields(schema.get("items"), "[]", rows, 1);
      }
    } else {
      fields(schema, "", rows, 0);
    }
    return new Table(HEADER, rows);
  }

  private static void fields(JsonNode schema, String prefix, List<List<Text>> rows, int depth) {
    if (depth > MAX_DEPTH || !schema.isObject()) {
      return;
    }
    Set<String> required = new HashSet<>();
    schema.path("required").forEach(name -> required.add(name.asText()));
    List<JsonNode> parts = new ArrayList<>();
    parts.add(schema);
    schema.path("allOf").forEach(parts::add);
    for (JsonNode part : parts) {
      part.path("required").forEach(name -> required.add(name.asText()));
      JsonNode properties = part.get("properties");
      if (properties == null || !properties.isObject()) {
        continue;
      }
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        if (rows.size() >= MAX_ROWS) {
          return;
        }
        Map.Entry<String, JsonNode> property = it.next();
        String name = prefix.isEmpty() ? property.getKey() : prefix + "." + property.getKey();
        JsonNode field = property.getValue();
        rows.add(row(name, field, required.contains(property.getKey())));
        String type = ExamplePayloads.type(field);
        if (type.equals("object")) {
          fields(field, name, rows, depth + 1);
        } else if (type.equals("array") && field.path("items").isObject()) {
          JsonNode items = field.get("items");
          if (ExamplePayloads.type(items).equals("object")) {
            fields(items, name + "[]", rows, depth + 1);
          }
        }
      }
    }
    for (String choice : List.of("oneOf", "anyOf")) {
      JsonNode options = schema.get(choice);
      if (options != null && options.isArray()) {
        for (int i = 0; i < options.size() && rows.size() < MAX_ROWS; i++) {
          fields(options.get(i), prefix.isEmpty() ? "(" + choice + " " + (i + 1) + ")" : prefix, rows, depth + 1);
        }
      }
    }
  }

  private static List<Text> row(String name, JsonNode field, boolean required) {
    return List.of(Text.code(name), Text.of(typeText(field)), Text.of(required ? "yes" : "no"), description(field));
  }

  /** The type in words: {@code string (date-time)}, {@code array of integer}, {@code one of: A | B}. */
  static String typeText(JsonNode schema) {
    if (!schema.isObject()) {
      return schema.isBoolean() ? (schema.asBoolean() ? "anything" : "nothing") : "";
    }
    if (schema.path("$ref").isTextual()) {
      return "reference " + schema.get("$ref").asText();
    }
    for (String choice : List.of("oneOf", "anyOf")) {
      JsonNode options = schema.get(choice);
      if (options != null && options.isArray() && options.size() > 0) {
        List<String> types = new ArrayList<>();
        options.forEach(option -> types.add(option.path("title").isTextual() ? option.get("title").asText()
            : typeText(option)));
        return (choice.equals("oneOf") ? "one of: " : "any of: ") + String.join(" | ", types);
      }
    }
    JsonNode declared = schema.get("type");
    String type;
    if (declared != null && declared.isArray()) {
      List<String> types = new ArrayList<>();
      declared.forEach(item -> types.add(item.asText()));
      type = String.join(" or ", types);
    } else {
      type = ExamplePayloads.type(schema);
    }
    if (type.isEmpty()) {
      type = schema.has("enum") || schema.has("const") ? "value" : "any";
    }
    if (type.equals("array")) {
      JsonNode items = schema.get("items");
      return items == null || !items.isObject() ? "array" : "array of " + typeText(items);
    }
    if (schema.path("format").isTextual()) {
      type += " (" + schema.get("format").asText() + ")";
    }
    return type;
  }

  /** The field's title and description, then its constraints in words. */
  static Text description(JsonNode field) {
    List<String> parts = new ArrayList<>();
    if (field.path("title").isTextual()) {
      parts.add(field.get("title").asText());
    }
    if (field.path("description").isTextual()) {
      parts.add(field.get("description").asText().strip());
    }
    Text text = Text.of(String.join(" — ", parts));
    List<Text> constraints = constraints(field);
    for (Text constraint : constraints) {
      if (!text.isEmpty()) {
        text.plain(" ");
      }
      text.append(constraint);
    }
    return text;
  }

  private static List<Text> constraints(JsonNode field) {
    List<Text> out = new ArrayList<>();
    if (!field.isObject()) {
      return out;
    }
    if (field.has("const")) {
      out.add(Text.of("Always ").mono(field.get("const").toString()).plain("."));
    }
    JsonNode values = field.get("enum");
    if (values != null && values.isArray()) {
      Text text = Text.of("One of ");
      for (int i = 0; i < values.size(); i++) {
        text.plain(i == 0 ? "" : ", ").mono(values.get(i).isTextual() ? values.get(i).asText()
            : values.get(i).toString());
      }
      out.add(text.plain("."));
    }
    bounds(field, "minimum", "maximum", "at least ", "at most ", out);
    if (field.path("exclusiveMinimum").isNumber()) {
      out.add(Text.of("More than " + field.get("exclusiveMinimum").asText() + "."));
    }
    if (field.path("exclusiveMaximum").isNumber()) {
      out.add(Text.of("Less than " + field.get("exclusiveMaximum").asText() + "."));
    }
    if (field.path("multipleOf").isNumber()) {
      out.add(Text.of("A multiple of " + field.get("multipleOf").asText() + "."));
    }
    bounds(field, "minLength", "maxLength", "at least ", "at most ", out, " characters");
    bounds(field, "minItems", "maxItems", "at least ", "at most ", out, " items");
    if (field.path("uniqueItems").asBoolean(false)) {
      out.add(Text.of("Items are unique."));
    }
    if (field.path("pattern").isTextual()) {
      out.add(Text.of("Matches ").mono(field.get("pattern").asText()).plain("."));
    }
    if (field.has("default")) {
      out.add(Text.of("Default ").mono(field.get("default").isTextual() ? field.get("default").asText()
          : field.get("default").toString()).plain("."));
    }
    if (field.path("deprecated").asBoolean(false)) {
      out.add(Text.of("Deprecated."));
    }
    if (field.path("readOnly").asBoolean(false)) {
      out.add(Text.of("Read-only."));
    }
    return out;
  }

  private static void bounds(JsonNode field, String min, String max, String atLeast, String atMost, List<Text> out) {
    bounds(field, min, max, atLeast, atMost, out, "");
  }

  private static void bounds(JsonNode field, String min, String max, String atLeast, String atMost, List<Text> out,
      String unit) {
    boolean hasMin = field.path(min).isNumber();
    boolean hasMax = field.path(max).isNumber();
    if (hasMin && hasMax) {
      out.add(Text.of("From " + field.get(min).asText() + " to " + field.get(max).asText() + unit + "."));
    } else if (hasMin) {
      out.add(Text.of(capitalise(atLeast) + field.get(min).asText() + unit(unit, field.get(min)) + "."));
    } else if (hasMax) {
      out.add(Text.of(capitalise(atMost) + field.get(max).asText() + unit(unit, field.get(max)) + "."));
    }
  }

  /** " characters", or " character" after 1. */
  private static String unit(String unit, JsonNode count) {
    return count.asDouble() == 1 && unit.endsWith("s") ? unit.substring(0, unit.length() - 1) : unit;
  }

  private static String capitalise(String text) {
    return Character.toUpperCase(text.charAt(0)) + text.substring(1);
  }
}
