package dev.omnibus.contract;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.introspect.AnnotatedMember;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.omnibus.PayloadCodec;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.lang.reflect.WildcardType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.Period;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * JSON schemas (AsyncAPI schema objects, valid JSON Schema draft-07) for Java payload types, as the bus's Jackson
 * mapper writes them: records and beans become named schemas under {@code components.schemas}, referenced with
 * {@code $ref}; {@code java.time} types become strings with a format or pattern; a JSpecify (or any)
 * {@code @Nullable} component, and an {@code Optional} one, is not required and may be {@code null}. Not
 * thread-safe: one instance per export.
 */
final class JavaSchemas {

  /** Reads and describes payloads as the bus's JSON codec writes them. */
  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = PayloadCodec.defaultMapper();

  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

  private final Map<Class<?>, String> names = new HashMap<>();
  private final Map<String, Class<?>> claimed = new HashMap<>();
  private final Map<String, ObjectNode> components = new TreeMap<>();

  /** The named schemas made so far, sorted by name. */
  Map<String, ObjectNode> components() {
    return components;
  }

  /** The schema of a type: inline for simple types, a {@code $ref} for records and beans. */
  ObjectNode schemaOf(Type type) {
    if (type instanceof Class<?> c) {
      return schemaOfClass(c);
    }
    if (type instanceof ParameterizedType parameterized && parameterized.getRawType() instanceof Class<?> raw) {
      Type[] arguments = parameterized.getActualTypeArguments();
      if (Optional.class.equals(raw)) {
        return schemaOf(arguments[0]);
      }
      if (Collection.class.isAssignableFrom(raw)) {
        ObjectNode array = typed("array");
        array.set("items", schemaOf(arguments[0]));
        if (Set.class.isAssignableFrom(raw)) {
          array.put("uniqueItems", true);
        }
        return array;
      }
      if (Map.class.isAssignableFrom(raw)) {
        ObjectNode object = typed("object");
        object.set("additionalProperties", schemaOf(arguments[1]));
        return object;
      }
      return schemaOf(raw);
    }
    if (type instanceof GenericArrayType array) {
      ObjectNode schema = typed("array");
      schema.set("items", schemaOf(array.getGenericComponentType()));
      return schema;
    }
    if (type instanceof WildcardType wildcard) {
      return schemaOf(wildcard.getUpperBounds()[0]);
    }
    if (type instanceof TypeVariable<?> variable && variable.getBounds().length == 1
        && !Object.class.equals(variable.getBounds()[0])) {
      return schemaOf(variable.getBounds()[0]);
    }
    return JSON.objectNode(); // any value
  }

  private ObjectNode schemaOfClass(Class<?> c) {
    if (c == String.class || c == CharSequence.class) {
      return typed("string");
    }
    if (c == char.class || c == Character.class) {
      return typed("string").put("minLength", 1).put("maxLength", 1);
    }
    if (c == boolean.class || c == Boolean.class) {
      return typed("boolean");
    }
    if (c == int.class || c == Integer.class || c == short.class || c == Short.class || c == byte.class
        || c == Byte.class || c == OptionalInt.class) {
      return typed("integer").put("format", "int32");
    }
    if (c == long.class || c == Long.class || c == OptionalLong.class) {
      return typed("integer").put("format", "int64");
    }
    if (c == BigInteger.class) {
      return typed("integer");
    }
    if (c == float.class || c == Float.class) {
      return typed("number").put("format", "float");
    }
    if (c == double.class || c == Double.class || c == OptionalDouble.class) {
      return typed("number").put("format", "double");
    }
    if (c == BigDecimal.class || c == Number.class) {
      return typed("number");
    }
    if (c == byte[].class) {
      return typed("string").put("contentEncoding", "base64");
    }
    if (c.isArray()) {
      ObjectNode array = typed("array");
      array.set("items", schemaOf(c.getComponentType()));
      return array;
    }
    if (c.isEnum()) {
      ObjectNode schema = typed("string");
      ArrayNode values = schema.putArray("enum");
      for (Object constant : c.getEnumConstants()) {
        values.add(((Enum<?>) constant).name());
      }
      return schema;
    }
    ObjectNode time = timeSchema(c);
    if (time != null) {
      return time;
    }
    if (c == UUID.class) {
      return typed("string").put("format", "uuid");
    }
    if (c == URI.class) {
      return typed("string").put("format", "uri-reference");
    }
    if (c == URL.class) {
      return typed("string").put("format", "uri");
    }
    if (Collection.class.isAssignableFrom(c)) {
      return typed("array");
    }
    if (Map.class.isAssignableFrom(c)) {
      return typed("object");
    }
    if (c == Object.class || c == Optional.class || JsonNode.class.isAssignableFrom(c) || c.isInterface()
        || c.isPrimitive()) {
      return JSON.objectNode();
    }
    return reference(c);
  }

  private static ObjectNode timeSchema(Class<?> c) {
    if (c == Instant.class || c == OffsetDateTime.class || c == ZonedDateTime.class || c == Date.class) {
      return typed("string").put("format", "date-time");
    }
    if (c == LocalDate.class) {
      return typed("string").put("format", "date");
    }
    if (c == OffsetTime.class) {
      return typed("string").put("format", "time");
    }
    if (c == LocalTime.class) {
      return typed("string").put("pattern", "^\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$");
    }
    if (c == LocalDateTime.class) {
      return typed("string").put("pattern", "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?$");
    }
    if (c == Duration.class && MAPPER.isEnabled(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)) {
      return typed("number"); // seconds, as the bus's mapper writes a Duration
    }
    if (c == Duration.class || c == Period.class) {
      return typed("string").put("pattern", "^[-+]?P");
    }
    if (c == Year.class) {
      return typed("integer").put("format", "int32");
    }
    if (c == YearMonth.class) {
      return typed("string").put("pattern", "^-?\\d{4,}-\\d{2}$");
    }
    if (c == MonthDay.class) {
      return typed("string").put("pattern", "^--\\d{2}-\\d{2}$");
    }
    if (ZoneId.class.isAssignableFrom(c)) {
      return typed("string");
    }
    return null;
  }

  private ObjectNode reference(Class<?> c) {
    String name = names.get(c);
    if (name == null) {
      name = claim(c);
      ObjectNode placeholder = JSON.objectNode();
      components.put(name, placeholder); // claimed before the properties, so recursive types end
      placeholder.setAll(c.isRecord() ? recordSchema(c) : beanSchema(c));
    }
    return JSON.objectNode().put("$ref", "#/components/schemas/" + name);
  }

  private String claim(Class<?> c) {
    List<String> candidates = new ArrayList<>();
    candidates.add(c.getSimpleName());
    StringBuilder nested = new StringBuilder(c.getSimpleName());
    for (Class<?> outer = c.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass()) {
      nested.insert(0, outer.getSimpleName() + "_");
      candidates.add(nested.toString());
    }
    candidates.add(c.getName().replaceAll("[^A-Za-z0-9_]", "_"));
    for (String candidate : candidates) {
      if (!candidate.isEmpty() && !claimed.containsKey(candidate)) {
        claimed.put(candidate, c);
        names.put(c, candidate);
        return candidate;
      }
    }
    String last = candidates.get(candidates.size() - 1) + "_" + claimed.size();
    claimed.put(last, c);
    names.put(c, last);
    return last;
  }

  private ObjectNode recordSchema(Class<?> c) {
    ObjectNode schema = typed("object");
    ObjectNode properties = JSON.objectNode();
    ArrayNode required = JSON.arrayNode();
    for (RecordComponent component : c.getRecordComponents()) {
      Method accessor = component.getAccessor();
      JsonProperty renamed = accessor.getAnnotation(JsonProperty.class);
      String name = renamed != null && !renamed.value().isEmpty() ? renamed.value() : component.getName();
      boolean optional = isOptional(component.getType());
      boolean nullable = optional || nullable(component) || nullable(accessor)
          || nullable(component.getAnnotatedType());
      ObjectNode property = schemaOf(component.getGenericType());
      properties.set(name, nullable ? orNull(property) : property);
      if (component.getType().isPrimitive() || !nullable) {
        required.add(name);
      }
    }
    schema.set("properties", properties);
    if (!required.isEmpty()) {
      schema.set("required", required);
    }
    return schema;
  }

  private ObjectNode beanSchema(Class<?> c) {
    ObjectNode schema = typed("object");
    ObjectNode properties = JSON.objectNode();
    ArrayNode required = JSON.arrayNode();
    BeanDescription description = MAPPER.getSerializationConfig()
        .introspect(MAPPER.constructType(c));
    for (BeanPropertyDefinition definition : description.findProperties()) {
      AnnotatedMember member = definition.getAccessor();
      if (member == null) {
        continue;
      }
      Member raw = member.getMember();
      Type type = raw instanceof Method method ? method.getGenericReturnType()
          : raw instanceof java.lang.reflect.Field field ? field.getGenericType() : member.getRawType();
      Class<?> rawType = member.getRawType();
      boolean nullable = isOptional(rawType) || (raw instanceof AnnotatedElement element && nullable(element))
          || (raw instanceof Method method && nullable(method.getAnnotatedReturnType()))
          || (raw instanceof java.lang.reflect.Field field && nullable(field.getAnnotatedType()));
      ObjectNode property = schemaOf(type);
      properties.set(definition.getName(), nullable ? orNull(property) : property);
      if (rawType.isPrimitive()) {
        required.add(definition.getName());
      }
    }
    schema.set("properties", properties);
    if (!required.isEmpty()) {
      schema.set("required", required);
    }
    return schema;
  }

  private static boolean isOptional(Class<?> type) {
    return type == Optional.class || type == OptionalInt.class || type == OptionalLong.class
        || type == OptionalDouble.class;
  }

  /** Whether any annotation named {@code Nullable} (JSpecify, JSR 305, JetBrains...) is on the element. */
  private static boolean nullable(AnnotatedElement element) {
    for (Annotation annotation : element.getAnnotations()) {
      if (annotation.annotationType().getSimpleName().equals("Nullable")) {
        return true;
      }
    }
    return false;
  }

  /** The schema, also allowing {@code null}. */
  private static ObjectNode orNull(ObjectNode schema) {
    JsonNode type = schema.get("type");
    if (type != null && type.isTextual() && !schema.has("$ref")) {
      ObjectNode copy = schema.deepCopy();
      copy.putArray("type").add(type.asText()).add("null");
      if (copy.get("enum") instanceof ArrayNode values) {
        values.addNull();
      }
      return copy;
    }
    if (type == null && !schema.has("$ref") && schema.isEmpty()) {
      return schema; // anything, null included
    }
    ObjectNode either = JSON.objectNode();
    either.putArray("anyOf").add(schema).add(typed("null"));
    return either;
  }

  private static ObjectNode typed(String type) {
    return JSON.objectNode().put("type", type);
  }
}
