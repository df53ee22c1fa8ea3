package dev.omnibus.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** Example values made from JSON Schemas. */
class ExamplePayloadsTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  private static String example(String schema) throws Exception {
    return JSON.writeValueAsString(ExamplePayloads.example(JSON.readTree(schema)));
  }

  @Test
  void theSchemasOwnValuesComeFirst() throws Exception {
    assertThat(example("{\"type\":\"string\",\"const\":\"1.0\"}")).isEqualTo("\"1.0\"");
    assertThat(example("{\"type\":\"string\",\"examples\":[\"a\",\"b\"],\"default\":\"c\"}")).isEqualTo("\"a\"");
    assertThat(example("{\"type\":\"integer\",\"default\":7}")).isEqualTo("7");
    assertThat(example("{\"enum\":[\"EUR\",\"USD\"]}")).isEqualTo("\"EUR\"");
  }

  @Test
  void valuesMeetSimpleConstraints() throws Exception {
    assertThat(example("{\"type\":\"integer\",\"minimum\":5,\"maximum\":9}")).isEqualTo("5");
    assertThat(example("{\"type\":\"string\",\"minLength\":6}")).isEqualTo("\"valuex\"");
    assertThat(example("{\"type\":\"string\",\"format\":\"email\"}")).isEqualTo("\"user@example.com\"");
    assertThat(example("{\"type\":\"array\",\"minItems\":2,\"items\":{\"type\":\"boolean\"}}"))
        .isEqualTo("[true,true]");
  }

  @Test
  void objectsGetEveryPropertyNamedForItsField() throws Exception {
    assertThat(example("{\"type\":\"object\",\"properties\":{\"sku\":{\"type\":\"string\"},"
        + "\"lines\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}}}}}}"))
        .isEqualTo("{\"sku\":\"sku\",\"lines\":[{\"n\":1}]}");
  }

  @Test
  void compositionsTakeTheirFirstChoiceOrMergeAllParts() throws Exception {
    assertThat(example("{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}")).isEqualTo("\"value\"");
    assertThat(example("{\"allOf\":[{\"properties\":{\"a\":{\"type\":\"integer\"}}},"
        + "{\"properties\":{\"b\":{\"type\":\"boolean\"}}}]}")).isEqualTo("{\"a\":1,\"b\":true}");
  }

  @Test
  void aReferenceLeftAsItIsBecomesNull() throws Exception {
    JsonNode schema = JSON.readTree("{\"type\":\"object\",\"properties\":{\"parent\":{\"$ref\":\"#/components/schemas/Node\"}}}");
    assertThat(JSON.writeValueAsString(ExamplePayloads.example(schema))).isEqualTo("{\"parent\":null}");
  }
}
