package dev.omnibus.asyncapi;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaException;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialect;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.keyword.AnnotationKeyword;
import com.networknt.schema.path.PathType;
import dev.omnibus.ValidationException.Violation;
import dev.omnibus.PayloadCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * One message's payload schema compiled with networknt's validator, and the rule for reading a payload as a JSON
 * instance. Immutable and thread-safe (networknt schemas are, once their validators are initialised).
 */
final class PayloadSchema {

  /** Reads and describes payloads as the bus's JSON codec writes them. */
  private static final com.fasterxml.jackson.databind.ObjectMapper MAPPER = PayloadCodec.defaultMapper();

  /** How a schema is written, from the message's {@code schemaFormat}. */
  enum Format {
    /** AsyncAPI schema (a JSON Schema draft-07 superset) and JSON Schema draft-07. */
    DRAFT_07,
    /** JSON Schema draft-04. */
    DRAFT_04,
    /** JSON Schema draft-06. */
    DRAFT_06,
    /** JSON Schema 2019-09. */
    DRAFT_2019_09,
    /** JSON Schema 2020-12. */
    DRAFT_2020_12,
    /** OpenAPI 3.0 schema object. */
    OPENAPI_30,
    /** Anything else (Avro, RAML, Protobuf...): not validated. */
    UNSUPPORTED;

    static Format of(@Nullable String schemaFormat) {
      if (schemaFormat == null || schemaFormat.isBlank()) {
        return DRAFT_07;
      }
      String format = schemaFormat.toLowerCase(Locale.ROOT).replace(" ", "");
      String mediaType = format.contains(";") ? format.substring(0, format.indexOf(';')) : format;
      String version = format.contains("version=") ? format.substring(format.indexOf("version=") + 8) : "";
      if (mediaType.startsWith("application/vnd.aai.asyncapi")) {
        return DRAFT_07;
      }
      if (mediaType.equals("application/schema+json") || mediaType.equals("application/schema+yaml")) {
        return switch (version) {
          case "", "draft-07" -> DRAFT_07;
          case "draft-04" -> DRAFT_04;
          case "draft-06" -> DRAFT_06;
          case "2019-09", "draft-2019-09", "draft/2019-09" -> DRAFT_2019_09;
          case "2020-12", "draft-2020-12", "draft/2020-12" -> DRAFT_2020_12;
          default -> UNSUPPORTED;
        };
      }
      if (mediaType.startsWith("application/vnd.oai.openapi") && version.startsWith("3.0")) {
        return OPENAPI_30;
      }
      return UNSUPPORTED;
    }

    private Dialect dialect() {
      return switch (this) {
        case DRAFT_04 -> Dialects.getDraft4();
        case DRAFT_06 -> Dialects.getDraft6();
        case DRAFT_2019_09 -> Dialects.getDraft201909();
        case DRAFT_2020_12 -> Dialects.getDraft202012();
        case OPENAPI_30 -> Dialects.getOpenApi30();
        default -> Dialects.getDraft7();
      };
    }
  }

  private static final SchemaRegistryConfig CONFIG = SchemaRegistryConfig.builder()
      .pathType(PathType.JSON_POINTER)
      .build();

  /** One registry per format, built on first use; unknown keywords (AsyncAPI's, {@code x-*}) are annotations. */
  private static final java.util.Map<Format, SchemaRegistry> REGISTRIES =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final Schema schema;

  private PayloadSchema(Schema schema) {
    this.schema = schema;
  }

  /**
   * Compiles a payload schema.
   *
   * @throws SchemaException when networknt cannot compile it
   */
  static PayloadSchema compile(JsonNode payload, Format format) {
    SchemaRegistry registry = REGISTRIES.computeIfAbsent(format, PayloadSchema::registry);
    Schema schema = registry.getSchema(payload);
    schema.initializeValidators();
    return new PayloadSchema(schema);
  }

  private static SchemaRegistry registry(Format format) {
    Dialect dialect = Dialect.builder(format.dialect())
        .unknownKeywordFactory((name, context) -> new AnnotationKeyword(name))
        .build();
    // Omnibus never fetches anything while building a bus: remote references are not followed.
    return SchemaRegistry.withDefaultDialect(dialect,
        builder -> builder.schemaRegistryConfig(CONFIG).schemaLoader(loader -> loader.fetchRemoteResources(false)));
  }

  /** Whether a schema still holds a {@code $ref} (remote, or the inner end of a recursive schema). */
  static boolean hasReference(JsonNode node) {
    if (node.isObject()) {
      if (node.path("$ref").isTextual()) {
        return true;
      }
      for (Iterator<JsonNode> it = node.elements(); it.hasNext(); ) {
        if (hasReference(it.next())) {
          return true;
        }
      }
    } else if (node.isArray()) {
      for (JsonNode element : node) {
        if (hasReference(element)) {
          return true;
        }
      }
    }
    return false;
  }

  /** How a payload with a content type is read as a JSON instance, or why it cannot be. */
  enum Reading {
    /** Parsed as JSON. */
    JSON,
    /** A text payload: the instance is one JSON string. */
    TEXT,
    /** Bytes a JSON schema cannot judge: not validated. */
    BINARY;

    static Reading of(@Nullable String contentType) {
      if (contentType == null || contentType.isBlank()) {
        return JSON; // the bus writes JSON unless a codec says otherwise
      }
      String type = contentType.toLowerCase(Locale.ROOT).trim();
      int semicolon = type.indexOf(';');
      if (semicolon >= 0) {
        type = type.substring(0, semicolon).trim();
      }
      if (type.equals("application/json") || type.endsWith("+json") || type.equals("text/json")) {
        return JSON;
      }
      if (type.startsWith("text/")) {
        return TEXT;
      }
      return BINARY;
    }
  }

  /** The violations of a payload (empty when valid); {@code reading} must not be {@link Reading#BINARY}. */
  List<Violation> validate(byte[] payload, Reading reading) {
    JsonNode instance;
    if (reading == Reading.TEXT) {
      instance = TextNode.valueOf(new String(payload, StandardCharsets.UTF_8));
    } else {
      try {
        instance = payload.length == 0 ? NullNode.getInstance() : MAPPER.readTree(payload);
      } catch (JacksonException e) {
        return List.of(new Violation("", "is not JSON: " + e.getOriginalMessage()));
      } catch (java.io.IOException e) {
        return List.of(new Violation("", "cannot be read: " + e.getMessage()));
      }
    }
    List<Violation> violations = new ArrayList<>();
    for (com.networknt.schema.Error error : schema.validate(instance)) {
      violations.add(new Violation(error.getInstanceLocation().toString(), error.getMessage()));
    }
    return violations;
  }
}
