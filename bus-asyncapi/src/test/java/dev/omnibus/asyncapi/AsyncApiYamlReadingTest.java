package dev.omnibus.asyncapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.omnibus.ConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the text of a document is read: YAML 1.2 scalars, aliases, merge keys, size, encoding and hostile
 * expansion.
 */
class AsyncApiYamlReadingTest {

  private static String v3(String payload) {
    return """
        asyncapi: 3.0.0
        info: {title: t, version: '1'}
        channels:
          lights:
            address: lights
            messages:
              switched:
                payload: %s
        """.formatted(payload);
  }

  private static JsonNode payload(AsyncApiDocument document) {
    return document.channels().get("lights").messages().get(0).payload();
  }

  @Test
  void yaml_1_1_booleans_stay_strings() {
    AsyncApiDocument document = AsyncApiDocument.parse(v3("{type: string, enum: [ON, OFF, yes, No, y, n, true]}"),
        "lights.yaml");
    JsonNode values = payload(document).get("enum");
    assertThat(values.get(0).isTextual()).isTrue();
    assertThat(values).extracting(JsonNode::toString)
        .containsExactly("\"ON\"", "\"OFF\"", "\"yes\"", "\"No\"", "\"y\"", "\"n\"", "true");
  }

  @Test
  void core_schema_nulls_numbers_and_infinity_are_read_as_such() {
    AsyncApiDocument document = AsyncApiDocument.parse(v3("{type: number, maximum: .inf, minimum: -.inf,"
        + " multipleOf: 0x10, default: ~, examples: [0o17, 1e3, 012]}"), "lights.yaml");
    JsonNode payload = payload(document);
    assertThat(payload.get("maximum").doubleValue()).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(payload.get("minimum").doubleValue()).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(payload.get("multipleOf").intValue()).isEqualTo(16);
    assertThat(payload.get("default").isNull()).isTrue();
    assertThat(payload.get("examples").get(0).intValue()).isEqualTo(15);
    assertThat(payload.get("examples").get(1).doubleValue()).isEqualTo(1000.0);
    assertThat(payload.get("examples").get(2).intValue()).isEqualTo(12);
  }

  @Test
  void an_alias_is_read_as_what_its_anchor_holds() {
    String document = v3("*order").replace("channels:", """
        x-shared:
          order: &order {type: object, required: [id]}
        channels:""");
    JsonNode payload = payload(AsyncApiDocument.parse(document, "orders.yaml"));
    assertThat(payload.get("type").asText()).isEqualTo("object");
    assertThat(payload.get("required").get(0).asText()).isEqualTo("id");
  }

  @Test
  void an_alias_bomb_is_refused_by_the_node_budget_naming_its_path() {
    StringBuilder bomb = new StringBuilder("x-bomb:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i <= 8; i++) {
      bomb.append("  a").append(i).append(": &a").append(i).append(" [");
      for (int j = 0; j < 10; j++) {
        bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
      }
      bomb.append("]\n");
    }
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse(v3("{type: string}").replace("channels:", bomb + "channels:"), "bomb.yaml"));
    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).startsWith("x-bomb.a");
      assertThat(problem.message()).contains("more than 2000000 nodes", "alias bomb", "bomb.yaml");
    });
  }

  @Test
  void an_alias_inside_its_own_anchor_is_refused_with_its_path() {
    String document = v3("{type: string}").replace("channels:", "x-loop: &loop {self: *loop}\nchannels:");
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse(document, "loop.yaml"));
    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("x-loop.self");
      assertThat(problem.message()).contains("contains it", "$ref");
    });
  }

  @Test
  void a_merge_key_adds_the_fields_of_its_anchor() {
    String document = v3("{<<: *base, required: [id]}").replace("channels:",
        "x-base: &base {type: object, required: [other]}\nchannels:");
    JsonNode payload = payload(AsyncApiDocument.parse(document, "merge.yaml"));
    assertThat(payload.get("type").asText()).isEqualTo("object");
    assertThat(payload.get("required").get(0).asText()).isEqualTo("id");
  }

  @Test
  void a_document_nested_past_the_depth_limit_is_refused_as_nested_too_deeply() {
    String document = v3("{type: string}") + "x-deep: " + "[".repeat(100_000) + "\n";
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse(document, "deep.yaml"));
    assertThat(e.getMessage()).contains("deep.yaml nests mappings and lists more than 1000 levels deep");
  }

  @Test
  void a_yaml_document_over_3_mb_loads() {
    StringBuilder text = new StringBuilder(v3("{type: string}")).append("x-schemas:\n");
    for (int i = 0; text.length() <= 3 * 1024 * 1024 + 1024; i++) {
      text.append("  s").append(i).append(": {type: string, description: a schema kept for other tools}\n");
    }
    AsyncApiDocument document = AsyncApiDocument.parse(text.toString(), "big.yaml");
    assertThat(document.channels()).containsKey("lights");
  }

  @Test
  void a_document_past_the_size_limit_is_refused_as_too_large_with_the_limit() {
    String huge = v3("{type: string}") + "x-padding: " + "x".repeat(64 * 1024 * 1024) + "\n";
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse(huge, "huge.yaml"));
    assertThat(e.getMessage()).contains("huge.yaml is too large", String.valueOf(64 * 1024 * 1024))
        .doesNotContain("well-formed");
  }

  @Test
  void a_document_that_is_not_utf_8_is_refused_with_the_byte_offset(@TempDir Path folder) throws Exception {
    String text = v3("{type: string, description: 'caf\u00e9'}");
    Path file = folder.resolve("latin1.yaml");
    Files.write(file, text.getBytes(StandardCharsets.ISO_8859_1));
    int offset = text.indexOf('\u00e9');
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.load(file));
    assertThat(e.getMessage()).contains("latin1.yaml", "is not UTF-8", "offset " + offset, "line 8",
        "save the document as UTF-8").doesNotContain("MalformedInputException");
  }

  @Test
  void a_reference_bomb_is_refused_by_the_node_budget_at_the_ref_that_expands() {
    StringBuilder document = new StringBuilder(v3("{$ref: '#/components/schemas/s8'}"))
        .append("components:\n  schemas:\n    s0: {type: string}\n");
    for (int i = 1; i <= 8; i++) {
      document.append("    s").append(i).append(":\n      type: object\n      properties:\n");
      for (int j = 0; j < 10; j++) {
        document.append("        p").append(j).append(": {$ref: '#/components/schemas/s").append(i - 1)
            .append("'}\n");
      }
    }
    assertThat(document.length()).isLessThan(5_000);
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse(document.toString(), "refbomb.yaml"));
    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("channels.lights.messages.switched.payload.$ref");
      assertThat(problem.message()).contains("'#/components/schemas/s8'", "more than 1000000 nodes");
    });
  }

  @Test
  void a_broken_ref_for_a_whole_bindings_object_is_the_only_problem_reported() {
    String document = v3("{type: string}").replace("    address: lights\n",
        "    address: lights\n    bindings: {$ref: '#/components/channelBindings/missing'}\n");
    ConfigurationException e = catchThrowableOfType(ConfigurationException.class,
        () -> AsyncApiDocument.parse(document, "lights.yaml"));
    assertThat(e.problems()).singleElement().satisfies(problem -> {
      assertThat(problem.path()).isEqualTo("channels.lights.bindings.$ref");
      assertThat(problem.message()).contains("points at nothing");
    });
  }
}
