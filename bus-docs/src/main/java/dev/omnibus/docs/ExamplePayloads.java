package dev.omnibus.docs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * An example value made from a JSON Schema, for a reader to see what a message looks like: the schema's own
 * {@code const}, {@code examples}, {@code example} or {@code default} where it has one, else the first {@code enum}
 * value, else a value of its type that meets its simple constraints (format, minimum, lengths, item counts). Every
 * property of an object is filled in, nested objects and arrays too, down to a bounded depth; a reference that stays
 * a reference (a recursive schema, a remote one) becomes {@code null}.
 */
final class ExamplePayloads {

  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final int MAX_DEPTH = 12;

  private ExamplePayloads() {}

  static JsonNode example(JsonNode schema) {
    return value(schema, "value", 0);
  }

  private static JsonNode value(JsonNode schema, String name, int depth) {
    if (depth > MAX_DEPTH || !schema.isObject()) {
      return schema.isBoolean() && schema.asBoolean() ? NODES.textNode(name) : NODES.nullNode();
    }
    if (schema.has("$ref")) {
      return NODES.nullNode();
    }
    JsonNode own = own(schema);
    if (own != null) {
      return own.deepCopy();
    }
    for (String choice : new String[] {"oneOf", "anyOf"}) {
      JsonNode options = schema.get(choice);
      if (options != null && options.isArray() && options.size() > 0) {
        return value(withSiblings(schema, options.get(0), choice), name, depth + 1);
      }
    }
    JsonNode allOf = schema.get("allOf");
    if (allOf != null && allOf.isArray() && allOf.size() > 0) {
      ObjectNode merged = schema.deepCopy();
      merged.remove("allOf");
      for (JsonNode part : allOf) {
        if (part.isObject()) {
          mergeInto(merged, (ObjectNode) part);
        }
      }
      return value(merged, name, depth + 1);
    }
    String type = type(schema);
    switch (type) {
      case "object":
        return object(schema, depth);
      case "array":
        return array(schema, name, depth);
      case "string":
        return NODES.textNode(string(schema, name));
      case "integer":
        return NODES.numberNode((long) number(schema, true));
      case "number":
        double number = number(schema, false);
        return number == Math.rint(number) ? NODES.numberNode(number + 0.5) : NODES.numberNode(number);
      case "boolean":
        return NODES.booleanNode(true);
      case "null":
        return NODES.nullNode();
      default:
        return NODES.nullNode();
    }
  }

  /** A value the schema itself gives. */
  private static @Nullable JsonNode own(JsonNode schema) {
    if (schema.has("const")) {
      return schema.get("const");
    }
    JsonNode examples = schema.get("examples");
    if (examples != null && examples.isArray() && examples.size() > 0) {
      return examples.get(0);
    }
    if (schema.has("example")) {
      return schema.get("example");
    }
    if (schema.has("default")) {
      return schema.get("default");
    }
    JsonNode values = schema.get("enum");
    if (values != null && values.isArray() && values.size() > 0) {
      return values.get(0);
    }
    return null;
  }

  /** The schema's type; a list of types takes its first that is not {@code null}; none is guessed from keywords. */
  static String type(JsonNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual()) {
      return type.asText();
    }
    if (type != null && type.isArray()) {
      for (JsonNode item : type) {
        if (item.isTextual() && !item.asText().equals("null")) {
          return item.asText();
        }
      }
      return "null";
    }
    if (schema.has("properties") || schema.has("additionalProperties") || schema.has("required")) {
      return "object";
    }
    if (schema.has("items") || schema.has("minItems")) {
      return "array";
    }
    if (schema.has("minLength") || schema.has("maxLength") || schema.has("pattern") || schema.has("format")) {
      return "string";
    }
    if (schema.has("minimum") || schema.has("maximum") || schema.has("multipleOf")) {
      return "number";
    }
    return "";
  }

  private static JsonNode object(JsonNode schema, int depth) {
    ObjectNode object = NODES.objectNode();
    JsonNode properties = schema.get("properties");
    if (properties != null && properties.isObject()) {
      for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> property = it.next();
        object.set(property.getKey(), value(property.getValue(), property.getKey(), depth + 1));
      }
    }
    JsonNode additional = schema.get("additionalProperties");
    if (object.isEmpty() && additional != null && additional.isObject() && additional.size() > 0) {
      object.set("key", value(additional, "key", depth + 1));
    }
    return object;
  }

  private static JsonNode array(JsonNode schema, String name, int depth) {
    ArrayNode array = NODES.arrayNode();
    JsonNode items = schema.get("items");
    if (items != null && items.isArray()) { // tuple form
      items.forEach(item -> array.add(value(item, name, depth + 1)));
      return array;
    }
    int count = Math.max(1, schema.path("minItems").asInt(1));
    for (int i = 0; i < Math.min(count, 3); i++) {
      array.add(items == null ? NODES.textNode(name) : value(items, name, depth + 1));
    }
    return array;
  }

  private static String string(JsonNode schema, String name) {
    String value = switch (schema.path("format").asText("")) {
      case "date-time" -> "2026-01-31T12:00:00Z";
      case "date" -> "2026-01-31";
      case "time" -> "12:00:00Z";
      case "duration" -> "PT1M";
      case "email", "idn-email" -> "user@example.com";
      case "hostname", "idn-hostname" -> "host.example.com";
      case "ipv4" -> "192.0.2.1";
      case "ipv6" -> "2001:db8::1";
      case "uri", "iri", "url" -> "https://example.com/" + name;
      case "uri-reference", "iri-reference" -> "/" + name;
      case "uuid" -> "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
      case "byte" -> "ZXhhbXBsZQ==";
      default -> name;
    };
    int min = schema.path("minLength").asInt(0);
    int max = schema.path("maxLength").asInt(Integer.MAX_VALUE);
    StringBuilder padded = new StringBuilder(value);
    while (padded.length() < min) {
      padded.append('x');
    }
    return max < padded.length() ? padded.substring(0, Math.max(0, max)) : padded.toString();
  }

  private static double number(JsonNode schema, boolean integer) {
    double value = 1;
    if (schema.path("minimum").isNumber()) {
      value = schema.get("minimum").asDouble();
    } else if (schema.path("exclusiveMinimum").isNumber()) {
      value = schema.get("exclusiveMinimum").asDouble() + 1;
    }
    if (schema.path("maximum").isNumber() && value > schema.get("maximum").asDouble()) {
      value = schema.get("maximum").asDouble();
    }
    if (schema.path("multipleOf").isNumber() && schema.get("multipleOf").asDouble() > 0) {
      double step = schema.get("multipleOf").asDouble();
      value = Math.ceil(value / step) * step;
    }
    return integer ? Math.ceil(value) : value;
  }

  private static JsonNode withSiblings(JsonNode schema, JsonNode option, String choice) {
    if (!option.isObject()) {
      return option;
    }
    ObjectNode merged = schema.deepCopy();
    merged.remove(choice);
    mergeInto(merged, (ObjectNode) option);
    return merged;
  }

  private static void mergeInto(ObjectNode target, ObjectNode part) {
    for (Iterator<Map.Entry<String, JsonNode>> it = part.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> field = it.next();
      JsonNode existing = target.get(field.getKey());
      if (existing instanceof ObjectNode existingObject && field.getValue() instanceof ObjectNode patch
          && field.getKey().equals("properties")) {
        ObjectNode copy = existingObject.deepCopy();
        copy.setAll(patch);
        target.set(field.getKey(), copy);
      } else if (existing != null && existing.isArray() && field.getValue().isArray()
          && field.getKey().equals("required")) {
        ArrayNode copy = ((ArrayNode) existing).deepCopy();
        field.getValue().forEach(copy::add);
        target.set(field.getKey(), copy);
      } else {
        target.set(field.getKey(), field.getValue().deepCopy());
      }
    }
  }
}
